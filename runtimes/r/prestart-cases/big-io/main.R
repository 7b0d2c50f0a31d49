x <- readLines(file("stdin"))
cat(length(x), "lines in\n")
for (i in 1:20000) cat(i, "a line of output to fill the pipe\n")
message("done")
