<?php
var_dump(stream_isatty(STDIN), stream_isatty(STDOUT), posix_isatty(STDERR), posix_isatty(1));
