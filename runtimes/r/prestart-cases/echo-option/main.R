options(echo = TRUE)
x <- 1 + 1
print(x)
options(echo = FALSE)
cat("quiet again\n")
