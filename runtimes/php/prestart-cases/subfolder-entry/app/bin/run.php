<?php
require __DIR__ . '/../lib/util.php';
require_once 'app/lib/util.php';
echo util(), ' ', __FILE__, ' ', $_SERVER['SCRIPT_FILENAME'], ' ', $_SERVER['PHP_SELF'], "\n";
var_dump(get_included_files(), get_include_path(), $argv);
echo file_get_contents('data.txt');
