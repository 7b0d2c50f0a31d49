local pid = io.open("/proc/self/stat"):read("n")
io.stdout:setvbuf("no")
print("interrupting")
-- The shell waits, so that the SIGINT lands in the loop below, while lua.c's handler is set.
local p = io.popen("sleep 0.3; kill -INT " .. pid)
local n = 0
while true do n = n + 1 end
