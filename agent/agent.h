/*
 * coderunner-agent: the main process (PID 1) of a CodeRunner runtime container.
 *
 * It reads one run request from stdin, writes the files, runs each stage as the unprivileged runner uid and
 * streams the results back as frames on stdout. Under runc the container starts it as that runner uid itself
 * (no capability at all), so nothing in the container is host root; under gVisor it starts as the sandbox's
 * root (host uid 100000 through the engine's userns-remap) and drops to the runner uid for every child. The wire format and the guarantees are in
 * docs/agent-protocol.md, which is the contract: change it together with the server's codec, never alone.
 *
 * The agent is not a trust boundary (the server keeps its own deadline and removes the container), but it must
 * never let a user program reach its stdout, signal it, or outlive the stage that started it.
 *
 * This header is what the agent's files share: limits, types, the few process-wide globals and the functions
 * one file offers another. Files:
 *   main.c     arguments, start-up, reading the request frame, the stage loop
 *   frames.c   frames in and out, the stdin buffer of the stage that has stdin
 *   request.c  parsing and checking the run request, writing its files
 *   cgroup.c   the container cgroup's counters, CPU accounting of a stage
 *   stage.c    running a stage: the poll loop (limits, output, stdin), reaping, the result
 *   exec.c     the stage's child side: stdio, rlimits, becoming the runner uid, exec
 *   outputs.c  files out of a run (W and U frames)
 *   kill.c     killing every process of the runner uid
 *   prestart.c the pre-started process: started before the request, handed the first stage
 */
#ifndef CODERUNNER_AGENT_H
#define CODERUNNER_AGENT_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>

#define AGENT_VERSION "coderunner-agent 4"
#define PROTO_VERSION 3u

/* Caps on what the server may make us hold in memory; the container's own memory limit is 256 MiB. */
#define MAX_REQUEST ((size_t)256 << 20) /* R frame payload */
#define MAX_FRAME ((size_t)64 << 20)    /* any other frame payload */
#define STDIN_CAP ((size_t)64 << 20)    /* stdin bytes not yet taken by the program; the excess is dropped */
#define MAX_COUNT 100000u               /* files, argv entries, env entries */
#define MAX_NAME 4096u
#define MAX_STAGES 256u /* a compile stage and up to 255 run stages (one per test case); indices fit the u8 of B, P, X */
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

/* Stage flag bits (docs/agent-protocol.md). */
#define FLAG_STDIN 1u    /* this stage gets the stdin stream */
#define FLAG_PAUSE 2u    /* send P and wait for G before starting */
#define FLAG_TRUNCATE 4u /* past the output cap, drop the output and let the program go on */
#define FLAG_OWN_STDIN 8u /* the stage's own stdin bytes, then end of input */
#define FLAG_RESET 16u    /* the work dir back to the request's files, plus the stage's own, before the stage */
#define FLAG_OUTPUTS 32u  /* after the stage, send the files under out/ (and matching the request's globs) */
#define FLAG_PRESTART 64u /* the pre-started process may take this stage (prestart.c) */

struct stage {
	char *name, **argv, **envp;
	uint32_t wall_ms, cpu_ms, flags, nproc;
	uint64_t fsize, outcap, as_bytes, stack_bytes; /* nproc, as_bytes, stack_bytes: 0 = leave as it is */
	const unsigned char *stdin_data;               /* FLAG_OWN_STDIN; points into the request payload */
	uint32_t stdin_len, nfiles;
	struct file *files; /* written after a FLAG_RESET */
};

/* A parsed R frame; files[].data and stdin_data point into its payload. */
struct request {
	uint32_t nfiles, nstages;
	struct file *files;
	struct stage *stages;
	int stdin_stage; /* the stage with flag bit 0, or -1 */
	const unsigned char *stdin_data;
	uint32_t stdin_len;
	uint8_t close_stdin;
	uint32_t nglobs, max_out_files; /* files out of a run (FLAG_OUTPUTS) */
	char **globs;
	uint64_t max_out_bytes;
};

struct result {
	int32_t code;
	uint32_t sig, wall_ms, cpu_ms, mem_kb;
	uint8_t limit, trunc[2];
	uint64_t out_bytes;
	uint8_t flags; /* EXIT_PRESTARTED */
};

