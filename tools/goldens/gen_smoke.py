"""Smoke goldens for the harness itself: a few elementwise ops."""
import numpy as np

from harness import Goldens

g = Goldens("smoke")
x = g.rng.uniform(0.5, 2, size=(3, 4)).astype(np.float32)
y = g.rng.uniform(0.5, 2, size=(1, 4)).astype(np.float32)
g.case("sin", "sin", [x])
g.case("badd", "broadcast_add", [x, y])
g.case("bmul", "broadcast_mul", [x, y])
g.case("plus_scalar", "_internal._plus_scalar", [x], {"scalar": 2.5})
g.case("reshape", "reshape", [x], {"shape": (2, -1)})
g.save()
