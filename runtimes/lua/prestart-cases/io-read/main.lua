local n1, n2 = io.read("n", "n")
print(n1 + n2, math.type(n1), math.type(n2))
print(string.format("%q", io.read("l")))
print(io.read("L"))
for line in io.lines() do print("[" .. line .. "]") end
print(io.read("a") == "", io.read("l"))
