"""The array functions of ``mx.np``: thin front ends over the ``_np*`` operators."""
import builtins
import numbers

import numpy as onp

from ..base import MXNetError, np_dtype
from ..util import check_np_ufunc_kwargs
from ..backend import get_backend
from ..context import current_context
from ..ndarray.ndarray import NDArray
from .multiarray import ndarray, invoke, _wrap, _ctx_of

_pymax, _pymin, _pysum, _pyall, _pyany = builtins.max, builtins.min, builtins.sum, builtins.all, builtins.any
_SCALARS = (numbers.Number, onp.generic)


def _is_scalar(x):
    return isinstance(x, _SCALARS) and not isinstance(x, onp.ndarray)


def _ctx_str(ctx):
    return str(_ctx_of(ctx))


def _to_nd(x, ctx=None):
    """An mx.np array for an operand (NumPy arrays and lists are copied in)."""
    if isinstance(x, ndarray):
        return x
    if isinstance(x, NDArray):
        return x.as_np_ndarray()
    return array(x, ctx=ctx)


# -- creation -------------------------------------------------------------------------------
def array(object, dtype=None, ctx=None):  # noqa: A002 - NumPy's name
    """An array from data; Python lists default to float32, NumPy arrays keep their dtype."""
    ctx = _ctx_of(ctx)
    if isinstance(object, NDArray):
        if dtype is None:
            dtype = object.dtype
        src = object.asnumpy() if object._ctx != ctx else object._data
        return _wrap(get_backend(ctx).xp.array(src, dtype=np_dtype(dtype), copy=True), ctx)
    if dtype is None:
        dtype = object.dtype if isinstance(object, onp.ndarray) else onp.float32
    try:
        data = onp.array(object, dtype=np_dtype(dtype))
    except OverflowError:
        # Python ints out of the dtype's range wrap around, as NumPy 1.x (MXNet's) casts them
        data = onp.array(object).astype(np_dtype(dtype))
    return _wrap(get_backend(ctx).asarray(data), ctx)


def _shape(shape):
    return (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)


def _dtype_or(dtype, default=onp.float32):
    return np_dtype(dtype if dtype is not None else default)


def _c_order(name, order):
    if order != "C":
        raise NotImplementedError(f"`{name}` only supports order equal to `C`, while received {order}")


def empty(shape, dtype=float, order="C", ctx=None):
    _c_order("empty", order)
    return zeros(shape, onp.float32 if dtype is float else dtype, order, ctx)


def zeros(shape, dtype=None, order="C", ctx=None):
    _c_order("zeros", order)
    return invoke("_npi_zeros", [], {"shape": _shape(shape), "ctx": _ctx_str(ctx),
                                      "dtype": _dtype_or(dtype)}, ctx=_ctx_of(ctx))


def ones(shape, dtype=None, order="C", ctx=None):
    _c_order("ones", order)
    return invoke("_npi_ones", [], {"shape": _shape(shape), "ctx": _ctx_str(ctx),
                                     "dtype": _dtype_or(dtype)}, ctx=_ctx_of(ctx))


def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None):
    _c_order("full", order)
    if isinstance(fill_value, NDArray):
        return broadcast_to(fill_value.astype(dtype) if dtype else fill_value, _shape(shape)).copy()
    return invoke("_npi_full", [], {"shape": _shape(shape), "ctx": _ctx_str(ctx), "dtype": _dtype_or(dtype),
                                     "value": float(fill_value)}, ctx=_ctx_of(ctx), out=out)


def zeros_like(a, dtype=None, order="C", ctx=None, out=None):
    _c_order("zeros_like", order)
    return full_like(a, 0, dtype, order, ctx, out)


def ones_like(a, dtype=None, order="C", ctx=None, out=None):
    _c_order("ones_like", order)
    return full_like(a, 1, dtype, order, ctx, out)


def empty_like(prototype, dtype=None, order="C", subok=False, shape=None):
    _c_order("empty_like", order)
    return full_like(prototype, 0, dtype)


