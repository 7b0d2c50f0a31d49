const { fork, spawnSync } = require('child_process');
const child = fork('./child.js', ['a b', 'c']);
child.on('message', (m) => console.log('parent got', JSON.stringify(m)));
child.on('exit', (code) => {
  console.log('child exit', code);
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.execArgv.length, process.argv.length)']);
  console.log('spawnSync', r.status, r.stdout.toString().trim());
});
