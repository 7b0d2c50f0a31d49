cat("first\n")
f <- function() {
  cat("body")
