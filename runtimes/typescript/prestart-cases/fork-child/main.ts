// A forked child gets process.execArgv (--enable-source-maps): its uncaught error is source-mapped too.
import { fork } from 'child_process';
if (process.argv[2] === 'child') {
  console.log('child', JSON.stringify(process.execArgv), process.sourceMapsEnabled);
  throw new Error('child failed');
} else {
  const child = fork(__filename, ['child'], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  child.on('exit', (code) => console.log('exit', code, err.split('\n').filter((l) => l.includes('main.ts')).join(' | ')));
}
