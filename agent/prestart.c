/*
 * The pre-started process (docs/agent-protocol.md, "Pre-start"): an interpreter the agent starts before the
 * request, as the runner uid inside the limits the run will have, which then waits on fd 3 for the run stage it
 * stands in for. Handing it over costs a message instead of the interpreter's start-up. Everything that decides
 * how the program runs stays here: a stage is handed over only when it is the first, asks for it (flag bit 6)
 * and has the very environment and limits the process was started with; otherwise, or when the process died or
 * never said it was ready, the process is killed and the stage starts plainly.
 */
#include "agent.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/wait.h>

pid_t prestart_pid;

static struct {
	struct stage st;
	char **replaces;
	int sock, in1, out0, err0; /* the agent's ends: hand-over socket, the program's stdin, stdout, stderr */
	bool ready;
} ps = { .sock = -1, .in1 = -1, .out0 = -1, .err0 = -1 };

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Kills the pre-started process (and anything it started), waits for it, and forgets it. */
void prestart_discard(void)
{
	if (prestart_pid > 0) {
		kill(prestart_pid, SIGKILL);
		kill_runner(SIGKILL);
		waitpid(prestart_pid, NULL, 0);
		prestart_pid = 0;
	}
	ps.ready = false;
	close_fd(&ps.sock);
	close_fd(&ps.in1);
	close_fd(&ps.out0);
	close_fd(&ps.err0);
}

static void give_up(const char *why)
{
	fprintf(stderr, "coderunner-agent: the pre-started %s %s; runs start it plainly\n", ps.st.argv[0], why);
	prestart_discard();
}

/*
 * Starts the process of an S frame and waits (up to the stage's wall_ms) for its ready byte, before the agent
 * says Y: a container is ready once its interpreter is. Any failure only means plain starts.
 */
void prestart_begin(const unsigned char *payload, size_t len)
{
	parse_prestart(payload, len, &ps.st, &ps.replaces);
	int inp[2], outp[2], errp[2], sp[2];
	if (as_root)
		setfsgid(run_gid), setfsuid(run_uid);
	bool ok = pipe2(inp, O_CLOEXEC) == 0 && pipe2(outp, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0 &&
		  socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0;
	if (as_root)
		setfsuid(0), setfsgid(0);
	if (!ok)
		fatal("pipe for the pre-started process: %m");
	pid_t pid = agent_fork();
	if (pid < 0)
		fatal("fork: %m");
	if (pid == 0)
		child_exec(&ps.st, inp[0], outp[1], errp[1], sp[1]);
	prestart_pid = pid;
	/* One line for the container's log, as for the hand-over: which process waits (tests tell it from a run's). */
	fprintf(stderr, "coderunner-agent: pre-started %s as pid %d\n", ps.st.argv[0], (int)pid);
	close(inp[0]);
	close(outp[1]);
	close(errp[1]);
	close(sp[1]);
	ps.in1 = inp[1], ps.out0 = outp[0], ps.err0 = errp[0], ps.sock = sp[0];
	int64_t end = mono_ms() + ps.st.wall_ms;
	for (;;) {
		int64_t left = end - mono_ms();
		if (left <= 0) {
			give_up("was not ready in time");
			return;
		}
		struct pollfd pf[2] = { { ps.sock, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
		if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
			fatal("poll: %m");
		if (pf[1].revents)
			handle_signals(NULL);
		if (prestart_pid == 0) {
			give_up("ended before it was ready");
			return;
		}
		if (pf[0].revents) {
			char c;
			ssize_t n = read(ps.sock, &c, 1);
			if (n == 1 && c == 'R') {
				ps.ready = true;
				return;
			}
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) || (n == 1 && c != 'R')) {
				give_up("broke the hand-over protocol");
				return;
			}
		}
	}
}

static bool same_strv(char **a, char **b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return !*a && !*b;
}

/* CPU time a process used so far, in ns, every thread summed: the scheduler's count where /proc has it. */
uint64_t task_cpu_ns(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	uint64_t sum = 0;
	bool any = false;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char p2[384], b[128];
			snprintf(p2, sizeof p2, "%s/%s/schedstat", path, e->d_name);
			int fd = open(p2, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, b, sizeof b - 1);
			close(fd);
			if (n <= 0)
				continue;
			b[n] = 0;
			sum += strtoull(b, NULL, 10);
			any = true;
		}
		closedir(d);
	}
	return any ? sum : proc_cpu_ns(pid);
}

/* Whether stage st (the first of the request) may be handed to the pre-started process. */
bool prestart_fits(const struct stage *st)
{
	if (!ps.ready || prestart_pid <= 0 || !(st->flags & FLAG_PRESTART))
		return false;
	size_t k = 0;
	for (; ps.replaces[k]; k++)
		if (!st->argv[k] || strcmp(st->argv[k], ps.replaces[k]) != 0)
			return false;
	return st->argv[k] && same_strv(st->envp, ps.st.envp) && st->fsize == ps.st.fsize &&
	       st->as_bytes == ps.st.as_bytes && st->stack_bytes == ps.st.stack_bytes && st->nproc == ps.st.nproc &&
	       st->cpu_ms <= ps.st.cpu_ms;
}

/*
 * Hands stage st over (prestart_fits said yes): the argv goes down fd 3, and the pipes become the stage's.
 * *pre_ns is the CPU time the process used before, which the stage's accounting leaves out (stage.c: also the
 * SIGXCPU that RLIMIT_CPU would send a plain start, since the process's own RLIMIT_CPU counts from its start and
 * a program of the runner uid may not have its limits changed by another process, the agent included: the
 * seccomp profile allows prlimit64 on the caller only). Returns the process, or 0 when it could not be done
 * (then it is discarded).
 */
pid_t prestart_handover(const struct stage *st, int *in1, int *out0, int *err0, uint64_t *pre_ns)
{
	pid_t pid = prestart_pid;
	uint64_t pre = task_cpu_ns(pid);
	size_t len = 0;
	for (char **a = st->argv; *a; a++)
		len += strlen(*a) + 1;
	char *msg = xrealloc(NULL, len ? len : 1), *p = msg;
	for (char **a = st->argv; *a; a++) {
		size_t n = strlen(*a) + 1;
		memcpy(p, *a, n);
		p += n;
	}
	bool sent = true;
	for (size_t off = 0; off < len;) {
		ssize_t w = send(ps.sock, msg + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			sent = false;
			break;
		}
		off += (size_t)w;
	}
	free(msg);
	close_fd(&ps.sock);
	if (!sent) {
		give_up("did not take the hand-over");
		return 0;
	}
	/* One line for the container's log: operators (and tests) can see a run was handed over. */
	fprintf(stderr, "coderunner-agent: stage %s handed to the pre-started %s\n", st->name, ps.st.argv[0]);
	*in1 = ps.in1, *out0 = ps.out0, *err0 = ps.err0;
	ps.in1 = ps.out0 = ps.err0 = -1;
	ps.ready = false;
	prestart_pid = 0;
	*pre_ns = pre;
	return pid;
}
