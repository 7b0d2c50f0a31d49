print(arg[0], require("util"), debug.getinfo(1, "S").source)
