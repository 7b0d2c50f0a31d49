local h = require("helper")
print(h.hi(), require("pkg").name)
print(package.loaded.helper == h)
print(pcall(require, "absent") and "found" or "absent missing")
