"""Array backends: NumPy owns CPU memory, CuPy (imported only on first use) owns GPU memory."""
from ..base import MXNetError
from .numpy_backend import NUMPY_BACKEND

_gpu_backends = {}


def get_backend(ctx):
    """The backend that holds arrays of context ``ctx``."""
    if ctx.device_typeid != 2:
        return NUMPY_BACKEND
    be = _gpu_backends.get(ctx.device_id)
    if be is None:
        from .cupy_backend import CupyBackend
        be = _gpu_backends[ctx.device_id] = CupyBackend(ctx.device_id)
    return be


def backend_of_array(arr):
    """The backend whose array type ``arr`` is."""
    if type(arr).__module__.startswith("cupy"):
        return get_backend(_gpu_ctx(arr.device.id))
    return NUMPY_BACKEND


def _gpu_ctx(i):
    from ..context import gpu
    return gpu(i)


__all__ = ["get_backend", "backend_of_array", "NUMPY_BACKEND", "MXNetError"]
