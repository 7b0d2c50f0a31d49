<?php
var_dump(__FILE__, $argv, $_SERVER["PHP_SELF"], get_included_files());
