"""``mx.nd``: NDArray, its creation functions and every registered operator."""
import builtins as _builtins
import sys

import numpy as _np

from .. import ops as _ops  # noqa: F401  (registers every operator)
from ..base import MXNetError, np_dtype, mx_real_t, numeric_types
from ..context import current_context, Context
from ..ops.registry import get_op
from .ndarray import NDArray, invoke, _wrap
from . import register as _register

_top, _internal_funcs, _subs = _register.generate()
_generated_funcs = dict(_internal_funcs)
_generated_funcs.update(_top)
globals().update(_top)

_internal = _register.make_module("mxnet.ndarray._internal", _internal_funcs, "Internal operators.")
op = _register.make_module("mxnet.ndarray.op", _generated_funcs, "Every registered operator.")
sys.modules[__name__ + "._internal"] = _internal
sys.modules[__name__ + ".op"] = op
for _mod, _funcs in _subs.items():
    if _mod in ("random", "sparse"):
        continue  # real modules (random.py, sparse.py), filled in below
    _m = _register.make_module(f"mxnet.ndarray.{_mod}", _funcs, f"mx.nd.{_mod} operators.")
    sys.modules[f"{__name__}.{_mod}"] = _m
    globals()[_mod] = _m
for _mod in ("contrib", "linalg", "image"):
    if _mod not in globals():
        _m = _register.make_module(f"mxnet.ndarray.{_mod}", {}, f"mx.nd.{_mod} operators.")
        sys.modules[f"{__name__}.{_mod}"] = _m
        globals()[_mod] = _m


def _ctx_of(ctx):
    if ctx is None:
        return current_context()
    if isinstance(ctx, str):
        return _register._ctx(ctx)
    if not isinstance(ctx, Context):
        raise MXNetError(f"ctx must be a Context, got {type(ctx).__name__}")
    return ctx


def _is_np_shape():
    from ..util import is_np_shape
    return is_np_shape()


def _shape_arg(shape, fname, known=False):
    """``shape`` as a tuple; ``known``: MXNet's fill operators reject () and 0 (unknown in its shapes)."""
    if isinstance(shape, (int, _np.integer)):
        shape = (int(shape),)
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError:
        raise MXNetError(f"{fname}: shape must be an int or a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise MXNetError(f"{fname}: shape {shape} has a negative dimension")
    if known and (not shape or 0 in shape) and not _is_np_shape():  # np_shape makes () and 0 valid
        raise MXNetError(f"Operator {fname} inferring shapes failed: shape {shape} has an unknown "
                         "(zero) dimension or no dimensions")
    return shape


# -- creation ---------------------------------------------------------------------
def array(source_array, ctx=None, dtype=None):
    """Create an NDArray from any array-like (float32 unless ``dtype`` says otherwise)."""
    if getattr(source_array, "_is_sparse", False) or type(source_array).__module__.startswith("scipy.sparse"):
        return sparse.array(source_array, ctx=ctx, dtype=dtype)
    ctx = _ctx_of(ctx)
    if isinstance(source_array, NDArray):
        dtype = source_array.dtype if dtype is None else dtype
        src = source_array.asnumpy()
    else:
        src = source_array
    dt = np_dtype(dtype) if dtype is not None else _np.dtype(mx_real_t)
    try:
        data = _np.asarray(src, dtype=dt)
    except (TypeError, ValueError) as e:
        raise MXNetError(f"array: cannot convert {type(source_array).__name__} to an NDArray: {e}") from None
    from ..backend import get_backend
    return _wrap(get_backend(ctx).asarray(data, dtype=dt), ctx)


def empty(shape, ctx=None, dtype=None, stype=None):
    """An uninitialised array (zeros here); unlike ``zeros`` it accepts zero-size shapes."""
    if stype not in (None, "default"):
        return sparse.empty(stype, shape, ctx=ctx, dtype=dtype)
    from ..backend import get_backend
    ctx = _ctx_of(ctx)
    dt = np_dtype(dtype, mx_real_t)
    return _wrap(get_backend(ctx).xp.zeros(_shape_arg(shape, "empty"), dtype=dt), ctx)


def zeros(shape, ctx=None, dtype=None, stype=None, **kwargs):
    """An array of zeros."""
    if stype not in (None, "default"):
        return sparse.zeros(stype, shape, ctx=ctx, dtype=dtype, **kwargs)
    return invoke(get_op("_zeros"), [], {"shape": _shape_arg(shape, "_zeros", True),
                                         "dtype": np_dtype(dtype, mx_real_t)}, ctx=_ctx_of(ctx),
                  out=kwargs.get("out"))


def ones(shape, ctx=None, dtype=None, **kwargs):
    """An array of ones."""
    return invoke(get_op("_ones"), [], {"shape": _shape_arg(shape, "_ones", True),
                                        "dtype": np_dtype(dtype, mx_real_t)}, ctx=_ctx_of(ctx),
                  out=kwargs.get("out"))


def full(shape, val, ctx=None, dtype=mx_real_t, out=None):
    """An array filled with ``val``."""
    res = invoke(get_op("_full"), [], {"shape": _shape_arg(shape, "_full", True), "value": val,
                                       "dtype": np_dtype(dtype, mx_real_t)}, ctx=_ctx_of(ctx))
    if out is not None:
        out[:] = res
        return out
    return res


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=mx_real_t):
    """Evenly spaced values within [start, stop)."""
    return invoke(get_op("_arange"), [], {"start": start, "stop": stop, "step": step, "repeat": repeat,
                                          "dtype": np_dtype(dtype, mx_real_t)}, ctx=_ctx_of(ctx))


