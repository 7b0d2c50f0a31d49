exports.partial = 'b-partial';
const a = require('./a');
exports.value = 'B+' + a.value;
