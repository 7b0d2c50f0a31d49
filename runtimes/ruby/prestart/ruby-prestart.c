/*
 * The pre-started ruby (README.md beside this file): a C program linked with Debian's libruby-3.3.so (the library
 * /usr/bin/ruby3.3 runs on, so the same interpreter code) that starts as `ruby PLACEHOLDER` would (ruby_options():
 * the load path, encodings, the gem prelude with rubygems, error_highlight, did_you_mean and syntax_suggest; the
 * placeholder is an empty script that is parsed and never run), says `R` on fd 3, reads the argv of the plain
 * command (`ruby\0ENTRY\0ARGS...\0`) to end of file, and then does what the rest of ruby.c's process_options()
 * does for a script: $0 and ARGV, the entry parsed as the main script, a `<main>` iseq on TOPLEVEL_BINDING, and
 * ruby_run_node() (the code path of a plain start from there: at_exit, error printing, exit status, signals).
 *
 * What this cannot reproduce in the same process (options before the entry, a shebang line with switches or
 * without "ruby", a __END__ line, an entry that cannot be opened) is an execve of /usr/bin/ruby with the given
 * argv, with the environment, signal dispositions and mask the launcher was given.
 */
/* Ruby's public headers have unused parameters in inline functions; -Werror is for this file's own code. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <ruby.h>
#include <ruby/encoding.h>
#include <ruby/version.h>
#pragma GCC diagnostic pop

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOCK_FD 3
/* Where the hand-over socket waits while the interpreter starts: off the low numbers, so the descriptors ruby's
 * start opens are the ones a plain start gets, and a program's first open() gets what it would (fd-numbers case). */
#define SOCK_FD_HIGH 99
#define RUBY_PATH "/usr/bin/ruby"
#define NAME "ruby-prestart"
#define STR_(x) #x
#define STR(x) STR_(x)
#define API_PREFIX STR(RUBY_API_VERSION_MAJOR) "." STR(RUBY_API_VERSION_MINOR) "."

/* ---- libruby 3.3 internals that the public headers do not declare (all exported by libruby-3.3.so). The layouts
 * are 3.3's (rubyparser.h rb_ast_t, vm_core.h rb_binding_t / rb_block / rb_captured_block); main() checks the
 * version it runs on, and the binding's type, before it uses them. */
typedef struct rb_iseq_struct rb_iseq_t;
typedef struct prestart_ast_body rb_ast_body_t; /* only passed by address */
typedef struct {
  VALUE flags;
  void *node_buffer;
  /* rb_ast_body_t body; (root first: NULL when the parse failed) */
  const void *body_root;
} prestart_ast_t;
typedef struct {
  VALUE self;
  const VALUE *ep;
  const rb_iseq_t *iseq; /* code.iseq */
  int type;              /* enum rb_block_type: block_type_iseq is 0 */
} prestart_binding_t;

VALUE rb_parser_new(void);
VALUE rb_parser_set_context(VALUE vparser, const rb_iseq_t *base, int main);
prestart_ast_t *rb_parser_compile_string_path(VALUE vparser, VALUE fname, VALUE src, int line);
rb_iseq_t *rb_iseq_new_main(const rb_ast_body_t *ast, VALUE path, VALUE realpath, const rb_iseq_t *parent,
                            int opt);
void rb_ast_dispose(prestart_ast_t *ast);

/* ---- what a fallback exec must give ruby as it was given to us: the environment (ruby's start moves and copies
 * it for setproctitle) and the signal state (ruby installs handlers for INT, HUP, QUIT, TERM, ALRM, USR1, USR2,
 * BUS, ILL, SEGV, PIPE, SYS, CHLD). */
static char **saved_env;
static struct sigaction saved_actions[NSIG];
static sigset_t saved_mask;

static void fail(const char *why) {
  fprintf(stderr, NAME ": %s\n", why);
  fflush(stderr);
  _exit(127);
}

static void save_start_state(char **envp) {
  size_t n = 0;
  while (envp[n] != NULL) n++;
  saved_env = calloc(n + 1, sizeof *saved_env);
  if (saved_env == NULL) fail("out of memory");
  for (size_t i = 0; i < n; i++) {
    saved_env[i] = strdup(envp[i]);
    if (saved_env[i] == NULL) fail("out of memory");
  }
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, NULL, &saved_actions[sig]);
  sigprocmask(SIG_SETMASK, NULL, &saved_mask);
}

/* An argv we cannot become in this process: the real ruby, same pid. */
static void exec_ruby(char **argv) {
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &saved_actions[sig], NULL);
  }
  sigprocmask(SIG_SETMASK, &saved_mask, NULL);
  execve(RUBY_PATH, argv, saved_env);
  fprintf(stderr, NAME ": cannot exec " RUBY_PATH ": %s\n", strerror(errno));
  fflush(stderr);
  _exit(127);
}

