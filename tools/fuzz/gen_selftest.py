"""The runner's own check (tests/test_fuzz.py): case ``i`` ends by ``i % 6`` in a result, a
segfault, a hang, a 3 GB allocation, a ValueError or an MXNetError."""
import numpy as np


class SelfCase:
    def __init__(self, seed, i):
        self.i = i
        self.desc = ("result", "segfault", "hang", "3 GB", "ValueError", "MXNetError")[i % 6]

    def run(self):
        from mxnet.base import MXNetError
        from .outcome import classify
        k = self.i % 6
        try:
            if k == 1:
                import ctypes
                ctypes.string_at(0)
            elif k == 2:
                import time
                time.sleep(3600)
            elif k == 3:
                np.ones(3 * 2**30, np.uint8)
            elif k == 4:
                raise ValueError("not an MXNetError")
            elif k == 5:
                raise MXNetError("selftest: a clear error")
        except Exception as e:
            return classify(e, ("selftest",))
        return "ok", ""


def make_case(seed, i):
    return SelfCase(seed, i)


def default_count():
    return 6
