area <- function(w, h) {
  w * h
}