/* Reads fd to end of file. */
static char *read_all(int fd, size_t *len, const char *what) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) fail("out of memory");
  for (;;) {
    if (n == cap) {
      cap *= 2;
      char *bigger = realloc(buf, cap);
      if (bigger == NULL) fail("out of memory");
      buf = bigger;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      if (what == NULL) {
        free(buf);
        return NULL;
      }
      fail(what);
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  *len = n;
  return buf;
}

/* Splits NUL-terminated strings; NULL when the message is not such a list. */
static char **split_argv(char *buf, size_t len, int *argc) {
  if (len == 0 || buf[len - 1] != '\0') return NULL;
  size_t count = 0;
  for (size_t i = 0; i < len; i++) count += buf[i] == '\0';
  if (count > INT_MAX - 1) return NULL;
  char **argv = calloc(count + 1, sizeof *argv);
  if (argv == NULL) fail("out of memory");
  size_t k = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) argv[k++] = buf + i;
  *argc = (int)count;
  return argv;
}

/* The entry's bytes, or NULL when it is something only the real ruby gets exactly right: a file that cannot be
 * opened or is not a regular file (ruby's own error message and status, a FIFO's wait); a first line `#!` that
 * has switches after "ruby" (they apply before the gem prelude: -w, --disable-gems, -K, -r, ...), that lacks "ruby"
 * (ruby then searches for a ruby shebang, as -x), or that ends in \r\n (ruby warns); a __END__ line (DATA is the
 * script's own File, left open after it; from a string there is none). */
static char *read_entry(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return NULL;
  }
  char *src = read_all(fd, len, NULL);
  close(fd);
  if (src == NULL) return NULL;
  size_t n = *len;
  if (n >= 2 && src[0] == '#' && src[1] == '!') {
    const char *nl = memchr(src, '\n', n);
    size_t line_len = nl ? (size_t)(nl - src) : n;
    char *line = strndup(src, line_len);
    if (line == NULL) fail("out of memory");
    const char *ruby = strstr(line + 2, "ruby");
    bool plain = ruby != NULL && strstr(ruby, " -") == NULL && memchr(line, '\r', line_len) == NULL &&
                 strlen(line) == line_len; /* no NUL in the line either */
    free(line);
    if (!plain) {
      free(src);
      return NULL;
    }
  }
  static const char end[] = "__END__";
  for (size_t i = 0; i + sizeof end - 1 <= n; i++) {
    if ((i == 0 || src[i - 1] == '\n') && memcmp(src + i, end, sizeof end - 1) == 0) {
      size_t after = i + sizeof end - 1;
      if (after == n || src[after] == '\n' || src[after] == '\r') {
        free(src);
        return NULL;
      }
    }
  }
  return src;
}

struct handover {
  const char *entry;
  int argc;
  char **argv;
  const char *src;
  size_t src_len;
  const rb_iseq_t *parent;
};

/* The rest of process_options() for `ruby ENTRY ARGS...`, as ruby.c 3.3 does it after the prelude: the script
 * name (locale encoding, frozen) as $0 and Process.argv0, ARGV, the entry parsed as the main script (a parser with
 * the context of a file script: a syntax error becomes a SyntaxError with every message, not lines on stderr), the
 * realpath (for __dir__ and require_relative), and the `<main>` iseq whose parent is TOPLEVEL_BINDING's. Qfalse
 * when the parse failed (errinfo is the SyntaxError), as process_options() returns it. */
static VALUE prepare_main(VALUE arg) {
  struct handover *h = (struct handover *)arg;
  VALUE script_name = rb_str_new_cstr(h->entry);
  rb_enc_associate(script_name, rb_locale_encoding());
  rb_obj_freeze(script_name);
  ruby_set_script_name(script_name);
  ruby_set_argv(h->argc, h->argv);

  /* The lexer reads a file script through an IO set to UTF-8 without conversion; the same bytes as a UTF-8
   * string give the same lines. */
  VALUE src = rb_enc_str_new(h->src, (long)h->src_len, rb_utf8_encoding());
  VALUE parser = rb_parser_new();
  rb_parser_set_context(parser, NULL, 0);
  prestart_ast_t *ast = rb_parser_compile_string_path(parser, script_name, src, 1);
  RB_GC_GUARD(parser);
  RB_GC_GUARD(src);
  if (ast->body_root == NULL) {
    rb_ast_dispose(ast);
    return Qfalse;
  }
  VALUE path = rb_funcall(rb_cFile, rb_intern("realpath"), 1, script_name);
  if (!ENCODING_GET(path)) rb_enc_copy(path, script_name);
  const rb_iseq_t *iseq =
      rb_iseq_new_main((const rb_ast_body_t *)&ast->body_root, script_name, path, h->parent, 1);
  rb_ast_dispose(ast);
  return (VALUE)iseq;
}

