f <- function(x) { warning("inside f: ", x); x }
cat("one\n")
f(1)
cat("two\n")
for (i in 1:3) warning(paste("loop", i))
cat("three\n")
x <- as.integer("not a number")
warning("top level")
cat("end\n")
