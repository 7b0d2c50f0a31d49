# Request args become ARGV[1..]; a BEGIN-only program never reads them as input files.
BEGIN {
    line = ARGC - 1
    for (i = 1; i < ARGC; i++)
        line = line " " ARGV[i]
    print line
}
