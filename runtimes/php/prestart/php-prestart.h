/* Shared by the launcher (php-prestart.c) and the library it preloads into php (php-prestart-hook.c): the
 * plain command's fixed prefix, the placeholder entry and the checks of the hand-over message (README.md). */
#ifndef PHP_PRESTART_H
#define PHP_PRESTART_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

/* runtime.json's "replaces": the plain command is REPLACES {interpreterArgs} -f ENTRY -- ARGS... */
#define PRESTART_NREPLACES 5
static const char *const prestart_replaces[PRESTART_NREPLACES] = {
    "php", "-d", "display_errors=stderr", "-d", "log_errors=0",
};

/* The library this launcher preloads, and the fd the library keeps the agent's socket on while php starts
 * (fd 3 must be free then: whatever php's start opens gets the numbers it gets in a plain start). */
#define PRESTART_HOOK "/usr/local/lib/coderunner/php-prestart-hook.so"
#define PRESTART_FD 99

/* The entry php is started with. php keeps the -f argument's own bytes as the script name (script_file in
 * sapi/cli/php_cli.c) and only uses it when it opens the script, after the whole start; the hook writes the real
 * entry into those bytes at that moment. So the placeholder is as long as the longest path (PATH_MAX - 1): leading
 * slashes, which name the same file, in front of a real script that says what went wrong if the hook is missing. */
#define PRESTART_PLACEHOLDER_TAIL "/usr/local/lib/coderunner/php-prestart-wait.php"
#define PRESTART_PLACEHOLDER_LEN 4095

/* One line on stderr, exit 127: what the contract asks for a message that is not the plain command's argv. */
#define PRESTART_BAD_MESSAGE "php-prestart: the hand-over message is not an argv starting with " \
    "php -d display_errors=stderr -d log_errors=0 and more\n"

/* Splits a hand-over message (NUL-terminated strings) in place into a NULL-terminated array of at most
 * len + 1 entries; returns the count, or -1 if it is empty, not NUL-terminated, or does not start with
 * prestart_replaces followed by at least one more argument. */
static inline int prestart_split(char *msg, size_t len, char **out)
{
    int n = 0;
    size_t start = 0;
    if (len == 0 || msg[len - 1] != '\0') {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\0') {
            out[n++] = msg + start;
            start = i + 1;
        }
    }
    out[n] = NULL;
    if (n <= PRESTART_NREPLACES) {
        return -1;
    }
    for (int i = 0; i < PRESTART_NREPLACES; i++) {
        const char *a = out[i], *b = prestart_replaces[i];
        while (*a && *a == *b) {
            a++, b++;
        }
        if (*a != *b) {
            return -1;
        }
    }
    return n;
}

/* Says 'R' on fd and reads it to end of file; returns the message (malloc'd, *len bytes) or NULL. */
static inline char *prestart_wait(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while ((r = write(fd, "R", 1)) < 0 && errno == EINTR) {
    }
    if (buf == NULL || r != 1) {
        free(buf);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            free(buf);
            return NULL;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

#endif
