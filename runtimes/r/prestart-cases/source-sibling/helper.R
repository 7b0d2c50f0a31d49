helper <- function(x) x * 21
