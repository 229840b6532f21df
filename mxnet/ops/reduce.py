"""Reductions: sum, mean, prod, max, min, nansum, nanprod, norm, argmax, argmin, argmax_channel.

Axis rules (MXNet 1.9): ``axis=None`` or ``()`` reduces everything (whatever
``exclude`` says); with ``exclude=True`` the listed axes are kept instead; a
full reduction without ``keepdims`` gives shape ``(1,)``.  float16 accumulates
in float32; integers accumulate in their own type (wrapping like MXNet).
"""
import math
import os

import numpy as np

from ..base import MXNetError
from ._util import norm_axis
from .registry import register, Param


def _nd_math():
    from ..ndarray import ndmath
    return ndmath


_AXIS_PARAMS = (
    Param("axis", "shape", None, "axis or axes to reduce (None or () for all)"),
    Param("keepdims", "bool", False, "keep the reduced axes as size-1 dimensions"),
    Param("exclude", "bool", False, "reduce over the axes NOT listed in axis"))


def reduce_axes(opname, axis, ndim, exclude=False):
    """The sorted tuple of axes an MXNet reduction with these arguments reduces."""
    if axis is None or len(axis) == 0:
        return tuple(range(ndim))
    axes = [norm_axis(a, ndim, opname) for a in axis]
    if len(set(axes)) != len(axes):
        raise MXNetError(f"Operator {opname}: axis {tuple(axis)} lists an axis twice")
    if exclude:
        return tuple(i for i in range(ndim) if i not in axes)
    return tuple(sorted(axes))


def _out_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    out = tuple(d for i, d in enumerate(shape) if i not in axes)
    return out if out else (1,)


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _axes_of(opname, attrs, x):
    return reduce_axes(opname, attrs.axis, x.ndim, attrs.exclude)


def _acc_dtype(x):
    return np.float32 if x.dtype == np.float16 else x.dtype


def _finish(r, x, axes, keepdims):
    r = r.astype(x.dtype, copy=False) if r.dtype != x.dtype else r
    return r.reshape(_out_shape(x.shape, axes, keepdims))


def _expand(g, x, axes):
    """Reshape a reduced gradient/output so that it broadcasts against ``x``."""
    return g.reshape(_kept_shape(x.shape, axes))


def _int_mean(s, n):
    # C integer division truncates toward zero
    q = abs(s) // n
    return q * np.sign(s).astype(s.dtype)


def _sum_fwd(attrs, ins, ctx, fn="sum"):
    x = ins[0]
    axes = _axes_of(fn, attrs, x)
    r = getattr(ctx.xp, fn)(x, axis=axes, dtype=_acc_dtype(x))
    return _finish(r, x, axes, attrs.keepdims)


def _mean_fwd(attrs, ins, ctx):
    x = ins[0]
    axes = _axes_of("mean", attrs, x)
    n = math.prod(x.shape[a] for a in axes)
    if x.dtype.kind in "iub":
        s = x.sum(axis=axes, dtype=x.dtype)
        r = _int_mean(s, n) if n else s
    else:
        r = x.mean(axis=axes, dtype=_acc_dtype(x))
    return _finish(r, x, axes, attrs.keepdims)


def _extreme_fwd(fn):
    def forward(attrs, ins, ctx):
        x = ins[0]
        axes = _axes_of(fn, attrs, x)
        return _finish(getattr(x, fn)(axis=axes), x, axes, attrs.keepdims)
    return forward


def _nan_fwd(fn, plain):
    def forward(attrs, ins, ctx):
        x = ins[0]
        axes = _axes_of(fn, attrs, x)
        f = getattr(ctx.xp, fn if x.dtype.kind == "f" else plain)
        return _finish(f(x, axis=axes, dtype=_acc_dtype(x)), x, axes, attrs.keepdims)
    return forward


