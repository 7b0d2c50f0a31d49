import sys
print(__file__, sys.argv, sys.path[0], __spec__, __loader__.path)
