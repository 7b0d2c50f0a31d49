/* The pre-started php (README.md): started by the agent with the agent's socket on fd 3, it execs the real
 * /usr/bin/php (found on PATH, as the plain start's "php" is) with the plain command's fixed prefix and a
 * placeholder entry, preloading php-prestart-hook.so, which does the rest inside php once php's whole start
 * (ini files, every extension's module start-up) is done. Its own arguments are ignored (they make ps readable). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "php-prestart.h"

extern char **environ;

/* The plain start, as the agent would exec it: used when this launcher cannot preload (see main). */
static int exec_plain(void)
{
    size_t len;
    char *msg = prestart_wait(3, &len);
    char **argv = msg ? malloc((len + 1) * sizeof *argv) : NULL;
    if (argv == NULL || prestart_split(msg, len, argv) < 0) {
        fputs(PRESTART_BAD_MESSAGE, stderr);
        return 127;
    }
    close(3);
    execvp(argv[0], argv);
    fprintf(stderr, "php-prestart: cannot exec %s: %s\n", argv[0], strerror(errno));
    return 127;
}

int main(void)
{
    static char placeholder[PRESTART_PLACEHOLDER_LEN + 1];
    size_t tail = strlen(PRESTART_PLACEHOLDER_TAIL), n = 0;
    char **env;

    /* The run's own LD_PRELOAD would have to share the variable with ours, and the hook could not take it out
     * of the program's environment again without changing it: start plainly after the hand-over instead. */
    if (getenv("LD_PRELOAD") != NULL) {
        return exec_plain();
    }
    while (environ[n] != NULL) {
        n++;
    }
    /* LD_PRELOAD goes last: the hook removes it before php's main(), and as the last string of the environment
     * block it leaves the rest contiguous (php's process-title support looks at that). */
    env = malloc((n + 2) * sizeof *env);
    if (env == NULL) {
        return exec_plain();
    }
    memcpy(env, environ, n * sizeof *env);
    env[n] = "LD_PRELOAD=" PRESTART_HOOK;
    env[n + 1] = NULL;

    memset(placeholder, '/', PRESTART_PLACEHOLDER_LEN - tail);
    memcpy(placeholder + PRESTART_PLACEHOLDER_LEN - tail, PRESTART_PLACEHOLDER_TAIL, tail + 1);
    char *argv[] = {
        (char *)prestart_replaces[0], (char *)prestart_replaces[1], (char *)prestart_replaces[2],
        (char *)prestart_replaces[3], (char *)prestart_replaces[4], "-f", placeholder, "--", NULL,
    };
    execvpe(argv[0], argv, env);
    fprintf(stderr, "php-prestart: cannot exec php: %s\n", strerror(errno));
    return 127;
}
