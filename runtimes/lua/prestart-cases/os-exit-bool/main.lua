local t = setmetatable({}, {__gc = function() print("gc at close") end})
os.exit(false, true)
