/*
 * The pre-started python3 (README.md beside this file): an embedded CPython that initialises as `python3 -u`
 * would, says `R` on fd 3, reads the argv of the plain command (`python3\0-u\0ENTRY\0ARGS...\0`) to end of file,
 * then becomes that command by giving the interpreter's configuration the real argv and running CPython's own
 * Py_RunMain() (the code path of a plain `python3 -u ENTRY ARGS...`: sys.path[0], __main__, exit codes,
 * tracebacks, SystemExit, KeyboardInterrupt, finalisation).
 *
 * Linked statically against the libpython3.13.a that /usr/bin/python3.13 is built from, with its link flags
 * (-export-dynamic: extension modules in lib-dynload resolve the interpreter's symbols from the executable).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit-helper.h"

/* The running interpreter's configuration (Include/internal/pycore_interp.h; a global function of the static
 * libpython3.13.a), declared here to keep the internal headers (Py_BUILD_CORE) out. Py_RunMain() runs what it
 * says: run_filename, with sys.path[0] computed from argv[0]. (_PyInterpreterState_SetConfig() would apply a
 * whole new configuration, but it computes the path configuration again: 0.4 ms under runc, 5.5 ms under gVisor,
 * and it resets sys.path to the configuration's, without what site added.) */
const PyConfig *_PyInterpreterState_GetConfig(PyInterpreterState *interp);

#define SOCK_FD 3
#define PYTHON "/usr/bin/python3"
#define NAME "python-prestart"

/* What a fallback exec must give python3 as it was given to us: the environment and the signal dispositions that
 * the interpreter's start changes (it ignores SIGPIPE and SIGXFSZ, handles SIGINT). */
static char **saved_env;
static const int saved_signals[] = {SIGPIPE, SIGXFSZ, SIGINT};
static struct sigaction saved_actions[sizeof saved_signals / sizeof saved_signals[0]];

static void save_start_state(char **envp) {
  size_t n = 0;
  while (envp[n] != NULL) n++;
  saved_env = calloc(n + 1, sizeof *saved_env);
  if (saved_env == NULL) {
    fprintf(stderr, NAME ": out of memory\n");
    _exit(127);
  }
  for (size_t i = 0; i < n; i++) {
    saved_env[i] = strdup(envp[i]);
    if (saved_env[i] == NULL) {
      fprintf(stderr, NAME ": out of memory\n");
      _exit(127);
    }
  }
  for (size_t i = 0; i < sizeof saved_signals / sizeof saved_signals[0]; i++) {
    sigaction(saved_signals[i], NULL, &saved_actions[i]);
  }
}

static void fail(const char *why) {
  fprintf(stderr, NAME ": %s\n", why);
  fflush(stderr);
  _exit(127);
}

