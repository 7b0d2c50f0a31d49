io.write(#arg)
for i = 1, #arg do
  io.write(" ", arg[i])
end
io.write("\n")
