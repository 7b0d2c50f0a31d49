import sys
print(sys.flags)
print(sys.dont_write_bytecode, sys.warnoptions, sys._xoptions, __debug__, sys.pycache_prefix)
print(sys.getrecursionlimit(), sys.getswitchinterval(), sys.get_int_max_str_digits())
print(sys.gettrace(), sys.getprofile(), sys.is_finalizing(), sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else None)
print(sys.version, sys.hexversion, sys.api_version, sys.implementation.name, sys.implementation.cache_tag)
print(sorted(sys.builtin_module_names))
print(sys.stdlib_module_names == frozenset(sys.stdlib_module_names), len(sys.stdlib_module_names))
print(sys.float_info, sys.int_info, sys.hash_info.algorithm, sys.maxsize, sys.byteorder)
import sysconfig
print(sysconfig.get_config_var("LDLIBRARY"), sysconfig.get_config_var("Py_ENABLE_SHARED"), sysconfig.get_paths()["stdlib"])
