<?php
include "lib.php";
require_once "./lib.php";
$r = include "missing.php";
var_dump($r, greet("you"), get_included_files());
