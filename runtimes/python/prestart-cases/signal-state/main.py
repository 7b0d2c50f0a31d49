import signal
for line in open("/proc/self/status"):
    if line.startswith(("Sig", "Shd", "NoNewPrivs", "Threads", "Cpus_allowed:", "Uid", "Gid", "Groups", "Cap")):
        print(line, end="")
for s in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGTERM, signal.SIGCHLD):
    print(s.name, signal.getsignal(s))
