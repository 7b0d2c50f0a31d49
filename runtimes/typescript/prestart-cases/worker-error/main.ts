// A worker thread inherits --enable-source-maps: its err.stack is source-mapped too.
import { Worker, isMainThread, parentPort } from 'worker_threads';
if (isMainThread) {
  const w = new Worker(__filename);
  w.on('message', (m: string) => console.log('worker said:', m));
  w.on('error', (e: Error) => console.log('worker error:', e.message, (e.stack ?? '').split('\n')[1]));
} else {
  parentPort!.postMessage(`${JSON.stringify(process.execArgv)} ${process.sourceMapsEnabled}`);
  parentPort!.postMessage((new Error('in worker').stack ?? '').split('\n')[1]!.trim());
  throw new Error('worker failed');
}
