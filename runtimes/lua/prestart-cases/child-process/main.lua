print(os.execute("exit 3"))
print(os.execute("kill -9 $$"))
print(io.popen("echo from shell"):read("a"))
print(io.popen("exit 5"):close())
