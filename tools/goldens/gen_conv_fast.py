"""Goldens for the convolution and pooling fast paths (shapes that reach the shifted-GEMM
convolution once tests lower its size threshold, and tiling max pools)."""
import numpy as np

from harness import Goldens

g = Goldens("conv_fast")
r = g.rng


def a(*shape):
    return r.normal(size=shape).astype(np.float32)


g.case("shift_3x3_same", "Convolution", [a(2, 8, 6, 6), a(8, 8, 3, 3)],
       {"kernel": (3, 3), "num_filter": 8, "pad": (1, 1), "no_bias": True}, rtol=1e-4, atol=1e-5)
g.case("shift_bias_valid", "Convolution", [a(2, 12, 5, 7), a(16, 12, 3, 3), a(16)],
       {"kernel": (3, 3), "num_filter": 16}, rtol=1e-4, atol=1e-5)
g.case("shift_dil_pad", "Convolution", [a(2, 10, 7, 6), a(9, 10, 3, 2), a(9)],
       {"kernel": (3, 2), "num_filter": 9, "dilate": (2, 1), "pad": (2, 1)}, rtol=1e-4, atol=1e-5)
g.case("shift_1d", "Convolution", [a(3, 8, 9), a(8, 8, 3)],
       {"kernel": (3,), "num_filter": 8, "pad": (1,), "no_bias": True}, rtol=1e-4, atol=1e-5)
g.case("pool_tile_2x2", "Pooling", [a(2, 3, 8, 6)], {"kernel": (2, 2), "stride": (2, 2)})
g.case("pool_tile_2x3_crop", "Pooling", [a(2, 3, 7, 8)], {"kernel": (2, 3), "stride": (2, 3)})
g.case("pool_tile_3d", "Pooling", [a(1, 2, 4, 4, 6)], {"kernel": (2, 1, 3), "stride": (2, 1, 3)})
g.save()
