r <- tryCatch({
  tools::pskill(Sys.getpid(), tools::SIGINT)
  Sys.sleep(2)
  "no interrupt"
}, interrupt = function(e) "interrupt caught")
print(r)
