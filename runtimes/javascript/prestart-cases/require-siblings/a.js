exports.value = 'A';
exports.seenB = require('./b').partial;
