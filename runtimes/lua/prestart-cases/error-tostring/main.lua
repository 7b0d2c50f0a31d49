error(setmetatable({}, {__tostring = function() return "E!" end}))
