/*
 * The pre-started Rscript (README.md beside this file): an embedded R that starts as `Rscript ENTRY ARGS...`
 * would, up to the point where R begins to read ENTRY, says `R` on fd 3, reads the argv of the plain command
 * (`Rscript\0ENTRY\0ARGS...\0`) to end of file, then becomes that command: R's command line is set to the one
 * the R binary would have had, ENTRY is opened as R's `--file=` opens it, and R's own read-eval loop reads it
 * through a console reader that does what R's non-interactive one does with the `--file` stream.
 *
 * One binary, three roles, told apart by argv[1]:
 *   (anything else)          stage 1, started by the agent: keeps the environment it got (for a fallback exec of
 *                            Rscript) in a memfd on fd 4 and execs R's own shell front end
 *                            `/usr/lib/R/bin/R --debugger=SELF --debugger-args=--stage2`, so that R_HOME,
 *                            LD_LIBRARY_PATH, R_SHARE_DIR, ... and what bash adds (PWD, SHLVL) are exactly what the
 *                            plain start's R binary gets, and LD_LIBRARY_PATH is in force from the process start
 *                            as it is for the R binary;
 *   --version                the front end's probe of its "debugger" (`${debugger} --version`): says nothing;
 *   --stage2 /usr/lib/R/...  stage 2, what the front end execs instead of the R binary: R itself.
 */
#define _GNU_SOURCE
#define R_INTERFACE_PTRS 1
#include <Rembedded.h>
#include <Rinterface.h>
#include <R_ext/RStartup.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* libR exports it; no installed header declares it (R's own main() calls it through Rf_mainloop()). */
extern void run_Rmainloop(void);

#define SOCK_FD 3
#define ENV_FD 4
#define SELF "/usr/local/lib/coderunner/r-prestart"
#define R_SHELL "/usr/lib/R/bin/R"
#define R_BINARY "/usr/lib/R/bin/exec/R"
#define NAME "r-prestart"

extern char **environ;

static void fail(const char *why) {
  fprintf(stderr, NAME ": %s\n", why);
  fflush(stderr);
  _exit(127);
}

