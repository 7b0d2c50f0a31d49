cat("before\n")
tools::pskill(Sys.getpid(), tools::SIGINT)
Sys.sleep(1)
cat("after interrupt\n")
