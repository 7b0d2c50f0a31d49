local M = {}

function M.area(w, h)
  return w * h
end

return M
