print(commandArgs())
cat("ran\n")
