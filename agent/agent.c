/*
 * coderunner-agent: the main process (PID 1) of a CodeRunner runtime container.
 *
 * It reads one run request from stdin, writes the files, runs each stage as the unprivileged runner uid and
 * streams the results back as frames on stdout. The wire format and the guarantees are in
 * docs/agent-protocol.md, which is the contract: change it together with the server's codec, never alone.
 *
 * The agent is not a trust boundary (the server keeps its own deadline and removes the container), but it must
 * never let a user program reach its stdout, signal it, or outlive the stage that started it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define AGENT_VERSION "coderunner-agent 1"
#define PROTO_VERSION 1u

/* Caps on what the server may make us hold in memory; the container's own memory limit is 256 MiB. */
#define MAX_REQUEST ((size_t)256 << 20) /* R frame payload */
#define MAX_FRAME ((size_t)64 << 20)    /* any other frame payload */
#define STDIN_CAP ((size_t)64 << 20)    /* stdin bytes not yet taken by the program; the excess is dropped */
#define MAX_COUNT 100000u               /* files, argv entries, env entries */
#define MAX_NAME 4096u
#define CHUNK 65536 /* largest O/E payload, and the read size everywhere */

#define MS 1000000LL
#define TICK_NS (50 * MS)    /* longest poll sleep while a stage runs, so CPU use is checked often enough */
#define REKILL_NS (10 * MS)  /* spacing of repeated kills */
#define REKILLS 5            /* kills after the main process ended, in case something was still forking */
#define DRAIN_NS (500 * MS)  /* how long to wait for pipe EOF after the main process ended */

enum { LIM_NONE, LIM_WALL, LIM_CPU, LIM_MEM, LIM_OUTPUT, LIM_FSIZE, LIM_KILLED };

struct file {
	char *name;
	const unsigned char *data; /* points into the request payload */
	uint32_t len;
	uint8_t mode;
};

struct stage {
	char *name, **argv, **envp;
	uint32_t wall_ms, cpu_ms, flags;
	uint64_t fsize, outcap;
};

struct result {
	int32_t code;
	uint32_t sig, wall_ms, cpu_ms, mem_kb;
	uint8_t limit, trunc[2];
	uint64_t out_bytes;
};

/* What the SIGCHLD handling learned while a stage ran. */
struct reaped {
	bool main_done, xcpu, xfsz;
	int status;
	struct rusage ru;
	int64_t t_exit;
};

static uid_t run_uid = 10001;
static gid_t run_gid = 10001;
static const char *workdir = "/work";
static pid_t agent_pid;
static int sigfd = -1;
static pid_t stage_pid; /* main process of the running stage, until it is reaped (its pgid too, thanks to setsid) */
static bool k_seen;     /* a K frame arrived during the current stage */
static bool go_seen;    /* a G frame arrived while a stage waited for it */
static int cg_cpu_fd = -1, cg_oom_fd = -1;
static bool cg_cpu_v2;

/* Bytes read from stdin and not yet consumed as frames. */
static struct {
	unsigned char *buf;
	size_t len, cap;
	bool eof;
} in;

/* Stdin for the stage that has it attached: initial data plus I chunks, waiting for the program to read them. */
static struct {
	char *buf;
	size_t off, len, cap;
	bool closed; /* C frame, close_stdin, or our own stdin ended: no more data will come */
	bool done;   /* the stdin stage is over (or there is none): data is dropped */
} sin;

static void kill_runner(int sig);

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000ULL;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
	return p + 4;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
	return put32(put32(p, v >> 32), (uint32_t)v);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- output: everything on stdout is a frame ---- */

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd q = { fd, POLLOUT, 0 };
				poll(&q, 1, -1);
				continue;
			}
			if (fd == 1) {
				/* The server is gone; nobody will read a result, so end the run now. */
				kill_runner(SIGKILL);
				_exit(1);
			}
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* buf has 5 bytes of headroom before the payload, so a data chunk goes out in one write without a copy. */
static void send_prefixed(char type, unsigned char *buf, size_t len)
{
	buf[0] = (unsigned char)type;
	put32(buf + 1, (uint32_t)len);
	write_all(1, buf, len + 5);
}

