x <- "héllo wörld ✓ 日本"
cat(x, "\n")
print(x)
cat(nchar(x), nchar(x, "bytes"), toupper(x), "\n")
print(l10n_info()[c("MBCS", "UTF-8")])
print(Sys.getlocale())
print(format(1234567.891, big.mark = ","))
print(sort(c("b", "A", "a", "B")))
print(Sys.getenv("LANG"))
