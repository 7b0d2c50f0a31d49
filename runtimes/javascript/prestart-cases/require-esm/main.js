const lib = require('./lib.mjs');
console.log(Object.keys(lib).join(','), lib.default, lib.named);
import('./lib.mjs').then((m) => console.log('same namespace', m === lib));
