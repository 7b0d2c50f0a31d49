cat("wd:", getwd(), "\n")
print(commandArgs())
source("sub/part.R")
cat(part, "\n")
