"""The NumPy backend: CPU arrays, the CPU random generator, host copies."""
import numpy as np


class NumpyBackend:
    """Array namespace and helpers for CPU contexts."""

    name = "numpy"
    xp = np

    def __init__(self):
        self.rng = np.random.Generator(np.random.MT19937(0))

    def seed(self, seed):
        self.rng = np.random.Generator(np.random.MT19937(seed))

    def asarray(self, data, dtype=None):
        if type(data).__module__.startswith("cupy"):
            data = data.get()
        return np.array(data, dtype=dtype, copy=True)

    def to_numpy(self, arr):
        return arr

    def empty_cache(self):
        pass


NUMPY_BACKEND = NumpyBackend()
