"""Indexing operators: take, pick, gather/scatter, one_hot, sorting and top-k.

Index inputs may be of any numeric dtype (MXNet passes them as float32); they
are truncated to integers.  Index outputs are float32 unless ``dtype`` says
otherwise, as in MXNet.
"""
import numpy as np

from ..base import DeferredOpError, MXNetError, MXNetIndexError
from ._util import check_alloc_size, check_int32, norm_axis
from .registry import register, Param


def _int_index(idx):
    return idx if idx.dtype.kind in "iu" else idx.astype(np.int64)


# -- take, batch_take, pick ---------------------------------------------------------------------
def _take_index(mode, n, idx, xp):
    idx = _int_index(idx)
    if mode == "clip":
        return xp.clip(idx, 0, n - 1)
    if mode == "wrap":
        return xp.mod(idx, n)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise MXNetError(f"Operator take: indices out of bounds [0, {n}) with mode='raise'")
    return idx


def _take_axis(attrs, a):
    if a.ndim == 0:
        raise MXNetError("Operator take: input a must have at least one dimension")
    return norm_axis(attrs.axis, a.ndim, "take")


def _take_fwd(attrs, ins, ctx):
    a, idx = ins
    axis = _take_axis(attrs, a)
    xp = ctx.xp
    try:
        return xp.take(a, _take_index(attrs.mode, a.shape[axis], idx, xp), axis=axis)
    except MXNetError as e:
        # MXNet's kernel finds the bad index while running: the failure shows when the output is
        # read, and the output (left as the clipped take) is garbage
        raise DeferredOpError(str(e), xp.take(a, _take_index("clip", a.shape[axis], idx, xp), axis=axis))


def _take_bwd(attrs, og, ins, outs, ctx, state):
    a, idx = ins
    xp = ctx.xp
    axis = _take_axis(attrs, a)
    flat = _take_index(attrs.mode, a.shape[axis], idx, xp).reshape(-1)
    g = og[0].reshape(a.shape[:axis] + (flat.size,) + a.shape[axis + 1:])
    gx = xp.zeros_like(a)
    xp.add.at(xp.moveaxis(gx, axis, 0), flat, xp.moveaxis(g, axis, 0))
    return [gx, None]


register("take", _take_fwd, inputs=("a", "indices"), params=(
    Param("axis", "int", 0, "the axis to take along"),
    Param("mode", "str", "clip", "handling of out-of-range indices", choices=("clip", "raise", "wrap"))),
    backward=_take_bwd, doc="Takes slices of a along an axis at the given indices.")


def _batch_take_fwd(attrs, ins, ctx):
    a, idx = ins
    if idx.dtype != np.int32:
        raise MXNetError(f"Operator batch_take: indices must be int32, got {idx.dtype}")
    if a.ndim != 2 or idx.shape != (a.shape[0],):
        raise MXNetError(f"Operator batch_take: expected a of shape (N, M) and indices of shape (N,), "
                         f"got {a.shape} and {idx.shape}")
    xp = ctx.xp
    return a[xp.arange(a.shape[0]), xp.clip(idx, 0, a.shape[1] - 1)]


def _batch_take_shape(attrs, shapes):
    a, idx = shapes
    if a is not None and idx is not None and all(a) and all(idx) and \
            int(np.prod(a)) // a[-1] != int(np.prod(idx)):
        raise MXNetError(f"Operator batch_take: indices {tuple(idx)} must have one entry per row of "
                         f"a {tuple(a)}")
    return shapes, [idx]


register("batch_take", _batch_take_fwd, inputs=("a", "indices"), infer_shape=_batch_take_shape,
         fgradient=False,
         infer_type=lambda attrs, types: ([types[0], np.dtype(np.int32)], [types[0]]),
         doc="Takes one element per row: out[i] = a[i, indices[i]] (deprecated, use pick).")