def linspace(start, stop, num, endpoint=True, ctx=None, dtype=mx_real_t):
    """``num`` evenly spaced values from start to stop."""
    return invoke(get_op("_linspace"), [], {"start": start, "stop": stop, "num": num,
                                            "endpoint": endpoint, "dtype": np_dtype(dtype, mx_real_t)},
                  ctx=_ctx_of(ctx))


def eye(N, M=0, k=0, ctx=None, dtype=None, **kwargs):
    """A 2-D array with ones on the k-th diagonal."""
    return invoke(get_op("_eye"), [], {"N": N, "M": M, "k": k, "dtype": np_dtype(dtype, mx_real_t)},
                  ctx=_ctx_of(ctx))


def waitall():
    """Wait for all pending work (computation here is synchronous); raises the failure of an
    operator that no read has reported yet."""
    from .ndarray import _raise_failure
    _raise_failure()


_ZERO_COPY_DTYPES = frozenset(("int32", "int64", "bool", "uint8", "uint32", "uint64", "float16",
                               "float32", "float64"))


def from_numpy(ndarray, zero_copy=True, array_cls=None):
    """An NDArray (or ``array_cls``) holding a NumPy array's values.

    With ``zero_copy`` it shares the (C-contiguous) memory, and, as MXNet does, the NumPy array
    becomes read-only: writes go through the returned array only.
    """
    if not zero_copy:
        res = array(ndarray, dtype=ndarray.dtype)
        return res if array_cls is None else _wrap(res._data, res._ctx, array_cls)
    if not ndarray.flags.c_contiguous:
        raise ValueError("Only c-contiguous arrays are supported for zero-copy")
    if str(ndarray.dtype) not in _ZERO_COPY_DTYPES:
        raise ValueError(f"{ndarray.dtype} is not supported.")
    ndarray.flags.writeable = False
    return _wrap(_np.asarray(_WritableAlias(ndarray)), current_context(), array_cls)


class _WritableAlias:
    """Presents a (read-only) NumPy array's memory as writable, keeping the array alive."""

    def __init__(self, arr):
        self._arr = arr
        self.__array_interface__ = dict(arr.__array_interface__, data=(arr.ctypes.data, False))


class _Capsule:
    # np.from_dlpack wants a producer object; MXNet hands around the bare PyCapsule
    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, *args, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


def from_dlpack(dlpack):
    """An NDArray sharing memory with a DLPack capsule (or any object with ``__dlpack__``)."""
    if not hasattr(dlpack, "__dlpack__"):
        dlpack = _Capsule(dlpack)
    return _wrap(_np.from_dlpack(dlpack), current_context())


def to_dlpack_for_read(data):
    return data._data.__dlpack__()


to_dlpack_for_write = to_dlpack_for_read
NDArray.to_dlpack_for_read = to_dlpack_for_read
NDArray.to_dlpack_for_write = to_dlpack_for_write


