/* Running a stage from the agent's side: fork, the poll loop (limits, output, stdin), reaping, the result. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

pid_t stage_pid;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ---- SIGCHLD (and termination requests) ---- */

void handle_signals(struct reaped *rp)
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
		if (p == prestart_pid)
			prestart_pid = 0; /* ended while it waited: the stage starts plainly */
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

/* ---- running a stage ---- */

void run_stage(uint8_t idx, const struct stage *st, bool has_stdin, struct result *r)
{
	static unsigned char obuf[5 + CHUNK];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	memset(r, 0, sizeof *r);
	k_seen = false;
	/* The pre-started process takes the first stage when it fits; any other stage starts plainly. */
	bool handed = idx == 0 && prestart_fits(st);
	if (!handed)
		prestart_discard();
	uint64_t oom0 = cg_oom_kills();
	struct cpu_base base;
	pid_t pid = 0;
	int64_t t0 = 0;
	if (handed) {
		cpu_base_init(&base);
		t0 = now_ns();
		pid = prestart_handover(st, &inp[1], &outp[0], &errp[0], &base.pre);
		handed = pid != 0;
		if (handed)
			r->flags |= EXIT_PRESTARTED;
		/* A stage without stdin (a compile) reads end of file from the launcher's pipe at once. */
		if (handed && !has_stdin) {
			close(inp[1]);
			inp[1] = -1;
		}
	}
	if (!pid) {
		/* Pipes belong to whoever creates them (the fs uid): made as the runner, the program can reopen its
		 * own stdio through /dev/stdin, /dev/stdout and /dev/stderr, as many programs do. Without root we are
		 * the runner already. */
		if (as_root)
			setfsgid(run_gid), setfsuid(run_uid);
		bool piped = pipe2(outp, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0 &&
			     (!has_stdin || pipe2(inp, O_CLOEXEC) == 0);
		if (as_root)
			setfsuid(0), setfsgid(0);
		if (!piped)
			fatal("pipe: %m");
		if (!has_stdin && (inp[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			fatal("stdin for the stage: %m");
		cpu_base_init(&base);
		t0 = now_ns();
		pid = agent_fork();
		if (pid < 0)
			fatal("fork: %m");
		if (pid == 0)
			child_exec(st, inp[0], outp[1], errp[1], -1);
		close(outp[1]);
		close(errp[1]);
		close(inp[0]);
	}
	stage_pid = pid;
	int fds[3] = { outp[0], errp[0], inp[1] };
	if (fds[2] >= 0)
		fcntl(fds[2], F_SETFL, O_NONBLOCK); /* a program that never reads its stdin must not stall us */
	send_frame('B', &idx, 1);
	process_frames(); /* frames that came in with the request or before this stage */

	struct reaped rp = { 0 };
	int64_t wall_ns = (int64_t)st->wall_ms * MS, next_cpu = t0 + TICK_NS, next_kill = 0, cpu_grace = 0;
	int post_kills = 0;
	uint64_t sent[2] = { 0, 0 };
	/* A handed-over process's RLIMIT_CPU counts from its own start: the agent sends the SIGXCPU a plain start's
	 * limit (whole seconds up) would, when the process's own CPU time since the hand-over reaches it, and then
	 * gives the signal a moment before its own CPU check kills, as the kernel's signal comes first there too. */
	uint64_t xcpu_ns = ((uint64_t)st->cpu_ms + 999) / 1000 * 1000 * MS;
	bool xcpu_due = handed;
	for (;;) {
		int64_t now = now_ns(), wake;
		if (!rp.main_done) {
			if (!r->limit && now - t0 >= wall_ns)
				r->limit = LIM_WALL;
			if (!r->limit && now >= next_cpu) {
				next_cpu = now + TICK_NS;
				if (xcpu_due) {
					uint64_t own = task_cpu_ns(pid), used = own > base.pre ? own - base.pre : 0;
					if (used >= xcpu_ns) {
						kill(pid, SIGXCPU);
						xcpu_due = false;
						cpu_grace = now + REKILL_NS;
					} else {
						/* Wake again before it can get there: at most 2 CPUs' worth, to the ms. */
						int64_t left = (int64_t)((xcpu_ns - used) / 2);
						next_cpu = now + (left < MS ? MS : left < TICK_NS ? left : TICK_NS);
					}
				}
				if (now >= cpu_grace && stage_cpu_ns(&base, pid) > (uint64_t)st->cpu_ms * MS)
					r->limit = LIM_CPU;
				else if (now < cpu_grace && cpu_grace < next_cpu)
					next_cpu = cpu_grace;
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
		if (fds[2] >= 0 && (rp.main_done || (stage_in.closed && stage_in.off == stage_in.len))) {
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
			{ stage_in.off < stage_in.len ? fds[2] : -1, POLLOUT, 0 },
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
				if (!r->limit && !(st->flags & FLAG_TRUNCATE)) {
					r->limit = LIM_OUTPUT;
					next_kill = 0;
				}
			}
		}
		if (pf[4].revents && fds[2] >= 0) {
			size_t n = stage_in.len - stage_in.off;
			ssize_t w = write(fds[2], stage_in.buf + stage_in.off, n < CHUNK ? n : CHUNK);
			if (w > 0) {
				stage_in.off += (size_t)w;
				if (stage_in.off == stage_in.len)
					stage_in.off = stage_in.len = 0;
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
	ru_cpu = ru_cpu > base.pre ? ru_cpu - base.pre : 0; /* a pre-started process's time before its hand-over */
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
