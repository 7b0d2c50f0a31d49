const input = require('fs').readFileSync(0, 'utf8');
const [n, ...rest] = input.trim().split(/\s+/).map(Number);
console.log(n, rest.slice(0, n).reduce((a, b) => a + b, 0));
