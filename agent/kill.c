/* Killing every process of the runner uid: at the end of each stage, on a limit or a K frame, and whenever the
 * agent gives up (F, or the server gone). */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
 * kill(-1, sig) reaches every process the caller may signal except itself (and, in a PID namespace, its init),
 * however it detached itself; the kernel makes it atomic against fork, so a fork bomb cannot outrun it.
 */
void kill_runner(int sig)
{
	if (as_root && sig == SIGKILL && stage_pid > 0) {
		/* Covers the moment between fork and setuid, when the child is still root. */
		kill(-stage_pid, SIGKILL);
		kill(stage_pid, SIGKILL);
	}
	if (agent_pid == 1 || !as_root) {
		/* In the container's own PID namespace (the agent is its init) every other process is the program's; as
		 * the runner uid (runc), every process we may signal is the runner's. Either way kill(-1) reaches them
		 * all, never the agent, and needs no fork. On a host, run a non-root agent under a uid of its own. */
		kill(-1, sig);
		return;
	}
	/* Root outside a container of its own (tests on a host): a helper that becomes the runner uid does it, and
	 * can never hit the agent (root) or itself. */
	pid_t p = agent_fork();
	if (p == 0) {
		if (become_runner()) {
			kill(-1, sig);
			_exit(0);
		}
		_exit(1);
	}
	int st = 0;
	if (p > 0) {
		/* WUNTRACED: a program that sends SIGSTOP to every process of its uid can stop the helper too. */
		while (waitpid(p, &st, WUNTRACED) < 0 && errno == EINTR)
			;
		if (WIFSTOPPED(st)) {
			kill(p, SIGKILL);
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
			st = 1;
		}
	}
	if (p < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		scan_kill(sig);
}
