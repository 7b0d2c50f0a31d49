const a = require('./a');
const b = require('./b.js');
const data = require('./data.json');
console.log(a.value, b.value, data.items.length, a.seenB);
console.log(module.children.map((m) => require('path').basename(m.id)).join(','));
console.log(require('./a') === a, require.cache[require.resolve('./b')].parent === module);