/* An argv we cannot become in this process (options between -u and the entry): the real python3, same pid. */
static void exec_python(char **argv) {
  for (size_t i = 0; i < sizeof saved_signals / sizeof saved_signals[0]; i++) {
    sigaction(saved_signals[i], &saved_actions[i], NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(PYTHON, argv, saved_env);
  fprintf(stderr, NAME ": cannot exec " PYTHON ": %s\n", strerror(errno));
  fflush(stderr);
  _exit(127);
}

/* Reads fd 3 to end of file. */
static char *read_message(size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) fail("out of memory");
  for (;;) {
    if (n == cap) {
      cap *= 2;
      char *bigger = realloc(buf, cap);
      if (bigger == NULL) fail("out of memory");
      buf = bigger;
    }
    ssize_t r = read(SOCK_FD, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("cannot read the hand-over on fd 3");
    if (r == 0) break;
    n += (size_t)r;
  }
  *len = n;
  return buf;
}

/* Splits NUL-terminated strings; NULL when the message is not such a list. */
static char **split_argv(char *buf, size_t len, int *argc) {
  if (len == 0 || buf[len - 1] != '\0') return NULL;
  size_t count = 0;
  for (size_t i = 0; i < len; i++) count += buf[i] == '\0';
  if (count > INT_MAX - 1) return NULL;
  char **argv = calloc(count + 1, sizeof *argv);
  if (argv == NULL) fail("out of memory");
  size_t k = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) argv[k++] = buf + i;
  *argc = (int)count;
  return argv;
}

/* sys.NAME = list(items), as the interpreter's start sets sys.argv and sys.orig_argv from its configuration. */
static int set_sys_list(const char *name, const PyWideStringList *items) {
  PyObject *list = PyList_New(items->length);
  if (list == NULL) return -1;
  for (Py_ssize_t i = 0; i < items->length; i++) {
    PyObject *item = PyUnicode_FromWideChar(items->items[i], -1);
    if (item == NULL) {
      Py_DECREF(list);
      return -1;
    }
    PyList_SET_ITEM(list, i, item);
  }
  int r = PySys_SetObject(name, list);
  Py_DECREF(list);
  return r;
}

static void check(PyStatus status) {
  if (PyStatus_Exception(status)) Py_ExitStatusException(status);
}

/* What a plain start has imported before it runs the entry is loaded by the initialisation itself; nothing more
 * is imported ahead (README.md: measured, and any extra module would show in sys.modules). */

int main(int argc_unused, char **argv_unused, char **envp) {
  (void)argc_unused;
  (void)argv_unused;
  save_start_state(envp);

  /* As Py_BytesMain() does for `python3 -u`: the Python configuration (environment variables, site, stdio),
   * its command line parsed. */
  static char *start_argv[] = {"python3", "-u", NULL};
  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  check(PyConfig_SetBytesArgv(&config, 2, start_argv));
  check(Py_InitializeFromConfig(&config));
  PyConfig_Clear(&config);

  /* Ready: the agent hands the program over. */
  for (;;) {
    ssize_t w = write(SOCK_FD, "R", 1);
    if (w == 1) break;
    if (w < 0 && errno == EINTR) continue;
    fail("cannot write R on fd 3");
  }
  size_t len;
  char *message = read_message(&len);
  close(SOCK_FD);

  int argc = 0;
  char **argv = split_argv(message, len, &argc);
  if (argv == NULL) fail("the hand-over is not an argv of NUL-terminated strings");
  if (argc < 2 || strcmp(argv[0], "python3") != 0 || strcmp(argv[1], "-u") != 0) {
    fail("the hand-over is not `python3 -u ENTRY ARGS...`");
  }
  if (argc < 3) fail("the hand-over has no entry");
  /* Options between -u and the entry (-O, -X, -m, -c, -, --...) or an empty entry: the real python3. */
  if (argv[2][0] == '-' || argv[2][0] == '\0') exec_python(argv);

  /* The interpreter becomes `python3 -u ENTRY ARGS...`: the real command line is parsed as at a plain start
   * (PyConfig_Read: argv = [ENTRY, ARGS...], run_filename = the entry made absolute, orig_argv; no path
   * configuration), and those three go into the running interpreter's configuration, which Py_RunMain() reads,
   * and into sys.argv and sys.orig_argv. Everything else (options, flags, paths, sys.path) is what the start as
   * `python3 -u` set up, the same as the plain start's, since the argv has no option but -u. */
  PyConfig run;
  PyConfig_InitPythonConfig(&run);
  check(PyConfig_SetBytesArgv(&run, argc, argv));
  check(PyConfig_Read(&run));
  PyConfig *live = (PyConfig *)_PyInterpreterState_GetConfig(PyInterpreterState_Get());
  check(PyConfig_SetWideStringList(live, &live->argv, run.argv.length, run.argv.items));
  check(PyConfig_SetWideStringList(live, &live->orig_argv, run.orig_argv.length, run.orig_argv.items));
  check(PyConfig_SetString(live, &live->run_filename, run.run_filename));
  PyConfig_Clear(&run);
  if (set_sys_list("argv", &live->argv) < 0 || set_sys_list("orig_argv", &live->orig_argv) < 0) {
    PyErr_Print();
    fail("cannot set sys.argv");
  }
  free(argv);
  free(message);

  /* CPython's own run of the configured script, finalisation and exit status (120 when finalising fails, death
   * by SIGINT after an unhandled KeyboardInterrupt); the exit itself without waiting for the memory to be
   * unmapped (exit-helper.c). */
  int status = Py_RunMain();
  exit_without_unmapping();
  return status;
}
