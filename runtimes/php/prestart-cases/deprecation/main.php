<?php
function f($a = 1, $b) { return $b; }
echo f(1, 2), "\n";
var_dump(error_reporting(), ini_get("display_errors"), ini_get("log_errors"), ini_get("error_log"));
