// No ES module syntax at all: only "type": "module" in package.json makes this an ES module.
console.log(typeof require, typeof module, this === undefined);
import('./lib.js').then(({ name }) => console.log(name));
