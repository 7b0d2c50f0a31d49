import os
print(open("/proc/self/cmdline", "rb").read().split(b"\0"))
print(os.readlink("/proc/self/exe"))
