print "run\n";
BEGIN { print "begin\n" }
INIT { print "init\n" }
CHECK { print "check\n" }
UNITCHECK { print "unitcheck\n" }
END { print "end 1 (\$?=$?)\n" }
END { print "end 2\n"; $? = 4 }
print "phase ${^GLOBAL_PHASE}\n";
exit 9;
