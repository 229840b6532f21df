"""``mx.np`` functions on the operators of ``ops/np_extra.py`` (so they record gradients and have
graph forms in ``mx.sym.np``)."""
import numbers

import numpy as onp

from ..ops import np_extra  # noqa: F401 - registers the operators
from ..ndarray.ndarray import NDArray
from .multiarray import ndarray, invoke, _ctx_of
from ._funcs import _to_nd, _is_scalar, flip, _make_binary

__all__ = ["diag", "diagflat", "trace", "pad", "diff", "ediff1d", "hsplit", "atleast_1d", "atleast_2d",
           "atleast_3d", "resize", "nan_to_num", "polyval", "percentile", "quantile", "bincount", "indices",
           "logspace", "unravel_index", "diag_indices_from", "average", "flipud", "fliplr", "vdot", "delete",
           "hanning", "hamming", "blackman", "ldexp"]


def diag(v, k=0):
    """A 1-d ``v`` on the ``k``-th diagonal of a square array, or a 2-d ``v``'s ``k``-th diagonal."""
    return invoke("_np_diag", [_to_nd(v)], {"k": k})


def diagflat(v, k=0):
    """The flattened ``v`` on the ``k``-th diagonal of a square array."""
    return invoke("_np_diagflat", [_to_nd(v)], {"k": k})


def trace(a, offset=0, axis1=0, axis2=1, out=None):
    """Sum along the diagonal at ``offset`` of the planes given by ``axis1`` and ``axis2``."""
    return invoke("_np_trace", [_to_nd(a)], {"offset": offset, "axis1": axis1, "axis2": axis2}, out=out)


_PAD_KWARGS = {"constant": ("constant_values",), "edge": (), "reflect": ("reflect_type",),
               "symmetric": ("reflect_type",), "maximum": ("stat_length",), "minimum": ("stat_length",)}


def pad_params(pad_width, mode, kwargs):
    """The ``_npi_pad`` parameters for ``np.pad``'s arguments (shared with the symbol form)."""
    if not isinstance(pad_width, tuple):
        raise TypeError("`pad_width` must be tuple.")
    if onp.asarray(pad_width).dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    if callable(mode) or mode not in _PAD_KWARGS:
        raise ValueError(f"mode {mode!r} is not supported.")
    extra = set(kwargs) - set(_PAD_KWARGS[mode])
    if extra:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {extra}")
    params = {"pad_width": pad_width, "mode": mode}
    if mode == "constant":
        value = kwargs.get("constant_values", 0)
        if not isinstance(value, numbers.Number):
            raise TypeError(f"unsupported constant_values type: {type(value).__name__!r}.")
        params["constant_value"] = value
    elif mode in ("reflect", "symmetric"):
        if kwargs.get("reflect_type", "even") not in ("even", None):
            raise ValueError(f"unsupported reflect_type '{kwargs['reflect_type']}'")
    elif kwargs.get("stat_length") is not None:
        raise ValueError(f"unsupported stat_length '{kwargs['stat_length']}'")
    return params


def pad(x, pad_width=None, mode="constant", **kwargs):
    """``x`` padded by ``pad_width`` (modes constant, edge, reflect, symmetric, maximum, minimum)."""
    return invoke("_npi_pad", [_to_nd(x)], pad_params(pad_width, mode, kwargs))


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis``."""
    if prepend is not None or append is not None:
        raise NotImplementedError("diff: prepend and append are not supported")
    return invoke("_npi_diff", [_to_nd(a)], {"n": n, "axis": axis})


def ediff_args(ary, to_end, to_begin, is_array):
    """(inputs, params) of ``_npi_ediff1d``: array ends become inputs, scalar ends parameters."""
    begin_arr, end_arr = is_array(to_begin), is_array(to_end)
    inputs = [ary] + ([to_begin] if begin_arr else []) + ([to_end] if end_arr else [])
    params = {"to_begin_arr_given": begin_arr, "to_end_arr_given": end_arr,
              "to_begin_scalar": None if begin_arr else to_begin, "to_end_scalar": None if end_arr else to_end}
    return inputs, params


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened ``ary``, with ``to_begin`` before and ``to_end`` after."""
    inputs, params = ediff_args(_to_nd(ary), to_end, to_begin, lambda v: isinstance(v, NDArray))
    return invoke("_npi_ediff1d", inputs, params)