# gradients: grad(F, x, y, g) with y and g already shaped to broadcast against x
def _reducer(name, forward, grad, aliases=(), doc=""):
    def backward(attrs, og, ins, outs, ctx, state):
        g = og[0]
        if g is None:
            return [None]
        x = ins[0]
        axes = _axes_of(name, attrs, x)
        with np.errstate(all="ignore"):
            dx = grad(ctx.xp, x, _expand(outs[0], x, axes), _expand(g, x, axes), axes)
            dx = ctx.xp.broadcast_to(dx, x.shape)
        return [ctx.xp.array(dx, dtype=x.dtype)]

    def backward_graph(attrs, og, ins, outs):
        x = ins[0]
        axes = _axes_of(name, attrs, x)
        F = _nd_math()
        # multiplying by ones broadcasts with a recorded operator
        dx = grad(F, x, _expand(outs[0], x, axes), _expand(og[0], x, axes), axes)
        return [dx * F.ones_like(x) if dx.shape != x.shape else dx]

    def shape(attrs, shapes):
        s = shapes[0]
        if s is None:
            return shapes, [None]
        axes = reduce_axes(name, attrs.axis, len(s), attrs.exclude)
        return shapes, [_out_shape(s, axes, attrs.keepdims)]
    register(name, forward, params=_AXIS_PARAMS, backward=backward, backward_graph=backward_graph,
             infer_shape=shape, aliases=aliases, doc=doc)


def _numel(x, axes):
    return math.prod(x.shape[a] for a in axes)


_reducer("sum", _sum_fwd, lambda F, x, y, g, axes: g, aliases=("sum_axis",),
         doc="Sum over the given axes.")


def _square_sum_fwd(attrs, ins, ctx):
    x = ins[0]
    axes = _axes_of("_square_sum", attrs, x)
    return _finish(ctx.xp.sum(x * x, axis=axes, dtype=_acc_dtype(x)), x, axes, attrs.keepdims)


# MXNet's internal sum of squares (its row_sparse form lives in ndarray/sparse.py)
_reducer("_square_sum", _square_sum_fwd, lambda F, x, y, g, axes: 2 * x * g,
         doc="Sum of the squares over the given axes.")
_reducer("mean", _mean_fwd, lambda F, x, y, g, axes: g / _numel(x, axes), doc="Mean over the given axes.")
_reducer("prod", lambda attrs, ins, ctx: _sum_fwd(attrs, ins, ctx, "prod"),
         lambda F, x, y, g, axes: g * y / x, doc="Product over the given axes.")
_reducer("nansum", _nan_fwd("nansum", "sum"), lambda F, x, y, g, axes: g * (x == x),
         doc="Sum over the given axes, treating NaN as zero.")
_reducer("nanprod", _nan_fwd("nanprod", "prod"),
         lambda F, x, y, g, axes: F.where(x == x, g * y / x, F.zeros_like(x)),
         doc="Product over the given axes, treating NaN as one.")
# every element equal to the extreme receives the full gradient (MXNet does not split ties)
_reducer("max", _extreme_fwd("max"), lambda F, x, y, g, axes: g * (x == y), aliases=("max_axis",),
         doc="Maximum over the given axes.")
_reducer("min", _extreme_fwd("min"), lambda F, x, y, g, axes: g * (x == y), aliases=("min_axis",),
         doc="Minimum over the given axes.")


# -- norm -------------------------------------------------------------------------------
def _norm_axes(attrs, x):
    return reduce_axes("norm", attrs.axis, x.ndim)


def _norm_fwd(attrs, ins, ctx):
    x = ins[0]
    xp = ctx.xp
    if attrs.ord not in (1, 2):
        raise MXNetError(f"Operator norm: ord must be 1 or 2, got {attrs.ord}")
    # MXNET_SAFE_ACCUMULATION=1 (read per call, as MXNet does) accumulates floats in a wider
    # type and allows an out_dtype other than the input's; without it MXNet fails on one
    safe = os.environ.get("MXNET_SAFE_ACCUMULATION", "0") == "1"
    out_dt = x.dtype if attrs.out_dtype is None else attrs.out_dtype
    if out_dt != x.dtype and not safe:
        raise MXNetError(f"Operator norm: out_dtype {attrs.out_dtype} differs from the input type "
                         f"{x.dtype}, which MXNet 1.9 supports only with MXNET_SAFE_ACCUMULATION=1")
    axes = _norm_axes(attrs, x)
    acc = _acc_dtype(x) if not safe or x.dtype.kind != "f" else _SAFE_ACC.get(x.dtype, x.dtype)
    if attrs.ord == 1:
        r = xp.abs(x).sum(axis=axes, dtype=acc)
    elif x.dtype.kind in "iub":
        # MXNet's scaled integer L2 reducer: max|x| * sqrt(number of elements reaching it)
        a = xp.abs(x.astype(np.int64))
        m = a.max(axis=axes, keepdims=True)
        c = (a == m).sum(axis=axes)
        r = m.reshape(c.shape) * xp.sqrt(c)
    else:
        xa = x.astype(acc, copy=False)
        r = xp.sqrt((xa * xa).sum(axis=axes))
    return r.astype(out_dt, copy=False).reshape(_out_shape(x.shape, axes, attrs.keepdims))


