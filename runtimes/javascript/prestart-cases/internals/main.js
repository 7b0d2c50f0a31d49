const async_hooks = require('async_hooks');
console.log('asyncId', async_hooks.executionAsyncId(), async_hooks.triggerAsyncId());
setTimeout(() => console.log('timer asyncId', async_hooks.executionAsyncId()), 1);
Promise.resolve().then(() => console.log('then asyncId', async_hooks.executionAsyncId()));
const b = Buffer.from('abc');
console.log('pool offset', b.byteOffset, Buffer.allocUnsafe(10).byteOffset, Buffer.poolSize);
console.log(process.listenerCount('exit'), process.listenerCount('warning'), process.eventNames().join(','));
console.log(Object.keys(globalThis).join(','));
console.log(typeof require('module')._findPath, require('module')._findPath.name === '');