def hsplit(ary, indices_or_sections):
    """Split along the second axis (the first for a 1-d array)."""
    ary = _to_nd(ary)
    if ary.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    params = split_params(indices_or_sections)
    res = invoke("_npi_hsplit", [_to_nd(ary)], dict(params, axis=1))
    return list(res) if isinstance(res, (list, tuple)) else [res]


def split_params(indices_or_sections):
    if isinstance(indices_or_sections, numbers.Integral):
        return {"sections": int(indices_or_sections), "indices": ()}
    if isinstance(indices_or_sections, (list, tuple, set)):
        return {"sections": 0, "indices": (0,) + tuple(indices_or_sections)}
    raise ValueError("indices_or_sections must either int or tuple of ints")


def _atleast(n):
    def fn(*arys):
        res = invoke(f"_np_atleast_{n}d", [_to_nd(a) for a in arys], {"num_args": len(arys)})
        res = list(res) if isinstance(res, (list, tuple)) else [res]
        return res[0] if len(res) == 1 else res
    fn.__name__ = fn.__qualname__ = f"atleast_{n}d"
    fn.__doc__ = f"Each input viewed with at least {n} dimensions (a list for several inputs)."
    return fn


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)


def resize(a, new_shape):
    """A new array of shape ``new_shape`` filled with ``a``'s elements, repeated as needed."""
    return invoke("_npi_resize_fallback", [_to_nd(a)], {"new_shape": new_shape})


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None, **kwargs):
    """NaN replaced by ``nan`` and infinities by ``posinf``/``neginf`` (the dtype's extremes)."""
    if _is_scalar(x):
        return onp.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    if not isinstance(x, NDArray):
        raise TypeError(f"type {type(x)} not supported")
    if x.dtype.kind != "f":
        return x
    params = {"copy": copy, "nan": nan, "posinf": posinf, "neginf": neginf}
    return invoke("_npi_nan_to_num", [x], params, out=None if copy else x)


def polyval(p, x):
    """The polynomial with coefficients ``p`` (highest degree first) at ``x``."""
    if isinstance(p, ndarray) and isinstance(x, ndarray):
        return invoke("_npi_polyval", [p, x])
    if not isinstance(p, NDArray) and not isinstance(x, NDArray):
        return onp.polyval(p, x)
    raise TypeError("polyval: p and x must both be mx.np arrays or both not")


def _percentile(a, q, axis, out, overwrite_input, interpolation, keepdims, scale):
    if overwrite_input is not None:
        raise NotImplementedError("percentile: overwrite_input is not supported")
    params = {"axis": axis, "interpolation": interpolation, "keepdims": keepdims}
    if _is_scalar(q):
        return invoke("_npi_percentile", [_to_nd(a)], dict(params, q_scalar=q * scale), out=out)
    return invoke("_npi_percentile", [_to_nd(a), _to_nd(q) * scale], dict(params, q_scalar=None), out=out)


def percentile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear", keepdims=False):
    """The ``q``-th percentiles (0..100) of ``a`` along ``axis``."""
    return _percentile(a, q, axis, out, overwrite_input, interpolation, keepdims, 1)


def quantile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear", keepdims=False):
    """The ``q``-th quantiles (0..1) of ``a`` along ``axis``."""
    return _percentile(a, q, axis, out, overwrite_input, interpolation, keepdims, 100)


def bincount(x, weights=None, minlength=0):
    """Occurrences (or summed weights) of each value of the non-negative integer array ``x``."""
    if not isinstance(x, NDArray):
        raise TypeError("Input data should be NDarray")
    if minlength < 0:
        raise ValueError("Minlength value should greater than 0")
    if weights is None:
        return invoke("_npi_bincount", [x], {"minlength": minlength, "has_weights": False})
    return invoke("_npi_bincount", [x, _to_nd(weights)], {"minlength": minlength, "has_weights": True})


