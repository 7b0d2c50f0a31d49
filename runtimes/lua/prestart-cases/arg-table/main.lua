for i = -1, #arg do io.write(i, "=", string.format("%q", arg[i]), " ") end
print(arg[-2], #arg)
print(select("#", ...), ...)
