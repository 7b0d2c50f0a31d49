console.log(process.stdin.isTTY, process.stdout.isTTY, process.stderr.isTTY, require("tty").isatty(1));
