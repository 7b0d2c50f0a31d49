local pid = io.open("/proc/self/stat"):read("n")
io.stdout:setvbuf("no")
print("about to die")
io.popen("kill -TERM " .. pid):close()
while true do end
