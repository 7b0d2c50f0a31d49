<?php
var_dump(php_ini_loaded_file(), get_loaded_extensions(true), extension_loaded("posix"), ini_get("display_errors"));
