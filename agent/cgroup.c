/* The container cgroup's counters (optional: without them, RLIMIT_CPU and rusage still apply), and the CPU
 * accounting of a running stage built on them. */
#include "agent.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cg_cpu_fd = -1, cg_oom_fd = -1;
static bool cg_cpu_v2;

/* ---- cgroup counters ---- */

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

uint64_t cg_oom_kills(void)
{
	uint64_t v = 0;
	cg_field(cg_oom_fd, "oom_kill", &v);
	return v;
}

void cgroup_init(void)
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

static uint64_t self_cpu_ns(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return tv_ns(u.ru_utime) + tv_ns(u.ru_stime);
}

uint64_t proc_cpu_ns(pid_t pid)
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

void cpu_base_init(struct cpu_base *b)
{
	b->have_cg = cg_cpu_ns(&b->cg);
	b->self = self_cpu_ns();
	b->pre = 0;
}

/*
 * The cgroup counter sees every process of the container, including detached ones RLIMIT_CPU never sums up;
 * the agent's own time (forwarding output is not free) is taken out. /proc covers the main process when no
 * cgroup counter is readable.
 */
uint64_t stage_cpu_ns(const struct cpu_base *b, pid_t pid)
{
	uint64_t c = 0, v;
	if (b->have_cg && cg_cpu_ns(&v) && v > b->cg) {
		uint64_t self = self_cpu_ns() - b->self;
		v -= b->cg;
		c = v > self ? v - self : 0;
	}
	if (pid > 0 && (v = proc_cpu_ns(pid)) > b->pre && v - b->pre > c)
		c = v - b->pre;
	return c;
}
