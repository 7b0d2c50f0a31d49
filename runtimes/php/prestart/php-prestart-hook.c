/* The part of the pre-started php that runs inside /usr/bin/php (README.md, Design). Preloaded by php-prestart;
 * this file holds no PHP header (php_config.h's large-file macros would rename fopen), php-prestart-sapi.c the
 * part that needs them.
 *
 * php's main() runs as in a plain start with the placeholder entry: sapi start, ini files, every extension's
 * module start-up, then do_cli() parses the arguments and opens the entry, the first thing of the program's own.
 * That fopen() of the placeholder is the hand-over: 'R', the argv, and then the placeholder's bytes (php's
 * script_file, which it uses for the script's name from here on) become the real entry's; php opens that and goes
 * on exactly as the plain command would, from the request start up to its exit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "php-prestart.h"

/* php-prestart-sapi.c: makes the request start use this argv (0 on success). */
int php_prestart_set_request_argv(int argc, char **argv);

extern char **environ;

static int socket_fd = -1;          /* the agent's socket while php starts; -1 once handed over */
static char **start_env;            /* the environment php was started with, without our LD_PRELOAD */
static struct sigaction start_actions[NSIG];
static sigset_t start_mask;

/* Before php's main(): take our LD_PRELOAD out of the environment (php, its $_ENV and its children never see
 * it), keep what an exec of the plain command must get back (environment, signal state; php's start ignores
 * SIGPIPE, which an exec would keep), and move the socket off fd 3 so that php's start opens what it opens on
 * the numbers a plain start uses. */
__attribute__((constructor)) static void prestart_init(void)
{
    struct stat st;
    size_t n = 0;

    unsetenv("LD_PRELOAD");
    if (fstat(3, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return;  /* not started by the agent: stay out of the way */
    }
    while (environ[n] != NULL) {
        n++;
    }
    start_env = malloc((n + 1) * sizeof *start_env);
    if (start_env != NULL) {
        for (size_t i = 0; i < n; i++) {
            start_env[i] = strdup(environ[i]);
        }
        start_env[n] = NULL;
    }
    for (int sig = 1; sig < NSIG; sig++) {
        sigaction(sig, NULL, &start_actions[sig]);
    }
    sigprocmask(SIG_SETMASK, NULL, &start_mask);
    socket_fd = fcntl(3, F_DUPFD_CLOEXEC, PRESTART_FD);
    close(3);
}

/* What php cannot become in this process (interpreter options, an entry longer than the placeholder): the
 * plain command itself, exec'd in this process with the environment and signal state php was started with. */
static void exec_plain(char **argv)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &start_actions[sig], NULL);
        }
    }
    /* Nothing of php's start stays open across the exec: a plain start has only 0, 1 and 2. */
    for (int fd = 3; fd < 1024; fd++) {
        close(fd);
    }
    sigprocmask(SIG_SETMASK, &start_mask, NULL);
    if (start_env != NULL) {
        environ = start_env;
    }
    execvp(argv[0], argv);
    fprintf(stderr, "php-prestart: cannot exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static int is_placeholder(const char *path)
{
    size_t tail = strlen(PRESTART_PLACEHOLDER_TAIL);
    return strlen(path) == PRESTART_PLACEHOLDER_LEN
        && strcmp(path + PRESTART_PLACEHOLDER_LEN - tail, PRESTART_PLACEHOLDER_TAIL) == 0;
}

/* The hand-over. path is php's own script_file (writable; const only in fopen's signature). */
static void hand_over(char *path)
{
    size_t len;
    int fd = socket_fd;
    char *msg = prestart_wait(fd, &len);
    char **argv = msg ? malloc((len + 1) * sizeof *argv) : NULL;
    int argc = argv ? prestart_split(msg, len, argv) : -1;

    socket_fd = -1;
    close(fd);
    if (argc < 0) {
        fputs(PRESTART_BAD_MESSAGE, stderr);
        fflush(stderr);
        _exit(127);
    }
    /* The only shape php was started as: REPLACES -f ENTRY -- ARGS... */
    char **rest = argv + PRESTART_NREPLACES;
    int nrest = argc - PRESTART_NREPLACES;
    if (nrest < 3 || strcmp(rest[0], "-f") != 0 || strcmp(rest[2], "--") != 0
        || strlen(rest[1]) > PRESTART_PLACEHOLDER_LEN) {
        exec_plain(argv);
    }
    /* php's request argv is ENTRY ARGS... (its script name in place of the "--"), as do_cli() makes it. */
    memcpy(path, rest[1], strlen(rest[1]) + 1);
    rest[2] = path;
    if (php_prestart_set_request_argv(nrest - 2, rest + 2) != 0) {
        exec_plain(argv);
    }
}

static FILE *(*next_fopen)(const char *, const char *);
static FILE *(*next_fopen64)(const char *, const char *);

FILE *fopen(const char *path, const char *mode)
{
    if (socket_fd >= 0 && path != NULL && is_placeholder(path)) {
        hand_over((char *)path);
    }
    if (next_fopen == NULL) {
        next_fopen = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen");
    }
    return next_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    if (socket_fd >= 0 && path != NULL && is_placeholder(path)) {
        hand_over((char *)path);
    }
    if (next_fopen64 == NULL) {
        next_fopen64 = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen64");
    }
    return next_fopen64(path, mode);
}