static void send_frame(char type, const void *payload, size_t len)
{
	unsigned char b[5 + 2048];
	if (len > sizeof b - 5)
		len = sizeof b - 5;
	if (len)
		memcpy(b + 5, payload, len);
	send_prefixed(type, b, len);
}

static void send_str_frame(char type, const char *s)
{
	unsigned char p[4 + 1024];
	size_t n = strnlen(s, sizeof p - 4);
	put32(p, (uint32_t)n);
	memcpy(p + 4, s, n);
	send_frame(type, p, n + 4);
}

static _Noreturn __attribute__((format(printf, 1, 2))) void fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "coderunner-agent: %s\n", msg);
	kill_runner(SIGKILL);
	send_str_frame('F', msg);
	_exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

/* ---- killing every process of the runner uid ---- */

/* Fallback when no helper can be forked (a fork bomb filled --pids-limit): root walks /proc instead. */
static void scan_kill(int sig)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct stat st;
		if (*end || pid <= 0 || pid == agent_pid)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, 0) == 0 && st.st_uid == run_uid)
			kill((pid_t)pid, sig);
	}
	closedir(d);
}

/*
 * A helper that becomes the runner uid and calls kill(-1, sig) reaches every process of that uid, however it
 * detached itself, and can never hit the agent (root) or itself. The kernel makes kill(-1) atomic against
 * fork, so a fork bomb cannot outrun it.
 */
