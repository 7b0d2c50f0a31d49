/* The run request: parsing and checking the R frame's payload, and writing its files into the work dir. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

struct cur {
	const unsigned char *p, *end;
};

static const unsigned char *take(struct cur *c, size_t n, const char *what)
{
	if ((size_t)(c->end - c->p) < n)
		fatal("request truncated in %s", what);
	const unsigned char *r = c->p;
	c->p += n;
	return r;
}

static uint32_t take32(struct cur *c, const char *what)
{
	return get32(take(c, 4, what));
}

static uint64_t take64(struct cur *c, const char *what)
{
	const unsigned char *p = take(c, 8, what);
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static char *take_str(struct cur *c, const char *what)
{
	uint32_t n = take32(c, what);
	const unsigned char *p = take(c, n, what);
	if (memchr(p, 0, n))
		fatal("%s contains a NUL byte", what);
	char *s = xrealloc(NULL, (size_t)n + 1);
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

/* Counts are checked against what is left, so a lying count cannot make us allocate much. */
static uint32_t take_count(struct cur *c, uint32_t min, uint32_t max, size_t each, const char *what)
{
	uint32_t n = take32(c, what);
	if (n < min || n > max || n > (size_t)(c->end - c->p) / each)
		fatal("bad %s count %u", what, n);
	return n;
}

static void check_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		fatal("bad file name length %zu", n);
	if (s[0] == '/')
		fatal("file name is absolute: %.200s", s);
	for (const char *p = s;; ) {
		const char *e = strchrnul(p, '/');
		if (e == p)
			fatal("file name has an empty part: %.200s", s);
		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			fatal("file name has a '..' part: %.200s", s);
		if (!*e)
			break;
		p = e + 1;
	}
}

static char **take_strv(struct cur *c, uint32_t min, const char *what)
{
	uint32_t n = take_count(c, min, MAX_COUNT, 4, what);
	char **v = xrealloc(NULL, ((size_t)n + 1) * sizeof *v);
	for (uint32_t i = 0; i < n; i++)
		v[i] = take_str(c, what);
	v[n] = NULL;
	return v;
}

static void parse_stage(struct cur *c, struct stage *st)
{
	st->name = take_str(c, "stage name");
	if (strcmp(st->name, "compile") != 0 && strcmp(st->name, "run") != 0)
		fatal("bad stage name '%.50s'", st->name);
	st->argv = take_strv(c, 1, "argv");
	if (!st->argv[0][0])
		fatal("empty argv[0]");
	st->envp = take_strv(c, 0, "env");
	for (char **e = st->envp; *e; e++) {
		char *eq = strchr(*e, '=');
		if (!eq || eq == *e)
			fatal("env entry is not KEY=VALUE: %.100s", *e);
	}
	st->wall_ms = take32(c, "wall_ms");
	st->cpu_ms = take32(c, "cpu_ms");
	st->fsize = take64(c, "fsize_bytes");
	st->outcap = take64(c, "output_bytes");
	st->flags = take32(c, "flags");
	st->as_bytes = take64(c, "address_space_bytes");
	st->nproc = take32(c, "processes");
	st->stack_bytes = take64(c, "stack_bytes");
	if (!st->wall_ms || !st->cpu_ms)
		fatal("stage '%s' has a zero time limit", st->name);
	if (st->flags & ~(FLAG_STDIN | FLAG_PAUSE | FLAG_TRUNCATE))
		fatal("stage '%s' has unknown flags 0x%x", st->name, st->flags);
}

/* Any fault ends the agent with F. The file contents and the initial stdin in rq point into payload. */
void parse_request(const unsigned char *payload, size_t len, struct request *rq)
{
	struct cur c = { payload, payload + len };
	if (take32(&c, "version") != PROTO_VERSION)
		fatal("unsupported request version");
	uint32_t nfiles = take_count(&c, 0, MAX_COUNT, 9, "file");
	struct file *files = xrealloc(NULL, (size_t)nfiles * sizeof *files);
	for (uint32_t i = 0; i < nfiles; i++) {
		files[i].name = take_str(&c, "file name");
		check_name(files[i].name);
		files[i].len = take32(&c, "file content");
		files[i].data = take(&c, files[i].len, "file content");
		files[i].mode = *take(&c, 1, "file mode");
		if (files[i].mode > 1)
			fatal("bad mode %u for %.200s", files[i].mode, files[i].name);
	}
	rq->nfiles = nfiles;
	rq->files = files;
	uint32_t nstages = take_count(&c, 1, 2, 1, "stage");
	struct stage *stages = rq->stages;
	int stdin_stage = -1;
	for (uint32_t i = 0; i < nstages; i++) {
		parse_stage(&c, &stages[i]);
		if (stages[i].flags & FLAG_STDIN) {
			if (stdin_stage >= 0)
				fatal("more than one stage has stdin attached");
			stdin_stage = (int)i;
		}
	}
	if (nstages == 2 && (strcmp(stages[0].name, "compile") != 0 || strcmp(stages[1].name, "run") != 0))
		fatal("two stages must be compile then run");
	rq->nstages = nstages;
	rq->stdin_stage = stdin_stage;
	rq->stdin_len = take32(&c, "stdin");
	rq->stdin_data = take(&c, rq->stdin_len, "stdin");
	rq->close_stdin = *take(&c, 1, "close_stdin");
	if (rq->close_stdin > 1)
		fatal("bad close_stdin %u", rq->close_stdin);
	if (c.p != c.end)
		fatal("%zu unexpected bytes after the request", (size_t)(c.end - c.p));
}

/* Written by a child that is the runner uid (become_runner), so the files are the program's own and no path
 * trick can make root write outside what the runner may write anyway. */
void write_files(const struct file *f, uint32_t n)
{
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0)
		fatal("pipe: %m");
	pid_t p = fork();
	if (p < 0)
		fatal("fork: %m");
	if (p == 0) {
		const char *what = "work dir";
		uint32_t i = 0;
		close(ep[0]);
		if (!become_runner()) {
			what = "become the runner uid";
			goto fail;
		}
		if (chdir(workdir) < 0)
			goto fail;
		for (; i < n; i++) {
			what = f[i].name;
			for (char *s = strchr(f[i].name, '/'); s; s = strchr(s + 1, '/')) {
				*s = 0;
				int r = mkdir(f[i].name, 0755);
				*s = '/';
				if (r < 0 && errno != EEXIST)
					goto fail;
			}
			mode_t mode = f[i].mode ? 0755 : 0644;
			int fd = open(f[i].name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
			if (fd < 0)
				goto fail;
			for (size_t off = 0; off < f[i].len;) {
				ssize_t w = write(fd, f[i].data + off, f[i].len - off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					goto fail;
				off += (size_t)w;
			}
			if (fchmod(fd, mode) < 0 || close(fd) < 0)
				goto fail;
		}
		_exit(0);
	fail:
		dprintf(ep[1], "cannot write %.200s: %s", what, strerror(errno));
		_exit(1);
	}
	close(ep[1]);
	char msg[512];
	size_t got = 0;
	while (got < sizeof msg - 1) {
		ssize_t m = read(ep[0], msg + got, sizeof msg - 1 - got);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			break;
		got += (size_t)m;
	}
	msg[got] = 0;
	close(ep[0]);
	int st = 0;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fatal("%s", got ? msg : "file writer failed");
}
