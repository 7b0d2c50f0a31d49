local M = {}
function M.hi() return "hi from " .. debug.getinfo(1, "S").source end
return M
