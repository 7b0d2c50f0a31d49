<?php
var_dump(STDIN, STDOUT, STDERR, stream_get_meta_data(STDOUT), (int)STDERR);
$f = fopen(__FILE__, 'r'); var_dump($f, (int)$f);
var_dump(scandir('/proc/self/fd'));