/* The iseq of TOPLEVEL_BINDING's block (vm_block_iseq(toplevel_context(binding)) in ruby.c), or NULL if the
 * binding is not the 3.3 layout this was written for. */
static const rb_iseq_t *toplevel_iseq(void) {
  VALUE binding = rb_const_get(rb_cObject, rb_intern("TOPLEVEL_BINDING"));
  if (!RB_TYPE_P(binding, T_DATA) || !RTYPEDDATA_P(binding) ||
      strcmp(RTYPEDDATA_TYPE(binding)->wrap_struct_name, "binding") != 0) {
    return NULL;
  }
  const prestart_binding_t *b = RTYPEDDATA_DATA(binding);
  return b->type == 0 ? b->iseq : NULL;
}

int main(int argc, char **argv, char **envp) {
  save_start_state(envp);
  /* The command is `ruby-prestart ruby PLACEHOLDER`: ruby gets the argv from "ruby" on, in the process's own argv
   * memory as a plain start's (setproctitle, for `$0 = ...`, writes there). */
  if (argc < 3) fail("usage: ruby-prestart ruby PLACEHOLDER.rb");
  /* The internal layouts above are 3.3's. */
  if (strncmp(ruby_version, API_PREFIX, strlen(API_PREFIX)) != 0) fail("built for ruby " API_PREFIX "x");
  int sock = fcntl(SOCK_FD, F_DUPFD_CLOEXEC, SOCK_FD_HIGH);
  if (sock < 0) fail("no hand-over socket on fd 3");
  close(SOCK_FD);
  /* Blocking reads, whoever made the socket (ruby's own sockets, as the harness's, are non-blocking). */
  int flags = fcntl(sock, F_GETFL);
  if (flags < 0 || fcntl(sock, F_SETFL, flags & ~O_NONBLOCK) < 0) fail("cannot use the socket on fd 3");

  /* As ruby's main.c: the locale's character type (Encoding.default_external, locale_charmap, ARGV's encoding). */
  setlocale(LC_CTYPE, "");
  /* RUBYOPT's switches act during the start (-r would load its library before the program's files are there, -w
   * would change what the prelude sees): with one set, every hand-over is an exec of the real ruby. */
  const char *rubyopt = getenv("RUBYOPT");
  bool exec_only = rubyopt != NULL && rubyopt[0] != '\0';
  int ruby_argc = argc - 1;
  char **ruby_argv = argv + 1;
  ruby_sysinit(&ruby_argc, &ruby_argv);
  {
    RUBY_INIT_STACK;
    const rb_iseq_t *parent = NULL;
    if (!exec_only) {
      ruby_init();
      /* As main.c: the whole start of `ruby PLACEHOLDER` (the prelude included); its iseq is dropped. */
      void *placeholder = ruby_options(ruby_argc, ruby_argv);
      int status;
      if (!ruby_executable_node(placeholder, &status)) fail("the interpreter did not start");
      parent = toplevel_iseq();
      if (parent == NULL) fail("TOPLEVEL_BINDING is not what this launcher was built for");
    }

    /* Ready: the agent hands the program over. */
    for (;;) {
      ssize_t w = write(sock, "R", 1);
      if (w == 1) break;
      if (w < 0 && errno == EINTR) continue;
      fail("cannot write R on fd 3");
    }
    size_t len;
    char *message = read_all(sock, &len, "cannot read the hand-over on fd 3");
    close(sock);

    int hargc = 0;
    char **hargv = split_argv(message, len, &hargc);
    if (hargv == NULL) fail("the hand-over is not an argv of NUL-terminated strings");
    if (hargc < 1 || strcmp(hargv[0], "ruby") != 0) fail("the hand-over is not `ruby ENTRY ARGS...`");
    if (hargc < 2) fail("the hand-over has no entry");
    /* Options before the entry (-w, -e, -r, -, --...) or an empty entry (stdin): the real ruby. */
    if (exec_only || hargv[1][0] == '-' || hargv[1][0] == '\0') exec_ruby(hargv);
    struct handover h = {.entry = hargv[1], .argc = hargc - 2, .argv = hargv + 2, .parent = parent};
    char *src = read_entry(h.entry, &h.src_len);
    if (src == NULL) exec_ruby(hargv);
    h.src = src;

    int state = 0;
    VALUE iseq = rb_protect(prepare_main, (VALUE)&h, &state);
    free(src);
    /* An exception while preparing (e.g. an unknown magic-comment encoding) is left in errinfo; ruby_run_node()
     * of Qfalse prints it and returns 1, as a plain start's ruby_options() error path gives. */
    if (state != 0) iseq = Qfalse;
    return ruby_run_node((void *)iseq);
  }
}
