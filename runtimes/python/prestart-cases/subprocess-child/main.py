import subprocess, sys
r = subprocess.run([sys.executable, "-c", "import sys; print('child', sys.argv, sys.flags.optimize)"])
print("parent", r.returncode)
