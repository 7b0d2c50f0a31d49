/* The PHP side of php-prestart-hook.so: the request argv. do_cli() sets SG(request_info).argv from its own
 * (the launcher's) argv after it opened the entry and before php_request_startup(), which builds $argv, $argc and
 * $_SERVER['argv'] from it; the first thing of the request start that calls out is the SAPI's activate hook
 * (sapi_activate(), before php_hash_environment()), NULL in the CLI. There the plain command's argv goes in, and
 * the hook takes itself out again. php's symbols are looked up at run time: the library links against nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include "php.h"
#include "SAPI.h"

int php_prestart_set_request_argv(int argc, char **argv);

static sapi_module_struct *cli;
static sapi_globals_struct *globals;
static int (*next_activate)(void);
static int request_argc;
static char **request_argv;

static int prestart_activate(void)
{
    globals->request_info.argc = request_argc;
    globals->request_info.argv = request_argv;
    cli->activate = next_activate;
    return next_activate ? next_activate() : SUCCESS;
}

int php_prestart_set_request_argv(int argc, char **argv)
{
    cli = (sapi_module_struct *)dlsym(RTLD_DEFAULT, "sapi_module");
    globals = (sapi_globals_struct *)dlsym(RTLD_DEFAULT, "sapi_globals");
    if (cli == NULL || globals == NULL || cli->name == NULL || strcmp(cli->name, "cli") != 0) {
        return -1;
    }
    request_argc = argc;
    request_argv = argv;
    next_activate = cli->activate;
    cli->activate = prestart_activate;
    return 0;
}
