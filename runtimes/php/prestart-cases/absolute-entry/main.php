<?php
var_dump(__FILE__, $argv, $_SERVER["SCRIPT_FILENAME"]);
