import warnings
import lib

warnings.warn("careful")
lib.old()
warnings.warn("once per place", RuntimeWarning)
print(warnings.filters[:8])
