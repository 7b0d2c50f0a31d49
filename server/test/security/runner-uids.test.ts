// Per-uid kernel quotas: inotify instances (128 per uid by default), pipe buffer pages, RLIMIT_NPROC, message
// queue bytes and pending signals are counted per uid, across containers. With one runner uid for every run, one
// program could use them all up and break another run at the same time. What must hold: every container runs
// its programs as a uid of its own (RUNNER_UIDS), distinct on the host from another run's, without
// capabilities; under runc no process of a sandbox container, the agent included, is host root (the agent is
// the runner uid itself); and a run that exhausts its inotify instances leaves a concurrent run unaffected.
import { describe, expect, it } from 'vitest';
import { CONTAINER_LABELS, isRunnerUid } from '../../src/sandbox/docker-sandbox-driver.js';
import { docker } from '../helpers.js';
import {
  containerHostProcesses,
  expectHealthy,
  expectStatus,
  GVISOR,
  hasWaitingLauncher,
  type HostProcess,
  py,
  send,
  server,
  useSecurityServer,
} from './harness.js';

useSecurityServer();

/** While `runs` are in flight: the host processes of every container of this server that has more than its agent. */
async function busyContainers(): Promise<HostProcess[][]> {
  const mine = server().driver.instanceId;
  const seen: HostProcess[][] = [];
  for (const c of await docker.listContainers({
    filters: { label: [`${CONTAINER_LABELS.instance}=${mine}`] },
  })) {
    // A warm container holds its agent and, with a pre-start, the launcher waiting for a run: not busy.
    if (hasWaitingLauncher(c.Id)) continue;
    const procs = await containerHostProcesses(c.Id);
    if (procs.length > 1) seen.push(procs);
  }
  return seen;
}

describe('runner uids', () => {
  it('gives each concurrent run its own unprivileged uid; under runc every process of the container is it', async () => {
    // The program forks, so each container holds the agent, the program and its child while we look.
    const code = [
      'import os, time',
      'print(os.getuid(), flush=True)',
      'if os.fork() == 0: time.sleep(2.5); os._exit(0)',
      'time.sleep(2.5); os.wait()',
    ].join('\n');
    const runs = [send(py(code)), send(py(code))];
    // While both sleep, look at them from the host (under runc the sandbox uid is the host uid).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const seen = GVISOR ? [] : await busyContainers();
    const outcomes = await Promise.all(runs);
    const uids = outcomes.map((o) => Number(expectStatus(o, 'ok').stdout.trim()));
    for (const uid of uids) expect(isRunnerUid(uid), String(uid)).toBe(true);
    expect(uids[0]).not.toBe(uids[1]);
    if (!GVISOR) {
      // Both containers, each with its agent (PID 1), the program and its child: 3 processes.
      expect(seen.map((procs) => procs.length)).toEqual([3, 3]);
      const hostUids = seen.map((procs) => procs[0]!.uids[0]).sort();
      expect(hostUids).toEqual([...uids].sort());
      for (const procs of seen) {
        const uid = procs[0]!.uids[0]!;
        for (const p of procs) {
          // No process of a runc container is host root, the agent included: all four uids and gids are the
          // container's runner uid, and nothing holds a capability.
          expect(p.uids, `${p.pid} ${p.name}`).toEqual([uid, uid, uid, uid]);
          expect(p.gids, `${p.pid} ${p.name}`).toEqual([uid, uid, uid, uid]);
          expect(p.capEff, `${p.pid} ${p.name}`).toBe(0n);
          expect(p.capPrm, `${p.pid} ${p.name}`).toBe(0n);
        }
        expect(procs.map((p) => p.name)).toContain('coderunner-agent'.slice(0, 15));
      }
    }
    await expectHealthy();
  });

  it.runIf(!GVISOR)(
    'under runc no process of any sandbox container is host uid 0, warm ones included',
    async () => {
      const mine = server().driver.instanceId;
      const containers = await docker.listContainers({
        filters: { label: [`${CONTAINER_LABELS.instance}=${mine}`] },
      });
      // The warm pool (POOL_SIZE 2) is running: each warm container holds its waiting agent. (A container that
      // just finished a run may already be empty while the server removes it.)
      let looked = 0;
      for (const c of containers) {
        const procs = await containerHostProcesses(c.Id);
        if (procs.length > 0) looked++;
        for (const p of procs) {
          expect(p.uids.includes(0), `${c.Id.slice(0, 12)} pid ${p.pid} ${p.name} ${p.uids.join(' ')}`).toBe(
            false,
          );
          expect(isRunnerUid(p.uids[0]!)).toBe(true);
          expect(p.capEff | p.capPrm).toBe(0n);
        }
      }
      expect(looked).toBeGreaterThan(0);
    },
  );

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
