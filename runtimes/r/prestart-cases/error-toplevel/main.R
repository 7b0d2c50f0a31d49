cat("before\n")
stop("boom")
cat("not reached\n")
