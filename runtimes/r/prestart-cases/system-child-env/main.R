# A child sees the environment in the order the R process has it.
out <- system("env", intern = TRUE)
print(out[!startsWith(out, "R_SESSION_TMPDIR=")])
cat(system2("sh", c("-c", shQuote("echo child of $PPID")), stdout = TRUE) == paste("child of", Sys.getpid()), "\n")
system("echo from the shell; echo to stderr >&2")
print(system("exit 3"))
