more <- function() "more from lib"
