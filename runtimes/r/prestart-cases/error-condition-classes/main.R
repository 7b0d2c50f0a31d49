r <- tryCatch(stop("inner"), error = function(e) paste("caught:", conditionMessage(e)))
print(r)
withCallingHandlers(
  { warning("w1"); cat("after w1\n") },
  warning = function(w) { cat("handler:", conditionMessage(w), "\n"); invokeRestart("muffleWarning") })
res <- try(log(-1:1), silent = TRUE)
print(res)
e <- simpleCondition("custom msg")
class(e) <- c("myCondition", "condition")
print(tryCatch(signalCondition(e), myCondition = function(c) "custom caught"))
f <- function() stop(structure(class = c("myError", "error", "condition"), list(message = "typed", call = sys.call())))
print(tryCatch(f(), myError = function(e) deparse(conditionCall(e))))
# A long call: R puts the message on a line of its own.
a_function_with_a_rather_long_name <- function(first_argument, second_argument, third_argument) {
  stop("the message is long enough as well")
}
a_function_with_a_rather_long_name(first_argument = 1, second_argument = "two", third_argument = list(3))
