print(io.read("l"), io.read("a"))
