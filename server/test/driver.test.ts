import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxDriver } from '../src/sandbox/docker-sandbox-driver.js';
import { SandboxError } from '../src/sandbox/sandbox.js';
import { containersOf, docker } from './helpers.js';

// An image whose main process never speaks the protocol: it stands for an agent that hangs before ready. It
// ignores the arguments the driver appends for the agent (`sh -c` takes them as $0, $1, ...).
const SILENT_IMAGE = 'coderunner-test/silent:latest';

function driver(instanceId: string, readyTimeoutMs: number) {
  return new DockerSandboxDriver({
    docker,
    instanceId,
    runtime: 'runc',
    cpus: 1,
    workdirMb: 16,
    tmpMb: 16,
    readyTimeoutMs,
    engineTimeoutMs: 10000,
  });
}

beforeAll(() => {
  execFileSync('docker', ['build', '-q', '-t', SILENT_IMAGE, '-'], {
    input: 'FROM coderunner/python:latest\nENTRYPOINT ["sh", "-c", "exec sleep 600"]\n',
  });
});

afterAll(() => {
  execFileSync('docker', ['rmi', '-f', SILENT_IMAGE]);
});

describe('Docker sandbox driver', () => {
  it('gives up on a container whose agent never reports ready, and removes it', async () => {
    const d = driver('silent-agent-test', 1000);
    const started = Date.now();
    const error = await d
      .create({ language: 'python', image: SILENT_IMAGE, memoryMb: 64, pids: 16 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toMatch(/did not report ready within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(10000);
    expect(await containersOf('silent-agent-test')).toEqual([]);
  });

  it('reports a missing image as unavailable rather than hanging', async () => {
    const d = driver('missing-image-test', 1000);
    const error = await d
      .create({ language: 'python', image: 'coderunner-test/none:latest', memoryMb: 64, pids: 16 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).reason).toBe('unavailable');
    expect(await d.inspectImage('coderunner-test/none:latest')).toBeNull();
  });

  it('creates locked-down containers: no network, read-only root, capped memory, dropped capabilities', async () => {
    const d = driver('lockdown-test', 15000);
    const sandbox = await d.create({
      language: 'python',
      image: 'coderunner/python:latest',
      memoryMb: 96,
      pids: 32,
    });
    try {
      const info = await docker.getContainer(sandbox.id).inspect();
      const host = info.HostConfig;
      expect(host.NetworkMode).toBe('none');
      expect(host.ReadonlyRootfs).toBe(true);
      expect(host.Memory).toBe(96 * 1024 * 1024);
      expect(host.MemorySwap).toBe(host.Memory);
      expect(host.PidsLimit).toBe(32);
      expect(host.CapDrop).toEqual(['ALL']);
      // runc: the agent runs as the container's runner uid with no capability at all (docs/security.md).
      expect(host.CapAdd ?? []).toEqual([]);
      expect(info.Config.User).toMatch(/^(\d+):\1$/);
      expect(info.Config.User).not.toBe('0:0');
      expect(host.SecurityOpt).toContain('no-new-privileges');
      expect(info.Config.Labels['coderunner.managed']).toBe('true');
      await sandbox.setLimits({ memoryMb: 128, pids: 48 });
      const updated = await docker.getContainer(sandbox.id).inspect();
      expect([
        updated.HostConfig.Memory,
        updated.HostConfig.MemorySwap,
        updated.HostConfig.PidsLimit,
      ]).toEqual([128 * 1024 * 1024, 128 * 1024 * 1024, 48]);
    } finally {
      await sandbox.destroy();
    }
    expect(await containersOf('lockdown-test')).toEqual([]);
  });
});
