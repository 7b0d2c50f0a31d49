<?php
var_dump($_SERVER["REQUEST_TIME"] >= time() - 1, abs($_SERVER["REQUEST_TIME_FLOAT"] - microtime(true)) < 0.5, realpath_cache_size() >= 0, array_keys(realpath_cache_get()));
