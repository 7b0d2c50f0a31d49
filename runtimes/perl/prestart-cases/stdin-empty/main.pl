my @all = <STDIN>;
print scalar(@all), " lines, ", (defined(getc(STDIN)) ? "more" : "eof"), "\n";
