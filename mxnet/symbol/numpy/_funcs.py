"""The ``mx.sym.np`` functions: each builds the node MXNet 1.9.1's np symbol writes.

Functions MXNet generates from an operator (``sum``, ``reshape``, ``transpose``, ...) write only
the keywords the caller gave (``NULL`` marks the others); hand-written ones (``mean``, ``std``,
creation functions) write their defaults too.
"""
import numbers

import numpy as onp

from ...context import current_context
from ..symbol import Symbol
from ...numpy import _funcs as _npf, _op_funcs as _npo
from ._symbol import _Symbol, make, binary, NULL, is_scalar

_BINARY = tuple(n for n in _npf._BINARY if n not in ("logical_and", "logical_or", "logical_xor"))
# unary functions of mx.np that MXNet 1.9.1's np symbol also has (rad2deg/deg2rad are missing there)
_UNARY = tuple(n for n in _npf._UNARY if n not in ("abs", "absolute"))


def _make_binary(name):
    def fn(x1, x2, out=None, **kwargs):
        return binary(name, x1, x2)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of symbols and/or scalars, with NumPy broadcasting."
    return fn


def _make_unary(name, opname, hint=None):
    def fn(x, out=None, **kwargs):
        if is_scalar(x):
            return getattr(onp, name)(x)
        return make(opname, hint or name, [x])
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}``."
    return fn


for _n in _BINARY:
    globals()[_n] = _make_binary(_n)
for _n in _UNARY:
    globals()[_n] = _make_unary(_n, f"_npi_{_n}")
abs = fabs = _make_unary("abs", "_npi_absolute")  # noqa: A001 - NumPy's name
absolute = _make_unary("absolute", "_npi_absolute")
invert = globals()["bitwise_not"]
divide, remainder = globals()["true_divide"], globals()["mod"]
del _n


def _ctx(ctx):
    return str(ctx if ctx is not None else current_context())


def _dtype(dtype, default="float32"):
    return onp.dtype(dtype if dtype is not None else default).name


# -- creation ---------------------------------------------------------------------------------
def zeros(shape, dtype=onp.float32, order="C", ctx=None):
    return make("_npi_zeros", "zeros", [], {"ctx": _ctx(ctx), "dtype": _dtype(dtype), "shape": shape})


def ones(shape, dtype=onp.float32, order="C", ctx=None):
    return make("_npi_ones", "ones", [], {"ctx": _ctx(ctx), "dtype": _dtype(dtype), "shape": shape})


def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None):
    if isinstance(fill_value, Symbol):
        # an array fill value is broadcast to the shape
        return broadcast_to(fill_value.astype(dtype) if dtype is not None else fill_value, shape)
    return make("_full", "full", [], {"ctx": _ctx(ctx), "dtype": _dtype(dtype), "shape": shape,
                                      "value": fill_value})


def full_like(a, fill_value, dtype=None, order="C", ctx=None, out=None):
    params = {"ctx": _ctx(ctx), "fill_value": float(fill_value) if isinstance(fill_value, bool) else fill_value}
    if dtype is not None:
        params["dtype"] = _dtype(dtype)
    return make("_npi_full_like", "full_like", [a], params)


def zeros_like(a, dtype=None, order="C", ctx=None, out=None):
    return full_like(a, 0, dtype, order, ctx)


def ones_like(a, dtype=None, order="C", ctx=None, out=None):
    return full_like(a, 1, dtype, order, ctx)


def empty_like(prototype, dtype=None, order="C", subok=False, shape=None):
    return full_like(prototype, 0, dtype)


def identity(n, dtype=None, ctx=None):
    return make("_npi_identity", "identity", [], {"ctx": _ctx(ctx), "dtype": _dtype(dtype), "shape": (n, n)})


def eye(N, M=None, k=0, dtype=onp.float32, **kwargs):
    return make("_npi_eye", "eye", [], {"M": M, "N": N, "ctx": _ctx(kwargs.get("ctx")),
                                        "dtype": _dtype(dtype), "k": k})


