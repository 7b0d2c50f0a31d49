import sys
import helper
print(__file__)
print(sys.argv)
print(sys.path[0])
print("helper in", helper.__file__)
