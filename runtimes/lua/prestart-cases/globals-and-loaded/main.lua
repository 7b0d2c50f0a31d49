local function keys(t) local k = {} for n in pairs(t) do k[#k + 1] = tostring(n) end table.sort(k) return table.concat(k, " ") end
print(keys(_G))
print(keys(package.loaded))
print(_VERSION, math.maxinteger, utf8.charpattern)
