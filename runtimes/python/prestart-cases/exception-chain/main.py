import mod
try:
    {}["k"]
except KeyError:
    mod.fail()
