/*
 * The pre-started perl (README.md beside this file): Debian's perl interpreter, linked as /usr/bin/perl is
 * (statically with libperl.a, -Wl,-E), started the way perlmain.c starts it up to the point where it needs the
 * command line: PERL_SYS_INIT3, perl_alloc, perl_construct. Then it says `R` on fd 3, reads the argv of the plain
 * command (`perl\0[OPTIONS\0]ENTRY\0ARGS...\0`) to end of file and goes on exactly as perlmain.c does with that
 * argv: perl_parse (every switch, the script's #! switches, BEGIN blocks, @INC, %ENV, $0, @ARGV, $^T, syntax
 * errors, a missing script), perl_run (END blocks, exit, die), perl_destruct and perl_free, exit with the status.
 *
 * perl_parse reads every option itself, so every argv the agent may hand over runs in this process; there is no
 * fallback to exec'ing /usr/bin/perl. The one thing perl would get wrong here is $^X, which it takes from
 * /proc/self/exe: xs_init, which perl_parse calls after it set $^X and before any of the program's code is
 * compiled, puts back what a plain start has.
 *
 * Before the `R` it also warms what gVisor makes slow the first time (warm_up(): the executable's pages, the files
 * of `use strict; use warnings;`), without loading anything into the interpreter.
 */
#include <EXTERN.h>
#include <perl.h>
#include <XSUB.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOCK_FD 3
#define NAME "perl-prestart"
/* What readlink("/proc/self/exe") gives a plain `perl` found on PATH (a hard link of perl5.40.1, not a
 * symlink): the plain start's $^X. */
#define PERL_EXE "/usr/bin/perl"

/* Debian's built-in @INC, colon-separated: the Dockerfile passes `perl -e 'print join(":", @INC)'` of the image's
 * own perl (only the warm-up uses it; a wrong list makes it slower, never different). */
#ifndef WARM_INC
#error "compile with -DWARM_INC=\"DIR:DIR:...\""
#endif

static PerlInterpreter *my_perl;

static void fail(const char *why) {
  fprintf(stderr, NAME ": %s\n", why);
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

/* Splits NUL-terminated strings; NULL when the message is not such a list. The strings stay in buf, one after the
 * other as the kernel lays out a plain start's argv: perl may write an assigned $0 over them (PL_origalen). */
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

/* Before the hand-over, what a program's start will need anyway and nothing it can see: under gVisor a page of
 * the executable faulted in for the first time and the first lookup of a file cost far more than under runc (in
 * the sentry and its gofer), so the launcher touches every page of its code once (the parser, the compiler, the
 * runtime the program will run) and looks up strict.pm and warnings.pm along @INC, reading the one perl will
 * find, as `use strict; use warnings;` (the first lines of most programs) will. The files are closed again and
 * the interpreter is untouched: no module is loaded, %INC stays empty. */
extern const char __executable_start, etext;

static void warm_up(void) {
  volatile char sink = 0;
  for (const char *p = &__executable_start; p < &etext; p += 4096) sink += *p;
  (void)sink;

  static const char *const modules[] = {"strict.pm", "warnings.pm"};
  char path[4096], buf[65536];
  for (size_t m = 0; m < sizeof modules / sizeof modules[0]; m++) {
    for (const char *dir = WARM_INC; *dir != '\0';) {
      size_t n = strcspn(dir, ":");
      if (snprintf(path, sizeof path, "%.*s/%s", (int)n, dir, modules[m]) < (int)sizeof path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
          while (read(fd, buf, sizeof buf) > 0) {
          }
          close(fd);
          break;
        }
      }
      dir += n + (dir[n] == ':');
    }
  }
}

EXTERN_C void boot_DynaLoader(pTHX_ CV *cv);

/* perlmain.c's xs_init (Debian's perl has no static extension but DynaLoader; "perlmain.c" is the file name the
 * plain start gives the XSUB). Then $^X as a plain start sets it: perl_parse set it from /proc/self/exe, which is
 * this launcher, just before; nothing of the program has run yet (sitecustomize is off in Debian's build). TAINT
 * around the assignment taints $^X under -T/-t as set_caret_X() does. */
static void xs_init(pTHX) {
  static const char file[] = "perlmain.c";
  dXSUB_SYS;
  PERL_UNUSED_CONTEXT;
  newXS("DynaLoader::boot_DynaLoader", boot_DynaLoader, file);

  SV *caret_x = GvSV(gv_fetchpvs("\030", GV_ADD | GV_NOTQUAL, SVt_PV));
  TAINT;
  sv_setpvs(caret_x, PERL_EXE);
  TAINT_NOT;
}

int main(int argc, char **argv, char **env) {
  int exitstatus;

  /* As perlmain.c's main() does, up to perl_parse(): nothing here reads the command line or the work dir. */
  PERL_SYS_INIT3(&argc, &argv, &env);
#if defined(USE_ITHREADS)
  PTHREAD_ATFORK(Perl_atfork_lock, Perl_atfork_unlock, Perl_atfork_unlock);
#endif
  PERL_SYS_FPU_INIT;
  my_perl = perl_alloc();
  if (!my_perl) exit(1);
  perl_construct(my_perl);
  PL_perl_destruct_level = 0;
  PL_exit_flags |= PERL_EXIT_DESTRUCT_END;
  warm_up();

  /* Ready: the agent hands the program over. */
  for (;;) {
    ssize_t w = write(SOCK_FD, "R", 1);
    if (w == 1) break;
    if (w < 0 && errno == EINTR) continue;
    fail("cannot write R on fd 3");
  }
  size_t len;
  char *message = read_message(&len);
  /* Closed before perl opens the script, which then gets fd 3 as in a plain start. */
  close(SOCK_FD);

  int run_argc = 0;
  char **run_argv = split_argv(message, len, &run_argc);
  if (run_argv == NULL) fail("the hand-over is not an argv of NUL-terminated strings");
  if (run_argc < 1 || strcmp(run_argv[0], "perl") != 0) fail("the hand-over is not `perl ENTRY ARGS...`");
  if (run_argc < 2) fail("the hand-over has no entry");

  /* From here on perlmain.c's main() with the plain command's argv (environ as perl_construct saw it: the
   * agent hands over only a stage whose environment is the launcher's). The argv stays allocated: perl keeps
   * pointers into it (PL_origargv). */
  if (!perl_parse(my_perl, xs_init, run_argc, run_argv, (char **)NULL)) {
    perl_run(my_perl);
  }
  /* Unregister perl's signal handler before destroying the interpreter, as perlmain.c does. */
  for (int i = 1; PL_sig_name[i]; i++) {
    if (rsignal_state(PL_sig_num[i]) == (Sighandler_t)PL_csighandlerp) {
      rsignal(PL_sig_num[i], (Sighandler_t)SIG_DFL);
    }
  }
  exitstatus = perl_destruct(my_perl);
  perl_free(my_perl);
  PERL_SYS_TERM();
  exit(exitstatus);
}
