import threading, time
# Each worker waits for the one before it (worker 0 for the main module's end), sleeps and prints: they run after
# the main module has returned, and the interpreter waits for them before it exits.
turn = [threading.Event() for _ in range(4)]
def work(i):
    turn[i].wait()
    time.sleep(0.1)
    print("worker", i)
    turn[i + 1].set()
for i in range(3):
    threading.Thread(target=work, args=(i,)).start()
daemon = threading.Thread(target=lambda: (time.sleep(30), print("daemon must not print")), daemon=True)
daemon.start()
print("main returns")
turn[0].set()