def arange(start, stop=None, step=1, dtype=None, ctx=None):
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if step == 0:
        raise ZeroDivisionError("step cannot be 0")
    return make("_npi_arange", "arange", [], {"ctx": _ctx(ctx), "dtype": _dtype(dtype), "start": start,
                                              "step": step, "stop": stop})


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, ctx=None):
    if retstep or axis != 0:
        raise NotImplementedError("np.linspace symbol: retstep and axis are not supported")
    params = {"ctx": _ctx(ctx), "endpoint": endpoint, "num": num, "start": start, "stop": stop}
    if dtype is not None:
        params["dtype"] = _dtype(dtype)
    return make("_linspace", "linspace", [], params)


def tril(m, k=0):
    return make("_npi_tril", "tril", [m], {"k": k})


# -- elementwise --------------------------------------------------------------------------------
def around(x, decimals=0, out=None, **kwargs):
    return make("_npi_around", "around", [x], {"decimals": decimals})


round = round_ = around  # noqa: A001 - NumPy's names


def clip(a, a_min, a_max, out=None):
    if a_min is None and a_max is None:
        raise ValueError("array_clip: must set either max or min")
    # a missing bound is an infinite one
    a_min = float("-inf") if a_min is None else a_min
    a_max = float("inf") if a_max is None else a_max
    return make("clip", "clip", [a], {"a_max": a_max, "a_min": a_min})


