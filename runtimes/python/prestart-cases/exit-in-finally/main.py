import sys
try:
    sys.exit(5)
finally:
    print("cleanup")
