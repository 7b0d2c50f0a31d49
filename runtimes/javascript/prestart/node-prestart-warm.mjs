// Loaded by node-prestart.cjs with require() so that the pre-started node has the ES module loader ready.
export {};
