// Runs before `npm start` and `npm test` (as prestart/pretest): installs the npm dependencies when
// node_modules is missing or older than package-lock.json, so a fresh clone needs no separate `npm install`;
// then builds protocol/ when it is stale.
// Plain JavaScript on purpose: it must run before TypeScript tooling exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';

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

// The shared protocol package is imported as built JavaScript by the server and the editor: build it when its
// dist/ is missing or older than any of its sources.
const protocolDist = 'protocol/dist/index.js';
const newestSource = () => {
  let newest = 0;
  for (const name of readdirSync('protocol/src'))
    newest = Math.max(newest, statSync(`protocol/src/${name}`).mtimeMs);
  return Math.max(newest, statSync('protocol/package.json').mtimeMs);
};
if (!existsSync(protocolDist) || statSync(protocolDist).mtimeMs < newestSource()) {
  const result = spawnSync('npm', ['run', 'build', '--workspace', 'protocol'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('✗ building protocol/ failed; see the output above.');
    process.exit(1);
  }
}
