import sys, os
sys.stdout.write("no newline at the end")
os.write(1, b"|raw|")
sys.stdout.write("!")
