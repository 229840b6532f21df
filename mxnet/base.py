"""Errors, version numbers and the dtype tables shared by every layer."""
import numbers

import numpy as np

__version__ = "1.9.1"          # the MXNet API level implemented
__mxnext_version__ = "0.1.0"   # this distribution's own version
MXNET_VERSION_INT = 10901

numeric_types = (float, int, np.generic)
integer_types = (int, np.integer)
string_types = (str,)
py_str = str


class MXNetError(RuntimeError):
    """The error MXNet raises for bad arguments, shapes, dtypes and files."""


class NotImplementedForSymbol(MXNetError):
    """Raised when an NDArray-only function (asnumpy, backward, ...) is called on a Symbol."""

    def __init__(self, function, alias=None, *args):
        super().__init__()
        self.function = getattr(function, "__name__", str(function))
        self.alias = alias
        self.args = tuple(str(type(a)) for a in args)

    def __str__(self):
        msg = f"Function {self.function}"
        if self.alias:
            msg += f' (namely operator "{self.alias}")'
        if self.args:
            msg += f" with arguments ({', '.join(self.args)})"
        return msg + " is not implemented for Symbol and only available in NDArray."


class NotSupportedForSparseNDArray(MXNetError):
    """Raised for an operation that a sparse array does not support."""


# MXNet's dtype flags, as stored in .params files and symbol JSON ("__dtype__").
try:
    import ml_dtypes as _mld  # optional: gives NumPy a real bfloat16
    _bf16 = np.dtype(_mld.bfloat16)
except ImportError:  # bfloat16 without ml_dtypes is held as raw uint16 bits
    _bf16 = None

DTYPE_TO_FLAG = {
    np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3, np.dtype(np.int32): 4, np.dtype(np.int8): 5,
    np.dtype(np.int64): 6, np.dtype(np.bool_): 7, np.dtype(np.int16): 8,
    np.dtype(np.uint16): 9, np.dtype(np.uint32): 10, np.dtype(np.uint64): 11,
}
FLAG_TO_DTYPE = {v: k for k, v in DTYPE_TO_FLAG.items()}
if _bf16 is not None:
    DTYPE_TO_FLAG[_bf16] = 12
    FLAG_TO_DTYPE[12] = _bf16

_DTYPE_NAMES = {
    "float32": np.float32, "float64": np.float64, "float16": np.float16,
    "uint8": np.uint8, "int8": np.int8, "int32": np.int32, "int64": np.int64,
    "bool": np.bool_, "int16": np.int16, "uint16": np.uint16, "uint32": np.uint32,
    "uint64": np.uint64, "float": np.float32, "double": np.float64, "half": np.float16,
    "real": np.float32,
}

mx_real_t = np.float32


def bfloat16_dtype():
    """NumPy's bfloat16 dtype (needs the optional ml_dtypes package)."""
    if _bf16 is None:
        raise MXNetError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes")
    return _bf16


def np_dtype(dtype, default=None):
    """Normalise an MXNet dtype spec (name, NumPy type, flag-free) to a NumPy dtype."""
    if dtype is None:
        return None if default is None else np.dtype(default)
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, str):
        key = dtype.strip().strip("'\"")
        if key in _DTYPE_NAMES:
            return np.dtype(_DTYPE_NAMES[key])
        if key == "bfloat16":
            return bfloat16_dtype()
        try:
            return np.dtype(key)
        except TypeError as e:
            raise MXNetError(f"unknown dtype {dtype!r}") from e
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise MXNetError(f"unknown dtype {dtype!r}") from e


def dtype_name(dtype):
    """MXNet's name for a dtype (the string symbol JSON and errors use)."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return "bool"
    return dt.name


def is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, bool) or isinstance(x, np.generic)


def check_call(ret):
    """Kept for code that calls it after a C API call; there is no C API here."""
    if ret != 0:
        raise MXNetError(f"call failed with code {ret}")
