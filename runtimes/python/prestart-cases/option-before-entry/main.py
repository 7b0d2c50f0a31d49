import sys; print(__debug__, sys.flags.optimize, sys.argv, sys.orig_argv)
