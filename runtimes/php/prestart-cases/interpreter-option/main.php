<?php
var_dump(ini_get("precision"), $argv);
echo 1/3, "\n";
