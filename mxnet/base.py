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


class DeferredOpError(MXNetError):
    """An operator failure MXNet reports only when a result is read (its engine runs operators
    asynchronously): the operator raises it with ``result``, the outputs it leaves behind."""

    def __init__(self, msg, result):
        super().__init__(msg)
        self.result = result


class MXNetIndexError(MXNetError, IndexError):
    """An index out of bounds, which MXNet reports as Python's ``IndexError``."""


class MXNetValueError(MXNetError, ValueError):
    """An operator's argument check that MXNet reports as Python's ``ValueError``."""


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


# ---- names MXNet code imports from mxnet.base -------------------------------------------

basestring = str
long = int
# MXNet's Python spelling of its C scalar types; kept because user code passes them to ctypes
import ctypes  # noqa: E402

mx_uint = ctypes.c_uint
mx_int = ctypes.c_int
mx_int64 = ctypes.c_int64
mx_float = ctypes.c_float
mx_float_p = ctypes.POINTER(mx_float)

# MXNet's opaque C handles.  There is no C library here, so these are plain void pointers.
NDArrayHandle = FunctionHandle = OpHandle = CachedOpHandle = SymbolHandle = ctypes.c_void_p
ExecutorHandle = DataIterCreatorHandle = DataIterHandle = KVStoreHandle = ctypes.c_void_p
RecordIOHandle = RtcHandle = CudaModuleHandle = CudaKernelHandle = ctypes.c_void_p
ProfileHandle = DLPackHandle = ctypes.c_void_p

_NP_OP_PREFIX = "_np_"
_NP_OP_SUBMODULE_LIST = ["_random_", "_linalg_"]
_NP_EXT_OP_PREFIX = "_npx_"
_NP_EXT_OP_SUBMODULE_LIST = ["_image_", "_random_"]
_NP_INTERNAL_OP_PREFIX = "_npi_"
_OP_NAME_PREFIX_LIST = ["_contrib_", "_linalg_", "_sparse_", "_image_", "_random_"]


class _NoCLibrary:
    """Stands for MXNet's C library (``_LIB``): mxnext has none, so any use says so."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise MXNetError(f"mxnet.base._LIB.{name}: MXNet's C library does not exist in mxnext; "
                         "use the Python API instead")

    def __repr__(self):
        return "<MXNet C library: not available in mxnext>"


_LIB = _NoCLibrary()


class _NullType:
    """Marks an argument left out (MXNet's ``_Null``), as distinct from an explicit None."""

    __slots__ = ()

    def __repr__(self):
        return "_Null"


_Null = _NullType()


def _as_list(obj):
    """``obj`` itself if it is a list or tuple, else ``[obj]``."""
    if isinstance(obj, (list, tuple)):
        return obj
    return [obj]


def data_dir_default():
    """``%APPDATA%\\mxnet`` on Windows, ``~/.mxnet`` elsewhere."""
    import os
    import platform
    if platform.system() == "Windows":
        return os.path.join(os.environ.get("APPDATA"), "mxnet")
    return os.path.join(os.path.expanduser("~"), ".mxnet")


def data_dir():
    """Where MXNet keeps datasets and models: ``$MXNET_HOME`` or :func:`data_dir_default`."""
    import os
    return os.getenv("MXNET_HOME", data_dir_default())


class classproperty:
    """A read-only property of the class itself."""

    def __init__(self, func):
        self.func = func

    def __get__(self, obj, owner):
        return self.func(owner)


class _MXClassPropertyDescriptor:
    """A class-level property with a setter (used with :class:`_MXClassPropertyMetaClass`)."""

    def __init__(self, fget, fset=None):
        self.fget = fget
        self.fset = fset

    def __get__(self, obj, clas=None):
        if clas is None:
            clas = type(obj)
        return self.fget.__get__(obj, clas)()

    def __set__(self, obj, value):
        if not self.fset:
            raise MXNetError("cannot use the setter: it has not been defined")
        type_ = obj if isinstance(obj, type) else type(obj)
        return self.fset.__get__(obj, type_)(value)

    def setter(self, func):
        if not isinstance(func, (classmethod, staticmethod)):
            func = classmethod(func)
        self.fset = func
        return self


class _MXClassPropertyMetaClass(type):
    def __setattr__(cls, key, value):
        obj = cls.__dict__.get(key)
        if obj and isinstance(obj, _MXClassPropertyDescriptor):
            return obj.__set__(cls, value)
        return super().__setattr__(key, value)


def with_metaclass(meta, *bases):
    """Create a base class with metaclass ``meta`` (the ``six`` idiom MXNet uses)."""
    return meta("_with_metaclass_base", bases or (object,), {})


def c_str(string):
    """A C ``char*`` for a Python string."""
    return ctypes.c_char_p(string.encode("utf-8"))


def c_str_array(strings):
    arr = (ctypes.c_char_p * len(strings))()
    arr[:] = [s.encode("utf-8") for s in strings]
    return arr


def c_array(ctype, values):
    """A ctypes array of ``ctype`` holding ``values``."""
    out = (ctype * len(values))()
    out[:] = values
    return out


def c_array_buf(ctype, buf):
    return (ctype * len(buf)).from_buffer(buf)


def c_handle_array(objs):
    arr = (ctypes.c_void_p * len(objs))()
    arr[:] = [o.handle for o in objs]
    return arr


def ctypes2buffer(cptr, length):
    """Copy ``length`` bytes at a ``char*`` into a bytearray."""
    if not isinstance(cptr, ctypes.POINTER(ctypes.c_char)):
        raise TypeError("expected char pointer")
    res = bytearray(length)
    rptr = (ctypes.c_char * length).from_buffer(res)
    if not ctypes.memmove(rptr, cptr, length):
        raise RuntimeError("memmove failed")
    return res


def ctypes2numpy_shared(cptr, shape):
    """A NumPy float32 array sharing the memory of a ``float*``."""
    if not isinstance(cptr, ctypes.POINTER(mx_float)):
        raise RuntimeError("expected float pointer")
    size = 1
    for s in shape:
        size *= s
    dbuffer = (mx_float * size).from_address(ctypes.addressof(cptr.contents))
    return np.frombuffer(dbuffer, dtype=np.float32).reshape(shape)


def build_param_doc(arg_names, arg_types, arg_descs, remove_dup=True):
    """The "Parameters" section of an operator docstring."""
    param_keys = set()
    param_str = []
    for key, type_info, desc in zip(arg_names, arg_types, arg_descs):
        if key in param_keys and remove_dup:
            continue
        if key == "num_args":
            continue
        param_keys.add(key)
        ret = f"{key} : {type_info}"
        if desc:
            ret += "\n    " + desc
        param_str.append(ret)
    return "Parameters\n----------\n" + "\n".join(param_str) + "\n"


def add_fileline_to_docstring(module, incursive=True):
    """Kept for MXNet code that calls it; docstrings here need no file/line suffix."""
    return None


error_types = {}


def register_error(func_name=None, cls=None):
    """Register an exception class under its name so errors can be raised by that name."""
    if callable(func_name):
        cls, func_name = func_name, func_name.__name__

    def register(mycls):
        error_types[func_name or mycls.__name__] = mycls
        return mycls

    return register(cls) if cls is not None else register


def _find_error_type(message):
    """The registered exception class named at the start of ``message`` (``Name: text``)."""
    head = message.split(":", 1)[0].strip()
    return error_types.get(head, MXNetError)


for _cls in (ValueError, TypeError, AttributeError, IndexError, NotImplementedError, RuntimeError):
    error_types[_cls.__name__] = _cls
del _cls
