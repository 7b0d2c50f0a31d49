x <- 1
cat("crlf", x, "\n")
y <- "no newline at the end"
cat(y)