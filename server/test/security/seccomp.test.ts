// System calls a student program never needs, refused by CodeRunner's own seccomp profile
// (server/src/sandbox/seccomp.json: Docker's default minus these), under runc and, through runsc's
// --oci-seccomp, under gVisor too. Each test makes one raw call from Python (ctypes) and prints its errno, or
// ALLOWED when it went through: AF_VSOCK and the other exotic socket families (vsock reaches the hypervisor on
// a VM host, and `--network none` does not cover it), netlink protocols other than route, io_uring, keyctl,
// add_key, request_key, userfaultfd, bpf, perf_event_open, new namespaces (unshare, setns, clone with namespace
// flags, clone3), mount and the new mount API, ptrace, device nodes, renicing another process, and what a program
// sharing the agent's uid (runc) could do to it: prlimit64 and the scheduler calls on PID 1, F_SETSIG. What must hold:
// each is refused with EPERM (clone3: ENOSYS, so that glibc falls back to clone, whose namespace flags are
// filtered), and what programs do need (unix, inet, inet6 and netlink-route sockets, FIFOs, threads,
// processes, nice on itself) still works.
import { describe, expect, it } from 'vitest';
import { attack, expectStatus, GVISOR, py, useSecurityServer } from './harness.js';

useSecurityServer();

const EPERM = 1;
const ENOSYS = 38;

/** A program that evaluates one ctypes call (an int, -1 on failure) and prints its errno or ALLOWED. */
function oneCall(setup: string[], call: string): string {
  return [
    'import ctypes, os, socket',
    'ME = os.getpid()',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'libc.syscall.restype = ctypes.c_long',
    ...setup,
    'try:',
    `    r = ${call}`,
    'except OSError as e:',
    '    print("errno", e.errno)',
    'else:',
    '    if r == 0 and os.getpid() != ME: os._exit(0)  # a clone that went through: the child leaves at once',
    '    print("ALLOWED" if r >= 0 else f"errno {ctypes.get_errno()}")',
  ].join('\n');
}

/** Runs `call` in the sandbox and expects it refused with `errno`. */
async function expectRefused(call: string, errno: number, setup: string[] = []) {
  await attack(py(oneCall(setup, call)), (outcome) => {
    expect(expectStatus(outcome, 'ok').stdout).toBe(`errno ${errno}\n`);
  });
}

const sock = (family: number, type: number, protocol = 0) => `libc.socket(${family}, ${type}, ${protocol})`;

// x86-64 system call numbers.
const NR = {
  mount: 165,
  umount2: 166,
  ptrace: 101,
  setpriority: 141,
  addKey: 248,
  requestKey: 249,
  keyctl: 250,
  mknodat: 259,
  unshare: 272,
  perfEventOpen: 298,
  setns: 308,
  bpf: 321,
  userfaultfd: 323,
  ioUringSetup: 425,
  ioUringEnter: 426,
  ioUringRegister: 427,
  openTree: 428,
  fsopen: 430,
  clone: 56,
  clone3: 435,
  prlimit64: 302,
  schedSetparam: 142,
  schedSetscheduler: 144,
  schedSetaffinity: 203,
  schedSetattr: 314,
  fcntl: 72,
};
const CLONE_NEWNS = 0x00020000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNET = 0x40000000;
const SIGCHLD = 17;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

describe('socket families', () => {
  it.each([
    ['AF_VSOCK (40), stream', sock(40, 1)],
    ['AF_VSOCK (40), datagram', sock(40, 2)],
    ['AF_ALG (38), the kernel crypto API', sock(38, 5)],
    ['AF_PACKET (17)', sock(17, 3, 0x0300)],
    ['AF_BLUETOOTH (31)', sock(31, 3, 0)],
    ['AF_XDP (44)', sock(44, 3)],
    ['AF_KEY (15)', sock(15, 3, 2)],
    ['AF_TIPC (30)', sock(30, 5)],
    ['AF_NETLINK with NETLINK_KOBJECT_UEVENT (host device events)', sock(16, 2, 15)],
    ['AF_NETLINK with NETLINK_CRYPTO', sock(16, 3, 21)],
    ['AF_NETLINK with NETLINK_SOCK_DIAG', sock(16, 3, 4)],
    [
      'a raw socket() whose family has high bits set (the kernel would truncate it to AF_INET)',
      'libc.syscall(41, ctypes.c_long(0x1_0000_0002), 1, 0)',
    ],
    ['socketpair of AF_TIPC', 'libc.socketpair(30, 5, 0, (ctypes.c_int * 2)())'],
  ])('refuses %s', async (_label, call) => {
    await expectRefused(call, EPERM);
  });

  it('still opens unix, inet, inet6 and netlink-route sockets and unix socket pairs', async () => {
    const code = [
      'import socket',
      'for fam, typ, proto in ((socket.AF_UNIX, 1, 0), (socket.AF_INET, 1, 0), (socket.AF_INET, 2, 0),',
      '                        (socket.AF_INET6, 1, 0), (socket.AF_NETLINK, 3, 0)):',
      '    socket.socket(fam, typ, proto).close()',
      'a, b = socket.socketpair(); a.send(b"x"); print("pair", b.recv(1))',
      'print("interfaces", [n for _, n in socket.if_nameindex()])',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe("pair b'x'\ninterfaces ['lo']\n");
    });
  });
});

