import atexit, os
atexit.register(lambda: print("atexit must not run"))
print("before")
os._exit(3)
