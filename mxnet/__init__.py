"""mxnext: Apache MXNet 1.9's Python API on NumPy (CPU) and CuPy (GPU)."""
from .base import MXNetError, __version__, __mxnext_version__
from . import base
from .context import Context, cpu, gpu, cpu_pinned, current_context, num_gpus, gpu_memory_info
from . import context
from . import autograd
from . import ndarray
from . import ndarray as nd
from .ndarray import NDArray
# MXNet's autograd module exports NDArray (to `from mxnet.autograd import *`); it cannot import it
# itself, since the ndarray package imports autograd first.
autograd.NDArray = NDArray

__all__ = ["MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus",
           "gpu_memory_info", "autograd", "nd", "ndarray", "NDArray", "base", "context", "__version__",
           "__mxnext_version__"]

import importlib as _importlib  # noqa: E402

# Submodules load on first use (PEP 562): `import mxnet` stays fast, and `mx.gluon`,
# `mx.optimizer`, ... work as in MXNet.
_LAZY = {"gluon": "gluon", "optimizer": "optimizer", "opt": "optimizer", "metric": "metric",
         "lr_scheduler": "lr_scheduler", "init": "initializer", "initializer": "initializer",
         "random": "random", "rnd": "random", "io": "io", "recordio": "recordio",
         "test_utils": "test_utils", "kv": "kvstore", "kvstore": "kvstore", "sym": "symbol",
         "symbol": "symbol", "np": "numpy", "npx": "numpy_extension", "numpy": "numpy",
         "numpy_extension": "numpy_extension", "mod": "module", "module": "module", "model": "model",
         "callback": "callback", "profiler": "profiler", "viz": "visualization",
         "visualization": "visualization", "name": "name", "attribute": "attribute", "util": "util",
         "engine": "engine", "runtime": "runtime", "operator": "operator", "contrib": "contrib",
         "image": "image", "img": "image", "monitor": "monitor", "mon": "monitor", "executor": "executor",
         "registry": "registry", "rnn": "rnn", "onnx": "onnx"}


# NumPy-semantics switches MXNet re-exports from mx.util at the top level
_UTIL_NAMES = ("is_np_array", "is_np_shape", "np_array", "np_shape", "set_np_shape", "use_np",
               "use_np_array", "use_np_shape")


def __getattr__(name):
    if name == "AttrScope":
        from .attribute import AttrScope
        return AttrScope
    if name in _UTIL_NAMES:
        from . import util
        return getattr(util, name)
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'mxnet' has no attribute '{name}'")
    try:
        mod = _importlib.import_module(f".{target}", __name__)
    except AttributeError as e:
        # escaping __getattr__, it would read as "cannot import name 'npx' from 'mxnet'" and hide
        # the attribute that is really missing
        raise ImportError(f"importing mxnet.{target} failed: {e}") from e
    globals()[name] = mod
    return mod
