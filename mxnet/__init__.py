"""mxnext: Apache MXNet 1.9's Python API on NumPy (CPU) and CuPy (GPU)."""
from .base import MXNetError, __version__, __mxnext_version__
from . import base
from .context import Context, cpu, gpu, cpu_pinned, current_context, num_gpus, gpu_memory_info
from . import context
from . import autograd
from . import ndarray
from . import ndarray as nd
from .ndarray import NDArray

__all__ = ["MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus",
           "autograd", "nd", "ndarray", "NDArray", "__version__"]