static void kill_runner(int sig)
{
	if (sig == SIGKILL && stage_pid > 0) {
		/* Covers the moment between fork and setuid, when the child is still root. */
		kill(-stage_pid, SIGKILL);
		kill(stage_pid, SIGKILL);
	}
	pid_t p = fork();
	if (p == 0) {
		if (setgroups(0, NULL) == 0 && setresgid(run_gid, run_gid, run_gid) == 0 &&
		    setresuid(run_uid, run_uid, run_uid) == 0) {
			kill(-1, sig);
			_exit(0);
		}
		_exit(1);
	}
	int st = 0;
	if (p > 0)
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
	if (p < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		scan_kill(sig);
}

/* ---- cgroup counters (optional: without them, RLIMIT_CPU and rusage still apply) ---- */

static int cg_open(const char *mnt, const char *rel, const char *file)
{
	char p[PATH_MAX];
	int fd = -1;
	if (rel && strcmp(rel, "/") != 0) {
		snprintf(p, sizeof p, "%s%s/%s", mnt, rel, file);
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	/*
	 * Docker on cgroup v1 shows host paths in /proc/self/cgroup but mounts the container's own cgroup at the
	 * root of /sys/fs/cgroup/<controller>. The root is only ours when we are the container's init; on a host
	 * it is the whole machine.
	 */
	if (fd < 0 && agent_pid == 1) {
		snprintf(p, sizeof p, "%s/%s", mnt, file);
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	return fd;
}

static bool cg_read(int fd, char *buf, size_t size)
{
	if (fd < 0)
		return false;
	ssize_t n = pread(fd, buf, size - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return true;
}

static bool cg_field(int fd, const char *key, uint64_t *v)
{
	char b[4096];
	size_t kl = strlen(key);
	if (!cg_read(fd, b, sizeof b))
		return false;
	for (char *l = b; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			*v = strtoull(l + kl + 1, NULL, 10);
			return true;
		}
	return false;
}

static bool cg_cpu_ns(uint64_t *v)
{
	char b[64];
	if (!cg_cpu_v2) {
		if (!cg_read(cg_cpu_fd, b, sizeof b))
			return false;
		*v = strtoull(b, NULL, 10);
		return true;
	}
	if (!cg_field(cg_cpu_fd, "usage_usec", v))
		return false;
	*v *= 1000;
	return true;
}

static uint64_t cg_oom_kills(void)
{
	uint64_t v = 0;
	cg_field(cg_oom_fd, "oom_kill", &v);
	return v;
}

static void cgroup_init(void)
{
	char b[8192], *cpu_ctl = NULL, *cpu_rel = NULL, *mem_rel = NULL, *v2_rel = NULL;
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	b[n] = 0;
	for (char *line = strtok(b, "\n"); line; line = strtok(NULL, "\n")) {
		/* "id:controllers:path"; v2 has empty controllers */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		char *ctl = c1 + 1, *rel = c2 + 1;
		if (!*ctl) {
			v2_rel = rel;
			continue;
		}
		char list[256];
		snprintf(list, sizeof list, ",%s,", ctl);
		if (strstr(list, ",cpuacct,"))
			cpu_ctl = ctl, cpu_rel = rel;
		if (strstr(list, ",memory,"))
			mem_rel = rel;
	}
	if (cpu_ctl) {
		char mnt[300];
		snprintf(mnt, sizeof mnt, "/sys/fs/cgroup/%s", cpu_ctl);
		cg_cpu_fd = cg_open(mnt, cpu_rel, "cpuacct.usage");
	}
	if (mem_rel)
		cg_oom_fd = cg_open("/sys/fs/cgroup/memory", mem_rel, "memory.oom_control");
	if (v2_rel && cg_cpu_fd < 0) {
		cg_cpu_fd = cg_open("/sys/fs/cgroup", v2_rel, "cpu.stat");
		cg_cpu_v2 = cg_cpu_fd >= 0;
	}
	if (v2_rel && cg_oom_fd < 0)
		cg_oom_fd = cg_open("/sys/fs/cgroup", v2_rel, "memory.events");
	uint64_t v;
	if (cg_cpu_fd >= 0 && !cg_cpu_ns(&v)) {
		close(cg_cpu_fd);
		cg_cpu_fd = -1;
	}
	if (cg_oom_fd >= 0 && !cg_field(cg_oom_fd, "oom_kill", &v)) {
		close(cg_oom_fd);
		cg_oom_fd = -1;
	}
}

/* ---- CPU accounting of a running stage ---- */

struct cpu_base {
	bool have_cg;
	uint64_t cg, self;
};

static uint64_t self_cpu_ns(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return tv_ns(u.ru_utime) + tv_ns(u.ru_stime);
}

static uint64_t proc_cpu_ns(pid_t pid)
{
	char path[64], b[1024];
	unsigned long ut, st;
	long cut, cst;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return 0;
	b[n] = 0;
	char *p = strrchr(b, ')'); /* the command name may contain anything, so parse after its last ')' */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld", &ut, &st, &cut,
			 &cst) != 4)
		return 0;
	return (uint64_t)(ut + st + (unsigned long)cut + (unsigned long)cst) * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
}

static void cpu_base_init(struct cpu_base *b)
{
	b->have_cg = cg_cpu_ns(&b->cg);
	b->self = self_cpu_ns();
}

/*
 * The cgroup counter sees every process of the container, including detached ones RLIMIT_CPU never sums up;
 * the agent's own time (forwarding output is not free) is taken out. /proc covers the main process when no
 * cgroup counter is readable.
 */
static uint64_t stage_cpu_ns(const struct cpu_base *b, pid_t pid)
{
	uint64_t c = 0, v;
	if (b->have_cg && cg_cpu_ns(&v) && v > b->cg) {
		uint64_t self = self_cpu_ns() - b->self;
		v -= b->cg;
		c = v > self ? v - self : 0;
	}
	if (pid > 0 && (v = proc_cpu_ns(pid)) > c)
		c = v;
	return c;
}

/* ---- input frames ---- */

static void read_more(void)
{
	if (in.cap - in.len < CHUNK) {
		in.cap = in.len + CHUNK;
		in.buf = xrealloc(in.buf, in.cap);
	}
	ssize_t n = read(0, in.buf + in.len, in.cap - in.len);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		fatal("cannot read stdin: %m");
	}
	if (n == 0)
		in.eof = true;
	in.len += (size_t)n;
}

/* Size of the first frame once it is whole in the buffer, else 0. */
static size_t frame_ready(void)
{
	if (in.len < 5)
		return 0;
	size_t len = get32(in.buf + 1), max = in.buf[0] == 'R' ? MAX_REQUEST : MAX_FRAME;
	if (len > max)
		fatal("frame 0x%02x too large (%zu bytes, at most %zu)", in.buf[0], len, max);
	if (in.cap < len + 5) {
		/* One allocation for the whole frame, so a large request is read in big chunks and never copied. */
		in.cap = len + 5;
		in.buf = xrealloc(in.buf, in.cap);
	}
	return in.len >= len + 5 ? len + 5 : 0;
}

static void consume(size_t n)
{
	memmove(in.buf, in.buf + n, in.len - n);
	in.len -= n;
}

static void sin_append(const void *p, size_t n)
{
	if (sin.done || sin.closed)
		return;
	size_t pending = sin.len - sin.off;
	if (n > STDIN_CAP - pending)
		n = STDIN_CAP - pending;
	if (!n)
		return;
	if (sin.off && sin.len + n > sin.cap) {
		memmove(sin.buf, sin.buf + sin.off, pending);
		sin.off = 0, sin.len = pending;
	}
	if (sin.len + n > sin.cap) {
		size_t c = sin.cap ? sin.cap : CHUNK;
		while (c < sin.len + n)
			c *= 2;
		sin.buf = xrealloc(sin.buf, c);
		sin.cap = c;
	}
	memcpy(sin.buf + sin.len, p, n);
	sin.len += n;
}

static void sin_drop(void)
{
	free(sin.buf);
	sin.buf = NULL;
	sin.off = sin.len = sin.cap = 0;
	sin.done = true;
}

/* Frames that may arrive while stages run. */
static void process_frames(void)
{
	size_t total;
	while ((total = frame_ready()) > 0) {
		const unsigned char *p = in.buf + 5;
		size_t n = total - 5;
		switch (in.buf[0]) {
		case 'I':
			sin_append(p, n);
			break;
		case 'C':
			if (n)
				fatal("C frame with a payload");
			sin.closed = true;
			break;
		case 'K': {
			uint32_t sig = n == 4 ? get32(p) : 0;
			if (sig < 1 || sig > 64)
				fatal("bad K frame");
			k_seen = true;
			kill_runner((int)sig);
			break;
		}
		case 'G':
			if (n)
				fatal("G frame with a payload");
			go_seen = true;
			break;
		case 'R':
			fatal("a second R frame");
		default:
			fatal("unknown frame type 0x%02x", in.buf[0]);
		}
		consume(total);
	}
	if (in.eof)
		sin.closed = true; /* no I frame can come any more */
}

/* ---- SIGCHLD (and termination requests) ---- */

static void handle_signals(struct reaped *rp)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof si) == sizeof si)
		if (si.ssi_signo != SIGCHLD)
			fatal("terminated by signal %u", si.ssi_signo);
	/* Orphans reparent to us (PID 1, or subreaper on a host): reap every zombie, not just our child. */
	for (;;) {
		int st;
		struct rusage ru;
		pid_t p = wait4(-1, &st, WNOHANG, &ru);
		if (p <= 0)
			break;
		if (!rp)
			continue;
		if (p == stage_pid) {
			rp->main_done = true;
			rp->status = st;
			rp->ru = ru;
			rp->t_exit = now_ns();
			stage_pid = 0;
		} else if (WIFSIGNALED(st)) {
			rp->xcpu |= WTERMSIG(st) == SIGXCPU;
			rp->xfsz |= WTERMSIG(st) == SIGXFSZ;
		}
	}
}

