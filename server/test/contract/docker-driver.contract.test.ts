// The SandboxDriver contract on the real Docker engine: DockerSandboxDriver on /var/run/docker.sock with the
// python runtime image, under SANDBOX_RUNTIME (runc unless set). Every driver made here has its own instance id;
// after the file, no container carrying one of them may be left (test/leak-check.ts only tracks servers).
import { randomUUID } from 'node:crypto';
import { afterAll, expect } from 'vitest';
import { DockerSandboxDriver } from '../../src/sandbox/docker-sandbox-driver.js';
import { containersOf, docker } from '../helpers.js';
import { sandboxDriverContract } from './sandbox-driver-contract.js';

const runtime = process.env.SANDBOX_RUNTIME === 'runsc' ? 'runsc' : 'runc';
const instanceIds: string[] = [];

function makeDriver(): DockerSandboxDriver {
  const instanceId = `contract-${randomUUID()}`;
  instanceIds.push(instanceId);
  return new DockerSandboxDriver({
    docker,
    instanceId,
    runtime,
    cpus: 1,
    workdirMb: 16,
    tmpMb: 16,
    readyTimeoutMs: 15000,
    engineTimeoutMs: 10000,
  });
}

sandboxDriverContract(`Docker (${runtime})`, makeDriver, {
  spec: { language: 'python', image: 'coderunner/python:latest', memoryMb: 128, pids: 32 },
  missingImage: 'coderunner-test/none:latest',
  canUpdateLimits: runtime === 'runc',
  caseTimeoutMs: 30000,
});

afterAll(async () => {
  const left: string[] = [];
  for (const id of instanceIds) {
    for (const c of await containersOf(id)) {
      left.push(`${id}: ${c.Id.slice(0, 12)} (${c.State})`);
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
  expect(left).toEqual([]);
});
