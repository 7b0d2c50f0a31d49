<?php
pcntl_async_signals(true);
pcntl_signal(SIGUSR1, function ($s) { echo "got $s\n"; });
posix_kill(getmypid(), SIGUSR1);
var_dump(pcntl_signal_get_handler(SIGPIPE), pcntl_signal_get_handler(SIGINT), pcntl_signal_get_handler(SIGTERM));
var_dump(pcntl_sigprocmask(SIG_BLOCK, [SIGUSR2], $old), $old);
