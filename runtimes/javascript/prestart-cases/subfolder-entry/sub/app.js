const helper = require('./helper');
const lib = require('../lib/util.js');
console.log(__filename, __dirname, require.main === module);
console.log(process.argv[1], module.paths[0]);
console.log(helper(2), lib.name, Object.keys(require.cache).join(' '));
