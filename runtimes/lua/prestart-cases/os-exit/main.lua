io.write("buffered ")
print("then exit")
os.exit(7)
