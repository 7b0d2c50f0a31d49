print(commandArgs())
print(commandArgs(trailingOnly = TRUE))
