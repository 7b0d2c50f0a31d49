<?php
$env = getenv(); ksort($env); var_dump($env, $_ENV);
foreach (['PATH', 'HOME', 'LANG', 'TMPDIR', 'LD_PRELOAD', 'PWD'] as $k) { echo $k, '=', var_export($_SERVER[$k] ?? null, true), "\n"; }
var_dump(php_ini_loaded_file(), php_ini_scanned_files(), get_loaded_extensions(), get_loaded_extensions(true));
var_dump(ini_get_all(null, false));
var_dump(PHP_CONFIG_FILE_PATH, PHP_CONFIG_FILE_SCAN_DIR, PHP_CLI_PROCESS_TITLE, PHP_VERSION, PHP_OS_FAMILY, setlocale(LC_ALL, 0), date_default_timezone_get());
