import { setTimeout as sleep } from 'node:timers/promises';
console.log('before');
await sleep(50);
const { value } = await import('./later.mjs');
console.log('after', value);
process.on('exit', (code) => console.log('exit', code));
