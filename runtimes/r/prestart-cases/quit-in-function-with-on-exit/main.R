f <- function() {
  on.exit(cat("on.exit of f\n"))
  cat("in f\n")
  quit(status = 7, runLast = TRUE)
}
.Last <- function() cat(".Last runs\n")
f()