# -- arithmetic helpers with scalar dispatch (MXNet's Python-level functions) -------
def _ufunc(lhs, rhs, arr_op, scalar_op, rscalar_op=None, pyfn=None):
    """MXNet's dispatch: two numbers -> ``pyfn``; one number -> the scalar op; else the array op."""
    if isinstance(lhs, numeric_types) and isinstance(rhs, numeric_types):
        return pyfn(lhs, rhs)
    if isinstance(rhs, numeric_types):
        return invoke(get_op(scalar_op), [lhs], {"scalar": rhs})
    if isinstance(lhs, numeric_types):
        return invoke(get_op(rscalar_op or scalar_op), [rhs], {"scalar": lhs})
    return invoke(get_op(arr_op), [lhs, rhs])


def add(lhs, rhs):
    return _ufunc(lhs, rhs, "broadcast_add", "_plus_scalar", pyfn=lambda a, b: a + b)


def subtract(lhs, rhs):
    return _ufunc(lhs, rhs, "broadcast_sub", "_minus_scalar", "_rminus_scalar", lambda a, b: a - b)


def multiply(lhs, rhs):
    return _ufunc(lhs, rhs, "broadcast_mul", "_mul_scalar", pyfn=lambda a, b: a * b)


def divide(lhs, rhs):
    return _ufunc(lhs, rhs, "broadcast_div", "_div_scalar", "_rdiv_scalar", lambda a, b: a / b)


true_divide = divide


def modulo(lhs, rhs):
    return _ufunc(lhs, rhs, "broadcast_mod", "_mod_scalar", "_rmod_scalar", lambda a, b: a % b)


def power(base, exp):
    return _ufunc(base, exp, "broadcast_power", "_power_scalar", "_rpower_scalar", lambda a, b: a ** b)


def maximum(lhs, rhs):
    # builtins: this module's own ``max``/``min`` are the reduction operators
    return _ufunc(lhs, rhs, "broadcast_maximum", "_maximum_scalar", pyfn=_builtins.max)


def minimum(lhs, rhs):
    return _ufunc(lhs, rhs, "broadcast_minimum", "_minimum_scalar", pyfn=_builtins.min)


def _cmpfn(arr_op, s_op, rs_op, pyfn):
    # two numbers give MXNet's Python ints 1/0
    return lambda lhs, rhs: _ufunc(lhs, rhs, arr_op, s_op, rs_op, lambda a, b: 1 if pyfn(a, b) else 0)


equal = _cmpfn("broadcast_equal", "_equal_scalar", "_equal_scalar", lambda a, b: a == b)
not_equal = _cmpfn("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar", lambda a, b: a != b)
greater = _cmpfn("broadcast_greater", "_greater_scalar", "_lesser_scalar", lambda a, b: a > b)
greater_equal = _cmpfn("broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar",
                       lambda a, b: a >= b)
lesser = _cmpfn("broadcast_lesser", "_lesser_scalar", "_greater_scalar", lambda a, b: a < b)
lesser_equal = _cmpfn("broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar",
                      lambda a, b: a <= b)
logical_and = _cmpfn("broadcast_logical_and", "_logical_and_scalar", "_logical_and_scalar",
                     lambda a, b: bool(a) and bool(b))
logical_or = _cmpfn("broadcast_logical_or", "_logical_or_scalar", "_logical_or_scalar",
                    lambda a, b: bool(a) or bool(b))
logical_xor = _cmpfn("broadcast_logical_xor", "_logical_xor_scalar", "_logical_xor_scalar",
                     lambda a, b: bool(a) != bool(b))


def negative(arr):
    return -arr


def concatenate(arrays, axis=0, always_copy=True):
    """Join arrays along an existing axis (the old Python-level helper)."""
    if not arrays:
        raise MXNetError("concatenate: arrays must not be empty")
    if not always_copy and len(arrays) == 1:
        return arrays[0]
    return invoke(get_op("Concat"), list(arrays), {"dim": axis, "num_args": len(arrays)})


def moveaxis(tensor, source, destination):
    """Move an axis to a new position."""
    nd_ = tensor.ndim

    def axes_of(arg, what):
        axes = list(arg) if isinstance(arg, (list, tuple, range)) else [arg]
        for a in axes:
            if not -nd_ <= a < nd_:
                raise ValueError(f"moveaxis: {what} axis {a} is out of bounds for an array of "
                                 f"dimension {nd_}")
        axes = [a % nd_ for a in axes]
        if len(set(axes)) != len(axes):
            raise ValueError(f"moveaxis: repeated axis in `{what}` argument")
        return axes

    src, dst = axes_of(source, "source"), axes_of(destination, "destination")
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number of elements")
    axes = [a for a in range(nd_) if a not in src]
    for d, s_ in sorted(zip(dst, src)):
        axes.insert(d, s_)
    return tensor.transpose(axes)