describe('kernel interfaces a program never needs', () => {
  const params = 'params = ctypes.create_string_buffer(120)';
  it.each([
    ['io_uring_setup', `libc.syscall(${NR.ioUringSetup}, 8, params)`, [params]],
    ['io_uring_enter', `libc.syscall(${NR.ioUringEnter}, 0, 1, 0, 0, None, 0)`, []],
    ['io_uring_register', `libc.syscall(${NR.ioUringRegister}, 0, 0, None, 0)`, []],
    ['keyctl', `libc.syscall(${NR.keyctl}, 0, -3, 0)`, []],
    ['add_key', `libc.syscall(${NR.addKey}, b"user", b"k", b"v", 1, -3)`, []],
    ['request_key', `libc.syscall(${NR.requestKey}, b"user", b"k", None, -3)`, []],
    ['userfaultfd', `libc.syscall(${NR.userfaultfd}, 0)`, []],
    ['bpf', `libc.syscall(${NR.bpf}, 0, ctypes.create_string_buffer(128), 128)`, []],
    [
      'perf_event_open',
      `libc.syscall(${NR.perfEventOpen}, ctypes.create_string_buffer(128), 0, -1, -1, 0)`,
      [],
    ],
    ['ptrace(PTRACE_TRACEME)', `libc.syscall(${NR.ptrace}, 0, 0, 0, 0)`, []],
  ])('refuses %s', async (_label, call, setup) => {
    await expectRefused(call, EPERM, setup);
  });
});

describe('namespaces and mounts', () => {
  it.each([
    ['unshare(CLONE_NEWUSER)', `libc.syscall(${NR.unshare}, ${CLONE_NEWUSER})`],
    ['unshare(CLONE_NEWNS)', `libc.syscall(${NR.unshare}, ${CLONE_NEWNS})`],
    ['unshare(CLONE_NEWNET)', `libc.syscall(${NR.unshare}, ${CLONE_NEWNET})`],
    ['setns', `libc.syscall(${NR.setns}, os.open("/proc/self/ns/mnt", os.O_RDONLY), 0)`],
    ['clone(CLONE_NEWUSER)', `libc.syscall(${NR.clone}, ${CLONE_NEWUSER | SIGCHLD}, 0, 0, 0, 0)`],
    ['clone(CLONE_NEWNS)', `libc.syscall(${NR.clone}, ${CLONE_NEWNS | SIGCHLD}, 0, 0, 0, 0)`],
    ['mount of a tmpfs', `libc.syscall(${NR.mount}, b"none", b"/tmp", b"tmpfs", 0, None)`],
    ['umount2 of /work', `libc.syscall(${NR.umount2}, b"/work", 2)`],
    ['open_tree (new mount API)', `libc.syscall(${NR.openTree}, -100, b"/work", 1)`],
    ['fsopen (new mount API)', `libc.syscall(${NR.fsopen}, b"tmpfs", 0)`],
  ])('refuses %s', async (_label, call) => {
    await expectRefused(call, EPERM);
  });

  it('answers clone3 with ENOSYS, even with namespace flags, so that glibc falls back to clone', async () => {
    // struct clone_args: flags first, exit_signal at offset 32; 88 bytes in all.
    const setup = ['args = (ctypes.c_uint64 * 11)()', `args[0] = ${CLONE_NEWUSER}`, `args[4] = ${SIGCHLD}`];
    await expectRefused(`libc.syscall(${NR.clone3}, args, 88)`, ENOSYS, setup);
  });

  it('still creates threads and processes (glibc uses clone3 first)', async () => {
    const code = [
      'import os, subprocess, threading',
      'out = []',
      't = threading.Thread(target=lambda: out.append("thread")); t.start(); t.join()',
      'pid = os.fork()',
      'if pid == 0: os._exit(7)',
      'out.append(f"fork {os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}")',
      'out.append(subprocess.run(["/bin/echo", "spawn"], capture_output=True, text=True).stdout.strip())',
      'print(" ".join(out))',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('thread fork 7 spawn\n');
    });
  });
});