/* Reads fd to end of file; NUL-terminates the buffer (not counted in *len). */
static char *read_all(int fd, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) fail("out of memory");
  for (;;) {
    if (n + 1 >= cap) {
      cap *= 2;
      char *bigger = realloc(buf, cap);
      if (bigger == NULL) fail("out of memory");
      buf = bigger;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return NULL;
    if (r == 0) break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Splits NUL-terminated strings into a NULL-terminated vector; NULL when the message is not such a list. */
static char **split_strings(char *buf, size_t len, int *count) {
  if (len == 0 || buf[len - 1] != '\0') return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += buf[i] == '\0';
  if (n > INT_MAX - 1) return NULL;
  char **v = calloc(n + 1, sizeof *v);
  if (v == NULL) fail("out of memory");
  size_t k = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) v[k++] = buf + i;
  *count = (int)n;
  return v;
}

static void say_ready(void) {
  for (;;) {
    ssize_t w = write(SOCK_FD, "R", 1);
    if (w == 1) return;
    if (w < 0 && errno == EINTR) continue;
    fail("cannot write R on fd 3");
  }
}

/* The hand-over: the plain command's argv, checked to be `Rscript ENTRY ARGS...`. */
static char **read_handover(int *argc) {
  size_t len;
  char *message = read_all(SOCK_FD, &len);
  if (message == NULL) fail("cannot read the hand-over on fd 3");
  close(SOCK_FD);
  char **argv = split_strings(message, len, argc);
  if (argv == NULL) fail("the hand-over is not an argv of NUL-terminated strings");
  if (*argc < 1 || strcmp(argv[0], "Rscript") != 0) fail("the hand-over is not `Rscript ENTRY ARGS...`");
  if (*argc < 2) fail("the hand-over has no entry");
  return argv;
}

/* ---- Fallback: the real Rscript, in this process, as the agent would have started it. ---- */

static char **start_env;            /* the environment the agent gave stage 1 */
static struct sigaction start_actions[NSIG];
static sigset_t start_mask;
static struct rlimit start_nofile;  /* R raises the soft RLIMIT_NOFILE when it loads packages' DLLs */

static void save_signal_state(void) {
  for (int s = 1; s < NSIG; s++) sigaction(s, NULL, &start_actions[s]);
  sigprocmask(SIG_SETMASK, NULL, &start_mask);
  getrlimit(RLIMIT_NOFILE, &start_nofile);
}

static int r_started;                /* stage 2 has made R's session temp dir (R_TempDir under TMPDIR) */

/* argv[0] looked up in PATH as the agent looks it up (its PATH is start_env's). R's session temp dir is removed
 * first: the plain start makes its own, and /tmp would otherwise hold one more than a plain start's does. */
static void exec_rscript(char **argv) {
  if (r_started) R_CleanTempDir();
  for (int s = 1; s < NSIG; s++) {
    if (s != SIGKILL && s != SIGSTOP) sigaction(s, &start_actions[s], NULL);
  }
  sigprocmask(SIG_SETMASK, &start_mask, NULL);
  setrlimit(RLIMIT_NOFILE, &start_nofile);
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = start_env; *e != NULL; e++) {
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  }
  char *paths = strdup(path), *save = NULL;
  if (paths == NULL) fail("out of memory");
  for (char *dir = strtok_r(paths, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
    char full[PATH_MAX];
    if (snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", argv[0]) >= (int)sizeof full) continue;
    execve(full, argv, start_env);
  }
  fprintf(stderr, NAME ": cannot exec %s: %s\n", argv[0], strerror(errno));
  fflush(stderr);
  _exit(127);
}

/* ---- Stage 1: through R's shell front end to stage 2. ---- */

static void stage1(char **envp) {
  /* What the front end's start depends on besides the environment it computes: Rscript takes RHOME,
   * R_SCRIPT_DEFAULT_PACKAGES and R_SCRIPT_LEGACY from the environment, and the front end warns on stdout about
   * an R_HOME of its own. A run's environment has none of them; if one has, no R is started ahead: the launcher
   * waits for the hand-over and execs Rscript (correct, not faster). */
  static const char *const unusual[] = {"RHOME", "R_SCRIPT_DEFAULT_PACKAGES", "R_SCRIPT_LEGACY", "R_HOME"};
  for (size_t i = 0; i < sizeof unusual / sizeof unusual[0]; i++) {
    if (getenv(unusual[i]) != NULL) {
      start_env = envp;
      save_signal_state();
      say_ready();
      int argc;
      exec_rscript(read_handover(&argc));
    }
  }
  /* The environment as NUL-terminated strings in a memfd on fd 4 (stage 1 has fds 0-3 only, so it gets 4). */
  int fd = memfd_create(NAME "-env", 0);
  if (fd != ENV_FD) fail("cannot keep the environment on fd 4");
  for (char **e = envp; *e != NULL; e++) {
    size_t n = strlen(*e) + 1;
    if (write(fd, *e, n) != (ssize_t)n) fail("cannot write the environment");
  }
  if (lseek(fd, 0, SEEK_SET) != 0) fail("cannot rewind the environment");
  /* As Rscript execs the front end (argv[0] the full path), with the debugger options in place of R's. */
  char *argv[] = {R_SHELL, "--debugger=" SELF, "--debugger-args=--stage2", NULL};
  execve(R_SHELL, argv, envp);
  fail("cannot exec " R_SHELL);
}

/* ---- Stage 2: R. ---- */

/* The entry, opened as R's --file opens it (R_fopen(path, "r")), read by the console reader below. */
static FILE *entry_fp;

/* R's Rstd_ReadConsole (src/unix/sys-std.c) for a non-interactive session, reading entry_fp where R reads the
 * --file stream: one line per call, CRLF made LF, a last line without newline given one, echo only when
 * options(echo = TRUE) cleared R_NoEcho. (R's re-encoding step applies only with --encoding, which Rscript
 * does not pass.) */
static int read_console(const char *prompt, unsigned char *buf, int len, int addtohistory) {
  (void)addtohistory;
  if (!R_NoEcho) {
    fputs(prompt, stdout);
    fflush(stdout);
  }
  if (fgets((char *)buf, len, entry_fp) == NULL) return 0;
  size_t ll = strlen((char *)buf);
  if (ll >= 2 && buf[ll - 1] == '\n' && buf[ll - 2] == '\r') {
    buf[ll - 2] = '\n';
    buf[--ll] = '\0';
  }
  if (feof(entry_fp) && (ll == 0 || buf[ll - 1] != '\n') && ll < (size_t)len) {
    buf[ll++] = '\n';
    buf[ll] = '\0';
  }
  if (!R_NoEcho) {
    fputs((char *)buf, stdout);
    fflush(stdout);
  }
  return 1;
}

/* An entry that Rscript and the front end pass to R unchanged as --file=ENTRY: the front end runs it through
 * `echo | sed 's/ /~+~/g'` and an unquoted ${args} (word splitting, globbing), R undoes ~+~, ~n~ and ~t~, and
 * Rscript takes a leading '-' as an option. Anything else goes to the real Rscript. */
static int plain_entry(const char *entry) {
  if (entry[0] == '\0' || entry[0] == '-' || strlen(entry) >= 4096) return 0;
  for (const char *p = entry; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          strchr("._-/+,=@%:^", c) != NULL)) {
      return 0;
    }
  }
  return 1;
}

static int exists(const char *dir, const char *name) {
  char path[PATH_MAX];
  struct stat st;
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return 1;
  return stat(path, &st) == 0;
}

