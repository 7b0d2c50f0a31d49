cat("before\n")
total <- undefined_sum(1, 2)
cat("not reached\n")
