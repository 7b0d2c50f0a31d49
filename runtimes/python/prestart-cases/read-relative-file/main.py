with open("data.txt") as f:
    lines = f.read().splitlines()
print(len(lines), "lines, last:", lines[-1])
with open("out.txt", "w") as f:
    print("wrote", f.write("hello"))
