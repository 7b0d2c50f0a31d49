import sys
print(__file__)
print(sys.argv)
print(sys.orig_argv)
print(sys.path[0])
print(sys.executable, sys._base_executable)
print(sys.prefix, sys.exec_prefix, sys.base_prefix, sys.platlibdir)
