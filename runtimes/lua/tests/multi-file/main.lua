-- Modules are found relative to this file's folder, wherever the entry file is.
local dir = arg[0]:match("^(.*)/") or "."
package.path = dir .. "/?.lua;" .. package.path

local shapes = require("geometry.shapes")
print(shapes.area(3, 4))
