import util
from shapes import circle
print(util.add(1, 2))
print(util.__file__)
print(circle.__name__, f"{circle.area(2):.2f}")
import shapes
print(shapes.__file__)
