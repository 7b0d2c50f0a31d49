const tty = require('tty');
console.log(process.stdout.isTTY, process.stderr.isTTY, process.stdin.isTTY);
console.log(tty.isatty(0), tty.isatty(1), tty.isatty(2), process.stdout.columns, process.stdout.constructor.name);
console.log(process.stdout._type, process.stdin._type ?? process.stdin.constructor.name, process.stdout.writableHighWaterMark);
