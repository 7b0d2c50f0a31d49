# stdin() is the console: in a script run with --file it reads the script's own next lines.
x <- scan(n = 3)
10 20 30
cat("scanned:", x, "\n")
y <- readLines(stdin(), n = 2)
line one
line two
print(y)
cat("still here\n")
