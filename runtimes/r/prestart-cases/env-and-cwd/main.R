# The whole environment (R_SESSION_TMPDIR names a fresh random folder in every start), the working directory,
# HOME, the temp dir, the interpreter's state.
e <- Sys.getenv()
e <- e[names(e) != "R_SESSION_TMPDIR"]
for (n in names(e)) cat(n, "=", e[[n]], "\n", sep = "")
cat("getwd:", getwd(), "\n")
cat("tempdir parent:", dirname(tempdir()), "\n")
cat("session tmpdir is tempdir:", Sys.getenv("R_SESSION_TMPDIR") == tempdir(), "\n")
cat("R.home:", R.home(), "\n")
cat("path.expand:", path.expand("~"), "\n")
print(R.version.string)
print(Sys.which("Rscript"))
print(capabilities(c("jpeg", "png", "tcltk", "X11", "cledit")))
print(unname(Sys.info()["user"]))
print(Sys.umask())
print(La_library())
print(extSoftVersion()[c("zlib", "PCRE")])
# The environment the process was exec'd with (the front end's, in its order), not what R added since.
x <- readBin("/proc/self/environ", "raw", 1e6)
x[x == as.raw(0)] <- as.raw(10)
cat(rawToChar(x))
