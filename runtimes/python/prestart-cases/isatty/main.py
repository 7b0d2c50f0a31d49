import sys
print(sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty())
