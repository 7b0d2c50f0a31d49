import sys
print(len(sys.modules))
print(sorted(sys.modules))
