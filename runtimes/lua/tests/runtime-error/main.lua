local config = nil
print("before")
io.stdout:flush()
print(config.size + 1)
