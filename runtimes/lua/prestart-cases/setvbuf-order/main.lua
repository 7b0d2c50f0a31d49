io.stdout:setvbuf("no")
print("out 1")
io.stderr:write("err 1\n")
print("out 2")
