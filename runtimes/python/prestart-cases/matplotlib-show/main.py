import os
import matplotlib
print(matplotlib.get_backend())
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])
plt.show()
print(sorted(os.listdir("out")) if os.path.isdir("out") else "no out/")
