print("init file", ...)
error("init fails")
