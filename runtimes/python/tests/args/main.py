import sys

print(len(sys.argv) - 1, *sys.argv[1:])