def _pick_index(attrs, data, index, xp):
    if attrs.axis is None:
        raise MXNetError("Operator pick: axis=None is not supported, give an axis")
    axis = norm_axis(attrs.axis, data.ndim, "pick")
    n = data.shape[axis]
    want = data.shape[:axis] + data.shape[axis + 1:]
    want_k = data.shape[:axis] + (1,) + data.shape[axis + 1:]
    if index.shape not in (want, want_k):
        raise MXNetError(f"Operator pick: index shape {index.shape} must be {want} or {want_k} for data "
                         f"{data.shape} and axis {axis}")
    idx = _int_index(index)
    idx = xp.clip(idx, 0, n - 1) if attrs.mode == "clip" else xp.mod(idx, n)
    return axis, idx.reshape(want_k)


def _pick_fwd(attrs, ins, ctx):
    data, index = ins
    axis, idx = _pick_index(attrs, data, index, ctx.xp)
    out = ctx.xp.take_along_axis(data, idx, axis=axis)
    return out if attrs.keepdims else out.reshape(out.shape[:axis] + out.shape[axis + 1:])


def _pick_bwd(attrs, og, ins, outs, ctx, state):
    data, index = ins
    xp = ctx.xp
    axis, idx = _pick_index(attrs, data, index, xp)
    gx = xp.zeros_like(data)
    xp.put_along_axis(gx, idx, og[0].reshape(idx.shape), axis=axis)
    return [gx, None]


register("pick", _pick_fwd, inputs=("data", "index"), params=(
    Param("axis", "int", -1, "the axis to pick along", optional=True),
    Param("keepdims", "bool", False, "keep the picked axis with size 1"),
    Param("mode", "str", "clip", "handling of out-of-range indices", choices=("clip", "wrap"))),
    backward=_pick_bwd, doc="Picks one element per position along an axis, at the given indices.")


# -- gather_nd, scatter_nd -----------------------------------------------------------------------
def _nd_key(indices, ndim, opname):
    if indices.ndim < 1 or indices.shape[0] > ndim:
        raise MXNetError(f"Operator {opname}: indices of shape {indices.shape} need 1 <= shape[0] <= {ndim}")
    return tuple(_int_index(indices))


def _gather_nd_fwd(attrs, ins, ctx):
    data, indices = ins
    key = _nd_key(indices, data.ndim, "gather_nd")
    try:
        return data[key]
    except IndexError as e:
        raise MXNetIndexError(f"Operator gather_nd: {e}") from None


def _gather_nd_bwd(attrs, og, ins, outs, ctx, state):
    data, indices = ins
    gx = ctx.xp.zeros_like(data)
    ctx.xp.add.at(gx, _nd_key(indices, data.ndim, "gather_nd"), og[0])
    return [gx, None]


register("gather_nd", _gather_nd_fwd, inputs=("data", "indices"), backward=_gather_nd_bwd,
         doc="Gathers elements or slices: out[i] = data[indices[0, i], ..., indices[M-1, i]].")


def _scatter_nd_fwd(attrs, ins, ctx):
    data, indices = ins
    shape = tuple(attrs.shape)
    key = _nd_key(indices, len(shape), "scatter_nd")
    want = indices.shape[1:] + shape[indices.shape[0]:]
    if data.shape != want:
        raise MXNetError(f"Operator scatter_nd: data shape {data.shape} must be {want}")
    out = ctx.xp.zeros(shape, data.dtype)
    out[key] = data
    return out


def _scatter_nd_bwd(attrs, og, ins, outs, ctx, state):
    data, indices = ins
    return [og[0][_nd_key(indices, len(attrs.shape), "scatter_nd")], None]


register("scatter_nd", _scatter_nd_fwd, inputs=("data", "indices"),
         params=(Param("shape", "shape", doc="shape of the output"),), backward=_scatter_nd_bwd,
         doc="Scatters data into a zero array of the given shape (inverse of gather_nd).")


