import warnings
warnings.warn("shown in __main__", DeprecationWarning)
print(len(warnings.filters))
