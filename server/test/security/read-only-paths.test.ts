// Writes outside the sandbox's scratch space: creating or overwriting files in /, /usr, /etc, /home, /var,
// /root, /dev; writing kernel tunables under /proc/sys, /sys and /proc/sysrq-trigger; chmod/chown/rename of
// system files, a symlink planted in PATH, and mount/remount calls. What must hold: the root file system is
// read-only, /proc/sys and /sys are read-only, the program (a runner uid, no capabilities, no_new_privs) can change
// nothing outside /work and /tmp (EROFS, EACCES, EPERM or ENOENT), and those two stay writable.
import { describe, expect, it } from 'vitest';
import { attack, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

/** A program that tries each `(label, python statement)` and prints `label errno` or `label DONE`. */
function tryAll(attempts: Array<[string, string]>): string {
  return [
    'import ctypes, os',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'def attempt(label, fn):',
    '    try:',
    '        r = fn()',
    '        if r is not None and r < 0: print(label, ctypes.get_errno())',
    '        else: print(label, "DONE")',
    '    except OSError as e:',
    '        print(label, e.errno)',
    ...attempts.map(([label, statement]) => `attempt(${JSON.stringify(label)}, lambda: ${statement})`),
  ].join('\n');
}

const write = (path: string) => `open(${JSON.stringify(path)}, "w").write("1")`;

// errnos a refused write may get: EPERM 1, ENOENT 2, EACCES 13, EROFS 30.
const REFUSED = /^(1|2|13|30)$/;

function expectAllRefused(stdout: string, count: number) {
  const results = stdout.trimEnd().split('\n');
  expect(results, stdout).toHaveLength(count);
  for (const line of results) expect(line.split(' ')[1], line).toMatch(REFUSED);
}

describe('writes to read-only places', () => {
  it('cannot create or overwrite files in /, /usr, /etc, /home, /var, /root or /dev', async () => {
    const attempts: Array<[string, string]> = [
      ['root-new', write('/evil')],
      ['usr-new', write('/usr/evil')],
      ['usr-bin', write('/usr/bin/python3')],
      ['etc-passwd', write('/etc/passwd')],
      ['etc-new', write('/etc/evil')],
      ['home', write('/home/evil')],
      ['var', write('/var/evil')],
      ['root-home', write('/root/evil')],
      ['dev-new', write('/dev/evil')],
      ['mkdir-usr', 'os.mkdir("/usr/lib/evil")'],
    ];
    await attack(py(tryAll(attempts)), (outcome) => {
      // runc answers EROFS (30) or EACCES (13); gVisor checks permissions first and answers EACCES throughout.
      expectAllRefused(expectStatus(outcome, 'ok').stdout, attempts.length);
    });
  });

  it('cannot change kernel tunables through /proc/sys, /sys or /proc/sysrq-trigger', async () => {
    const attempts: Array<[string, string]> = [
      ['hostname', write('/proc/sys/kernel/hostname')],
      ['drop-caches', write('/proc/sys/vm/drop_caches')],
      ['core-pattern', write('/proc/sys/kernel/core_pattern')],
      ['ip-forward', write('/proc/sys/net/ipv4/ip_forward')],
      ['thp', write('/sys/kernel/mm/transparent_hugepage/enabled')],
      ['sysrq', write('/proc/sysrq-trigger')],
      ['cgroup-limit', write('/sys/fs/cgroup/memory/memory.limit_in_bytes')],
      ['cgroup-pids', write('/sys/fs/cgroup/pids/pids.max')],
    ];
    await attack(py(tryAll(attempts)), (outcome) => {
      expectAllRefused(expectStatus(outcome, 'ok').stdout, attempts.length);
    });
  });

  it('cannot chmod, chown, rename or shadow system files, nor mount anything', async () => {
    const attempts: Array<[string, string]> = [
      ['chmod-passwd', 'os.chmod("/etc/passwd", 0o666)'],
      ['chown-passwd', 'os.chown("/etc/passwd", os.getuid(), os.getgid())'],
      ['rename-bin', 'os.rename("/usr/bin/python3", "/usr/bin/python4")'],
      ['symlink-path', 'os.symlink("/work/evil", "/usr/local/bin/ls")'],
      ['remount-root', 'libc.mount(b"none", b"/", None, 32 | 1 << 5, None)'], // MS_REMOUNT
      ['mount-tmpfs', 'libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)'],
      ['umount-work', 'libc.umount2(b"/work", 2)'], // MNT_DETACH
      ['chroot', 'os.chroot("/tmp")'],
    ];
    await attack(py(tryAll(attempts)), (outcome) => {
      expectAllRefused(expectStatus(outcome, 'ok').stdout, attempts.length);
    });
  });

  it('can still write its own scratch space: /work and /tmp', async () => {
    const code = [
      'open("/work/ok.txt", "w").write("fine")',
      'open("/tmp/ok.txt", "w").write("fine")',
      'print(open("/work/ok.txt").read(), open("/tmp/ok.txt").read())',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('fine fine\n');
    });
  });
});
