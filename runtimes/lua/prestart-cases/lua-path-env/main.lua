print(require("m"), package.path)
