args <- commandArgs(trailingOnly = TRUE)
cat(paste(c(length(args), args), collapse = " "), "\n", sep = "")
