f <- function(x) {
  if (x > 1) stop("x is too big: ", x)
  x
}
g <- function(y) f(y * 2)
print(f(1))
g(3)
