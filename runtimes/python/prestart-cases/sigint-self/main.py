import os, signal, time
print("waiting")
os.kill(os.getpid(), signal.SIGINT)
time.sleep(5)
