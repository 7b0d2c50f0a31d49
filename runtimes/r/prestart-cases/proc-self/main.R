cat(readLines("/proc/self/cmdline", warn = FALSE), "\n")
cat(Sys.readlink("/proc/self/exe"), "\n")
stat <- strsplit(readLines("/proc/self/stat"), " ")[[1]]
cat("pid matches:", Sys.getpid() == as.integer(stat[1]), "\n")
cat("comm:", stat[2], "\n")
