print("main", INITED, arg[1])
