<?php
var_dump(ini_get('output_buffering'), ini_get('implicit_flush'), ob_get_level());
echo "a\n"; fwrite(STDERR, "b\n"); echo "c\n";
ob_start(); echo "buffered\n"; fwrite(STDERR, "e\n"); ob_end_flush();
print "p\n"; file_put_contents('php://stderr', "f\n"); printf("%s\n", 'g');
ob_start(fn($s) => strtoupper($s)); echo "upper at exit\n";