/* The X frame's flags byte: the stage ran in the pre-started process (handed over), not a fresh one. */
#define EXIT_PRESTARTED 1

/* What the SIGCHLD handling learned while a stage ran. */
struct reaped {
	bool main_done, xcpu, xfsz;
	int status;
	struct rusage ru;
	int64_t t_exit;
};

/* The container cgroup's CPU counter and the agent's own CPU time when a stage started. */
struct cpu_base {
	bool have_cg;
	uint64_t cg, self;
	uint64_t pre; /* what a pre-started process had used before its hand-over (/proc's count), else 0 */
};

/* Bytes read from stdin and not yet consumed as frames. */
struct input {
	unsigned char *buf;
	size_t len, cap;
	bool eof;
};

/* Stdin for the stage that has it attached: initial data plus I chunks, waiting for the program to read them. */
struct stage_stdin {
	char *buf;
	size_t off, len, cap;
	bool closed; /* C frame, close_stdin, or our own stdin ended: no more data will come */
	bool done;   /* the stdin stage is over (or there is none): data is dropped */
};

/* main.c: set once at start-up. */
extern uid_t run_uid;
extern gid_t run_gid;
extern bool as_root; /* started as root: children drop to run_uid; otherwise the agent is run_uid itself */
extern const char *workdir;
extern pid_t agent_pid;
extern int sigfd;

/* frames.c */
extern struct input in;
extern struct stage_stdin stage_in;
extern bool k_seen; /* a K frame arrived during the current stage */

/* stage.c */
extern pid_t stage_pid; /* main process of the running stage, until it is reaped (its pgid too, thanks to setsid) */

/* prestart.c */
extern pid_t prestart_pid; /* the pre-started process while it waits for its stage; 0 once handed over or gone */

static inline uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000ULL;
}

static inline uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* frames.c */
void write_all(int fd, const void *buf, size_t len);
void send_prefixed(char type, unsigned char *buf, size_t len);
void send_frame(char type, const void *payload, size_t len);
void send_str_frame(char type, const char *s);
void send_exit(uint8_t idx, const struct result *r);
/* A small frame that waits for the next one to go out in the same write (frames.c). */
void hold_frame(char type, const void *payload, size_t len);
/* fork() for every child of the agent: a held frame is written first. */
pid_t agent_fork(void);
_Noreturn __attribute__((format(printf, 1, 2))) void fatal(const char *fmt, ...);
void *xrealloc(void *p, size_t n);
void read_more(void);
size_t frame_ready(void);
void consume(size_t n);
void sin_append(const void *p, size_t n);
void sin_drop(void);
void process_frames(void);
void wait_stdin(void);
bool wait_go(uint8_t idx);

/* request.c */
void parse_request(const unsigned char *payload, size_t len, struct request *rq);
void parse_prestart(const unsigned char *payload, size_t len, struct stage *st, char ***replaces);
void write_files(const struct file *f, uint32_t n, const struct file *f2, uint32_t n2, bool clear);

/* cgroup.c */
void cgroup_init(void);
uint64_t cg_oom_kills(void);
void cpu_base_init(struct cpu_base *b);
uint64_t stage_cpu_ns(const struct cpu_base *b, pid_t pid);
uint64_t proc_cpu_ns(pid_t pid);

/* stage.c */
void handle_signals(struct reaped *rp);
void run_stage(uint8_t idx, const struct stage *st, bool has_stdin, struct result *r);

/* exec.c */
bool become_runner(void);
_Noreturn void child_exec(const struct stage *st, int in0, int out1, int err1, int fd3);

/* outputs.c */
void send_outputs(uint8_t idx, const struct request *rq);

/* kill.c */
void kill_runner(int sig);

/* prestart.c */
void prestart_begin(const unsigned char *payload, size_t len);
bool prestart_fits(const struct stage *st);
pid_t prestart_handover(const struct stage *st, int *in1, int *out0, int *err0, uint64_t *pre_ns);
void prestart_discard(void);
uint64_t task_cpu_ns(pid_t pid);

#endif
