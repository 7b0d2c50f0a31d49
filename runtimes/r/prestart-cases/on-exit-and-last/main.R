f <- function() {
  on.exit(cat("first on.exit\n"))
  on.exit(cat("second on.exit\n"), add = TRUE)
  cat("body\n")
  invisible(1)
}
f()
.Last <- function() cat(".Last at the end\n")
e <- new.env()
invisible(reg.finalizer(e, function(x) cat("finalizer at exit\n"), onexit = TRUE))
cat("end of script\n")
