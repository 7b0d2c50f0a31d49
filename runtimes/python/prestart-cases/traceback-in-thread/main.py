import threading
def boom():
    raise ValueError("in thread")
t = threading.Thread(target=boom, name="worker")
t.start(); t.join()
print("joined")
