lines <- readLines(file("stdin"))
cat(length(lines), "lines\n")
writeLines(rev(lines))
