"""``mx.np.ndarray`` and the array functions of ``mx.np``.

The class subclasses ``NDArray`` (same storage, ``invoke`` and autograd) and overrides what
NumPy semantics change: 0-d results, NumPy indexing (boolean masks, advanced indices),
``repr``, ``dtype`` as a NumPy dtype, promotion in arithmetic, and the NumPy protocols
(``__array_function__``/``__array_ufunc__`` send NumPy calls back to ``mx.np``).
"""
import builtins
import numbers
import re

import numpy as onp

from .. import autograd as _ag
from ..base import MXNetError, np_dtype
from ..backend import get_backend
from ..context import current_context, Context
from ..ndarray.ndarray import NDArray, invoke as _nd_invoke, _check_assign
from ..ops.registry import get_op, Attrs

__all__ = ["ndarray", "array", "empty", "zeros", "ones", "full", "invoke"]


def _ctx_of(ctx):
    if ctx is None:
        return current_context()
    if isinstance(ctx, str):
        return Context(ctx)
    return ctx


def _as_np(x):
    if type(x) is ndarray or x is None:
        return x
    if isinstance(x, NDArray):
        return x.as_np_ndarray()
    if isinstance(x, (list, tuple)):
        return type(x)(_as_np(v) for v in x)
    return x


def invoke(opname, arrays, kwargs=None, out=None, ctx=None, attrs=None):
    """Run registered operator ``opname`` and return ``mx.np`` arrays."""
    op = get_op(opname)
    arrays = [a if isinstance(a, ndarray) else _as_np(a) for a in arrays]
    if out is not None and not isinstance(out, NDArray):
        raise TypeError(f"out must be an mx.np.ndarray, got {type(out).__name__}")
    res = _nd_invoke(op, arrays, kwargs, out=out, ctx=ctx, attrs=attrs)
    return _as_np(res)


def _wrap(data, ctx):
    a = ndarray.__new__(ndarray)
    a._data, a._ctx, a._entry = data, ctx, None
    return a


# NumPy function (or ufunc) -> mx.np function, filled by mxnet.numpy_dispatch_protocol
_NUMPY_ARRAY_FUNCTION_DICT = {}
_NUMPY_ARRAY_UFUNC_DICT = {}

_DTYPE_OMIT = (onp.dtype(onp.float32), onp.dtype(onp.bool_))
_DTYPE_RE = re.compile(r",\s*dtype=[a-z0-9]+\)$")


