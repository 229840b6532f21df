"""Operator family nn_basic: Dropout and Embedding.  Importing it also registers the activation,
normalisation and loss families (nn_activation, nn_norm, nn_loss)."""
import numpy as np

from ..base import MXNetError
from ._util import like_data, norm_axis
from .registry import register, Param


# -- Dropout ----------------------------------------------------------------------------------
def _dropout_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    p = attrs.p
    if not 0 <= p <= 1:
        raise MXNetError(f"Operator Dropout: p must lie in [0, 1], got {p}")
    shape = list(x.shape)
    for a in attrs.axes:   # checked in inference too, as MXNet does
        shape[norm_axis(a, x.ndim, "Dropout", "axes")] = 1
    if not (ctx.is_train or attrs.mode == "always") or p == 0:
        return (x.copy(), xp.ones((1,) * x.ndim, dtype=x.dtype)), None
    # the mask holds 0 or 1 / (1 - p), drawn once per kept position (shared along ``axes``)
    rdt = np.float64 if x.dtype == np.float64 else np.float32
    keep = ctx.rng.random(tuple(shape), dtype=rdt) >= rdt(p)
    if ctx.xp is not np:
        keep = xp.asarray(keep)
    if p < 1:
        mask = (keep * x.dtype.type(1 / (1 - p))).astype(x.dtype, copy=False)
    else:  # MXNet scales by 1 / (1 - p) = inf: every element is 0 * inf, NaN
        mask = xp.full(tuple(shape), np.nan, dtype=x.dtype)
    return (x * mask, mask), mask


def _dropout_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None]
    return [g.copy() if state is None else g * state]


def _dropout_graph(attrs, og, ins, outs):
    # outs[1] is the mask (ones outside training), shared along ``axes``
    from ..ndarray.ndarray import invoke
    from .registry import get_op
    return [None if og[0] is None else invoke(get_op("broadcast_mul"), [og[0], outs[1]])]


register("Dropout", _dropout_fwd, params=(
    Param("p", "float", 0.5, "fraction of the input that gets dropped"),
    Param("mode", "str", "training", "drop only in training, or always", choices=("always", "training")),
    Param("axes", "shape", (), "axes along which one mask value is shared"),
    Param("cudnn_off", "bool", False, "accepted for compatibility", optional=True)),
    backward=_dropout_bwd, backward_graph=_dropout_graph, save_state=True, num_outputs=2,
    num_visible_outputs=1,
    output_names=("output", "mask"), needs_rng=True, uses_train=True,
    **like_data(2),
    doc="Zeroes random elements with probability p and scales the rest by 1 / (1 - p); the identity "
        "outside training unless mode='always'.")


# -- Embedding --------------------------------------------------------------------------------
def _emb_index(attrs, data, xp):
    return xp.clip(data.astype(np.int64), 0, attrs.input_dim - 1)


def _emb_fwd(attrs, ins, ctx):
    data, weight = ins
    want = (attrs.input_dim, attrs.output_dim)
    if tuple(weight.shape) != want:
        raise MXNetError(f"Operator Embedding: weight must have shape (input_dim, output_dim) = {want}, "
                         f"got {tuple(weight.shape)}")
    return weight[_emb_index(attrs, data, ctx.xp)]


def _emb_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None, None]
    xp = ctx.xp
    data, weight = ins
    idx = _emb_index(attrs, data, xp).reshape(-1)
    rows = g.reshape(idx.size, weight.shape[1])
    dw = ctx.grad_buffer(1, weight.shape, weight.dtype)
    if dw is None:
        dw = xp.zeros(weight.shape, dtype=weight.dtype)
    else:
        dw.fill(0)
    if idx.size:
        # scatter-add in index order: the first of each run of equal (stably sorted) indices is
        # stored, the few repeats are added after it
        order = xp.argsort(idx, kind="stable")
        sidx = idx[order]
        first = xp.empty(sidx.shape, dtype=bool)
        first[0] = True
        xp.not_equal(sidx[1:], sidx[:-1], out=first[1:])
        dw[sidx[first]] = rows[order[first]]
        if not first.all():
            rep = ~first
            xp.add.at(dw, sidx[rep], rows[order[rep]])
    return [None, dw]


def _emb_shape(attrs, shapes):
    shapes[1] = (attrs.input_dim, attrs.output_dim)
    d = shapes[0]
    return shapes, [None if d is None else tuple(d) + (attrs.output_dim,)]


def _emb_type(attrs, types):
    w = attrs.dtype
    return [types[0] if types[0] is not None else np.dtype(np.float32), w], [w]


register("Embedding", _emb_fwd, inputs=("data", "weight"), params=(
    Param("input_dim", "int", doc="vocabulary size: rows of the weight"),
    Param("output_dim", "int", doc="embedding size: columns of the weight"),
    Param("dtype", "dtype", np.dtype(np.float32), "data type of the weight"),
    Param("sparse_grad", "bool", False, "row-sparse weight gradient (given dense here)")),
    backward=_emb_bwd, infer_shape=_emb_shape, infer_type=_emb_type,
    doc="Looks up rows of the weight for the integer-valued indices in data (clipped to the "
        "vocabulary); the output has shape data.shape + (output_dim,).")

# MXNet's older sparse embedding: Embedding whose weight gradient is always row_sparse (autograd
# gives it so through ndarray/sparse_grad.py); ``deterministic`` orders the gradient's sums in
# MXNet's kernels, which mxnext's always are
register("_contrib_SparseEmbedding", _emb_fwd, inputs=("data", "weight"), params=(
    Param("input_dim", "int", doc="vocabulary size: rows of the weight"),
    Param("output_dim", "int", doc="embedding size: columns of the weight"),
    Param("dtype", "dtype", np.dtype(np.float32), "data type of the weight"),
    Param("sparse_grad", "bool", False, "accepted for compatibility: the gradient is row_sparse anyway"),
    Param("deterministic", "bool", False, "accepted for compatibility: the sums are deterministic here")),
    backward=_emb_bwd, infer_shape=_emb_shape, infer_type=_emb_type,
    doc="Embedding with a row_sparse weight gradient (the rows of the indices looked up).")