def onehot_encode(indices, out):
    """One-hot encode ``indices`` into ``out`` (deprecated MXNet helper)."""
    res = invoke(get_op("one_hot"), [indices], {"depth": out.shape[1], "dtype": out._data.dtype})
    out[:] = res
    return out


def zeros_like(data, **kwargs):  # noqa: F811 - the generated op takes no dtype
    return invoke(get_op("zeros_like"), [data], kwargs)


def ones_like(data, **kwargs):  # noqa: F811
    return invoke(get_op("ones_like"), [data], kwargs)


# -- methods of NDArray that forward to operators ------------------------------------
_METHODS = (
    "abs", "sign", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt",
    "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "degrees", "radians", "floor", "ceil", "round", "rint", "fix",
    "trunc", "relu", "sigmoid", "softmax", "log_softmax", "softmin", "sum", "nansum", "prod",
    "nanprod", "mean", "max", "min", "norm", "argmax", "argmin", "argmax_channel", "clip",
    "one_hot", "pick", "take", "tile", "repeat", "pad", "flip", "sort", "argsort", "topk",
    "swapaxes", "split_v2", "diag", "broadcast_axes", "slice_axis", "slice_like", "space_to_depth",
    "depth_to_space", "shape_array", "size_array", "log_sigmoid", "mish", "erf", "erfinv", "gamma",
    "gammaln",
)


def _method(fname):
    def m(self, *args, **kwargs):
        return _generated_funcs[fname](self, *args, **kwargs)
    m.__name__ = fname
    m.__doc__ = f"Convenience method for ``mx.nd.{fname}(self, ...)``."
    return m


from ..ops.misc_ops import histogram, split_v2  # noqa: E402,F401  (Python-level functions in MXNet)
_generated_funcs["split_v2"] = split_v2

for _name in _METHODS:
    if _name in _generated_funcs and not hasattr(NDArray, _name):
        setattr(NDArray, _name, _method(_name))


from .utils import save, load, load_frombuffer  # noqa: E402,F401
from . import random  # noqa: E402
from . import sparse  # noqa: E402
from . import sparse_grad, sparse_update  # noqa: E402,F401  (sparse gradients and optimizer updates)
# mx.nd.sparse: the _sparse_ operators and the operators that have a sparse form (these names shadow
# builtins such as sum and slice inside sparse.py, which therefore uses builtins.* for them)
for _name, _fn in _subs.get("sparse", {}).items():
    if not hasattr(sparse, _name):
        setattr(sparse, _name, _fn)
for _name in sparse.FRONT_END_OPS:
    _f = _top.get(_name) or _internal_funcs.get(_name)
    if _f is not None and not hasattr(sparse, _name):
        setattr(sparse, _name, _f)
# cast_storage to a sparse type makes a sparse array from dense input: the sparse module's function
cast_storage = op.cast_storage = _internal._sparse_cast_storage = sparse.cast_storage  # noqa: F821
from . import contrib_flow as _contrib_flow  # noqa: E402
_contrib_flow.install(contrib)  # noqa: F821  (contrib is created in the loop above)
from . import contrib_updates as _contrib_updates  # noqa: E402
_contrib_updates.install(contrib)  # noqa: F821
from . import contrib_sampling as _contrib_sampling  # noqa: E402
_contrib_sampling.install(contrib)  # noqa: F821
from . import image_funcs as _image_funcs  # noqa: E402
_image_funcs.install(image)  # noqa: F821
for _name, _fn in _subs.get("random", {}).items():
    if not hasattr(random, _name):
        setattr(random, _name, _fn)

__all__ = ["NDArray", "array", "zeros", "ones", "full", "empty", "arange", "linspace", "eye",
           "waitall", "invoke"] + sorted(_top)


def __getattr__(name):
    # ``F.np`` / ``F.npx`` inside hybrid_forward: the NumPy-interface front ends
    if name == "np":
        from .. import numpy as mod
    elif name == "npx":
        from .. import numpy_extension as mod
    elif name == "CachedOp":
        from ..executor.cached_op import CachedOp as mod
    else:
        raise AttributeError(f"module 'mxnet.ndarray' has no attribute '{name}'")
    globals()[name] = mod
    return mod
