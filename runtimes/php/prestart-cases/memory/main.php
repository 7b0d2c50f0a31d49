<?php
var_dump(memory_get_usage(), memory_get_usage(true), memory_get_peak_usage(), ini_get("memory_limit"), gc_status()["runs"], count(get_defined_functions()["internal"]), count(get_declared_classes()), count(get_defined_constants()), array_keys($GLOBALS));
