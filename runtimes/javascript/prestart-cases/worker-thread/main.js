const { Worker } = require('worker_threads');
const run = (options) => new Promise((resolve) => {
  const w = new Worker(require('path').join(__dirname, 'worker.js'), options);
  w.on('message', (m) => console.log(JSON.stringify(m)));
  w.on('exit', resolve);
});
(async () => {
  await run({ workerData: 'default' });
  await run({ workerData: 'env', env: { ...process.env, X: '1' } });
  await run({ workerData: 'execArgv', execArgv: ['--no-warnings'] });
  console.log('done');
})();
