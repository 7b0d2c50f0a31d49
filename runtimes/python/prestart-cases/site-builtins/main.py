import builtins, site, sys
print([n for n in ("exit", "quit", "copyright", "credits", "license", "help") if hasattr(builtins, n)])
print(repr(exit), repr(help)[:40])
print(site.ENABLE_USER_SITE, site.USER_SITE, site.getsitepackages())
print(sys.__interactivehook__.__qualname__ if hasattr(sys, "__interactivehook__") else None)