# -- one_hot ---------------------------------------------------------------------------------
def _one_hot_fwd(attrs, ins, ctx):
    xp = ctx.xp
    depth = check_int32("one_hot", "depth", attrs.depth)
    if depth < 0:
        raise MXNetError(f"Operator one_hot: depth must be a non-negative integer, got {depth}")
    check_alloc_size("one_hot", ins[0].shape + (depth,))
    idx = _int_index(ins[0])
    hot = idx[..., None] == xp.arange(depth)
    dt = np.dtype(attrs.dtype)
    return xp.where(hot, dt.type(attrs.on_value), dt.type(attrs.off_value)).astype(dt, copy=False)


def _one_hot_type(attrs, types):
    return types, [np.dtype(attrs.dtype)]


register("one_hot", _one_hot_fwd, inputs=("indices",), params=(
    Param("depth", "int", doc="length of the one-hot axis"),
    Param("on_value", "float", 1.0, "value at the index"),
    Param("off_value", "float", 0.0, "value elsewhere"),
    Param("dtype", "dtype", np.dtype(np.float32), "output dtype")),
    infer_type=_one_hot_type, doc="One-hot encodes indices along a new last axis.")


# -- sort, argsort, topk ---------------------------------------------------------------------------
def _flat_axis(attrs, x, opname):
    """(array to sort, axis): axis=None sorts the flattened input."""
    if attrs.axis is None:
        return x.reshape(-1), 0
    if x.ndim == 0:
        raise MXNetError(f"Operator {opname}: input must have at least one dimension")
    return x, norm_axis(attrs.axis, x.ndim, opname)


def _order(x, axis, ascend, xp):
    """Stable argsort; descending keeps equal elements in their original order, like MXNet."""
    if ascend:
        return xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    rev = xp.flip(x, axis=axis)
    return (n - 1) - xp.flip(xp.argsort(rev, axis=axis, kind="stable"), axis=axis)


def _sort_fwd(attrs, ins, ctx):
    x, axis = _flat_axis(attrs, ins[0], "sort")
    if attrs.is_ascend:
        return ctx.xp.sort(x, axis=axis)
    return ctx.xp.take_along_axis(x, _order(x, axis, False, ctx.xp), axis=axis)


def _scatter_back(g, x_shape, order, axis, xp):
    """Gradient of take_along_axis(x, order, axis) (order holds distinct positions)."""
    gx = xp.zeros(x_shape, g.dtype)
    xp.put_along_axis(gx, order, g, axis=axis)
    return gx


def _sort_bwd(attrs, og, ins, outs, ctx, state):
    x, axis = _flat_axis(attrs, ins[0], "sort")
    order = _order(x, axis, attrs.is_ascend, ctx.xp)
    return [_scatter_back(og[0].reshape(x.shape), x.shape, order, axis, ctx.xp).reshape(ins[0].shape)]


_sort_params = (Param("axis", "int", -1, "the axis to sort along (None: the flattened input)", optional=True),
                Param("is_ascend", "bool", True, "sort in ascending order"))
register("sort", _sort_fwd, params=_sort_params, backward=_sort_bwd,
         doc="Sorts the input along an axis.")

_idx_dtype = Param("dtype", "dtype", np.dtype(np.float32), "dtype of the returned indices")


def _argsort_fwd(attrs, ins, ctx):
    x, axis = _flat_axis(attrs, ins[0], "argsort")
    return _order(x, axis, attrs.is_ascend, ctx.xp).astype(attrs.dtype)


register("argsort", _argsort_fwd, params=_sort_params + (_idx_dtype,),
         infer_type=lambda attrs, types: (types, [np.dtype(attrs.dtype)]),
         doc="Indices that sort the input along an axis.")


