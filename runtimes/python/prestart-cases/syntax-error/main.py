x = 1
print("unclosed"
y = 2
