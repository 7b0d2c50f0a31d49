<?php
register_shutdown_function(function () { echo "shutdown 1\n"; });
register_shutdown_function(function () { fwrite(STDERR, "shutdown 2\n"); exit(7); });
class D { function __destruct() { echo "destruct\n"; } }
$d = new D;
echo "main\n";
