cat("bye\n")
quit(status = 3)
cat("not reached\n")
