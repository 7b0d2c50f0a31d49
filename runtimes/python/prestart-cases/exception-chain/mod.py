def fail():
    raise RuntimeError("lookup failed")
