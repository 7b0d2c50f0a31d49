$0 = "renamed"
p $0, $PROGRAM_NAME, Process.argv0
Process.setproctitle("t")
p $0
