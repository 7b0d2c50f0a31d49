"""The docstring."""
x: int = 1
for k, v in sorted(globals().items()):
    if k not in ("k", "v"):
        print(k, v if isinstance(v, (str, int, type(None), dict)) and k != "__builtins__" else type(v).__name__)
print(__builtins__ is __import__("builtins"), __cached__ if "__cached__" in globals() else "no __cached__")
print(__spec__, type(__loader__).__name__, __loader__.name, __loader__.path)
print(__annotations__ if "__annotations__" in globals() else "no __annotations__")
