p [$stdin.tty?, $stdout.tty?, $stderr.tty?, STDIN.isatty]