static void wait_stdin(void)
{
	struct pollfd pf[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
	if (poll(pf, 2, -1) < 0 && errno != EINTR)
		fatal("poll: %m");
	if (pf[1].revents)
		handle_signals(NULL);
}

/* ---- the request ---- */

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
	if (!st->wall_ms || !st->cpu_ms)
		fatal("stage '%s' has a zero time limit", st->name);
	if (st->flags & ~3u)
		fatal("stage '%s' has unknown flags 0x%x", st->name, st->flags);
}

/* Flag bit 1: tell the server with P and wait for G before starting the stage, so the server can change the
 * container's limits between compile and run. A K while waiting skips the stage; returns false then. */
static bool wait_go(uint8_t idx)
{
	go_seen = k_seen = false;
	send_frame('P', &idx, 1);
	for (;;) {
		process_frames();
		if (go_seen)
			return true;
		if (k_seen)
			return false;
		if (in.eof)
			fatal("stdin closed while waiting for G");
		wait_stdin();
		read_more();
	}
}

/* Written by a child that is the runner uid, so the files are the program's own and no path trick can make
 * root write outside what the runner may write anyway. */
static void write_files(const struct file *f, uint32_t n)
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
		if (setgroups(0, NULL) || setresgid(run_gid, run_gid, run_gid) || setresuid(run_uid, run_uid, run_uid)) {
			what = "drop privileges";
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

/* ---- running a stage ---- */

static void try_exec(const char *file, char *const argv[], char *const envp[])
{
	execve(file, argv, envp);
	if (errno == ENOEXEC) {
		/* Like execvp: a file without a #! line is a shell script. */
		size_t n = 0;
		while (argv[n])
			n++;
		char *sh[n + 2];
		sh[0] = "/bin/sh";
		sh[1] = (char *)file;
		for (size_t i = 1; i <= n; i++)
			sh[i + 1] = argv[i];
		execve("/bin/sh", sh, envp);
		errno = ENOEXEC;
	}
}

/* execvp would search the agent's PATH; the program's PATH is the one in its own environment. */
static void exec_search(char *const argv[], char *const envp[])
{
	const char *a0 = argv[0], *path = "/usr/local/bin:/usr/bin:/bin";
	if (strchr(a0, '/')) {
		try_exec(a0, argv, envp);
		return;
	}
	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0) {
			path = *e + 5;
			break;
		}
	int err = ENOENT;
	bool denied = false;
	size_t al = strlen(a0);
	for (const char *p = path;;) {
		const char *e = strchrnul(p, ':');
		size_t dl = (size_t)(e - p);
		char buf[PATH_MAX];
		if (dl + al + 2 <= sizeof buf) {
			memcpy(buf, p, dl);
			if (dl)
				buf[dl++] = '/';
			memcpy(buf + dl, a0, al + 1);
			try_exec(buf, argv, envp);
			if (errno == EACCES)
				denied = true;
			else if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG && errno != ELOOP) {
				err = errno;
				break;
			}
		}
		if (!*e)
			break;
		p = e + 1;
	}
	errno = denied && err == ENOENT ? EACCES : err;
}

