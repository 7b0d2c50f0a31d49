cat("FROM_RENVIRON:", Sys.getenv("FROM_RENVIRON"), "\n")
print(.libPaths()[1])