describe('device nodes and other processes', () => {
  it.each([
    ['a character device (/dev/mem: 1,1)', S_IFCHR, '(1 << 8) | 1'],
    ['a character device (/dev/null: 1,3)', S_IFCHR, '(1 << 8) | 3'],
    ['a block device (7,0)', S_IFBLK, '7 << 8'],
  ])('refuses to create %s', async (_label, kind, dev) => {
    await expectRefused(`libc.syscall(${NR.mknodat}, -100, b"/tmp/dev", ${kind} | 0o666, ${dev})`, EPERM);
  });

  it('still creates FIFOs and regular files with mknod', async () => {
    const code = [
      'import os, stat',
      'os.mkfifo("/tmp/fifo"); os.mknod("/tmp/file", 0o600 | stat.S_IFREG)',
      'print(stat.S_ISFIFO(os.stat("/tmp/fifo").st_mode), stat.S_ISREG(os.stat("/tmp/file").st_mode))',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('True True\n');
    });
  });

  it("cannot renice the agent (gVisor's setpriority does not check who the target is)", async () => {
    await expectRefused(`libc.syscall(${NR.setpriority}, 0, 1, 10)`, EPERM);
  });

  it('can still renice itself', async () => {
    await attack(py('import os\nprint(os.nice(0), os.nice(3))'), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('0 3\n');
    });
  });
});

// Under runc the agent (PID 1) shares the program's uid, so the kernel's same-uid checks would let a program
// lower the agent's limits, change its scheduling or have SIGIO delivered to it as SIGKILL/SIGSTOP (F_SETSIG).
// The profile refuses those by argument; a value with high bits set, which the kernel truncates to the same
// 32-bit pid or command, is refused too.
describe("what a program of the agent's uid could do to it", () => {
  const lim = ['lim = ctypes.create_string_buffer(16)'];
  const param = ['param = ctypes.create_string_buffer(8)'];
  const attr = [
    'import struct',
    'attr = ctypes.create_string_buffer(struct.pack("IIQiI", 56, 0, 0, 19, 0) + bytes(32))',
  ];
  const mask = ['mask = ctypes.create_string_buffer(bytes([1]) + bytes(7))'];
  const fd = ['fd = os.pipe()[0]'];
  it.each([
    ['prlimit64 of PID 1 (set RLIMIT_CPU)', `libc.syscall(${NR.prlimit64}, 1, 0, lim, None)`, lim],
    ['prlimit64 of PID 1 (read)', `libc.syscall(${NR.prlimit64}, 1, 7, None, lim)`, lim],
    [
      'prlimit64 of pid 0x1_0000_0000',
      `libc.syscall(${NR.prlimit64}, ctypes.c_long(0x1_0000_0000), 0, lim, None)`,
      lim,
    ],
    [
      'prlimit64 of its own pid given explicitly (only 0, the caller, passes)',
      `libc.syscall(${NR.prlimit64}, ME, 7, None, lim)`,
      lim,
    ],
    ['sched_setscheduler(1, SCHED_IDLE)', `libc.syscall(${NR.schedSetscheduler}, 1, 5, param)`, param],
    [
      'sched_setscheduler(0x1_0000_0001, SCHED_IDLE)',
      `libc.syscall(${NR.schedSetscheduler}, ctypes.c_long(0x1_0000_0001), 5, param)`,
      param,
    ],
    ['sched_setparam(1)', `libc.syscall(${NR.schedSetparam}, 1, param)`, param],
    ['sched_setattr(1, nice 19)', `libc.syscall(${NR.schedSetattr}, 1, attr, 0)`, attr],
    ['sched_setaffinity(1)', `libc.syscall(${NR.schedSetaffinity}, 1, 8, mask)`, mask],
    [
      'sched_setaffinity(0x1_0000_0001)',
      `libc.syscall(${NR.schedSetaffinity}, ctypes.c_long(0x1_0000_0001), 8, mask)`,
      mask,
    ],
    ['fcntl(F_SETSIG, SIGKILL)', `libc.syscall(${NR.fcntl}, fd, 10, 9)`, fd],
    [
      'fcntl(0x1_0000_000a, SIGKILL), which the kernel reads as F_SETSIG',
      `libc.syscall(${NR.fcntl}, fd, ctypes.c_long(0x1_0000_000a), 9)`,
      fd,
    ],
  ])('refuses %s', async (_label, call, setup) => {
    await expectRefused(call, EPERM, setup);
  });

  it('still lets a program set its own limits, affinity (by pid 0 or its own thread id) and use fcntl', async () => {
    const code = [
      'import os, resource, threading',
      'resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))',
      'print(resource.prlimit(0, resource.RLIMIT_NOFILE))',
      'os.sched_setaffinity(0, {0}); print(sorted(os.sched_getaffinity(0)))',
      'os.sched_setaffinity(threading.get_native_id(), {0}); print("tid ok")',
      'import fcntl; r, w = os.pipe(); fcntl.fcntl(r, fcntl.F_SETFL, os.O_NONBLOCK); print(fcntl.fcntl(r, fcntl.F_GETSIG))',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('(256, 256)\n[0]\ntid ok\n0\n');
    });
  });
});

describe('the profile is in force', () => {
  // runc shows the filter in /proc/self/status (mode 2, one filter or more); gVisor's /proc has no such line,
  // and there the refusals above are the proof that runsc loaded the profile (--oci-seccomp).
  it.runIf(!GVISOR)('shows seccomp filter mode in /proc/self/status', async () => {
    const code = 'print([l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0])';
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('2\n');
    });
  });
});
