/* The run request: parsing and checking the R frame's payload, and writing its files into the work dir. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ftw.h>
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

static struct file *take_files(struct cur *c, uint32_t *count)
{
	uint32_t n = take_count(c, 0, MAX_COUNT, 9, "file");
	struct file *files = xrealloc(NULL, ((size_t)n + 1) * sizeof *files);
	for (uint32_t i = 0; i < n; i++) {
		files[i].name = take_str(c, "file name");
		check_name(files[i].name);
		files[i].len = take32(c, "file content");
		files[i].data = take(c, files[i].len, "file content");
		files[i].mode = *take(c, 1, "file mode");
		if (files[i].mode > 1)
			fatal("bad mode %u for %.200s", files[i].mode, files[i].name);
	}
	*count = n;
	return files;
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
	st->stdin_len = take32(c, "stage stdin");
	st->stdin_data = take(c, st->stdin_len, "stage stdin");
	st->files = take_files(c, &st->nfiles);
	if (!st->wall_ms || !st->cpu_ms)
		fatal("stage '%s' has a zero time limit", st->name);
	if (st->flags & ~(FLAG_STDIN | FLAG_PAUSE | FLAG_TRUNCATE | FLAG_OWN_STDIN | FLAG_RESET | FLAG_OUTPUTS | FLAG_PRESTART))
		fatal("stage '%s' has unknown flags 0x%x", st->name, st->flags);
	if ((st->flags & FLAG_STDIN) && (st->flags & FLAG_OWN_STDIN))
		fatal("stage '%s' has both the stdin stream and its own stdin", st->name);
	if ((st->stdin_len && !(st->flags & FLAG_OWN_STDIN)) || (st->nfiles && !(st->flags & FLAG_RESET)))
		fatal("stage '%s' has stdin or files its flags do not use", st->name);
}

/* Any fault ends the agent with F. The file contents and the initial stdin in rq point into payload. */
void parse_request(const unsigned char *payload, size_t len, struct request *rq)
{
	struct cur c = { payload, payload + len };
	if (take32(&c, "version") != PROTO_VERSION)
		fatal("unsupported request version");
	rq->files = take_files(&c, &rq->nfiles);
	uint32_t nstages = take_count(&c, 1, MAX_STAGES, 1, "stage");
	struct stage *stages = rq->stages = xrealloc(NULL, (size_t)nstages * sizeof *stages);
	int stdin_stage = -1;
	for (uint32_t i = 0; i < nstages; i++) {
		parse_stage(&c, &stages[i]);
		if (strcmp(stages[i].name, "compile") == 0 && i > 0)
			fatal("only the first stage may be compile");
		if (stages[i].flags & FLAG_STDIN) {
			if (stdin_stage >= 0)
				fatal("more than one stage has stdin attached");
			stdin_stage = (int)i;
		}
	}
	rq->nstages = nstages;
	rq->stdin_stage = stdin_stage;
	rq->stdin_len = take32(&c, "stdin");
	rq->stdin_data = take(&c, rq->stdin_len, "stdin");
	rq->close_stdin = *take(&c, 1, "close_stdin");
	if (rq->close_stdin > 1)
		fatal("bad close_stdin %u", rq->close_stdin);
	rq->globs = take_strv(&c, 0, "output globs");
	for (rq->nglobs = 0; rq->globs[rq->nglobs]; rq->nglobs++)
		;
	rq->max_out_files = take32(&c, "max output files");
	rq->max_out_bytes = take64(&c, "max output bytes");
	if (c.p != c.end)
		fatal("%zu unexpected bytes after the request", (size_t)(c.end - c.p));
}

/* The S frame: the argv prefix the pre-started process stands in for, then its own stage (prestart.c). */
void parse_prestart(const unsigned char *payload, size_t len, struct stage *st, char ***replaces)
{
	struct cur c = { payload, payload + len };
	if (take32(&c, "version") != PROTO_VERSION)
		fatal("unsupported pre-start version");
	*replaces = take_strv(&c, 1, "replaced argv");
	parse_stage(&c, st);
	if (st->stdin_len || st->nfiles)
		fatal("the pre-start stage has stdin or files");
	if (c.p != c.end)
		fatal("%zu unexpected bytes after the pre-start stage", (size_t)(c.end - c.p));
}

/* nftw callbacks for clearing the work dir: first every folder made searchable again (a program may have
 * taken its own rights away), then everything removed, deepest first. The work dir itself stays. */
static int unlock_dir(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D && (sb->st_mode & 0700) != 0700)
		chmod(path, (sb->st_mode & 07777) | 0700);
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	if (ftw->level > 0 && remove(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

static bool write_one(const struct file *f)
{
	for (char *s = strchr(f->name, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		int r = mkdir(f->name, 0755);
		*s = '/';
		if (r < 0 && errno != EEXIST)
			return false;
	}
	mode_t mode = f->mode ? 0755 : 0644;
	int fd = open(f->name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return false;
	for (size_t off = 0; off < f->len;) {
		ssize_t w = write(fd, f->data + off, f->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return fchmod(fd, mode) == 0 && close(fd) == 0;
}

/* The files written in the work dir by the runner uid: emptied first with `clear`, then f, then f2 (a stage's own
 * files) over them. NULL, or what could not be written (errno says why). */
static const char *write_workdir(const struct file *f, uint32_t n, const struct file *f2, uint32_t n2, bool clear)
{
	if (clear && (nftw(workdir, unlock_dir, 64, FTW_PHYS | FTW_MOUNT) < 0 ||
		      nftw(workdir, remove_entry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0))
		return "clear the work dir";
	if (chdir(workdir) < 0)
		return "work dir";
	for (uint32_t i = 0; i < n + n2; i++) {
		const struct file *one = i < n ? &f[i] : &f2[i - n];
		if (!write_one(one))
			return one->name;
	}
	return NULL;
}

/* Written as the runner uid, so the files are the program's own and no path trick can make root write outside
 * what the runner may write anyway. An agent that is not root is the runner already (main checked its uids and
 * capabilities), so it writes the request's files itself: a fork less on every run. Root (gVisor), and every
 * reset of the work dir (which walks what a program left there), use a child that becomes the runner. */
void write_files(const struct file *f, uint32_t n, const struct file *f2, uint32_t n2, bool clear)
{
	if (!as_root && !clear) {
		const char *what = write_workdir(f, n, f2, n2, false);
		if (what)
			fatal("cannot write %.200s: %s", what, strerror(errno));
		return;
	}
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0)
		fatal("pipe: %m");
	pid_t p = agent_fork();
	if (p < 0)
		fatal("fork: %m");
	if (p == 0) {
		close(ep[0]);
		const char *what = become_runner() ? write_workdir(f, n, f2, n2, clear) : "become the runner uid";
		if (!what)
			_exit(0);
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
