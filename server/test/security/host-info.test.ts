// Reading host details from inside: the agent's environment and memory through /proc/1, kernel memory
// (/proc/kcore), the kernel log (/proc/kmsg), firmware tables (/sys/firmware), debugfs, scheduler and timer
// internals, kernel symbol addresses, other processes, the Docker socket and the host name. What must hold:
// the program sees its own PID namespace (only PID 1, the agent, besides itself), cannot read the agent's
// environment or memory, the sensitive kernel files are absent, masked (empty) or unreadable, the host name
// is `sandbox`, no Docker socket is mounted, and the program has no capabilities.
import { describe, expect, it } from 'vitest';
import { isRunnerUid } from '../../src/sandbox/docker-sandbox-driver.js';
import { attack, expectStatus, GVISOR, py, useSecurityServer } from './harness.js';

useSecurityServer();

/** A program that reads each path and prints one JSON object: path -> what it could see. */
const READER = [
  'import json, os',
  'def look(p):',
  '    try:',
  '        if os.path.isdir(p): return {"dir": sorted(os.listdir(p))[:20]}',
  '        with open(p, "rb") as f: data = f.read(65536)',
  '        return {"bytes": len(data), "text": data[:4096].decode("utf-8", "replace")}',
  '    except OSError as e:',
  '        return {"errno": e.errno}',
].join('\n');

type Seen = { dir?: string[]; bytes?: number; text?: string; errno?: number };

async function lookAt(paths: string[], check: (seen: Record<string, Seen>) => void) {
  const code = `${READER}\nprint(json.dumps({p: look(p) for p in ${JSON.stringify(paths)}}))`;
  await attack(py(code), (outcome) => check(JSON.parse(expectStatus(outcome, 'ok').stdout)));
}

/** Absent, unreadable, or masked: nothing of it reaches the program. */
function expectNothing(seen: Seen | undefined, path: string) {
  expect(seen, path).toBeDefined();
  if (seen!.errno !== undefined) expect([2, 13, 1], path).toContain(seen!.errno);
  else if (seen!.dir !== undefined) expect(seen!.dir, path).toEqual([]);
  else expect(seen!.bytes, path).toBe(0);
}

describe('host details', () => {
  it("cannot read the agent's environment, memory, root or descriptors through /proc/1", async () => {
    await lookAt(['/proc/1/environ', '/proc/1/mem', '/proc/1/root', '/proc/1/cwd', '/proc/1/fd'], (seen) => {
      for (const p of ['/proc/1/mem', '/proc/1/root', '/proc/1/cwd']) expect(seen[p]?.errno, p).toBe(13);
      if (!GVISOR) {
        expect(seen['/proc/1/environ']?.errno).toBe(13);
        expect(seen['/proc/1/fd']?.errno).toBe(13);
      } else {
        // gVisor lets any uid read another process's /proc/<pid>/environ and list its fd folder (Linux needs
        // ptrace access). The agent is started with an empty Env, so all that shows is Docker's defaults: no
        // server variable reaches it (environment.test.ts), the descriptors cannot be opened (agent-attack).
        const keys = (seen['/proc/1/environ']?.text ?? '')
          .split('\0')
          .filter(Boolean)
          .map((e) => e.split('=')[0]);
        for (const key of keys) expect(['PATH', 'HOSTNAME', 'HOME']).toContain(key);
      }
    });
  });

  it('finds kernel memory, logs, firmware, debugfs and scheduler internals absent, masked or unreadable', async () => {
    const paths = [
      '/proc/kcore',
      '/proc/kmsg',
      '/proc/sysrq-trigger',
      '/proc/sched_debug',
      '/proc/keys',
      '/proc/timer_list',
      '/sys/firmware',
      '/sys/kernel/debug',
      '/proc/acpi',
      '/sys/kernel/security',
    ];
    await lookAt(paths, (seen) => {
      for (const p of paths) expectNothing(seen[p], p);
    });
  });

  it('sees no kernel addresses, no Docker socket and only its own PID namespace', async () => {
    const code = [
      'import os',
      'addrs = set()',
      'try:',
      '    for line in open("/proc/kallsyms"):',
      '        addrs.add(line.split()[0].strip("0"))',
      'except OSError: pass',
      'print("nonzero-kernel-addresses", len(addrs - {""}))',
      'for p in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"):',
      '    print("socket", p, os.path.exists(p))',
      'me = os.getpid()',
      'print("other-pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)))',
      'print("pid1", open("/proc/1/comm").read().strip())',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe(
        [
          'nonzero-kernel-addresses 0',
          'socket /var/run/docker.sock False',
          'socket /run/docker.sock False',
          'socket /run/containerd/containerd.sock False',
          'other-pids []',
          'pid1 coderunner-agen',
          '',
        ].join('\n'),
      );
    });
  });

  it('is called `sandbox` and runs as a runner uid (its group alike) without capabilities', async () => {
    const code = [
      'import os, socket',
      'print("hostname", socket.gethostname(), open("/etc/hostname").read().strip())',
      'print("ids", os.getuid(), os.geteuid(), os.getgid(), os.getgroups())',
      'status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)',
      'for k in ("CapInh", "CapPrm", "CapEff", "CapAmb"): print(k, status.get(k, "0").strip())',
      'print("NoNewPrivs", status.get("NoNewPrivs", "absent").strip())',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const lines = expectStatus(outcome, 'ok').stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('hostname sandbox sandbox');
      // Supplementary groups: none, or under runc only the runner's own gid (Docker lists a numeric User's
      // primary gid there; the agent checks that it is nothing else).
      const ids = /^ids (\d+) (\d+) (\d+) \[(\d*)\]$/.exec(lines[1]!);
      expect(ids, lines[1]).not.toBeNull();
      const [uid, euid, gid] = ids!.slice(1, 4).map(Number);
      expect(isRunnerUid(uid!), lines[1]).toBe(true);
      expect([euid, gid]).toEqual([uid, uid]);
      if (ids![4]) expect(Number(ids![4])).toBe(uid);
      for (const line of lines.slice(2, 6)) expect(line).toMatch(/^Cap\w+ 0+$/);
      // gVisor's /proc/self/status has no NoNewPrivs line; runc shows the flag the agent set.
      expect(lines[6]).toBe(GVISOR ? 'NoNewPrivs absent' : 'NoNewPrivs 1');
    });
  });
});