_SAFE_ACC = {np.dtype(np.float16): np.dtype(np.float32), np.dtype(np.float32): np.dtype(np.float64)}


def _norm_type(attrs, types):
    return types, [attrs.out_dtype if attrs.out_dtype is not None else types[0]]


def _norm_grad(F, x, y, g, attrs):
    if attrs["ord"] == 1:
        return g * F.sign(x)
    return g * x / y


def _norm_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None]
    x = ins[0]
    axes = _norm_axes(attrs, x)
    with np.errstate(all="ignore"):
        dx = _norm_grad(ctx.xp, x, _expand(outs[0], x, axes), _expand(g, x, axes), attrs)
    return [ctx.xp.array(ctx.xp.broadcast_to(dx, x.shape), dtype=x.dtype)]


def _norm_graph(attrs, og, ins, outs):
    x = ins[0]
    axes = _norm_axes(attrs, x)
    dx = _norm_grad(_nd_math(), x, _expand(outs[0], x, axes), _expand(og[0], x, axes), attrs)
    return [dx * _nd_math().ones_like(x) if dx.shape != x.shape else dx]


def _norm_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    return shapes, [_out_shape(s, reduce_axes("norm", attrs.axis, len(s)), attrs.keepdims)]


register("norm", _norm_fwd, params=(
    Param("ord", "int", 2, "order of the norm (1 or 2)"),
    Param("axis", "shape", None, "axis or axes to reduce (None for all)"),
    Param("out_dtype", "dtype", None, "output type (another than the input's needs "
          "MXNET_SAFE_ACCUMULATION=1)"),
    Param("keepdims", "bool", False, "keep the reduced axes as size-1 dimensions")),
    backward=_norm_bwd, backward_graph=_norm_graph, infer_shape=_norm_shape, infer_type=_norm_type,
    doc="L1 or L2 norm over the given axes (a flattened vector norm).")


# -- argmax / argmin -----------------------------------------------------------------------
def _arg_fwd(fn):
    def forward(attrs, ins, ctx):
        x = ins[0]
        xp = ctx.xp
        if attrs.axis is None:
            r = getattr(xp, fn)(x.reshape(-1))
            shape = (1,) * x.ndim if attrs.keepdims else (1,)
        else:
            ax = norm_axis(attrs.axis, x.ndim, fn)
            r = getattr(xp, fn)(x, axis=ax)
            shape = _out_shape(x.shape, (ax,), attrs.keepdims)
        # MXNet returns the indices in the input's type
        return xp.asarray(r).astype(x.dtype).reshape(shape)
    return forward


def _arg_bwd(attrs, og, ins, outs, ctx, state):
    return [ctx.xp.zeros_like(ins[0])]


def _arg_graph(attrs, og, ins, outs):
    return [_nd_math().zeros_like(ins[0])]


_ARG_PARAMS = (Param("axis", "int", None, "the axis (None: over the flattened array)"),
               Param("keepdims", "bool", False, "keep the reduced axis as a size-1 dimension"))
register("argmax", _arg_fwd("argmax"), params=_ARG_PARAMS, backward=_arg_bwd, backward_graph=_arg_graph,
         doc="Index of the maximum along an axis (first one on ties), in the input's type.")
register("argmin", _arg_fwd("argmin"), params=_ARG_PARAMS, backward=_arg_bwd, backward_graph=_arg_graph,
         doc="Index of the minimum along an axis (first one on ties), in the input's type.")


def _argmax_channel_fwd(attrs, ins, ctx):
    x = ins[0]
    ax = norm_axis(1, x.ndim, "argmax_channel")
    return ctx.xp.argmax(x, axis=ax).astype(x.dtype)


register("argmax_channel", _argmax_channel_fwd, backward=_arg_bwd, backward_graph=_arg_graph,
         doc="Index of the maximum along axis 1, in the input's type.")
