use POSIX ();
END { print "no END\n" }
print "buffered, lost\n";
POSIX::_exit(6);
