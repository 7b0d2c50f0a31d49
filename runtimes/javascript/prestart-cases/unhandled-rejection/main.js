async function load() {
  await null;
  throw new Error('async boom');
}
console.log('start');
load();
setTimeout(() => console.log('never'), 1000);
