require('./one');
const Module = require('module');
console.log(JSON.stringify(Object.keys(require.cache).sort()));
console.log(JSON.stringify(Object.keys(Module._pathCache).sort()));
console.log(Module._findPath.name, Module._findPath.length, Module._load.name, Module.runMain.name);
console.log(module.children.length, require.cache[__filename] === module);
