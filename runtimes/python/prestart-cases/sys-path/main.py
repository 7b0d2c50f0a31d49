import sys
for p in sys.path:
    print(repr(p))
print(sorted(k for k in sys.path_importer_cache))
print(sys.meta_path)
print([getattr(h, "__qualname__", h) for h in sys.path_hooks])
