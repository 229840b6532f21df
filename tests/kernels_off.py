"""Running code on the NumPy paths only, for tests that compare the C kernels against them."""
from mxnet.ops import _accel


def numpy_path(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with every C kernel (the direct convolutions included) switched
    off, restoring the setting afterwards."""
    before = _accel.set_jit(False)
    try:
        return fn(*args, **kwargs)
    finally:
        _accel.set_jit(before)
