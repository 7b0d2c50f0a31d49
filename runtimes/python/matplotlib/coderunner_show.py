"""A matplotlib backend for runs without a display (MPLBACKEND=module://coderunner_show).

Figures draw with Agg, as with MPLBACKEND=Agg, and plt.show() saves every open figure as out/figure-N.png
(out/ is where CodeRunner picks up a run's files) instead of doing nothing, then closes them, as an
interactive show() would once its windows were closed. A program that uses pyplot finds out/ made, so
plt.savefig("out/plot.png") works as it is.
"""

import os

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase

_shown = 0

try:
    os.makedirs("out", exist_ok=True)
except OSError:
    pass


def show(*args, **kwargs):
    global _shown
    import matplotlib.pyplot as plt

    numbers = plt.get_fignums()
    if not numbers:
        return
    os.makedirs("out", exist_ok=True)
    for number in numbers:
        _shown += 1
        plt.figure(number).savefig(os.path.join("out", f"figure-{_shown}.png"))
    plt.close("all")