def indices(dimensions, dtype=onp.int32, ctx=None):
    """The grid of indices of an array of shape ``dimensions``, one plane per dimension."""
    if not isinstance(dimensions, (tuple, list)):
        raise ValueError("The dimensions must be sequence of ints")
    ctx = _ctx_of(ctx)
    return invoke("_npi_indices", [], {"dimensions": tuple(dimensions), "dtype": dtype, "ctx": str(ctx)},
                  ctx=ctx)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None):
    """``num`` numbers from ``base**start`` to ``base**stop``, evenly spaced on a log scale."""
    if not (_is_scalar(start) and _is_scalar(stop)):
        raise NotImplementedError("logspace: start and stop must be numbers")
    if axis != 0:
        raise NotImplementedError("logspace: only axis=0 is supported")
    ctx = _ctx_of(ctx)
    return invoke("_npi_logspace", [], {"start": start, "stop": stop, "num": num, "endpoint": endpoint,
                                         "base": base, "dtype": dtype, "ctx": str(ctx)}, ctx=ctx)


def unravel_index(indices, shape, order="C"):  # noqa: F811 - NumPy's argument name
    """The index tuples of flat ``indices`` into an array of ``shape``."""
    if order != "C":
        raise NotImplementedError("unravel_index: only order='C' is supported")
    if _is_scalar(indices):
        return onp.unravel_index(indices, shape)
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    res = invoke("_npi_unravel_index_fallback", [_to_nd(indices)], {"shape": shape})
    return tuple(res[i] for i in range(res.shape[0]))


def diag_indices_from(arr):
    """The indices of the main diagonal of ``arr`` (all dimensions equal)."""
    res = invoke("_npi_diag_indices_from", [_to_nd(arr)])
    return tuple(res[i] for i in range(res.shape[0]))


def average(a, axis=None, weights=None, returned=False, out=None):
    """The (weighted) average along ``axis``; with ``returned``, also the sum of the weights."""
    a = _to_nd(a)
    params = {"axis": axis, "returned": returned, "weighted": weights is not None}
    inputs = [a] if weights is None else [a, _to_nd(weights)]
    res = invoke("_npi_average", inputs, params, out=out)
    return list(res) if returned else res


def flipud(m):
    """``m`` with its first axis reversed."""
    return flip(m, 0)


def fliplr(m):
    """``m`` with its second axis reversed."""
    return flip(m, 1)


def vdot(a, b):
    """The dot product of the flattened ``a`` and ``b``."""
    return invoke("_np_dot", [_to_nd(a).reshape(-1), _to_nd(b).reshape(-1)])


def delete_args(arr, obj, axis, is_array):
    """(inputs, params) of ``_npi_delete`` for ``np.delete``'s arguments (shared with the symbol form)."""
    if isinstance(obj, slice):
        return [arr], {"start": obj.start, "stop": obj.stop, "step": 1 if obj.step is None else obj.step,
                       "axis": axis}
    if isinstance(obj, numbers.Integral):
        return [arr], {"int_ind": int(obj), "axis": axis}
    if is_array(obj):
        return [arr, obj], {"axis": axis}
    raise TypeError(f"'obj' can not support type {type(obj)}")


def delete(arr, obj, axis=None):
    """``arr`` without the sub-arrays at ``obj`` (an index, a slice or an integer array) along
    ``axis`` (of the flattened array when None); out-of-range entries of an index array are ignored."""
    if not isinstance(arr, NDArray):
        raise TypeError(f"'arr' can not support type {type(arr)}")
    inputs, params = delete_args(arr, obj, axis, lambda v: isinstance(v, NDArray))
    return invoke("_npi_delete", inputs, params)


def _window(name):
    def fn(M, dtype=onp.float32, ctx=None):
        ctx = _ctx_of(ctx)
        return invoke(f"_npi_{name}", [], {"M": M, "dtype": dtype, "ctx": str(ctx)}, ctx=ctx)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {name} window of ``M`` points (empty for ``M < 1``)."
    return fn


hanning, hamming, blackman = _window("hanning"), _window("hamming"), _window("blackman")


ldexp = _make_binary("ldexp")