class ndarray(NDArray):
    """An array with NumPy semantics that lives on an MXNet context."""

    __slots__ = ()

    def __init__(self, shape=None, dtype=onp.float32, ctx=None, buffer=None):
        ctx = _ctx_of(ctx)
        if buffer is not None:
            data = get_backend(ctx).asarray(onp.asarray(buffer), dtype=dtype)
        else:
            data = get_backend(ctx).xp.empty(shape if shape is not None else (), dtype=np_dtype(dtype))
        self._data, self._ctx, self._entry = data, ctx, None

    # -- attributes ---------------------------------------------------------
    @property
    def dtype(self):
        return self._data.dtype

    @property
    def T(self):
        return self.transpose()

    @property
    def grad(self):
        e = self._entry
        return _as_np(e.grad) if isinstance(e, _ag.Leaf) else None

    def attach_grad(self, grad_req="write", stype=None):
        """Allocate a gradient buffer (an mx.np array) and track this array in autograd."""
        if grad_req not in ("write", "add", "null"):
            raise KeyError(grad_req)
        self._entry = _ag.Leaf(_wrap(get_backend(self._ctx).xp.zeros_like(self._data), self._ctx), grad_req)

    def detach(self):
        return _wrap(self._data, self._ctx)

    # -- conversion ---------------------------------------------------------
    def as_nd_ndarray(self):
        """The same data as a legacy ``mx.nd.NDArray`` (shared memory)."""
        a = NDArray.__new__(NDArray)
        a._data, a._ctx, a._entry = self._data, self._ctx, self._entry
        return a

    def as_np_ndarray(self):
        return self

    def item(self, *args):
        return self.asnumpy().item(*args)

    def tolist(self):
        return self.asnumpy().tolist()

    def asscalar(self):
        raise AttributeError("mxnet.numpy.ndarray object has no attribute asscalar")

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        dt = np_dtype(dtype)
        if not copy and self._data.dtype == dt:
            return self
        return invoke("_npi_cast", [self], {"dtype": dt})

    def copy(self, order="C"):
        if order != "C":
            raise NotImplementedError(f"ndarray.copy only supports order='C', while received {order}")
        return invoke("_np_copy", [self])

    def copyto(self, other):
        return _as_np(super().copyto(other))

    def as_in_context(self, context):
        return self if context == self._ctx else self.copyto(context)

    as_in_ctx = as_in_context

    def __repr__(self):
        a = self.asnumpy()
        r = repr(a)
        if a.dtype in _DTYPE_OMIT:
            r = _DTYPE_RE.sub(")", r)
        elif "dtype=" not in r:
            r = r[:-1] + f", dtype={a.dtype.name})"
        if self._ctx.device_typeid == 2:
            r = r[:-1] + f", ctx={self._ctx})"
        return r

    def __str__(self):
        s = str(self.asnumpy())
        return s if self._ctx.device_typeid != 2 else f"{s} @{self._ctx}"

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("Cannot format mxnet.numpy.ndarray with format_spec")
        return str(self)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype.kind not in "iub" or self.size != 1:
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self.item())

    def __bool__(self):
        if self.size == 1:
            return bool(self.item())
        if self.size == 0:
            raise ValueError("The truth value of an empty array is ambiguous.")
        raise ValueError("The truth value of an ndarray with more than one element is ambiguous. "
                         "Use a.any() or a.all()")

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    # -- NumPy protocols ----------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        if isinstance(out, tuple):  # NumPy passes ``out`` as a tuple, one entry per output
            if len(out) != 1:
                raise ValueError("The `out` parameter must have exactly one ndarray")
            kwargs["out"] = out[0]
        if method != "__call__":
            return _fallback(getattr(ufunc, method))(*inputs, **kwargs)
        fn = _NUMPY_ARRAY_UFUNC_DICT.get(ufunc)
        if fn is None:
            from . import _FUNCS
            fn = _FUNCS.get(ufunc.__name__) or _fallback(ufunc)
        return fn(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        fn = _NUMPY_ARRAY_FUNCTION_DICT.get(func)
        if fn is not None:
            # other array types that do not derive from ours get to handle the call themselves
            if not builtins.all(issubclass(t, ndarray) for t in types):
                return NotImplemented
            return fn(*args, **kwargs)
        from . import _FUNCS
        fn = _FUNCS.get(func.__name__)
        if fn is not None and fn is not func:
            return fn(*args, **kwargs)
        return _fallback(func)(*args, **kwargs)

    # -- indexing -----------------------------------------------------------
    def _key(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        out, basic = [], True
        for k in key:
            if isinstance(k, NDArray):
                k = k._data if k._ctx == self._ctx else get_backend(self._ctx).asarray(k.asnumpy())
                if k.dtype.kind == "f":
                    k = k.astype(onp.int64)
                basic = False
            elif isinstance(k, (list, range, onp.ndarray)):
                k = onp.asarray(k)
                k = get_backend(self._ctx).asarray(k.astype(onp.int64) if k.dtype.kind == "f" else k)
                basic = False
            elif isinstance(k, (bool, onp.bool_)):
                basic = False
            elif not (k is None or k is Ellipsis or isinstance(k, (slice, numbers.Integral))):
                raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                                 f"and integer or boolean arrays are valid indices, got {k!r}")
            out.append(k)
        if basic and Ellipsis not in out:
            out.append(Ellipsis)  # keeps a full integer index a 0-d view instead of a scalar
        return tuple(out), basic

    def __getitem__(self, key):
        key, basic = self._key(key)
        if basic and not (_ag._state.recording and self._entry is not None):
            try:
                res = self._data[key]
            except IndexError as e:
                raise IndexError(str(e)) from None
            # MXNet views only a contiguous part of the buffer (x[1:3], x[0, 2:4]); other basic
            # indexing (x[:, 1], x[::2]) gives a new array, which writes do not reach x through
            if not res.flags.c_contiguous:
                res = res.copy()
            return _wrap(res, self._ctx)
        try:
            return invoke("_npi_getitem", [self], attrs=Attrs(key=key))
        except MXNetError as e:
            if isinstance(e.__cause__, IndexError):
                raise IndexError(str(e.__cause__)) from None
            raise

    def __setitem__(self, key, value):
        if _ag._state.recording:
            _check_assign(self, value)
        key, _ = self._key(key)
        if isinstance(value, NDArray):
            v = value._data if value._ctx == self._ctx else get_backend(self._ctx).asarray(value.asnumpy())
        elif isinstance(value, (numbers.Number, onp.generic)):
            v = value
        else:
            v = get_backend(self._ctx).asarray(onp.asarray(value), dtype=self._data.dtype)
        try:
            self._data[key] = v
        except ValueError as e:
            raise ValueError(f"cannot assign a value of shape {getattr(v, 'shape', ())} to index "
                             f"of an array of shape {self.shape}: {e}") from None

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, o):
        return add(self, o)

    def __radd__(self, o):
        return add(o, self)

    def __sub__(self, o):
        return subtract(self, o)

    def __rsub__(self, o):
        return subtract(o, self)

    def __mul__(self, o):
        return multiply(self, o)

    def __rmul__(self, o):
        return multiply(o, self)

    def __truediv__(self, o):
        return true_divide(self, o)

    def __rtruediv__(self, o):
        return true_divide(o, self)

    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __mod__(self, o):
        return mod(self, o)

    def __rmod__(self, o):
        return mod(o, self)

    def __pow__(self, o):
        return power(self, o)

    def __rpow__(self, o):
        return power(o, self)

    def __matmul__(self, o):
        return matmul(self, o)

    def __rmatmul__(self, o):
        return matmul(o, self)

    def __neg__(self):
        return invoke("_npi_negative", [self])

    def __pos__(self):
        return self

    def __abs__(self):
        return invoke("_npi_absolute", [self])

    def __invert__(self):
        return invoke("_npi_bitwise_not", [self])

    def __and__(self, o):
        return _binary("bitwise_and", self, o)

    def __or__(self, o):
        return _binary("bitwise_or", self, o)

    def __xor__(self, o):
        return _binary("bitwise_xor", self, o)

    def __eq__(self, o):
        if o is None:
            return False
        return equal(self, o)

    def __ne__(self, o):
        if o is None:
            return True
        return not_equal(self, o)

    def __gt__(self, o):
        return greater(self, o)

    def __ge__(self, o):
        return greater_equal(self, o)

    def __lt__(self, o):
        return less(self, o)

    def __le__(self, o):
        return less_equal(self, o)

    __hash__ = NDArray.__hash__

    def _inplace(self, fn, o):
        if _ag._state.recording:
            _check_assign(self, o)
        return fn(self, o, out=self)

    def __iadd__(self, o):
        return self._inplace(add, o)

    def __isub__(self, o):
        return self._inplace(subtract, o)

    def __imul__(self, o):
        return self._inplace(multiply, o)

    def __itruediv__(self, o):
        return self._inplace(true_divide, o)

    __idiv__ = __itruediv__

    def __imod__(self, o):
        return self._inplace(mod, o)

    def __ipow__(self, o):
        return self._inplace(power, o)

    # -- methods --------------------------------------------------------------
    def reshape(self, *shape, order="C", **kwargs):
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        if "newshape" in kwargs:
            shape = kwargs.pop("newshape")
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        if kwargs:
            raise TypeError(f"reshape got unexpected arguments {list(kwargs)}")
        return reshape(self, tuple(shape) if not isinstance(shape, int) else (shape,), order=order)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)) or axes == (None,):
            axes = axes[0]
        return transpose(self, tuple(axes) if axes else None)

    def swapaxes(self, axis1, axis2):
        return swapaxes(self, axis1, axis2)

    def flatten(self, order="C"):
        if order != "C":
            raise NotImplementedError(f"only supports C-order, while received {order}")
        return reshape(self, (-1,), order=order)

    def ravel(self, order="C"):
        return reshape(self, (-1,), order=order)

    def squeeze(self, axis=None):
        return squeeze(self, axis)

    def expand_dims(self, axis):
        return expand_dims(self, axis)

    def broadcast_to(self, shape):
        return broadcast_to(self, shape)

    def repeat(self, repeats, axis=None):
        return repeat(self, repeats, axis)

    def tile(self, reps):
        return tile(self, reps)

    def flip(self, axis=None):
        return flip(self, axis)

    def take(self, indices, axis=None, mode="raise"):
        return take(self, indices, axis, mode=mode)

    def clip(self, min=None, max=None, out=None):  # noqa: A002 - NumPy's names
        return clip(self, min, max, out=out)

    def round(self, decimals=0, out=None):
        return around(self, decimals, out=out)

    def dot(self, b, out=None):
        return dot(self, b, out=out)

    def nonzero(self):
        return nonzero(self)

    def sort(self, axis=-1):
        self._data[...] = sort(self, axis)._data

    def argsort(self, axis=-1):
        return argsort(self, axis)

    def split(self, indices_or_sections, axis=0):
        return split(self, indices_or_sections, axis)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return diagonal(self, offset, axis1, axis2)

    def trace(self, offset=0, axis1=0, axis2=1, out=None):
        return trace(self, offset, axis1, axis2, out=out)

    def cumsum(self, axis=None, dtype=None, out=None):
        return cumsum(self, axis, dtype, out=out)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return sum(self, axis, dtype, out, keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return mean(self, axis, dtype, out, keepdims)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        return prod(self, axis, dtype, out, keepdims)

    def max(self, axis=None, out=None, keepdims=False):
        return max(self, axis, out, keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        return min(self, axis, out, keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return std(self, axis, dtype, out, ddof, keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return var(self, axis, dtype, out, ddof, keepdims)

    def argmax(self, axis=None, out=None):
        return argmax(self, axis, out)

    def argmin(self, axis=None, out=None):
        return argmin(self, axis, out)

    def all(self, axis=None, out=None, keepdims=False):
        return all(self, axis, out, keepdims)

    def any(self, axis=None, out=None, keepdims=False):
        return any(self, axis, out, keepdims)

    def zeros_like(self):
        return zeros_like(self)

    def ones_like(self):
        return ones_like(self)


ndarray.__module__ = "mxnet.numpy"  # where users find it, as MXNet prints it

# functions the class methods use; defined in _funcs and bound here on import
from ._funcs import (add, subtract, multiply, true_divide, mod, power, matmul, equal, not_equal,  # noqa: E402
                     greater, greater_equal, less, less_equal, reshape, transpose, swapaxes, squeeze,
                     expand_dims, broadcast_to, repeat, tile, flip, take, clip, around, dot, nonzero, sort,
                     argsort, split, diagonal, trace, cumsum, sum, mean, prod, max, min, std, var, argmax,
                     argmin, all, any, zeros_like, ones_like, _binary, _fallback, array, empty, zeros, ones,
                     full)
