# The libraries courses use: numpy, pandas, scipy, and matplotlib writing a PNG without a display.
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

values = np.array([1.0, 2.0, 3.0, 4.0])
frame = pd.DataFrame({"x": values, "y": values ** 2})
print(int(frame["y"].sum()), round(float(stats.pearsonr(frame["x"], frame["y"])[0]), 3))
plt.plot(frame["x"], frame["y"])
plt.savefig("plot.png")
with open("plot.png", "rb") as f:
    print(f.read(8) == b"\x89PNG\r\n\x1a\n", os.path.getsize("plot.png") > 1000)
