import sys
print(__name__, sys.modules["__main__"] is sys.modules[__name__])
