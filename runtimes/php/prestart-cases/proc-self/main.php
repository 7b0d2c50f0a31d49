<?php
var_dump(str_replace("\0", " ", file_get_contents("/proc/self/cmdline")), readlink("/proc/self/exe"), str_contains(file_get_contents("/proc/self/environ"), "LD_PRELOAD"), str_contains(file_get_contents("/proc/self/maps"), "php-prestart"));
