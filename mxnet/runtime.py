"""``mx.runtime``: which features this mxnext installation actually has.

The names are MXNet 1.9.1's build features; each reports what mxnext can use
here: ``CUDA`` iff CuPy sees a GPU, CPU instruction sets as NumPy detects
them, the BLAS family NumPy was built against, ``DIST_KVSTORE`` iff mpi4py is
importable.  Features mxnext has no counterpart for (cuDNN, NCCL, oneDNN,
TensorRT, ...) are off.
"""
import collections
import importlib.util

__all__ = ["Feature", "Features", "feature_list"]

_NAMES = ("CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT", "CPU_SSE", "CPU_SSE2", "CPU_SSE3", "CPU_SSE4_1",
          "CPU_SSE4_2", "CPU_SSE4A", "CPU_AVX", "CPU_AVX2", "OPENMP", "SSE", "F16C", "JEMALLOC", "BLAS_OPEN",
          "BLAS_ATLAS", "BLAS_MKL", "BLAS_APPLE", "LAPACK", "MKLDNN", "OPENCV", "CAFFE", "PROFILER",
          "DIST_KVSTORE", "CXX14", "INT64_TENSOR_SIZE", "SIGNAL_HANDLER", "DEBUG", "TVM_OP")

# MXNet feature -> NumPy's name for the CPU instruction set
_CPU = {"CPU_SSE": "SSE", "CPU_SSE2": "SSE2", "CPU_SSE3": "SSE3", "CPU_SSE4_1": "SSE41",
        "CPU_SSE4_2": "SSE42", "CPU_AVX": "AVX", "CPU_AVX2": "AVX2", "SSE": "SSE", "F16C": "F16C"}
_BLAS = {"BLAS_OPEN": "openblas", "BLAS_MKL": "mkl", "BLAS_APPLE": "accelerate", "BLAS_ATLAS": "atlas"}


class Feature:
    """One feature: ``name`` and whether it is ``enabled``."""

    __slots__ = ("name", "enabled")

    def __init__(self, name, enabled):
        self.name = name
        self.enabled = bool(enabled)

    def __repr__(self):
        return f"{'✔' if self.enabled else '✖'} {self.name}"


def _has_gpu():
    if importlib.util.find_spec("cupy") is None:
        return False
    from .context import num_gpus
    try:
        return num_gpus() > 0
    except Exception:   # a CuPy without a usable CUDA driver counts as no GPU
        return False


def _cpu_features():
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        from numpy.core._multiarray_umath import __cpu_features__
    return __cpu_features__


def _blas_name():
    import numpy as np
    try:
        return str(np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]).lower()
    except Exception:   # older NumPy without mode='dicts'
        return ""


def _detect():
    cpu = _cpu_features()
    blas = _blas_name()
    on = {"CUDA": _has_gpu(), "LAPACK": True, "PROFILER": True, "INT64_TENSOR_SIZE": True,
          "OPENCV": importlib.util.find_spec("cv2") is not None,
          "DIST_KVSTORE": importlib.util.find_spec("mpi4py") is not None}
    for feat, np_name in _CPU.items():
        on[feat] = bool(cpu.get(np_name, False))
    for feat, key in _BLAS.items():
        on[feat] = key in blas
    return [Feature(n, on.get(n, False)) for n in _NAMES]


def feature_list():
    """All features as a list of ``Feature``."""
    return _detect()


class Features(collections.OrderedDict):
    """The features by name: ``Features()['CUDA'].enabled``, ``Features().is_enabled('cuda')``.

    One instance, as in MXNet: every call returns it.
    """

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
            collections.OrderedDict.__init__(cls._instance, ((f.name, f) for f in _detect()))
        return cls._instance

    def __init__(self):  # filled once, in __new__
        pass

    def __repr__(self):
        return str(list(self.values()))

    def is_enabled(self, feature_name):
        """Whether ``feature_name`` (any case) is on; unknown names raise ``RuntimeError``."""
        name = feature_name.upper()
        if name not in self:
            raise RuntimeError(f"Feature '{name}' is unknown, known features are: {list(self.keys())}")
        return self[name].enabled
