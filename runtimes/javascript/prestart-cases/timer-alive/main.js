// Wide margins: the first console.log on a pipe alone takes 10-20 ms, more on a busy machine.
let n = 0;
const t = setInterval(() => {
  console.log('tick', ++n);
  if (n === 3) clearInterval(t);
}, 200);
setTimeout(() => console.log('timeout 700'), 700);
setImmediate(() => console.log('immediate'));
process.nextTick(() => console.log('nextTick'));
Promise.resolve().then(() => console.log('microtask'));
console.log('sync');
