/* Start-up (arguments, signals, cgroup, work dir), the R frame, and running its stages in order. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

uid_t run_uid = 10001;
gid_t run_gid = 10001;
bool as_root;
const char *workdir = "/work";
pid_t agent_pid;
int sigfd = -1;

static void prepare_workdir(void)
{
	struct stat sb;
	if (stat(workdir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			fatal("%s is not a directory", workdir);
		return;
	}
	/* Only outside Docker (a test run on a host): in a container the work dir is a 1777 tmpfs. */
	if (errno != ENOENT || mkdir(workdir, 0755) < 0 || (as_root && chown(workdir, run_uid, run_gid) < 0))
		fatal("cannot create %s: %m", workdir);
}

/*
 * Who runs the stages. Started as root (gVisor), the agent drops each child to --uid. Started as any other uid
 * (runc: the container's User is the runner uid, with no capability), the stages run as that uid, which
 * --uid, if given, must name; real, effective and saved ids must agree, and neither uid nor gid may be 0.
 */
static bool choose_runner(bool uid_given)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs))
		return false;
	as_root = e == 0;
	if (as_root)
		return true;
	if (r != e || s != e || gr != ge || gs != ge || ge == 0 || (uid_given && run_uid != e))
		return false;
	run_uid = e, run_gid = ge;
	return true;
}

/* Waits for the next whole frame, which must be of type `type`; returns its length. */
static size_t first_frame(char type, const char *what)
{
	size_t total;
	while ((total = frame_ready()) == 0) {
		if (in.eof)
			fatal("stdin closed before %s", what);
		wait_stdin();
		read_more();
	}
	if (in.buf[0] != type)
		fatal("%s must come first, got frame 0x%02x", what, in.buf[0]);
	return total;
}

int main(int argc, char **argv)
{
	bool uid_given = false, prestart = false;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		unsigned long u = 0;
		if (strcmp(argv[i], "--workdir") == 0 && i + 1 < argc && argv[i + 1][0] == '/') {
			workdir = argv[++i];
		} else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc &&
			   (u = strtoul(argv[i + 1], &end, 10)) > 0 && u < 0x7fffffff && !*end) {
			run_uid = (uid_t)u, run_gid = (gid_t)u;
			uid_given = true;
			i++;
		} else if (strcmp(argv[i], "--prestart") == 0) {
			prestart = true;
		} else {
			fprintf(stderr, "usage: coderunner-agent [--workdir /ABSOLUTE/DIR] [--uid N (not 0)] [--prestart]\n");
			return 2;
		}
	}
	if (!choose_runner(uid_given)) {
		fprintf(stderr, "coderunner-agent: started as uid %u, gid %u: run as root with --uid N, or as the runner "
				"uid itself (not 0, the same real, effective and saved ids)\n", (unsigned)getuid(), (unsigned)getgid());
		return 2;
	}
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	agent_pid = getpid();
	/*
	 * Not dumpable: the files of /proc/1 then belong to root and ptrace, process_vm_*, pidfd_getfd and /proc/1/mem refuse
	 * access, also to programs that share our uid (runc). Nothing resets it: the agent never execs or changes
	 * its own credentials.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * SIGCHLD through a signalfd keeps reaping in the poll loop. A forged one (a program of our uid may send it)
	 * only makes us reap with WNOHANG: its siginfo is never read. TERM/INT/HUP end the run cleanly, but only
	 * when the programs cannot send them (we are root): as PID 1 every signal without a handler is dropped,
	 * which is what keeps a program of our own uid from ending the agent. The server never sends them; it
	 * removes the container.
	 */
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	if (as_root) {
		sigaddset(&ss, SIGTERM);
		sigaddset(&ss, SIGINT);
		sigaddset(&ss, SIGHUP);
	}
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sigfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		fatal("signalfd: %m");
	if (agent_pid != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1); /* so orphans come to us on a host too */
	umask(022);
	cgroup_init();
	prepare_workdir();
	size_t total;
	if (prestart) {
		/* The S frame comes first (the server writes it before the container starts): its process is started
		 * and ready, or given up, before Y. */
		total = first_frame('S', "the pre-start frame");
		prestart_begin(in.buf + 5, total - 5);
		consume(total);
	}
	send_str_frame('Y', AGENT_VERSION);

	total = first_frame('R', "the request");

	static struct request rq; /* static: lives until exit, and leak checkers see it as such */
	/* Stages with their own stdin or files (test cases) read them from the request after its frame is gone
	 * from the input buffer, so the payload is parsed from a copy, kept only while some stage needs it. */
	unsigned char *payload = xrealloc(NULL, total - 5);
	memcpy(payload, in.buf + 5, total - 5);
	parse_request(payload, total - 5, &rq);
	if (rq.nfiles)
		write_files(rq.files, rq.nfiles, NULL, 0, false);
	if (rq.stdin_stage >= 0)
		sin_append(rq.stdin_data, rq.stdin_len);
	else
		sin_drop();
	stage_in.closed = rq.close_stdin;
	bool keep = false;
	for (uint32_t i = 0; i < rq.nstages; i++)
		keep |= (rq.stages[i].flags & (FLAG_OWN_STDIN | FLAG_RESET)) != 0;
	if (!keep) {
		for (uint32_t i = 0; i < rq.nfiles; i++)
			free(rq.files[i].name);
		free(rq.files);
		rq.files = NULL;
		rq.nfiles = 0;
		free(payload);
	}
	rq.stdin_data = NULL;
	/* Give the request's memory back before any program runs: the agent shares the container's limit. */
	consume(total);
	in.cap = in.len + CHUNK;
	unsigned char *nb = xrealloc(NULL, in.cap);
	memcpy(nb, in.buf, in.len);
	free(in.buf);
	in.buf = nb;

	for (uint32_t i = 0; i < rq.nstages; i++) {
		struct result r;
		const struct stage *st = &rq.stages[i];
		if ((st->flags & FLAG_PAUSE) && !wait_go((uint8_t)i))
			break;
		if (st->flags & FLAG_RESET)
			write_files(rq.files, rq.nfiles, st->files, st->nfiles, true);
		bool own = (st->flags & FLAG_OWN_STDIN) != 0;
		if (own) {
			sin_drop();
			stage_in.done = stage_in.closed = false;
			sin_append(st->stdin_data, st->stdin_len);
			stage_in.closed = true;
		}
		run_stage((uint8_t)i, st, own || (int)i == rq.stdin_stage, &r);
		if (own)
			sin_drop();
		send_exit((uint8_t)i, &r);
		if (st->flags & FLAG_OUTPUTS)
			send_outputs((uint8_t)i, &rq);
		if (strcmp(st->name, "compile") == 0 && (r.code != 0 || r.limit))
			break;
	}
	send_frame('D', NULL, 0);
	return 0;
}
