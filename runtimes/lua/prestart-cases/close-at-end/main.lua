local t <close> = setmetatable({}, {__close = function() print("closed") end})
local g = setmetatable({}, {__gc = function() print("collected at lua_close") end})
print("end of chunk")
