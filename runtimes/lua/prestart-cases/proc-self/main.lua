local c = io.open("/proc/self/cmdline"):read("a"):gsub("%z", " ")
print(c)
