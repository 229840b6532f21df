"""The CuPy backend for ``mx.gpu(i)``: imported only when a GPU context is used."""
from ..base import MXNetError


class CupyBackend:
    """Array namespace and helpers for one GPU."""

    name = "cupy"

    def __init__(self, device_id):
        try:
            import cupy
        except ImportError as e:
            raise MXNetError(f"gpu({device_id}) needs CuPy: pip install 'mxnext[gpu]'") from e
        n = cupy.cuda.runtime.getDeviceCount() if _has_cuda(cupy) else 0
        if device_id >= n:
            raise MXNetError(f"gpu({device_id}) is not available: {n} GPU(s) visible")
        self.xp = cupy
        self.device_id = device_id
        self.device = cupy.cuda.Device(device_id)
        with self.device:
            self.rng = cupy.random.default_rng(0)

    def seed(self, seed):
        with self.device:
            self.rng = self.xp.random.default_rng(seed)

    def asarray(self, data, dtype=None):
        with self.device:
            return self.xp.array(data, dtype=dtype, copy=True)

    def to_numpy(self, arr):
        return arr.get()

    def empty_cache(self):
        self.xp.get_default_memory_pool().free_all_blocks()

    def memory_info(self, device_id):
        with self.xp.cuda.Device(device_id):
            return self.xp.cuda.runtime.memGetInfo()


def _has_cuda(cupy):
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False
