print join(" ", map { -t $_ ? "tty" : "notty" } \*STDIN, \*STDOUT, \*STDERR), "\n";
print -p STDIN ? "pipe\n" : "not a pipe\n";
