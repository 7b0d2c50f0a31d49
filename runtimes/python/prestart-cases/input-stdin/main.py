import sys
name = input("Name? ")
print("Hello", name)
age = int(input("Age? "))
print(age + 1)
print("rest:", sys.stdin.read().splitlines())
try:
    input()
except EOFError as e:
    print("EOF:", type(e).__name__)
