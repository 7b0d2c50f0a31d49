a <- commandArgs()
print(a)
print(commandArgs(trailingOnly = TRUE))
cat(length(commandArgs(TRUE)), "\n")
