cat("partial line without newline")
message("to stderr")
q("no")
cat("not reached\n")
