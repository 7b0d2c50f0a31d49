/* Files out of a run: after a stage with FLAG_OUTPUTS, the files the program left under out/ (or matching the
 * request's globs) go back to the server as W frames, capped in count and bytes, then one U frame. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const struct request *cur_rq;
static char **found;
static size_t nfound, capfound;
static size_t root_len;

static bool wanted(const char *rel)
{
	if (strncmp(rel, "out/", 4) == 0)
		return true;
	for (uint32_t i = 0; i < cur_rq->nglobs; i++)
		if (fnmatch(cur_rq->globs[i], rel, FNM_PATHNAME | FNM_PERIOD) == 0)
			return true;
	return false;
}

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type != FTW_F || strlen(path) <= root_len + 1)
		return 0;
	const char *rel = path + root_len + 1;
	if (!wanted(rel))
		return 0;
	if (nfound == capfound) {
		capfound = capfound ? capfound * 2 : 64;
		found = xrealloc(found, capfound * sizeof *found);
	}
	found[nfound++] = strdup(rel);
	/* Enough names to know the caps are passed; the walk itself stays bounded by the tmpfs. */
	return nfound > (size_t)cur_rq->max_out_files + 1 ? 1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* W payload: u8 stage, str name, u8 last, bytes chunk (at most CHUNK). */
static bool send_file(uint8_t idx, const char *name, int fd, uint64_t size)
{
	static unsigned char buf[5 + 1 + 4 + MAX_NAME + 1 + 4 + CHUNK];
	size_t nl = strlen(name);
	uint64_t sent = 0;
	do {
		unsigned char *p = buf + 5;
		*p++ = idx;
		p[0] = (unsigned char)(nl >> 24), p[1] = (unsigned char)(nl >> 16), p[2] = (unsigned char)(nl >> 8), p[3] = (unsigned char)nl;
		memcpy(p + 4, name, nl);
		p += 4 + nl;
		unsigned char *last = p++;
		unsigned char *len = p;
		p += 4;
		size_t want = size - sent < CHUNK ? (size_t)(size - sent) : CHUNK, got = 0;
		while (got < want) {
			ssize_t r = read(fd, p + got, want - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return false; /* shrank under us: the server sees a short file, never garbage */
			got += (size_t)r;
		}
		sent += got;
		*last = sent >= size;
		len[0] = (unsigned char)(got >> 24), len[1] = (unsigned char)(got >> 16), len[2] = (unsigned char)(got >> 8), len[3] = (unsigned char)got;
		send_prefixed('W', buf, (size_t)(p + got - (buf + 5)));
	} while (sent < size);
	return true;
}

/*
 * Runs in a child that is the runner uid (as write_files), so no link or mode trick makes the agent read what
 * the program could not: files are opened with O_NOFOLLOW and must be regular. The parent waits, so the
 * child's frames never interleave with its own.
 */
void send_outputs(uint8_t idx, const struct request *rq)
{
	/* Most runs leave nothing: with no glob and no out/ there is nothing to walk, so no child either (this is
	 * on every run's path). lstat only asks whether the name exists; the child still does all the reading. */
	char out[PATH_MAX];
	struct stat sb;
	if (rq->nglobs == 0 && snprintf(out, sizeof out, "%s/out", workdir) < (int)sizeof out && lstat(out, &sb) < 0 &&
	    errno == ENOENT) {
		unsigned char none[6] = { idx, 0, 0, 0, 0, 0 };
		hold_frame('U', none, sizeof none);
		return;
	}
	pid_t p = agent_fork();
	if (p < 0)
		fatal("fork: %m");
	if (p == 0) {
		uint32_t kept = 0;
		uint8_t truncated = 0;
		if (become_runner() && chdir(workdir) == 0) {
			cur_rq = rq;
			root_len = strlen(workdir);
			while (root_len > 1 && workdir[root_len - 1] == '/')
				root_len--;
			if (nftw(workdir, visit, 32, FTW_PHYS | FTW_MOUNT) > 0)
				truncated = 1;
			qsort(found, nfound, sizeof *found, by_name);
			uint64_t bytes = 0;
			for (size_t i = 0; i < nfound; i++) {
				int fd = open(found[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
				struct stat st;
				if (fd < 0)
					continue;
				if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || strlen(found[i]) > MAX_NAME) {
					close(fd);
					continue;
				}
				if (kept >= rq->max_out_files || (uint64_t)st.st_size > rq->max_out_bytes - bytes) {
					truncated = 1;
					close(fd);
					continue;
				}
				if (send_file(idx, found[i], fd, (uint64_t)st.st_size)) {
					kept++;
					bytes += (uint64_t)st.st_size;
				}
				close(fd);
			}
		}
		unsigned char u[6] = { idx, (unsigned char)(kept >> 24), (unsigned char)(kept >> 16), (unsigned char)(kept >> 8),
				       (unsigned char)kept, truncated };
		send_frame('U', u, sizeof u);
		_exit(0);
	}
	int st;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
}
