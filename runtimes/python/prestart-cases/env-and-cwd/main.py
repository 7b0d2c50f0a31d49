import os
for k, v in sorted(os.environ.items()):
    print(k, "=", v)
print(os.getcwd(), os.environ.get("PWD"), os.getuid(), os.getgid(), os.getgroups(), os.umask(0o22))
