cat("before\n")
tools::pskill(Sys.getpid(), tools::SIGTERM)
Sys.sleep(5)
cat("not reached\n")
