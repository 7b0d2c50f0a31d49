import sys
print("héllo wörld € 你好 🐍")
line = input()
print(line + "|" + str(len(line)))
print("ошибка ✓", file=sys.stderr)
print(sys.stdout.errors, sys.stderr.errors)
