# The descriptors a program finds open (a plain start holds its --file on fd 3) and the descriptor its first
# file connection gets.
show <- function() {
  for (f in sort(as.integer(list.files("/proc/self/fd"))))
    cat(f, sub("\\[[0-9]+\\]", "[N]", Sys.readlink(file.path("/proc/self/fd", f))), "\n")
}
show()
writeLines("x", "out.txt")
con <- file("out.txt", "r")
cat("connection:", as.integer(con), "\n")
show()
close(con)
