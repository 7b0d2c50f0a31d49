<?php
while (($line = fgets(STDIN)) !== false) { echo strlen($line), ':', rtrim($line), "\n"; }
var_dump(feof(STDIN), stream_get_contents(STDIN));
