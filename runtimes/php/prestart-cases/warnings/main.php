<?php
echo "x\n";
echo $nope;
$a = [];
echo $a['k'] ?? 'dflt', "\n";
echo $a['k'];
echo intdiv(7, 2), 10 / 4, "\n";
trigger_error("custom notice", E_USER_NOTICE);
trigger_error("custom deprecated", E_USER_DEPRECATED);
strlen();
