<?php
register_shutdown_function(function () { echo "shutdown: ", error_get_last()['message'] ?? 'none', "\n"; });
echo "before\n";
undefined_function_call();