static _Noreturn void child_fail(const char *what)
{
	dprintf(2, "coderunner: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static _Noreturn void child_exec(const struct stage *st, int in0, int out1, int err1)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* masks and ignored signals survive exec */
	signal(SIGPIPE, SIG_DFL);
	setsid();
	if (dup2(in0, 0) < 0 || dup2(out1, 1) < 0 || dup2(err1, 2) < 0)
		_exit(127);
	/* Everything of ours is O_CLOEXEC already; this also catches fds inherited from whoever started us. */
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 4096; fd++)
			close(fd);
	/* If the cgroup runs out of memory, the OOM killer must pick the program, not the agent. */
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1000", 4) < 0) {
		}
		close(fd);
	}
	rlim_t cpu_s = ((rlim_t)st->cpu_ms + 999) / 1000;
	struct rlimit cpu = { cpu_s, cpu_s + 1 }, fsz = { st->fsize, st->fsize }, core = { 0, 0 };
	if (setrlimit(RLIMIT_CPU, &cpu) || setrlimit(RLIMIT_FSIZE, &fsz) || setrlimit(RLIMIT_CORE, &core))
		child_fail("setrlimit");
	if (chdir(workdir) < 0)
		child_fail("chdir");
	if (setgroups(0, NULL) || setresgid(run_gid, run_gid, run_gid) || setresuid(run_uid, run_uid, run_uid))
		child_fail("cannot drop privileges");
	uid_t r, e, s;
	gid_t gr, ge, gs;
	if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs) || r != run_uid || e != run_uid || s != run_uid ||
	    gr != run_gid || ge != run_gid || gs != run_gid || getgroups(0, NULL) != 0 || setuid(0) == 0) {
		errno = EPERM;
		child_fail("privileges did not drop");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("no_new_privs");
	/* After setuid, which clears it; the getppid check closes the race with the agent dying first. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != agent_pid)
		_exit(127);
	exec_search(st->argv, st->envp);
	dprintf(2, "coderunner: cannot run %s: %s\n", st->argv[0], strerror(errno));
	_exit(127);
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void run_stage(uint8_t idx, const struct stage *st, bool has_stdin, struct result *r)
{
	static unsigned char obuf[5 + CHUNK];
	int outp[2], errp[2], inp[2] = { -1, -1 };
	memset(r, 0, sizeof *r);
	k_seen = false;
	/* Pipes belong to whoever creates them (the fs uid): made as the runner, the program can reopen its own
	 * stdio through /dev/stdin, /dev/stdout and /dev/stderr, as many programs do. */
	setfsgid(run_gid);
	setfsuid(run_uid);
	bool piped = pipe2(outp, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0 && (!has_stdin || pipe2(inp, O_CLOEXEC) == 0);
	setfsuid(0);
	setfsgid(0);
	if (!piped)
		fatal("pipe: %m");
	if (!has_stdin && (inp[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		fatal("stdin for the stage: %m");
	uint64_t oom0 = cg_oom_kills();
	struct cpu_base base;
	cpu_base_init(&base);
	int64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork: %m");
	if (pid == 0)
		child_exec(st, inp[0], outp[1], errp[1]);
	stage_pid = pid;
	close(outp[1]);
	close(errp[1]);
	close(inp[0]);
	int fds[3] = { outp[0], errp[0], inp[1] };
	if (fds[2] >= 0)
		fcntl(fds[2], F_SETFL, O_NONBLOCK); /* a program that never reads its stdin must not stall us */
	send_frame('B', &idx, 1);
	process_frames(); /* frames that came in with the request or before this stage */

	struct reaped rp = { 0 };
	int64_t wall_ns = (int64_t)st->wall_ms * MS, next_cpu = t0 + TICK_NS, next_kill = 0;
	int post_kills = 0;
	uint64_t sent[2] = { 0, 0 };
	for (;;) {
		int64_t now = now_ns(), wake;
		if (!rp.main_done) {
			if (!r->limit && now - t0 >= wall_ns)
				r->limit = LIM_WALL;
			if (!r->limit && now >= next_cpu) {
				next_cpu = now + TICK_NS;
				if (stage_cpu_ns(&base, pid) > (uint64_t)st->cpu_ms * MS)
					r->limit = LIM_CPU;
			}
			if (r->limit && now >= next_kill) {
				kill_runner(SIGKILL);
				next_kill = now + REKILL_NS;
			}
			wake = r->limit ? next_kill : min64(t0 + wall_ns, next_cpu);
		} else {
			/*
			 * The main process is gone: whatever it left behind (daemons, stopped or sleeping children
			 * holding the pipes) is killed, a few times in case something was mid-fork, then the pipes
			 * are read to EOF so no output is lost.
			 */
			if (post_kills < REKILLS && now >= next_kill) {
				kill_runner(SIGKILL);
				post_kills++;
				next_kill = now + REKILL_NS;
			}
			/* At least one kill even when the pipes are already shut: a daemon may have closed them. */
			if ((fds[0] < 0 && fds[1] < 0) || now >= rp.t_exit + DRAIN_NS)
				break;
			wake = post_kills < REKILLS ? min64(next_kill, rp.t_exit + DRAIN_NS) : rp.t_exit + DRAIN_NS;
		}
		if (fds[2] >= 0 && (rp.main_done || (sin.closed && sin.off == sin.len))) {
			close(fds[2]);
			fds[2] = -1;
		}

		now = now_ns();
		int timeout = wake <= now ? 0 : (int)((wake - now + MS - 1) / MS);
		struct pollfd pf[5] = {
			{ in.eof ? -1 : 0, POLLIN, 0 },
			{ sigfd, POLLIN, 0 },
			{ fds[0], POLLIN, 0 },
			{ fds[1], POLLIN, 0 },
			{ sin.off < sin.len ? fds[2] : -1, POLLOUT, 0 },
		};
		if (poll(pf, 5, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll: %m");
		}
		if (pf[1].revents) {
			bool was_done = rp.main_done;
			handle_signals(&rp);
			if (rp.main_done && !was_done)
				next_kill = 0;
		}
		for (int s = 0; s < 2; s++) {
			if (!pf[2 + s].revents)
				continue;
			ssize_t n = read(fds[s], obuf + 5, CHUNK);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(fds[s]);
				fds[s] = -1;
				continue;
			}
			r->out_bytes += (uint64_t)n;
			uint64_t room = sent[s] < st->outcap ? st->outcap - sent[s] : 0;
			size_t fwd = (uint64_t)n < room ? (size_t)n : (size_t)room;
			if (fwd) {
				send_prefixed(s ? 'E' : 'O', obuf, fwd);
				sent[s] += fwd;
			}
			if (fwd < (size_t)n) {
				r->trunc[s] = 1;
				if (!r->limit) {
					r->limit = LIM_OUTPUT;
					next_kill = 0;
				}
			}
		}
		if (pf[4].revents && fds[2] >= 0) {
			size_t n = sin.len - sin.off;
			ssize_t w = write(fds[2], sin.buf + sin.off, n < CHUNK ? n : CHUNK);
			if (w > 0) {
				sin.off += (size_t)w;
				if (sin.off == sin.len)
					sin.off = sin.len = 0;
			} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				/* The program closed its stdin (EPIPE): nothing more can be delivered. */
				close(fds[2]);
				fds[2] = -1;
				sin_drop();
			}
		}
		if (pf[0].revents) {
			read_more();
			process_frames();
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (has_stdin)
		sin_drop();

	int wst = rp.status;
	uint64_t ru_cpu = tv_ns(rp.ru.ru_utime) + tv_ns(rp.ru.ru_stime);
	uint64_t cpu = stage_cpu_ns(&base, 0);
	if (ru_cpu > cpu)
		cpu = ru_cpu;
	r->wall_ms = clamp32((uint64_t)(rp.t_exit - t0) / MS);
	r->cpu_ms = clamp32(cpu / MS);
	r->mem_kb = clamp32((uint64_t)rp.ru.ru_maxrss);
	if (WIFEXITED(wst)) {
		r->code = WEXITSTATUS(wst);
	} else {
		r->code = -1;
		r->sig = (uint32_t)WTERMSIG(wst);
	}
	/* Limits the kernel enforced, seen afterwards; a limit the agent acted on first stays. */
	if (!r->limit) {
		uint64_t soft_ns = ((uint64_t)st->cpu_ms + 999) / 1000 * 1000 * MS;
		/* A shell that ran the program as its child reports the signal as exit code 128 + signal; a program may
		 * also exit 152 on its own, so that code counts only when the CPU time really reached the limit. */
		if (r->sig == SIGXCPU || rp.xcpu || (r->code == 128 + SIGXCPU && cpu >= soft_ns))
			r->limit = LIM_CPU;
		else if (r->sig == SIGXFSZ || rp.xfsz)
			r->limit = LIM_FSIZE;
		else if (k_seen && r->sig)
			r->limit = LIM_KILLED;
		else if (cg_oom_kills() > oom0)
			r->limit = LIM_MEM;
		else if ((r->sig == SIGKILL && ru_cpu >= soft_ns) || cpu > (uint64_t)st->cpu_ms * MS)
			r->limit = LIM_CPU;
	}
}

static void send_exit(uint8_t idx, const struct result *r)
{
	unsigned char x[32], *p = x;
	*p++ = idx;
	p = put32(p, (uint32_t)r->code);
	p = put32(p, r->sig);
	p = put32(p, r->wall_ms);
	p = put32(p, r->cpu_ms);
	p = put32(p, r->mem_kb);
	*p++ = r->limit;
	*p++ = r->trunc[0];
	*p++ = r->trunc[1];
	put64(p, r->out_bytes);
	send_frame('X', x, sizeof x);
}

static void prepare_workdir(void)
{
	struct stat sb;
	if (stat(workdir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			fatal("%s is not a directory", workdir);
		return;
	}
	/* Only outside Docker (a test run on a host): in a container the work dir is a 1777 tmpfs. */
	if (errno != ENOENT || mkdir(workdir, 0755) < 0 || chown(workdir, run_uid, run_gid) < 0)
		fatal("cannot create %s: %m", workdir);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		unsigned long u = 0;
		if (strcmp(argv[i], "--workdir") == 0 && i + 1 < argc && argv[i + 1][0] == '/') {
			workdir = argv[++i];
		} else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc &&
			   (u = strtoul(argv[i + 1], &end, 10)) > 0 && u < 0x7fffffff && !*end) {
			run_uid = (uid_t)u, run_gid = (gid_t)u;
			i++;
		} else {
			fprintf(stderr, "usage: coderunner-agent [--workdir /ABSOLUTE/DIR] [--uid N (not 0)]\n");
			return 2;
		}
	}
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	agent_pid = getpid();
	signal(SIGPIPE, SIG_IGN);
	/* SIGCHLD through a signalfd keeps reaping in the poll loop; TERM/INT/HUP end the run cleanly. As PID 1
	 * we would otherwise ignore them. */
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sigfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		fatal("signalfd: %m");
	if (agent_pid != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1); /* so orphans come to us on a host too */
	umask(022);
	cgroup_init();
	prepare_workdir();
	send_str_frame('Y', AGENT_VERSION);

	size_t total;
	while ((total = frame_ready()) == 0) {
		if (in.eof)
			fatal("stdin closed before the request");
		wait_stdin();
		read_more();
	}
	if (in.buf[0] != 'R')
		fatal("the first frame must be R, got 0x%02x", in.buf[0]);

	struct cur c = { in.buf + 5, in.buf + total };
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
	uint32_t nstages = take_count(&c, 1, 2, 1, "stage");
	static struct stage stages[2]; /* static: lives until exit, and leak checkers see it as such */
	int stdin_stage = -1;
	for (uint32_t i = 0; i < nstages; i++) {
		parse_stage(&c, &stages[i]);
		if (stages[i].flags & 1) {
			if (stdin_stage >= 0)
				fatal("more than one stage has stdin attached");
			stdin_stage = (int)i;
		}
	}
	if (nstages == 2 && (strcmp(stages[0].name, "compile") != 0 || strcmp(stages[1].name, "run") != 0))
		fatal("two stages must be compile then run");
	uint32_t slen = take32(&c, "stdin");
	const unsigned char *sdata = take(&c, slen, "stdin");
	uint8_t close_stdin = *take(&c, 1, "close_stdin");
	if (close_stdin > 1)
		fatal("bad close_stdin %u", close_stdin);
	if (c.p != c.end)
		fatal("%zu unexpected bytes after the request", (size_t)(c.end - c.p));

	if (nfiles)
		write_files(files, nfiles);
	if (stdin_stage >= 0)
		sin_append(sdata, slen);
	else
		sin_drop();
	sin.closed = close_stdin;
	for (uint32_t i = 0; i < nfiles; i++)
		free(files[i].name);
	free(files);
	/* Give the request's memory back before any program runs: the agent shares the container's limit. */
	consume(total);
	in.cap = in.len + CHUNK;
	unsigned char *nb = xrealloc(NULL, in.cap);
	memcpy(nb, in.buf, in.len);
	free(in.buf);
	in.buf = nb;

	for (uint32_t i = 0; i < nstages; i++) {
		struct result r;
		if ((stages[i].flags & 2) && !wait_go((uint8_t)i))
			break;
		run_stage((uint8_t)i, &stages[i], (int)i == stdin_stage, &r);
		send_exit((uint8_t)i, &r);
		if (strcmp(stages[i].name, "compile") == 0 && (r.code != 0 || r.limit))
			break;
	}
	send_frame('D', NULL, 0);
	return 0;
}
