cat("line one runs\n")
x <- c(1, 2
cat("never\n")
