/*
 * The pre-started lua5.4 (README.md beside this file): Debian's Lua 5.4 library, linked as /usr/bin/lua5.4 is
 * (statically with liblua5.4.a, -Wl,-E so that C modules find the API in the executable), driven the way the
 * standalone interpreter (lua.c) drives it for `lua5.4 SCRIPT ARGS...`. Its main() and pmain() are followed step
 * by step; what a plain start does before it needs the command line (the state, the standard libraries) is done
 * before the `R` on fd 3; the rest (the `arg` table, the generational collector, LUA_INIT, the script with its
 * arguments, error reports with the program name and a traceback, exit status) after the hand-over, in the same
 * protected call, so that the script's stack is the plain start's (its traceback ends in "[C]: in ?", pmain).
 *
 * Whatever lua.c would do with options before the script (-e, -l, -i, -v, -E, -W, --, -), or a hand-over without
 * a script, is an execve of /usr/bin/lua5.4 with the given argv: the same process, environment and signal state.
 */
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOCK_FD 3
#define NAME "lua-prestart"
#define LUA "/usr/bin/lua5.4"
#define PROGNAME "lua5.4"
/* lua.c's names of the start-up chunk's variables: LUA_INIT_5_4, else LUA_INIT. */
#define LUA_INIT_VAR "LUA_INIT"
#define LUA_INITVARVERSION LUA_INIT_VAR LUA_VERSUFFIX

extern char **environ;

/* lua.c's progname: the plain argv[0], set at the hand-over (before it, our own name for our own errors). */
static const char *progname = NAME;
static lua_State *globalL = NULL;

static void fail(const char *why) {
  fprintf(stderr, NAME ": %s\n", why);
  fflush(stderr);
  _exit(127);
}

/* Reads fd 3 to end of file. */
static char *read_message(size_t *len) {
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
    ssize_t r = read(SOCK_FD, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("cannot read the hand-over on fd 3");
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

/* lua.c's SIGINT handling while a chunk runs: the first SIGINT sets a hook that raises "interrupted!" in the
 * running code; a second one (the disposition is back to default) ends the process. sigaction as lua.c uses it
 * under LUA_USE_POSIX: no flags, nothing masked. */
static void setsignal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

static void laction(int i) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  setsignal(i, SIG_DFL);
  lua_sethook(globalL, lstop, flag, 1);
}

/* lua.c's l_message and report: "PROGNAME: MESSAGE" on stderr for a failed chunk. */
static void l_message(const char *pname, const char *msg) {
  if (pname) lua_writestringerror("%s: ", pname);
  lua_writestringerror("%s\n", msg);
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "(error message not a string)";
    l_message(progname, msg);
    lua_pop(L, 1);
  }
  return status;
}

/* lua.c's message handler: a string error gets a traceback; any other value its __tostring, or a description. */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* lua.c's docall: the chunk under the message handler, with the SIGINT handler set only while it runs. */
static int docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  globalL = L;
  setsignal(SIGINT, laction);
  int status = lua_pcall(L, narg, nres, base);
  setsignal(SIGINT, SIG_DFL);
  lua_remove(L, base);
  return status;
}

static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = docall(L, 0, 0);
  return report(L, status);
}

/* lua.c's handle_luainit: LUA_INIT_5_4, else LUA_INIT; "@FILE" runs a file, anything else is a chunk named
 * "=LUA_INIT..." (its errors read "LUA_INIT_5_4:1: ..."). */
static int handle_luainit(lua_State *L) {
  const char *name = "=" LUA_INITVARVERSION;
  const char *init = getenv(name + 1);
  if (init == NULL) {
    name = "=" LUA_INIT_VAR;
    init = getenv(name + 1);
  }
  if (init == NULL) return LUA_OK;
  if (init[0] == '@') return dochunk(L, luaL_loadfile(L, init + 1));
  return dochunk(L, luaL_loadbuffer(L, init, strlen(init), name));
}

/* lua.c's createargtable with the script at index 1 of argv: arg[0] the script, arg[-1] the program name,
 * arg[1..] the script's arguments. */
static void createargtable(lua_State *L, char **argv, int argc) {
  const int script = 1;
  lua_createtable(L, argc - (script + 1), script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* lua.c's pushargs: the script's arguments are arg[1..#arg], read back from the table (which LUA_INIT may have
 * changed). */
static int pushargs(lua_State *L) {
  if (lua_getglobal(L, "arg") != LUA_TTABLE) luaL_error(L, "'arg' is not a table");
  int n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  int i;
  for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -i);
  return n;
}

static int handle_script(lua_State *L, const char *fname) {
  int status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    int n = pushargs(L);
    status = docall(L, n, LUA_MULTRET);
  }
  return report(L, status);
}

/* An argv we cannot become in this state (options before the script): the real lua5.4, same pid. Nothing of the
 * launcher's start changed the environment or a signal disposition. */
static void exec_lua(char **argv) {
  execve(LUA, argv, environ);
  fprintf(stderr, NAME ": cannot exec " LUA ": %s\n", strerror(errno));
  fflush(stderr);
  _exit(127);
}

/* lua.c's pmain, split at the hand-over. The part before it is what a plain `lua5.4 SCRIPT` does before it looks
 * at anything but its options (of which such a command has none). */
static int pmain(lua_State *L) {
  luaL_checkversion(L);
  luaL_openlibs(L);

  /* Ready: the agent hands the program over. The state waits inside this protected call, as pmain runs. */
  for (;;) {
    ssize_t w = write(SOCK_FD, "R", 1);
    if (w == 1) break;
    if (w < 0 && errno == EINTR) continue;
    fail("cannot write R on fd 3");
  }
  size_t len;
  char *message = read_message(&len);
  /* A script's first io.open gets fd 3, as in a plain start. */
  close(SOCK_FD);
  int argc = 0;
  char **argv = split_argv(message, len, &argc);
  if (argv == NULL) fail("the hand-over is not an argv of NUL-terminated strings");
  if (argc < 1 || strcmp(argv[0], PROGNAME) != 0) fail("the hand-over is not `lua5.4 SCRIPT ARGS...`");
  if (argc < 2) fail("the hand-over has no script");
  /* An option where the script would be (interpreterArgs): lua.c's option handling, by lua.c itself. */
  if (argv[1][0] == '-') exec_lua(argv);

  progname = argv[0];
  createargtable(L, argv, argc);
  lua_gc(L, LUA_GCRESTART);
  lua_gc(L, LUA_GCGEN, 0, 0);
  if (handle_luainit(L) != LUA_OK) return 0;
  /* argv (and the message it points into) stays: the `arg` strings are copies, but nothing is gained by freeing
   * it and a plain start's argv lives as long. */
  if (handle_script(L, argv[1]) != LUA_OK) return 0;
  lua_pushboolean(L, 1);
  return 1;
}

int main(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    l_message(progname, "cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  lua_gc(L, LUA_GCSTOP);
  /* lua.c passes argc and argv as pmain's two arguments; two placeholders keep the stack the same. */
  lua_pushcfunction(L, &pmain);
  lua_pushinteger(L, 0);
  lua_pushlightuserdata(L, NULL);
  int status = lua_pcall(L, 2, 1, 0);
  int result = lua_toboolean(L, -1);
  report(L, status);
  lua_close(L);
  return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
