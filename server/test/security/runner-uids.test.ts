// Per-uid kernel quotas: inotify instances (128 per uid by default), pipe buffer pages, RLIMIT_NPROC, message
// queue bytes and pending signals are counted per uid, across containers. With one runner uid for every run, one
// program could use them all up and break another run at the same time. What must hold: every container runs
// its programs as a uid of its own (RUNNER_UIDS), distinct on the host from another run's and from container
// root, without capabilities; and a run that exhausts its inotify instances leaves a concurrent run unaffected.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isRunnerUid } from '../../src/sandbox/docker-sandbox-driver.js';
import { docker } from '../helpers.js';
import { expectHealthy, expectStatus, GVISOR, py, send, useSecurityServer } from './harness.js';

useSecurityServer();

/** Uid, gid, effective and bounding capabilities of a host process, from /proc/<pid>/status. */
async function hostIdentity(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return {
    uid: Number(field('Uid').split(/\s+/)[0]),
    capEff: BigInt(`0x${field('CapEff')}`),
    capBnd: BigInt(`0x${field('CapBnd')}`),
  };
}

// CAP_KILL (5), CAP_SETGID (6), CAP_SETUID (7): all the agent keeps.
const AGENT_CAPS = (1n << 5n) | (1n << 6n) | (1n << 7n);

describe('runner uids', () => {
  it('gives each concurrent run its own unprivileged uid, distinct from container root on the host', async () => {
    const code = ['import os, time', 'print(os.getuid(), flush=True)', 'time.sleep(2.5)'].join('\n');
    const runs = [send(py(code)), send(py(code))];
    // While both sleep, look at them from the host (under runc the sandbox uid is the host uid).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const seen = new Map<
      number,
      { uid: number; capEff: bigint; agent: Awaited<ReturnType<typeof hostIdentity>> }
    >();
    if (!GVISOR) {
      for (const c of await docker.listContainers()) {
        const info = await docker.getContainer(c.Id).inspect();
        const agentPid = info.State.Pid;
        if (!agentPid) continue;
        const children = (
          await readFile(`/proc/${agentPid}/task/${agentPid}/children`, 'utf8').catch(() => '')
        )
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
        for (const child of children) {
          const id = await hostIdentity(child).catch(() => null);
          if (id && isRunnerUid(id.uid)) seen.set(id.uid, { ...id, agent: await hostIdentity(agentPid) });
        }
      }
    }
    const outcomes = await Promise.all(runs);
    const uids = outcomes.map((o) => Number(expectStatus(o, 'ok').stdout.trim()));
    for (const uid of uids) expect(isRunnerUid(uid), String(uid)).toBe(true);
    expect(uids[0]).not.toBe(uids[1]);
    if (!GVISOR) {
      for (const uid of uids) {
        const host = seen.get(uid);
        expect(host, `no host process of uid ${uid} found`).toBeDefined();
        expect(host!.uid).toBe(uid);
        expect(host!.capEff).toBe(0n);
        // Container root: host uid 0 under runc (no user namespace, see docs/security.md), with nothing but the
        // three capabilities the agent needs, none of them inheritable by the program (no_new_privs, setuid).
        expect(host!.agent.uid).not.toBe(uid);
        expect(host!.agent.capBnd).toBe(AGENT_CAPS);
      }
    }
    await expectHealthy();
  });

  it('a run that uses up its inotify instances does not stop another run from creating them', async () => {
    const hog = [
      'import ctypes, time',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'n = 0',
      'while n < 5000 and libc.inotify_init() >= 0: n += 1',
      'print("hog", n, ctypes.get_errno(), flush=True)',
      'time.sleep(3)',
    ].join('\n');
    const other = [
      'import ctypes, time',
      'time.sleep(1)',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'fds = [libc.inotify_init() for _ in range(20)]',
      'print("other", sum(fd >= 0 for fd in fds), ctypes.get_errno())',
    ].join('\n');
    const [hogOutcome, otherOutcome] = await Promise.all([send(py(hog)), send(py(other))]);
    // The hog stops at its uid's quota (EMFILE 24) or at its descriptor limit, 1024 (also EMFILE).
    expect(expectStatus(hogOutcome, 'ok').stdout).toMatch(/^hog \d+ 24\n$/);
    expect(expectStatus(otherOutcome, 'ok').stdout).toMatch(/^other 20 /);
  });
});
