import _sha2, hashlib, random
for name in ("sha224", "sha256", "sha384", "sha512"):
    h = getattr(_sha2, name)(b"abc")
    c = h.copy()
    c.update(b"def" * 1000)
    print(name, h.name, h.digest_size, h.block_size, h.hexdigest(), c.hexdigest(), h.hexdigest() == hashlib.new(name, b"abc").hexdigest())
print(_sha2.sha256(b"x" * 100000, usedforsecurity=False).hexdigest(), type(_sha2.sha256()).__name__)
random.seed("a string seed")
print(random.random())