def full_like(a, fill_value, dtype=None, order="C", ctx=None, out=None):
    _c_order("full_like", order)
    return invoke("_npi_full_like", [_to_nd(a)], {"fill_value": float(fill_value), "dtype": dtype}, out=out)


def identity(n, dtype=None, ctx=None):
    return invoke("_npi_identity", [], {"shape": (n, n), "ctx": _ctx_str(ctx), "dtype": _dtype_or(dtype)},
                  ctx=_ctx_of(ctx))


def eye(N, M=None, k=0, dtype=float, ctx=None, **kwargs):
    dtype = onp.float32 if dtype is float else dtype
    return invoke("_npi_eye", [], {"N": N, "M": M, "k": k, "ctx": _ctx_str(ctx), "dtype": _dtype_or(dtype)},
                  ctx=_ctx_of(ctx))


def arange(start, stop=None, step=1, dtype=None, ctx=None):
    """Evenly spaced values; float32 unless ``dtype`` says otherwise."""
    if step is None:
        step = 1
    # 0-d arrays are accepted as bounds, as NumPy does
    start, stop, step = (v.item() if hasattr(v, "item") and getattr(v, "ndim", 1) == 0 else v
                         for v in (start, stop, step))
    if step == 0:
        raise ZeroDivisionError("step cannot be 0")
    return invoke("_npi_arange", [], {"start": start, "stop": stop, "step": step, "ctx": _ctx_str(ctx),
                                       "dtype": _dtype_or(dtype)}, ctx=_ctx_of(ctx))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, ctx=None):
    if axis != 0:
        raise NotImplementedError("linspace: only axis=0 is supported")
    r = invoke("_npi_linspace", [], {"start": start, "stop": stop, "num": num, "endpoint": endpoint,
                                      "ctx": _ctx_str(ctx), "dtype": _dtype_or(dtype)}, ctx=_ctx_of(ctx))
    if retstep:
        return r, (stop - start) / _pymax(num - 1 if endpoint else num, 1)
    return r


def meshgrid(*xi, **kwargs):
    indexing = kwargs.get("indexing", "xy")
    sparse = kwargs.get("sparse", False)
    xs = [_to_nd(x).reshape(-1) for x in xi]
    n = len(xs)
    outs = []
    for i, x in enumerate(xs):
        shape = [1] * n
        shape[i] = -1
        if indexing == "xy" and n >= 2 and i < 2:
            shape[i] = 1
            shape[1 - i] = -1
        outs.append(x.reshape(tuple(shape)))
    if sparse:
        return outs
    full_shape = onp.broadcast_shapes(*[o.shape for o in outs])
    return [broadcast_to(o, full_shape) for o in outs]


def tril(m, k=0):
    return invoke("_npi_tril", [_to_nd(m)], {"k": k, "lower": True})


def triu(m, k=0):
    return invoke("_npi_tril", [_to_nd(m)], {"k": k, "lower": False})


# -- elementwise ------------------------------------------------------------------------------
_REVERSE = {"subtract": "rsubtract", "true_divide": "rtrue_divide", "mod": "rmod", "power": "rpower",
            "arctan2": "rarctan2", "copysign": "rcopysign", "ldexp": "rldexp"}
_FLIP_CMP = {"greater": "less", "less": "greater", "greater_equal": "less_equal", "less_equal": "greater_equal"}


def _binary(name, x1, x2, out=None):
    """Dispatch a binary ufunc to its array-array or array-scalar operator."""
    for x in (x1, x2):
        if isinstance(x, NDArray) and not isinstance(x, ndarray):
            # MXNet refuses to mix legacy NDArrays into mx.np arithmetic
            raise TypeError(f"type {type(x)} not supported")
    s1, s2 = _is_scalar(x1), _is_scalar(x2)
    if s1 and s2:
        return getattr(onp, name)(x1, x2)
    if s2 or s1:
        arr, s = (x1, x2) if s2 else (x2, x1)
        arr = _to_nd(arr)
        opname = name
        if s1:
            opname = _REVERSE.get(name, _FLIP_CMP.get(name, name))
        s = s.item() if isinstance(s, onp.generic) else s
        return invoke(f"_npi_{opname}_scalar", [arr], {"scalar": float(s),
                                                       "is_int": isinstance(s, numbers.Integral)}, out=out)
    a = _to_nd(x1)
    b = _to_nd(x2, a._ctx)
    return invoke(f"_npi_{name}", [a, b], out=out)


