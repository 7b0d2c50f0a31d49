import atexit
class Bad:
    def __call__(self):
        1 / 0
    def __repr__(self):
        return "<Bad>"
atexit.register(print, "ran")
atexit.register(Bad())
