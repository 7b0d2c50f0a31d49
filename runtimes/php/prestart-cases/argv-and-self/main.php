<?php
var_dump($argc, $argv, $_SERVER['argc'], $_SERVER['argv'] === $argv);
foreach (['PHP_SELF', 'SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_TRANSLATED', 'DOCUMENT_ROOT'] as $k) {
    echo $k, '=', $_SERVER[$k], "\n";
}
echo __FILE__, ' ', __DIR__, ' ', __LINE__, "\n";
echo php_sapi_name(), ' ', PHP_SAPI, ' ', PHP_BINARY, "\n";
var_dump(get_included_files(), getcwd());