def _topk_plan(attrs, data, xp):
    """(flattened-or-not x, axis, k, order of the top k)."""
    x, axis = _flat_axis(attrs, data, "topk")
    n = x.shape[axis]
    k = attrs.k if attrs.k > 0 else n
    if k > n:
        raise MXNetError(f"Operator topk: k={attrs.k} must not exceed {n}, the size of axis {axis}")
    order = _order(x, axis, attrs.is_ascend, xp)
    return x, axis, k, xp.take(order, xp.arange(k), axis=axis)


def _topk_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data = ins[0]
    x, axis, k, top = _topk_plan(attrs, data, xp)
    rt = attrs.ret_typ
    if rt == "mask":
        mask = xp.zeros(x.shape, data.dtype)
        xp.put_along_axis(mask, top, data.dtype.type(1), axis=axis)
        return mask.reshape(data.shape)
    idx = top.astype(attrs.dtype)
    if rt == "indices":
        return idx
    values = xp.take_along_axis(x, top, axis=axis)
    return values if rt == "value" else (values, idx)


def _topk_bwd(attrs, og, ins, outs, ctx, state):
    data = ins[0]
    if attrs.ret_typ not in ("value", "both") or og[0] is None:
        return [ctx.xp.zeros_like(data)]
    x, axis, k, top = _topk_plan(attrs, data, ctx.xp)
    return [_scatter_back(og[0], x.shape, top, axis, ctx.xp).reshape(data.shape)]


def _topk_type(attrs, types):
    t = types[0]
    rt = attrs.ret_typ
    idx = np.dtype(attrs.dtype)
    outs = {"value": [t], "mask": [t], "indices": [idx], "both": [t, idx]}[rt]
    return types, outs


register("topk", _topk_fwd, params=(
    Param("axis", "int", -1, "the axis to search (None: the flattened input)", optional=True),
    Param("k", "int", 1, "number of elements to return (<= 0: all)"),
    Param("ret_typ", "str", "indices", "what to return", choices=("both", "indices", "mask", "value")),
    Param("is_ascend", "bool", False, "return the k smallest instead of the largest"),
    _idx_dtype),
    backward=_topk_bwd, num_outputs=lambda attrs: 2 if attrs.ret_typ == "both" else 1,
    infer_type=_topk_type, doc="The k largest (or smallest) elements or their indices along an axis.")


# -- boolean_mask ----------------------------------------------------------------------------------
def _bmask_key(attrs, data, index):
    if attrs.axis != 0:
        raise MXNetError(f"Operator _contrib_boolean_mask: only axis=0 is supported, got {attrs.axis}")
    if index.shape != (data.shape[0],):
        raise MXNetError(f"Operator _contrib_boolean_mask: index shape {index.shape} must be "
                         f"({data.shape[0]},)")
    return index != 0


def _bmask_bwd(attrs, og, ins, outs, ctx, state):
    data, index = ins
    gx = ctx.xp.zeros_like(data)
    gx[_bmask_key(attrs, data, index)] = og[0]
    return [gx, None]


register("_contrib_boolean_mask", lambda attrs, ins, ctx: ins[0][_bmask_key(attrs, *ins)],
         inputs=("data", "index"), params=(Param("axis", "int", 0, "the masked axis (only 0)"),),
         backward=_bmask_bwd, doc="Keeps the rows of data where index is non-zero.")


# -- _sparse_retain: the rows of data at the given indices, the others zero ------------------
def _retain_rows(x, idx, xp):
    k = idx.reshape(-1).astype(np.int64)
    out = xp.zeros_like(x)
    out[k] = x[k]
    return out


register("_sparse_retain", lambda attrs, ins, ctx: _retain_rows(ins[0], ins[1], ctx.xp),
         inputs=("data", "indices"),
         backward=lambda attrs, og, ins, outs, ctx, st: [_retain_rows(og[0], ins[1], ctx.xp), None],
         doc="Keep the rows of data whose indices are given (row_sparse in MXNet; its sparse form is in "
             "ndarray/sparse.py); the other rows are zero.")
