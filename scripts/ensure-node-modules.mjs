// Runs before `npm start` and `npm test` (as prestart/pretest): installs the npm dependencies when
// node_modules is missing or older than package-lock.json, so a fresh clone needs no separate `npm install`.
// Plain JavaScript on purpose: it must run before TypeScript tooling exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const lock = 'package-lock.json';
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  const started = Date.now();
  console.log('→ npm dependencies: installing (first run or package-lock.json changed)…');
  const command = existsSync(lock) ? 'ci' : 'install';
  const result = spawnSync('npm', [command, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✗ npm ${command} failed (exit ${result.status ?? result.signal}); see the output above.`);
    process.exit(1);
  }
  console.log(`✓ npm dependencies: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
