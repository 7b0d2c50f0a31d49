// Attacks on the agent (PID 1, root, the only process besides the program's own): signalling it (SIGKILL,
// SIGTERM — which would make it abort the run —, SIGSTOP, …), `kill -9 -1` to kill everything the program may
// signal, ptrace attach/seize and process_vm_readv on PID 1, and opening the agent's stdin/stdout/memory
// through /proc/1 to inject frames. What must hold: the program, as its runner uid without capabilities, can
// neither signal, trace nor reach the agent's descriptors (EPERM/EACCES); `kill -9 -1` only reaches the
// program's own processes; every run ends normally with its own result.
import { describe, expect, it } from 'vitest';
import { attack, c, executeMs, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

describe('attacks on the agent', () => {
  it('cannot signal the agent: SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGSTOP and SIGSEGV all fail', async () => {
    const code = [
      'import os, signal',
      'for s in ("SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGSTOP", "SIGSEGV"):',
      '    try:',
      '        os.kill(1, getattr(signal, s)); print(s, "delivered")',
      '    except OSError as e:',
      '        print(s, e.errno)',
      'print("run continues")',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).toBe(
        ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGSTOP', 'SIGSEGV'].map((s) => `${s} 1\n`).join('') +
          'run continues\n',
      );
    });
  });

  it('kill(-1, SIGKILL) from the program reaches only its own processes', async () => {
    const code = [
      'import os, signal, time',
      'kids = []',
      'for i in range(5):',
      '    pid = os.fork()',
      '    if pid == 0:',
      '        time.sleep(30); os._exit(0)',
      '    kids.append(pid)',
      'os.kill(-1, signal.SIGKILL)',
      'print("children", [os.WTERMSIG(os.waitpid(p, 0)[1]) for p in kids])',
      'print("program survives")',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).toBe('children [9, 9, 9, 9, 9]\nprogram survives\n');
    });
  });

  it('a shell running `kill -9 -1` kills the program that started it, not the agent', async () => {
    const code = [
      'import subprocess',
      'print("before", flush=True)',
      'subprocess.run(["sh", "-c", "sleep 30 & kill -9 -1; echo shell-survives"])',
      'print("not reached")',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      // The program died of the shell's SIGKILL: a runtime error reported by a live agent, not a timeout.
      const run = expectStatus(outcome, 'runtime_error');
      expect(run.signal).toBe('SIGKILL');
      // The shell outlives its kill(-1) only until the agent sees the program's end and kills the rest.
      expect(run.stdout).toMatch(/^before\n(shell-survives\n)?$/);
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });

  it('cannot ptrace, seize or read the memory of the agent (Python ctypes)', async () => {
    const code = [
      'import ctypes, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'def attempt(name, fn):',
      '    r = fn()',
      '    print(name, r, ctypes.get_errno())',
      'libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]',
      'attempt("attach", lambda: libc.ptrace(16, 1, None, None))',
      'attempt("seize", lambda: libc.ptrace(0x4206, 1, None, None))',
      'buf = ctypes.create_string_buffer(16)',
      'class iovec(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]',
      'local, remote = iovec(ctypes.addressof(buf), 16), iovec(0x400000, 16)',
      'attempt("vm_read", lambda: libc.process_vm_readv(1, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0))',
      'print("tracer", open("/proc/self/status").read().split("TracerPid:")[1].split()[0])',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      // EPERM (1) for all three: the seccomp profile refuses ptrace and process_vm_readv outright.
      expect(run.stdout).toBe('attach -1 1\nseize -1 1\nvm_read -1 1\ntracer 0\n');
    });
  });

  it("cannot open the agent's stdin, stdout or memory through /proc/1", async () => {
    const code = [
      'import os',
      'for path, flags in (("/proc/1/fd/0", os.O_WRONLY), ("/proc/1/fd/1", os.O_WRONLY),',
      '                    ("/proc/1/fd/1", os.O_RDONLY), ("/proc/1/mem", os.O_RDONLY)):',
      '    try:',
      '        fd = os.open(path, flags); print(path, "OPENED"); os.close(fd)',
      '    except OSError as e:',
      '        print(path, e.errno)',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).not.toContain('OPENED');
      for (const line of run.stdout.trimEnd().split('\n')) expect(line).toMatch(/ (13|1)$/);
    });
  });

  it('cannot ptrace the agent from C either', async () => {
    const code = [
      '#define _GNU_SOURCE',
      '#include <errno.h>',
      '#include <stdio.h>',
      '#include <sys/ptrace.h>',
      '#include <sys/uio.h>',
      'int main(void) {',
      '  errno = 0; long r = ptrace(PTRACE_ATTACH, 1, 0, 0); printf("attach %ld %d\\n", r, errno);',
      '  errno = 0; r = ptrace(PTRACE_SEIZE, 1, 0, 0); printf("seize %ld %d\\n", r, errno);',
      '  char b[16]; struct iovec l = { b, 16 }, rm = { (void *)0x400000, 16 };',
      '  errno = 0; r = process_vm_readv(1, &l, 1, &rm, 1, 0); printf("vm_read %ld %d\\n", r, errno);',
      '}',
    ].join('\n');
    await attack(c(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      // As above: refused by the seccomp profile (EPERM), under runc and gVisor alike.
      expect(run.stdout).toBe('attach -1 1\nseize -1 1\nvm_read -1 1\n');
    });
  });
});