/* What R's start read from the work dir and HOME while they were still empty: the user's .Renviron (also
 * .Renviron.ARCH; R_ARCH is empty here, hence ".Renviron.") and .Rprofile, and the user library directories
 * that .libPaths() keeps only if they exist. If the program brought any of them, its plain start would have
 * seen them: the real Rscript runs it. (A run's environment sets none of R_ENVIRON_USER, R_PROFILE_USER,
 * R_LIBS; they are checked all the same.) */
static int startup_files_arrived(void) {
  const char *home = getenv("HOME");
  const char *dirs[] = {".", home != NULL ? home : "."};
  for (size_t i = 0; i < 2; i++) {
    if (exists(dirs[i], ".Renviron") || exists(dirs[i], ".Rprofile")) return 1;
    if (exists(dirs[i], ".Renviron.")) return 1;
  }
  /* The files named by R_ENVIRON_USER and R_PROFILE_USER (instead of the two above), the user libraries. */
  const char *vars[] = {"R_ENVIRON_USER", "R_PROFILE_USER", "R_LIBS_USER", "R_LIBS"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
    const char *v = getenv(vars[i]);
    if (v == NULL) continue;
    char *copy = strdup(v), *save = NULL;
    if (copy == NULL) fail("out of memory");
    for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
      struct stat st;
      if (stat(d, &st) == 0) return 1;
    }
    free(copy);
  }
  return 0;
}

static void stage2(void) {
  /* The environment stage 1 got, for a fallback exec; the fd closed so that R's start uses the fds a plain
   * start uses. */
  size_t len;
  char *env = read_all(ENV_FD, &len);
  if (env == NULL) fail("no environment on fd 4 (stage 2 is started by stage 1 only)");
  close(ENV_FD);
  int envc;
  start_env = len == 0 ? calloc(1, sizeof *start_env) : split_strings(env, len, &envc);
  if (start_env == NULL) fail("the environment on fd 4 is malformed");
  save_signal_state();
  /* The process name (/proc/self/stat, status, ps) the R binary's process has; /proc/self/cmdline and
   * /proc/self/exe still name the launcher (README.md, "Known to differ"). */
  prctl(PR_SET_NAME, "R", 0, 0, 0);

  /* As the R binary starts for `--no-echo --no-restore --file=ENTRY`: the --file itself comes at the hand-over.
   * Its only other effect on the start is R_Interactive = FALSE (whatever isatty(0) says), set here. */
  char *start_argv[] = {R_BINARY, "--no-echo", "--no-restore", NULL};
  Rf_initialize_R(3, start_argv);
  R_Interactive = FALSE;
  /* Base package, profiles, the default packages (methods, datasets, utils, grDevices, graphics, stats),
   * the JIT: everything R does before it reads the first line of the file. */
  setup_Rmainloop();
  r_started = 1;

  say_ready();
  int argc;
  char **argv = read_handover(&argc);
  /* proc.time()'s elapsed counts from here, not from the launcher's start (which may be long before the
   * request); a plain start's counts from its own start, a few hundred ms before its first line. */
  R_setStartTime();
  const char *entry = argv[1];
  if (!plain_entry(entry) || startup_files_arrived()) exec_rscript(argv);
  /* fd 3 (the socket) is free again, so the entry gets fd 3, as in a plain start. An entry that cannot be
   * opened: the real Rscript, for R's own "Fatal error: cannot open file" and status 2. */
  entry_fp = fopen(entry, "r");
  if (entry_fp == NULL) exec_rscript(argv);

  /* commandArgs(): the R binary's argv, as Rscript builds it (--args only when there are arguments). */
  char **rargv = calloc((size_t)argc + 4, sizeof *rargv);
  if (rargv == NULL) fail("out of memory");
  size_t file_len = strlen(entry) + sizeof "--file=";
  char *file_arg = malloc(file_len);
  if (file_arg == NULL) fail("out of memory");
  snprintf(file_arg, file_len, "--file=%s", entry);
  int n = 0;
  rargv[n++] = R_BINARY;
  rargv[n++] = "--no-echo";
  rargv[n++] = "--no-restore";
  rargv[n++] = file_arg;
  if (argc > 2) {
    rargv[n++] = "--args";
    for (int i = 2; i < argc; i++) rargv[n++] = argv[i];
  }
  R_set_command_line_arguments(n, rargv);

  ptr_R_ReadConsole = read_console;
  /* R's read-eval loop to the end of the file, then R's own end (.Last, exit finalizers, temp dir, exit);
   * errors end it as in a plain start ("Execution halted", status 1). Does not return. */
  run_Rmainloop();
  exit(0);
}

int main(int argc, char **argv, char **envp) {
  if (argc >= 2 && strcmp(argv[1], "--version") == 0) return 0;
  if (argc >= 3 && strcmp(argv[1], "--stage2") == 0 && strcmp(argv[2], R_BINARY) == 0) stage2();
  stage1(envp);
  return 127;
}
