import warnings
def old():
    warnings.warn("old", DeprecationWarning)
    warnings.warn_explicit("explicit", DeprecationWarning, __file__, 1, module="__main__")
