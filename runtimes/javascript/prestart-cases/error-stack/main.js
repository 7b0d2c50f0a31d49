const { deep } = require('./deep');
function outer() { return middle(); }
function middle() { return inner(); }
function inner() { return new Error('where').stack; }
console.log(outer());
console.log(deep(3));
class Thing { method() { return new Error('in method').stack.split('\n').slice(0, 3).join('\n'); } }
console.log(new Thing().method());
console.log(Error.stackTraceLimit, new Error('x').stack.split('\n').length);
setTimeout(function later() { console.log(new Error('timer').stack); }, 1);
Promise.resolve().then(function inThen() { console.log(new Error('then').stack); });
console.trace('traced');
