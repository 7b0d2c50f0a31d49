<?php
// The placeholder entry of the pre-started php (README.md). php-prestart-hook.so opens the real entry instead,
// so this runs only if the hook was not loaded; the agent then gets no 'R' and starts the run plainly.
fwrite(STDERR, "php-prestart: php-prestart-hook.so is not loaded\n");
exit(127);
