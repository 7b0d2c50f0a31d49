/* The child side of a stage, between fork and exec: stdio, limits, becoming the runner uid, finding argv[0]. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/*
 * Makes a child of the agent the runner uid, for good: no supplementary group but the runner's own (Docker
 * lists the primary gid there for a numeric User), every uid and gid the runner's, no capability, no way back
 * to root. Started as the runner itself (runc), the agent only checks; started as root (gVisor), the child
 * drops here. Sets errno and returns false when anything is off.
 */
bool become_runner(void)
{
	if (as_root && (setgroups(0, NULL) || setresgid(run_gid, run_gid, run_gid) || setresuid(run_uid, run_uid, run_uid)))
		return false;
	uid_t r, e, s;
	gid_t gr, ge, gs, groups[2];
	int ng = getgroups(2, groups);
	struct __user_cap_header_struct ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct cd[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs) || r != run_uid || e != run_uid || s != run_uid ||
	    gr != run_gid || ge != run_gid || gs != run_gid || ng < 0 || ng > 1 || (ng == 1 && groups[0] != run_gid) ||
	    setuid(0) == 0 ||
	    syscall(SYS_capget, &ch, cd) != 0 || (cd[0].permitted | cd[1].permitted | cd[0].effective | cd[1].effective)) {
		errno = EPERM;
		return false;
	}
	return true;
}

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

void child_exec(const struct stage *st, int in0, int out1, int err1, int fd3)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* masks and ignored signals survive exec */
	signal(SIGPIPE, SIG_DFL);
	setsid();
	if (dup2(in0, 0) < 0 || dup2(out1, 1) < 0 || dup2(err1, 2) < 0)
		_exit(127);
	/* A pre-started process gets its hand-over socket as fd 3 (dup2 clears O_CLOEXEC; fd3 is never 0-3 here,
	 * since the agent's own stdio and the pipes above come first). */
	if (fd3 >= 0 && dup2(fd3, 3) < 0)
		_exit(127);
	/* Everything of ours is O_CLOEXEC already; this also catches fds inherited from whoever started us. */
	unsigned first = fd3 >= 0 ? 4 : 3;
	if (close_range(first, ~0U, 0) < 0)
		for (int fd = (int)first; fd < 4096; fd++)
			close(fd);
	/* If the cgroup runs out of memory, the OOM killer must pick the program, not the agent. Our /proc/self
	 * belongs to root while we are not dumpable (inherited from the agent), which a runner-uid child is not:
	 * dumpable just for the write. No other process of the uid exists now (the last stage's were killed). */
	prctl(PR_SET_DUMPABLE, 1);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1000", 4) < 0) {
		}
		close(fd);
	}
	prctl(PR_SET_DUMPABLE, 0);
	rlim_t cpu_s = ((rlim_t)st->cpu_ms + 999) / 1000;
	struct rlimit cpu = { cpu_s, cpu_s + 1 }, fsz = { st->fsize, st->fsize }, core = { 0, 0 };
	if (setrlimit(RLIMIT_CPU, &cpu) || setrlimit(RLIMIT_FSIZE, &fsz) || setrlimit(RLIMIT_CORE, &core))
		child_fail("setrlimit");
	if (chdir(workdir) < 0)
		child_fail("chdir");
	if (!become_runner())
		child_fail("cannot run as the runner uid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("no_new_privs");
	/* The request's own limits, after becoming the runner: RLIMIT_NPROC counts the processes (and threads) of
	 * the real uid, which is this container's alone; as the runner already, the agent is one of them. Set
	 * before setuid, it would mark an over-limit switch and fail the exec instead of the program's forks. */
	struct rlimit lim;
	if (st->as_bytes && (lim.rlim_cur = lim.rlim_max = st->as_bytes, setrlimit(RLIMIT_AS, &lim)))
		child_fail("setrlimit RLIMIT_AS");
	if (st->stack_bytes && (lim.rlim_cur = lim.rlim_max = st->stack_bytes, setrlimit(RLIMIT_STACK, &lim)))
		child_fail("setrlimit RLIMIT_STACK");
	if (st->nproc && (lim.rlim_cur = lim.rlim_max = st->nproc + (as_root ? 0 : 1), setrlimit(RLIMIT_NPROC, &lim)))
		child_fail("setrlimit RLIMIT_NPROC");
	/* After setuid, which clears it; the getppid check closes the race with the agent dying first. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != agent_pid)
		_exit(127);
	exec_search(st->argv, st->envp);
	dprintf(2, "coderunner: cannot run %s: %s\n", st->argv[0], strerror(errno));
	_exit(127);
}
