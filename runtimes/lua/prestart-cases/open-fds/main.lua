-- The process's open files and signal state as the script starts. The signal masks are read in-process: a child
-- started to read them would race with popen's spawn, which blocks every signal in the parent for a moment.
local status = io.open("/proc/self/status"):read("a")
for _, field in ipairs({"SigBlk", "SigIgn", "SigCgt"}) do print(status:match("\n(" .. field .. ":[^\n]*)")) end
local pid = io.open("/proc/self/stat"):read("n")
local f = io.open("out.txt", "w")
-- The child lists them after a moment: until popen returns, the parent briefly also holds the pipe's other end.
local ls = io.popen("sleep 0.2; ls /proc/" .. pid .. "/fd | sort -n | tr '\\n' ' '")
print(ls:read("a"))