def where(condition, x=None, y=None):
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (either may be a scalar)."""
    if x is None or y is None:
        raise NotImplementedError("np.where symbol: the one-argument form is not supported")
    if is_scalar(x) and is_scalar(y):
        return make("_npi_where_scalar2", "where_scalar2", [condition], {"x": float(x), "y": float(y)})
    if is_scalar(y):
        return make("_npi_where_rscalar", "where_rscalar", [condition, x], {"scalar": float(y)})
    if is_scalar(x):
        return make("_npi_where_lscalar", "where_lscalar", [condition, y], {"scalar": float(x)})
    return make("_npi_where", "where", [condition, x, y])


# -- reductions ---------------------------------------------------------------------------------
def _gen_reduce(name, opname, has_dtype, has_initial=False, has_keepdims=True):
    def fn(a, axis=NULL, dtype=NULL, out=None, keepdims=NULL, initial=NULL, **kwargs):
        params = {"axis": axis}
        if has_dtype:
            params["dtype"] = dtype
        if has_keepdims:
            params["keepdims"] = keepdims
        if has_initial:
            params["initial"] = initial
        return make(opname, name, [a], params)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}`` over ``axis`` (all axes by default)."
    return fn


sum = _gen_reduce("sum", "_np_sum", True, True)  # noqa: A001
prod = _gen_reduce("prod", "_np_prod", True, True)
product = _gen_reduce("product", "_np_prod", True, True)
max = _gen_reduce("max", "_np_max", False)  # noqa: A001
min = _gen_reduce("min", "_np_min", False)  # noqa: A001
amax = _gen_reduce("amax", "_np_max", False)
amin = _gen_reduce("amin", "_np_min", False)
all = _gen_reduce("all", "_np_all", False)  # noqa: A001
any = _gen_reduce("any", "_np_any", False)  # noqa: A001
sometrue = _gen_reduce("sometrue", "_np_any", False)
cumsum = _gen_reduce("cumsum", "_np_cumsum", True, has_keepdims=False)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    return _Symbol._reduce(a, "_npi_mean", "mean", axis=axis, dtype=dtype, keepdims=keepdims)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return _Symbol._reduce(a, "_npi_std", "std", axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return _Symbol._reduce(a, "_npi_var", "var", axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)


def argmax(a, axis=None, out=None):
    return make("_npi_argmax", "argmax", [a], {"axis": axis, "keepdims": False})


def argmin(a, axis=None, out=None):
    return make("_npi_argmin", "argmin", [a], {"axis": axis, "keepdims": False})


# -- shapes -------------------------------------------------------------------------------------
def reshape(a, newshape, order=NULL):
    return make("_np_reshape", "reshape", [a], {"newshape": newshape, "order": order})


def ravel(x, order="C"):
    return make("_npx_reshape", "reshape", [x], {"newshape": -1})


def transpose(a, axes=NULL):
    return make("_np_transpose", "transpose", [a], {"axes": axes})


def swapaxes(a, axis1, axis2):
    return make("SwapAxis", "swapaxes", [a], {"dim1": axis1, "dim2": axis2})


def moveaxis(a, source=NULL, destination=NULL):
    return make("_np_moveaxis", "moveaxis", [a], {"destination": destination, "source": source})


def expand_dims(a, axis):
    return make("expand_dims", "expand_dims", [a], {"axis": axis})


def squeeze(a, axis=NULL):
    return make("_np_squeeze", "squeeze", [a], {"axis": axis})


def broadcast_to(array, shape):  # noqa: A002 - NumPy's name
    return make("_npi_broadcast_to", "broadcast_to", [array], {"shape": shape})


def tile(A, reps):
    return make("tile", "tile", [A], {"reps": reps})


def repeat(a, repeats=NULL, axis=NULL):
    return make("repeat", "repeat", [a], {"axis": axis, "repeats": repeats})


def flip(m, axis=None, out=None):
    return make("_npi_flip", "flip", [m], {"axis": axis})


def roll(a, shift=NULL, axis=NULL):
    return make("_np_roll", "roll", [a], {"axis": axis, "shift": shift})


def rot90(m, k=1, axes=(0, 1)):
    return make("_npi_rot90", "rot90", [m], {"axes": tuple(axes), "k": k})


def diagonal(a, offset=NULL, axis1=NULL, axis2=NULL):
    return make("_np_diagonal", "diagonal", [a], {"axis1": axis1, "axis2": axis2, "offset": offset})


def copy(a):
    return make("_np_copy", "copy", [a])


def take(a, indices, axis=None, mode="raise", out=None):
    if mode not in ("raise", "clip", "wrap"):
        raise ValueError(f"take: mode must be 'raise', 'clip' or 'wrap', got {mode!r}")
    if axis is None:
        a, axis = ravel(a), 0
    return make("take", "take", [a, indices], {"axis": axis, "mode": mode})


def _join(opname, hint, seq, axis=NULL):
    seq = list(seq)
    if not seq:
        raise ValueError("need at least one array to concatenate")
    return make(opname, hint, seq, {"axis": axis, "num_args": len(seq)})


def concatenate(seq, axis=0, out=None):
    return _join("_npi_concatenate", "concatenate", seq, axis)


def append(arr, values, axis=None):
    return concatenate([arr, values], axis)


def stack(arrays, axis=0, out=None):
    return _join("_npi_stack", "stack", arrays, axis)


def vstack(arrays, out=None):
    return _join("_npi_vstack", "vstack", arrays)


row_stack = vstack


def hstack(arrays):
    return _join("_npi_hstack", "hstack", arrays)


def dstack(arrays):
    return _join("_npi_dstack", "dstack", arrays)


def column_stack(tup):
    return _join("_npi_column_stack", "column_stack", tup)


def _parts(res):
    """The outputs of a split as a list of np symbols, one per part (one part too), as MXNet
    returns them."""
    return [_Symbol([e]) for e in res._outputs]


def split(ary, indices_or_sections, axis=0):
    """Split along ``axis`` into equal sections or at the given indices (a list of symbols)."""
    if isinstance(indices_or_sections, numbers.Integral):
        params = {"axis": axis, "indices": [], "sections": indices_or_sections, "squeeze_axis": False}
    else:
        params = {"axis": axis, "indices": [0] + list(indices_or_sections), "sections": 0,
                  "squeeze_axis": False}
    return _parts(make("_split_v2", "split", [ary], params))


def vsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, 2)


# -- products -----------------------------------------------------------------------------------
def dot(a, b, out=None):
    return make("_np_dot", "dot", [a, b])


def matmul(a, b, out=None, **kwargs):
    return make("_npi_matmul", "matmul", [a, b])


def tensordot(a, b, axes=2):
    if isinstance(axes, numbers.Integral):
        return make("_npi_tensordot_int_axes", "tensordot_int_axes", [a, b], {"axes": axes})
    a_axes, b_axes = axes
    return make("_npi_tensordot", "tensordot", [a, b], {"a_axes_summed": a_axes, "b_axes_summed": b_axes})


def inner(a, b):
    return tensordot(a, b, ((-1,), (-1,)))


def outer(a, b):
    return tensordot(a.flatten(), b.flatten(), 0)


def einsum(*operands, **kwargs):
    subscripts, arrs = operands[0], list(operands[1:])
    return make("_npi_einsum", "einsum", arrs, {"num_args": len(arrs), "optimize": int(bool(kwargs.get(
        "optimize", False))), "subscripts": subscripts})


# -- sorting ------------------------------------------------------------------------------------
def sort(a, axis=-1, kind=None, order=None):
    return make("sort", "sort", [a], {"axis": axis, "is_ascend": True})


def argsort(a, axis=-1, kind=None, order=None):
    return make("argsort", "argsort", [a], {"axis": axis, "dtype": "int64", "is_ascend": True})


# -- functions on the operators of ops/np_extra.py ---------------------------------------------------
def diag(v, k=0):
    return make("_np_diag", "diag", [v], {"k": k})


def diagflat(v, k=0):
    return make("_np_diagflat", "diagflat", [v], {"k": k})


def trace(a, offset=0, axis1=0, axis2=1, out=None):
    return make("_np_trace", "trace", [a], {"axis1": axis1, "axis2": axis2, "offset": offset})


def pad(x, pad_width=None, mode="constant", **kwargs):
    return make("_npi_pad", "pad", [x], _npo.pad_params(pad_width, mode, kwargs))


def diff(a, n=1, axis=-1, prepend=None, append=None):
    if prepend is not None or append is not None:
        raise NotImplementedError("diff: prepend and append are not supported")
    return make("_npi_diff", "diff", [a], {"axis": axis, "n": n})


def ediff1d(ary, to_end=None, to_begin=None):
    inputs, params = _npo.ediff_args(ary, to_end, to_begin, lambda v: isinstance(v, Symbol))
    return make("_npi_ediff1d", "ediff1d", inputs, params)


def array_split(ary, indices_or_sections, axis=0):
    """Split into nearly equal sections (or at indices); a list of symbols."""
    params = dict(_npo.split_params(indices_or_sections), axis=axis)
    return _parts(make("_npi_split", "array_split", [ary], params))


def hsplit(ary, indices_or_sections):
    params = dict(_npo.split_params(indices_or_sections), axis=1, squeeze_axis=False)
    return _parts(make("_npi_hsplit", "hsplit", [ary], params))


def _atleast(n):
    def fn(*arys):
        res = make(f"_np_atleast_{n}d", f"atleast_{n}d", list(arys), {"num_args": len(arys)})
        return res if len(arys) == 1 else [res[i] for i in range(len(arys))]
    fn.__name__ = fn.__qualname__ = f"atleast_{n}d"
    fn.__doc__ = f"Each input viewed with at least {n} dimensions."
    return fn


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)


def resize(a, new_shape):
    return make("_npi_resize_fallback", "resize", [a], {"new_shape": new_shape})


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None, **kwargs):
    if is_scalar(x):
        return onp.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    return make("_npi_nan_to_num", "nan_to_num", [x], {"copy": copy, "nan": nan, "neginf": neginf,
                                                        "posinf": posinf})


def polyval(p, x):
    if isinstance(p, Symbol) and isinstance(x, Symbol):
        return make("_npi_polyval", "polyval", [p, x])
    if not isinstance(p, Symbol) and not isinstance(x, Symbol):
        return onp.polyval(p, x)
    raise TypeError("polyval: p and x must both be symbols or both not")


def _percentile(hint, a, q, axis, overwrite_input, interpolation, keepdims, scale):
    if overwrite_input is not None:
        raise NotImplementedError(f"{hint}: overwrite_input is not supported")
    params = {"axis": axis, "interpolation": interpolation, "keepdims": keepdims}
    if is_scalar(q):
        return make("_npi_percentile", hint, [a], dict(params, q_scalar=q * scale))
    q = q if scale == 1 else binary("multiply", q, scale)
    return make("_npi_percentile", hint, [a, q], dict(params, q_scalar=None))


def percentile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear", keepdims=False):
    return _percentile("percentile", a, q, axis, overwrite_input, interpolation, keepdims, 1)


def quantile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear", keepdims=False):
    return _percentile("quantile", a, q, axis, overwrite_input, interpolation, keepdims, 100)


def bincount(x, weights=None, minlength=0):
    if minlength < 0:
        raise ValueError("Minlength value should greater than 0")
    if weights is None:
        return make("_npi_bincount", "bincount", [x], {"has_weights": False, "minlength": minlength})
    return make("_npi_bincount", "bincount", [x, weights], {"has_weights": True, "minlength": minlength})


def indices(dimensions, dtype=onp.int32, ctx=None):
    if not isinstance(dimensions, (tuple, list)):
        raise ValueError("The dimensions must be sequence of ints")
    return make("_npi_indices", "indices", [], {"ctx": _ctx(ctx), "dimensions": tuple(dimensions),
                                                 "dtype": _dtype(dtype)})


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None):
    if axis != 0:
        raise NotImplementedError("logspace: only axis=0 is supported")
    return make("_npi_logspace", "logspace", [], {"base": base, "ctx": _ctx(ctx), "dtype": _dtype(dtype),
                                                   "endpoint": endpoint, "num": num, "start": start,
                                                   "stop": stop})


def unravel_index(indices, shape, order="C"):
    if order != "C":
        raise NotImplementedError("unravel_index: only order='C' is supported")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    return make("_npi_unravel_index_fallback", "unravel_index", [indices], {"shape": shape})


def diag_indices_from(arr):
    return make("_npi_diag_indices_from", "diag_indices_from", [arr])


def average(a, axis=None, weights=None, returned=False, out=None):
    params = {"axis": axis, "returned": returned, "weighted": weights is not None}
    res = make("_npi_average", "average", [a] if weights is None else [a, weights], params)
    return (res[0], res[1]) if returned else res


def delete(arr, obj, axis=None):
    if not isinstance(arr, Symbol):
        raise TypeError(f"'arr' can not support type {type(arr)}")
    inputs, params = _npo.delete_args(arr, obj, axis, lambda v: isinstance(v, Symbol))
    return make("_npi_delete", "delete", inputs, params)


def _window(name):
    def fn(M, dtype=onp.float32, ctx=None):
        return make(f"_npi_{name}", name, [], {"M": M, "ctx": _ctx(ctx), "dtype": _dtype(dtype)})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {name} window of ``M`` points (empty for ``M < 1``)."
    return fn


hanning, hamming, blackman = _window("hanning"), _window("hamming"), _window("blackman")


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """The sorted unique elements (and, as asked, their first indices, the inverse indices and
    the counts): one symbol, or a group of them."""
    return make("_npi_unique", "unique", [ar], {"axis": axis, "return_counts": return_counts,
                                                 "return_index": return_index, "return_inverse": return_inverse})


def ldexp(x1, x2, out=None, **kwargs):
    return binary("ldexp", x1, x2)


def flipud(m):
    return flip(m, 0)


def fliplr(m):
    return flip(m, 1)


def vdot(a, b):
    return dot(ravel(a), ravel(b))


__all__ = [n for n, v in list(globals().items()) if not n.startswith("_") and callable(v)
           and getattr(v, "__module__", None) == __name__ and not isinstance(v, type)]
__all__ += [n for n in _BINARY + _UNARY + ("abs", "fabs", "absolute", "invert", "divide", "remainder")
            if n not in __all__]
