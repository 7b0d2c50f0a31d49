// A worker thread inherits --enable-source-maps: its err.stack is source-mapped too. The main thread prints on
// the worker's exit, messages first: a message and the error event come on different channels, in either order.
import { Worker, isMainThread, parentPort } from 'worker_threads';
if (isMainThread) {
  const w = new Worker(__filename);
  const said: string[] = [];
  let failed = '';
  w.on('message', (m: string) => said.push(m));
  w.on('error', (e: Error) => (failed = `${e.message} ${(e.stack ?? '').split('\n')[1]}`));
  w.on('exit', () => {
    for (const m of said) console.log('worker said:', m);
    console.log('worker error:', failed);
  });
} else {
  parentPort!.postMessage(`${JSON.stringify(process.execArgv)} ${process.sourceMapsEnabled}`);
  parentPort!.postMessage((new Error('in worker').stack ?? '').split('\n')[1]!.trim());
  throw new Error('worker failed');
}
