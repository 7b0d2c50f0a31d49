/* Frames in both directions (docs/agent-protocol.md), and the stdin buffer that I frames feed. */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct input in;
struct stage_stdin stage_in;
bool k_seen;
static bool go_seen; /* a G frame arrived while a stage waited for it */

static unsigned char *put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
	return p + 4;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
	return put32(put32(p, v >> 32), (uint32_t)v);
}

/* ---- output: everything on stdout is a frame ---- */

void write_all(int fd, const void *buf, size_t len)
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

/*
 * The small frames that end a stage (its X, an empty U) are held here until the next frame (the run's D, the next
 * stage's P or B, an output file), and go out with it in one write: the engine relays each write to the server as
 * a message of its own, and a separate D reached the server 0.3 ms after its X. Every fork goes through agent_fork,
 * which flushes first (a child must not write a held frame again, nor the frame wait behind the child's work), and
 * every wait follows a frame it sends.
 */
static unsigned char held[64];
static size_t held_len;

static void flush_frames(void)
{
	size_t n = held_len;
	held_len = 0;
	if (n)
		write_all(1, held, n);
}

void hold_frame(char type, const void *payload, size_t len)
{
	if (held_len + 5 + len > sizeof held)
		flush_frames();
	held[held_len] = (unsigned char)type;
	put32(held + held_len + 1, (uint32_t)len);
	memcpy(held + held_len + 5, payload, len);
	held_len += 5 + len;
}

pid_t agent_fork(void)
{
	flush_frames();
	return fork();
}

/* buf has 5 bytes of headroom before the payload, so a data chunk goes out in one write without a copy. */
void send_prefixed(char type, unsigned char *buf, size_t len)
{
	static unsigned char joined[sizeof held + 5 + 2048];
	buf[0] = (unsigned char)type;
	put32(buf + 1, (uint32_t)len);
	if (held_len && held_len + len + 5 <= sizeof joined) {
		memcpy(joined, held, held_len);
		memcpy(joined + held_len, buf, len + 5);
		size_t n = held_len + len + 5;
		held_len = 0;
		write_all(1, joined, n);
		return;
	}
	flush_frames();
	write_all(1, buf, len + 5);
}

void send_frame(char type, const void *payload, size_t len)
{
	unsigned char b[5 + 2048];
	if (len > sizeof b - 5)
		len = sizeof b - 5;
	if (len)
		memcpy(b + 5, payload, len);
	send_prefixed(type, b, len);
}

void send_str_frame(char type, const char *s)
{
	unsigned char p[4 + 1024];
	size_t n = strnlen(s, sizeof p - 4);
	put32(p, (uint32_t)n);
	memcpy(p + 4, s, n);
	send_frame(type, p, n + 4);
}

void send_exit(uint8_t idx, const struct result *r)
{
	unsigned char x[33], *p = x;
	*p++ = idx;
	p = put32(p, (uint32_t)r->code);
	p = put32(p, r->sig);
	p = put32(p, r->wall_ms);
	p = put32(p, r->cpu_ms);
	p = put32(p, r->mem_kb);
	*p++ = r->limit;
	*p++ = r->trunc[0];
	*p++ = r->trunc[1];
	p = put64(p, r->out_bytes);
	*p = r->flags;
	hold_frame('X', x, sizeof x);
}

void fatal(const char *fmt, ...)
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

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

/* ---- input frames ---- */

void read_more(void)
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
size_t frame_ready(void)
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

void consume(size_t n)
{
	memmove(in.buf, in.buf + n, in.len - n);
	in.len -= n;
}

void sin_append(const void *p, size_t n)
{
	if (stage_in.done || stage_in.closed)
		return;
	size_t pending = stage_in.len - stage_in.off;
	if (n > STDIN_CAP - pending)
		n = STDIN_CAP - pending;
	if (!n)
		return;
	if (stage_in.off && stage_in.len + n > stage_in.cap) {
		memmove(stage_in.buf, stage_in.buf + stage_in.off, pending);
		stage_in.off = 0, stage_in.len = pending;
	}
	if (stage_in.len + n > stage_in.cap) {
		size_t c = stage_in.cap ? stage_in.cap : CHUNK;
		while (c < stage_in.len + n)
			c *= 2;
		stage_in.buf = xrealloc(stage_in.buf, c);
		stage_in.cap = c;
	}
	memcpy(stage_in.buf + stage_in.len, p, n);
	stage_in.len += n;
}

void sin_drop(void)
{
	free(stage_in.buf);
	stage_in.buf = NULL;
	stage_in.off = stage_in.len = stage_in.cap = 0;
	stage_in.done = true;
}

/* Frames that may arrive while stages run. */
void process_frames(void)
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
			stage_in.closed = true;
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
		case 'S':
			fatal("an S frame after the start");
		default:
			fatal("unknown frame type 0x%02x", in.buf[0]);
		}
		consume(total);
	}
	if (in.eof)
		stage_in.closed = true; /* no I frame can come any more */
}

/* Sleeps until stdin is readable, reaping (and acting on termination requests) meanwhile. */
void wait_stdin(void)
{
	struct pollfd pf[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
	if (poll(pf, 2, -1) < 0 && errno != EINTR)
		fatal("poll: %m");
	if (pf[1].revents)
		handle_signals(NULL);
}

/* Flag bit 1: tell the server with P and wait for G before starting the stage, so the server can change the
 * container's limits between compile and run. A K while waiting skips the stage; returns false then. */
bool wait_go(uint8_t idx)
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
