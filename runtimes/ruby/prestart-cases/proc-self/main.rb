p File.read("/proc/self/cmdline").split("\0")
p File.readlink("/proc/self/exe")
