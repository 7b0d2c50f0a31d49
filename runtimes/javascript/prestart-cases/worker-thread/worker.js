const { parentPort, workerData } = require('worker_threads');
parentPort.postMessage({
  workerData,
  execArgv: process.execArgv,
  argv: process.argv.slice(1),
  cache: Object.keys(require.cache),
  preload: process._preload_modules,
  loads: process.moduleLoadList.length,
});
