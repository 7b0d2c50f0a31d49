/*
 * The launcher's exit, not held up by tearing its address space down (README.md, "Exit").
 *
 * The kernel unmaps a process's memory before it closes its files and tells its parent that it exited
 * (do_exit: exit_mm, then exit_files, then exit_notify). For the interpreter that is about 0.6 ms more than for
 * a small C program (the pages of the static binary and of the heap; measured with the harness, warm hello
 * world: 0.88 ms from Py_RunMain's return to the parent's waitpid, 0.30 ms with this). When another process
 * shares the memory, the exiting one only drops its reference, and the unmapping happens when that other process
 * goes.
 *
 * So once Py_RunMain() has returned (the program, its atexit handlers, its threads and the interpreter's
 * finalisation are over: no Python code runs again), the launcher clones a helper that shares its memory
 * (CLONE_VM, its own copy of the file table), and waits until the helper has closed every file descriptor (the
 * output pipes must reach end of file with the launcher's exit) and asked for SIGKILL when the launcher dies
 * (PR_SET_PDEATHSIG). Then the launcher exits as it would have, with the same status; the helper is killed at that
 * moment and the memory goes with it, on whichever CPU is free. Nothing of the program can see the helper: it is
 * started after the program ended. If any step fails (clone refused at the pids limit, close_range missing), the
 * launcher exits as before.
 *
 * The helper runs on the launcher's memory with the launcher's thread pointer; it makes only raw system calls
 * and touches nothing but its own stack and the `state` word.
 *
 * Not under gVisor: there a new task costs more than the unmapping it saves (the clone and the wait for the
 * helper 3.6 ms, the hand-over to exit 12.0 ms without it and 15.9 ms with it). gVisor answers uname() with
 * the fixed release 4.4.0, which no kernel that runs this image's Debian has.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "exit-helper.h"

enum { STARTING = 0, READY = 1, GAVE_UP = 2 };
static atomic_int state;

static void set_state(int value) {
  atomic_store(&state, value);
  syscall(SYS_futex, &state, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static int helper(void *unused) {
  (void)unused;
  if (syscall(SYS_close_range, 0U, ~0U, 0U) != 0 || syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    set_state(GAVE_UP);
    syscall(SYS_exit, 0);
  }
  set_state(READY);
  /* Until the launcher's death signal: ppoll on nothing, which every architecture has (pause is x86's alone). */
  for (;;) syscall(SYS_ppoll, NULL, 0, NULL, NULL, 0);
  return 0;
}

void exit_without_unmapping(void) {
  struct utsname kernel;
  if (uname(&kernel) != 0 || strcmp(kernel.release, "4.4.0") == 0) return;
  const size_t stack_size = 64 * 1024;
  char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return;
  if (clone(helper, stack + stack_size, CLONE_VM | SIGCHLD, NULL) < 0) return;
  while (atomic_load(&state) == STARTING) {
    syscall(SYS_futex, &state, FUTEX_WAIT, STARTING, NULL, NULL, 0);
  }
}
