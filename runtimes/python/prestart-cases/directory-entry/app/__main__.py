import sys; print(__name__, __file__, sys.argv, sys.path[0])