def _make_binary(name):
    def fn(x1, x2, out=None, **kwargs):
        if kwargs:
            check_np_ufunc_kwargs(name, kwargs)
        return _binary(name, x1, x2, out)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} with NumPy broadcasting."
    return fn


_BINARY = ("add", "subtract", "multiply", "true_divide", "mod", "power", "maximum", "minimum", "hypot",
           "arctan2", "copysign", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
           "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "lcm")
for _n in _BINARY:
    globals()[_n] = _make_binary(_n)
divide = true_divide  # noqa: F821 - defined just above
remainder = mod  # noqa: F821
add, subtract, multiply, true_divide, mod, power = (globals()[n] for n in _BINARY[:6])
maximum, minimum, hypot, arctan2, copysign = (globals()[n] for n in _BINARY[6:11])
equal, not_equal, greater, greater_equal, less, less_equal = (globals()[n] for n in _BINARY[11:17])
logical_and, logical_or, logical_xor, bitwise_and, bitwise_or, bitwise_xor, lcm = \
    (globals()[n] for n in _BINARY[17:])


# unary functions with a boolean result
_PREDICATES = ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "logical_not")


def _make_unary(name, opname):
    def fn(x, out=None, **kwargs):
        if kwargs:
            check_np_ufunc_kwargs(name, kwargs)
        if _is_scalar(x):
            return getattr(onp, name)(x)
        if out is not None and name in _PREDICATES and out.dtype != onp.bool_:
            raise TypeError(f"{name}: out must be a boolean array, got {out.dtype}")
        return invoke(opname, [_to_nd(x)], out=out)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}."
    return fn


_UNARY = ("negative", "abs", "absolute", "sign", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt",
          "cbrt", "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
          "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians", "floor", "ceil", "rint", "trunc",
          "fix", "logical_not", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "bitwise_not")
for _n in _UNARY:
    globals()[_n] = _make_unary(_n, f"_npi_{_n}")
rad2deg, deg2rad, invert = globals()["degrees"], globals()["radians"], globals()["bitwise_not"]
fabs = globals()["abs"]


def positive(x, out=None, **kwargs):
    return _to_nd(x).copy()


def around(x, decimals=0, out=None, **kwargs):
    return invoke("_npi_around", [_to_nd(x)], {"decimals": decimals}, out=out)


round = round_ = around  # noqa: A001 - NumPy's names


def clip(a, a_min=None, a_max=None, out=None):
    if a_min is None and a_max is None:
        raise ValueError("array_clip: must set either max or min")
    return invoke("_npi_clip", [_to_nd(a)], {"a_min": a_min, "a_max": a_max}, out=out)


def where(condition, x=None, y=None):
    """Elements of x where condition holds, else of y; with one argument, ``nonzero``."""
    if x is None and y is None:
        return nonzero(condition)
    c = _to_nd(condition)
    if _is_scalar(x) and _is_scalar(y):
        return invoke("_npi_where_scalar2", [c], {"x": x, "y": y})
    if _is_scalar(y):
        return invoke("_npi_where_rscalar", [c, _to_nd(x)], {"scalar": y})
    if _is_scalar(x):
        return invoke("_npi_where_lscalar", [c, _to_nd(y)], {"scalar": x})
    return invoke("_npi_where", [c, _to_nd(x), _to_nd(y)])


