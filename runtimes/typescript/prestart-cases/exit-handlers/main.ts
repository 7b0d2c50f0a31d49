process.on('beforeExit', () => {
  if (!(globalThis as { again?: boolean }).again) {
    (globalThis as { again?: boolean }).again = true;
    console.log('beforeExit');
    setTimeout(() => console.log('more work'), 1);
  }
});
process.on('exit', (code) => {
  console.log(`exit ${code}`);
  setTimeout(() => console.log('never'), 0);
});
console.log('main');
