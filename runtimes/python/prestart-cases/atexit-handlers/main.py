import atexit
atexit.register(print, "first", 1)
@atexit.register
def second():
    print("second", 2)
print("main done")