# -- reductions ---------------------------------------------------------------------------
def _red(opname, a, out, **kw):
    return invoke(opname, [_to_nd(a)], kw, out=out)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, **kwargs):  # noqa: A001
    return _red("_np_sum", a, out, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    return _red("_npi_mean", a, out, axis=axis, dtype=dtype, keepdims=keepdims)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, **kwargs):
    return _red("_np_prod", a, out, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial)


product = prod


def max(a, axis=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    return _red("_np_max", a, out, axis=axis, keepdims=keepdims)


def min(a, axis=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    return _red("_np_min", a, out, axis=axis, keepdims=keepdims)


amax, amin = max, min


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    return _red("_npi_std", a, out, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    return _red("_npi_var", a, out, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)


def argmax(a, axis=None, out=None):
    return _red("_npi_argmax", a, out, axis=axis)


def argmin(a, axis=None, out=None):
    return _red("_npi_argmin", a, out, axis=axis)


def all(a, axis=None, out=None, keepdims=False):  # noqa: A001
    return _red("_np_all", a, out, axis=axis, keepdims=keepdims)


def any(a, axis=None, out=None, keepdims=False):  # noqa: A001
    return _red("_np_any", a, out, axis=axis, keepdims=keepdims)


def cumsum(a, axis=None, dtype=None, out=None):
    return _red("_np_cumsum", a, out, axis=axis, dtype=dtype)


def average(a, axis=None, weights=None, returned=False, out=None):
    a = _to_nd(a)
    if weights is None:
        avg = mean(a, axis)
        wsum = full_like(avg, a.size / _pymax(avg.size, 1))
    else:
        w = _to_nd(weights)
        if w.shape != a.shape:
            shape = [1] * a.ndim
            shape[axis] = -1
            w = w.reshape(tuple(shape))
        wsum = sum(broadcast_to(w, a.shape), axis)
        avg = sum(a * w, axis) / wsum
    return (avg, wsum) if returned else avg


# -- shapes -------------------------------------------------------------------------------
def reshape(a, newshape, order="C"):
    newshape = (newshape,) if isinstance(newshape, numbers.Integral) else tuple(newshape)
    if _pysum(1 for d in newshape if d == -1) > 1:
        raise MXNetError("reshape: can only specify one unknown dimension (-1)")
    return invoke("_np_reshape", [_to_nd(a)], {"newshape": newshape, "order": order})


def ravel(x, order="C"):
    _c_order("ravel", order)
    return reshape(x, (-1,), order)


def transpose(a, axes=None):
    if axes is not None:
        a = _to_nd(a)
        # repeated axes raise ValueError (as in MXNet); out-of-range ones MXNetError from the operator
        if _pyall(-a.ndim <= ax < a.ndim for ax in axes) and len({ax % a.ndim for ax in axes}) != len(axes):
            raise ValueError(f"transpose: repeated axis in {tuple(axes)}")
    return invoke("_np_transpose", [_to_nd(a)], {"axes": tuple(axes) if axes is not None else None})


def swapaxes(a, axis1, axis2):
    return invoke("_npi_swapaxes", [_to_nd(a)], {"dim1": axis1, "dim2": axis2})


def moveaxis(a, source, destination):
    return invoke("_np_moveaxis", [_to_nd(a)], {"source": source, "destination": destination})


def rollaxis(a, axis, start=0):
    a = _to_nd(a)
    axis %= a.ndim
    start = start + a.ndim if start < 0 else start
    return moveaxis(a, axis, start - 1 if start > axis else start)


def expand_dims(a, axis):
    return invoke("_npi_expand_dims", [_to_nd(a)], {"axis": axis})


def squeeze(x, axis=None):
    return invoke("_np_squeeze", [_to_nd(x)], {"axis": axis})


def broadcast_to(array, shape):  # noqa: A002
    return invoke("_npi_broadcast_to", [_to_nd(array)], {"shape": _shape(shape)})


def broadcast_arrays(*args):
    arrs = [_to_nd(a) for a in args]
    shape = onp.broadcast_shapes(*[a.shape for a in arrs])
    return [broadcast_to(a, shape) for a in arrs]


def tile(A, reps):
    return invoke("_npi_tile", [_to_nd(A)], {"reps": _shape(reps)})


def repeat(a, repeats, axis=None):
    if not isinstance(repeats, numbers.Integral):
        raise NotImplementedError("repeat: only an integer repeats is supported (as in MXNet 1.9.1)")
    return invoke("_np_repeat", [_to_nd(a)], {"repeats": repeats, "axis": axis})


def flip(m, axis=None, out=None):
    return invoke("_npi_flip", [_to_nd(m)], {"axis": axis}, out=out)


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    return invoke("_np_roll", [_to_nd(a)], {"shift": shift, "axis": axis})


def rot90(m, k=1, axes=(0, 1)):
    return invoke("_npi_rot90", [_to_nd(m)], {"k": k, "axes": tuple(axes)})


def diagonal(a, offset=0, axis1=0, axis2=1):
    return invoke("_np_diagonal", [_to_nd(a)], {"offset": offset, "axis1": axis1, "axis2": axis2})


def trace(a, offset=0, axis1=0, axis2=1, out=None):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, out=out)


def take(a, indices, axis=None, mode="raise", out=None):
    if mode not in ("raise", "clip", "wrap"):
        raise ValueError(f"take: mode must be 'raise', 'clip' or 'wrap', got {mode!r}")
    # MXNet's take clips out-of-range indices instead of raising
    return invoke("_npi_take", [_to_nd(a), _to_nd(indices)],
                  {"axis": axis, "mode": "wrap" if mode == "wrap" else "clip"}, out=out)


def _join(opname, seq, axis=0, out=None):
    arrs = [_to_nd(a) for a in seq]
    if not arrs:
        raise ValueError("need at least one array to concatenate")
    kw = {"num_args": len(arrs)}
    if axis is not None:
        kw["axis"] = axis
    else:
        arrs = [a.reshape(-1) for a in arrs]
        kw["axis"] = 0
    return invoke(opname, arrs, kw, out=out)


def concatenate(seq, axis=0, out=None):
    return _join("_npi_concatenate", seq, axis, out)


def append(arr, values, axis=None):
    return concatenate([arr, values], axis)


def stack(arrays, axis=0, out=None):
    return _join("_npi_stack", arrays, axis, out)


def vstack(arrays, out=None):
    return _join("_npi_vstack", arrays, 0, out)


row_stack = vstack


def hstack(arrays):
    return _join("_npi_hstack", arrays)


def dstack(arrays):
    return _join("_npi_dstack", arrays)


def column_stack(tup):
    return _join("_npi_column_stack", tup)


def split(ary, indices_or_sections, axis=0):
    a = _to_nd(ary)
    if isinstance(indices_or_sections, numbers.Integral):
        if a.shape[axis] % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        kw = {"sections": indices_or_sections}
    else:
        kw = {"indices": (0,) + tuple(indices_or_sections)}
    res = invoke("_npi_split", [a], dict(kw, axis=axis))
    return list(res) if isinstance(res, (list, tuple)) else [res]


def array_split(ary, indices_or_sections, axis=0):
    a = _to_nd(ary)
    if isinstance(indices_or_sections, numbers.Integral):
        n, k = a.shape[axis], indices_or_sections
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        indices_or_sections = list(onp.cumsum(sizes)[:-1])
    res = invoke("_npi_split", [a], {"indices": (0,) + tuple(int(i) for i in indices_or_sections),
                                     "axis": axis})
    return list(res) if isinstance(res, (list, tuple)) else [res]


def _split_min_ndim(name, ary, ndim):
    a = _to_nd(ary)
    if a.ndim < ndim:
        raise ValueError(f"{name} only works on arrays of {ndim} or more dimensions")
    return a


def hsplit(ary, indices_or_sections):
    a = _split_min_ndim("hsplit", ary, 1)
    return split(a, indices_or_sections, 1 if a.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    return split(_split_min_ndim("vsplit", ary, 2), indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    return split(_split_min_ndim("dsplit", ary, 3), indices_or_sections, 2)


def atleast_1d(*arys):
    res = [_to_nd(a).reshape(-1) if _to_nd(a).ndim == 0 else _to_nd(a) for a in arys]
    return res[0] if len(res) == 1 else res


def atleast_2d(*arys):
    res = []
    for a in arys:
        a = _to_nd(a)
        res.append(a.reshape(1, -1) if a.ndim < 2 else a)
    return res[0] if len(res) == 1 else res


def atleast_3d(*arys):
    res = []
    for a in arys:
        a = _to_nd(a)
        res.append(a.reshape(1, -1, 1) if a.ndim < 2 else a[..., None] if a.ndim == 2 else a)
    return res[0] if len(res) == 1 else res


# -- products -------------------------------------------------------------------------------
def dot(a, b, out=None):
    return invoke("_np_dot", [_to_nd(a), _to_nd(b)], out=out)


def matmul(a, b, out=None, **kwargs):
    return invoke("_npi_matmul", [_to_nd(a), _to_nd(b)], out=out)


def tensordot(a, b, axes=2):
    if isinstance(axes, numbers.Integral):
        return invoke("_npi_tensordot_int_axes", [_to_nd(a), _to_nd(b)], {"axes": axes})
    aa, ba = axes
    aa = (aa,) if isinstance(aa, numbers.Integral) else tuple(aa)
    ba = (ba,) if isinstance(ba, numbers.Integral) else tuple(ba)
    return invoke("_npi_tensordot", [_to_nd(a), _to_nd(b)], {"a_axes_summed": aa, "b_axes_summed": ba})


def einsum(*operands, **kwargs):
    subscripts, arrs = operands[0], [_to_nd(a) for a in operands[1:]]
    return invoke("_npi_einsum", arrs, {"subscripts": subscripts, "num_args": len(arrs),
                                         "optimize": int(bool(kwargs.get("optimize", False)))},
                  out=kwargs.get("out"))


def inner(a, b):
    return tensordot(a, b, ([-1], [-1]))


def outer(a, b):
    return multiply(ravel(a).reshape(-1, 1), ravel(b).reshape(1, -1))


def vdot(a, b):
    return dot(ravel(a), ravel(b))


def kron(a, b):
    a, b = _to_nd(a), _to_nd(b)
    # interleave the axes: a on the even positions, b on the odd ones, then merge each pair
    out = multiply(a.reshape(tuple(d for s in a.shape for d in (s, 1))),
                   b.reshape(tuple(d for s in b.shape for d in (1, s))))
    return out.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))


# -- sorting, searching, sets ---------------------------------------------------------------------
def sort(a, axis=-1, kind=None, order=None):
    return invoke("_npi_sort", [_to_nd(a)], {"axis": axis})


def argsort(a, axis=-1, kind=None, order=None):
    return invoke("_npi_argsort", [_to_nd(a)], {"axis": axis, "dtype": onp.int64})


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    res = invoke("_npi_unique", [_to_nd(ar)], {"return_index": return_index, "return_inverse": return_inverse,
                                                "return_counts": return_counts, "axis": axis})
    return tuple(res) if isinstance(res, list) else res


def nonzero(a):
    idx = invoke("_npi_nonzero", [_to_nd(a)])
    return tuple(idx[:, i] for i in range(idx.shape[1]))


def argwhere(a):
    return invoke("_npi_nonzero", [_to_nd(a)])


def flatnonzero(a):
    return nonzero(ravel(a))[0]


def count_nonzero(a, axis=None):
    return sum(not_equal(a, 0), axis=axis)


# -- comparisons returning Python values ------------------------------------------------------------
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(onp.allclose(_np(a), _np(b), rtol, atol, equal_nan))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return array(onp.isclose(_np(a), _np(b), rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    return _wrap_out(onp.array_equal(_np(a1), _np(a2)))


def shape(a):
    return _to_nd(a).shape


def size(a, axis=None):
    a = _to_nd(a)
    return a.size if axis is None else a.shape[axis]


def ndim(a):
    return _to_nd(a).ndim


def copy(a):
    return _to_nd(a).copy()


# -- NumPy fallback -----------------------------------------------------------------------------
def _np(x):
    if isinstance(x, NDArray):
        return x.asnumpy()
    if isinstance(x, (list, tuple)):
        return type(x)(_np(v) for v in x)
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    return x


def _wrap_out(r):
    if isinstance(r, onp.ndarray):
        return array(r, dtype=r.dtype)
    if isinstance(r, onp.generic):
        return array(r, dtype=r.dtype)
    if isinstance(r, tuple) and hasattr(r, "_fields"):
        # NumPy 2 returns named tuples (QRResult, SlogdetResult, ...); NumPy 1.x plain tuples
        return tuple(_wrap_out(v) for v in r)
    if isinstance(r, (tuple, list)):
        return type(r)(_wrap_out(v) for v in r)
    return r


def shares_memory(a, b, max_work=None):
    """Whether arrays ``a`` and ``b`` use some of the same memory."""
    return _overlap("shares_memory", a, b, max_work)


def may_share_memory(a, b, max_work=None):
    """Whether arrays ``a`` and ``b`` might use some of the same memory (bounds only)."""
    return _overlap("may_share_memory", a, b, max_work)


def _overlap(name, a, b, max_work):
    ctx = next((x._ctx for x in (a, b) if isinstance(x, NDArray)), current_context())
    a, b = (x._data if isinstance(x, NDArray) else x for x in (a, b))
    if type(a) is not type(b):  # a host array and a device array never overlap
        return False
    return bool(getattr(get_backend(ctx).xp, name)(a, b, max_work=max_work))


def _fallback(func):
    """Run a NumPy function on host copies and return mx.np arrays (no gradient), as MXNet's
    own fallback does for functions without an operator."""
    def fn(*args, **kwargs):
        return _wrap_out(func(*_np(args), **_np(kwargs)))
    fn.__name__ = getattr(func, "__name__", "fallback")
    fn.__doc__ = f"``numpy.{fn.__name__}`` on host copies; returns mx.np arrays (no gradient)."
    return fn


FALLBACK = ("diff", "ediff1d", "nan_to_num", "percentile", "quantile", "median", "nanmedian", "histogram",
            "bincount", "interp", "searchsorted", "digitize", "cov", "corrcoef", "polyval", "polyfit",
            "trapz", "cross", "pad", "insert", "delete", "resize", "diag", "diagflat", "indices",
            "tril_indices_from", "triu_indices_from", "diag_indices_from", "unravel_index", "ravel_multi_index",
            "logspace", "hanning", "hamming", "blackman", "nanmax", "nanmin", "nansum", "nanmean", "nanprod",
            "nanargmax", "nanargmin", "nancumsum", "nancumprod", "nanpercentile", "nanquantile", "ptp",
            "isin", "in1d", "intersect1d", "union1d", "setdiff1d", "setxor1d", "lexsort", "partition",
            "argpartition", "msort", "take_along_axis", "choose", "compress", "extract", "select",
            "piecewise", "apply_along_axis", "apply_over_axes", "trim_zeros", "unwrap", "vander", "i0",
            "signbit", "spacing", "frexp", "ldexp", "modf", "divmod", "float_power", "heaviside",
            "array_equiv", "fmax", "fmin", "fmod", "floor_divide", "gcd", "real", "ix_", "tril_indices",
            "triu_indices", "histogram2d", "histogramdd", "histogram_bin_edges", "packbits", "unpackbits",
            "correlate", "convolve", "poly", "polyadd", "polysub", "polymul", "polydiv", "polyint", "roots",
            "alltrue", "sometrue", "cumprod")

# the public functions defined here (not the modules and helpers imported above)
__all__ = [n for n, v in list(globals().items()) if not n.startswith("_") and callable(v)
           and getattr(v, "__module__", None) == __name__ and not isinstance(v, type)]
