"""Sparse gradients on the autograd tape.

Operators whose weight gradient MXNet computes ``row_sparse`` give one here too, holding only
the rows the batch touched: ``Embedding(sparse_grad=True)`` and ``contrib.SparseEmbedding``
(the rows of the looked-up indices) and ``dot(csr, weight)`` (the rows of the CSR columns that
hold values).  Such an operator is recorded with the gradient function below, so that neither
its forward nor its backward ever makes a dense copy of the weight (a ``row_sparse`` weight,
as ``Parameter.row_sparse_data`` gives, is read through its stored rows).  The tape
(``autograd._run_backward``) adds sparse gradients with ``grad_sum`` and writes them into a
variable's gradient buffer with ``write_grad``, in the buffer's storage type.
"""
import numpy as np

from .. import autograd
from ..base import MXNetError
from ..backend import get_backend
from ..ops.nn_basic import _emb_index
from ..ops.registry import FALLBACK, get_op, set_storage, OpDef
from .ndarray import NDArray, invoke, _wrap
from .sparse import BaseSparseNDArray, CSRNDArray, RowSparseNDArray, cast_storage, _assign

_IDX = np.int64


# -- gradient arithmetic ---------------------------------------------------------------------------
def _as_nd(g, ctx):
    return g if isinstance(g, NDArray) else _wrap(g, ctx)


def _dense_raw(g):
    """A writable dense backend array of gradient ``g`` (raw array or NDArray)."""
    if isinstance(g, BaseSparseNDArray):
        return g._dense()
    return g._data if isinstance(g, NDArray) else g


def grad_sum(a, b):
    """``a + b`` for gradients of which at least one is sparse: row_sparse when both are,
    else a raw dense array."""
    if isinstance(a, RowSparseNDArray) and isinstance(b, RowSparseNDArray):
        with autograd.pause():
            return invoke(get_op("elemwise_add"), [a, b])
    return _dense_raw(a) + _dense_raw(b)


def write_grad(buf, g, req):
    """Store gradient ``g`` (raw array, NDArray or sparse NDArray) into the gradient buffer
    ``buf`` (``req`` 'write' or 'add'), keeping the buffer's storage type."""
    if not buf._is_sparse:
        gd = _dense_raw(g)
        if gd.shape != buf._data.shape:
            gd = gd.reshape(buf._data.shape)
        if req == "add":
            buf._data += gd
        else:
            buf._data[...] = gd
        return
    ctx = buf._ctx
    g = _as_nd(g, ctx)
    if g.stype != buf.stype:
        g = cast_storage(g if g.stype == "default" else g.tostype("default"), buf.stype)
    if req == "add":
        with autograd.pause():
            g = buf + g if buf.stype != "row_sparse" else grad_sum(buf, g)
        if g.stype != buf.stype:
            g = cast_storage(g, buf.stype)
    _assign(buf, g)


# -- Embedding -------------------------------------------------------------------------------------
def _rows_summed(idx, rows, xp):
    """The sorted distinct indices ``idx`` and, for each, the sum of its ``rows``."""
    order = xp.argsort(idx, kind="stable")
    sidx = idx[order]
    first = xp.empty(sidx.shape, dtype=bool)
    first[:1] = True
    xp.not_equal(sidx[1:], sidx[:-1], out=first[1:])
    srows = rows[order]
    nrep = int(first.shape[0] - xp.count_nonzero(first))
    if not nrep:
        return sidx, srows
    if nrep * 8 < first.shape[0]:
        # a few repeats (a large table): keep the first row of each index, add the repeats to it
        vals = srows[first]
        seg = xp.cumsum(first) - 1
        rep = ~first
        xp.add.at(vals, seg[rep], srows[rep])
        return sidx[first], vals
    starts = xp.nonzero(first)[0]
    return sidx[starts], xp.add.reduceat(srows, starts, axis=0)


def _leaf_grad_stype(entry):
    if type(entry) is autograd.Leaf and entry.grad is not None and entry.grad_req != "null":
        return entry.grad.stype
    return None


def _embedding_grad(attrs, ograd, data, weight_shape, weight_dtype, ctx):
    """The row_sparse gradient of an embedding's weight: the summed output-gradient rows of
    each distinct (clipped) index."""
    xp = get_backend(ctx).xp
    idx = _emb_index(attrs, data, xp).reshape(-1)
    rows = ograd.reshape(idx.shape[0], weight_shape[1]).astype(weight_dtype, copy=False)
    uniq, vals = _rows_summed(idx, rows, xp)
    return RowSparseNDArray._new(xp.ascontiguousarray(vals), (uniq.astype(_IDX),), weight_shape, ctx)


def _check_embedding_buffer(op, attrs, entry):
    # as MXNet, the weight's gradient buffer must have the storage type sparse_grad asks for
    st = _leaf_grad_stype(entry)
    sparse = op.name == "_contrib_SparseEmbedding" or attrs.sparse_grad
    if st is None or st == ("row_sparse" if sparse else "default"):
        return sparse
    if op.name == "_contrib_SparseEmbedding":
        raise MXNetError("Operator not implemented: operator = _backward_SparseEmbedding: the weight's "
                         f"gradient must be row_sparse, not {st}")
    raise MXNetError(f"Cannot use sparse_grad = {int(bool(attrs.sparse_grad))}, while stype of gradients "
                     f"w.r.t embedding weight is {st}")


def _embedding_backward(node, ograds, need):
    """The tape's gradient of a recorded dense Embedding whose weight gradient is row_sparse
    (None: the dense gradient)."""
    if not _check_embedding_buffer(node.op, node.attrs, node.in_entries[1]):
        return None
    g = ograds[0]
    if g is None or not need[1]:
        return [None, None]
    data, weight = node.inputs
    return [None, _embedding_grad(node.attrs, _dense_raw(g), data, weight.shape, weight.dtype,
                                  node.in_arrays[1]._ctx)]


class _SparseTapeOp:
    """A recorded sparse form: what the tape calls for its gradient (inputs kept as the NDArrays
    the forward received, sparse ones included)."""

    differentiable = True
    backward_graph = None

    def __init__(self, op, grad):
        self.op, self.name, self._grad = op, op.name, grad

    def backward(self, attrs, ograds, inputs, outputs, ctx, state):
        need = ctx.need_grad or (True,) * len(inputs)
        return self._grad(self.op, attrs, ograds, inputs, need, state)


def _rsp_embedding_forward(attrs, data, weight):
    """Embedding rows looked up in a row_sparse weight (zeros for rows it does not store)."""
    xp = get_backend(weight._ctx).xp
    idx = _emb_index(attrs, data._data, xp)
    stored = weight._aux[0]
    out = xp.zeros(idx.shape + (weight._sshape[1],), dtype=weight._values.dtype)
    if stored.shape[0]:
        pos = xp.clip(xp.searchsorted(stored, idx), 0, stored.shape[0] - 1)
        hit = stored[pos] == idx
        out[hit] = weight._values[pos[hit]]
    return _wrap(out, weight._ctx)


def _rsp_embedding_grad(op, attrs, ograds, inputs, need, state):
    data, weight = inputs
    _check_embedding_buffer(op, attrs, state)
    if ograds[0] is None or not need[1]:
        return [None, None]
    return [None, _embedding_grad(attrs, ograds[0], data._data, weight.shape, weight.dtype, weight._ctx)]


def _csr_dot_grad(op, attrs, ograds, inputs, need, state):
    lhs, rhs = inputs
    if ograds[0] is None or not need[1]:
        return [None, None]
    with autograd.pause():
        g = invoke(get_op("dot"), [lhs, _wrap(ograds[0], lhs._ctx)], {"transpose_a": True})
    if g.stype != "row_sparse":
        g = cast_storage(g, "row_sparse")
    return [None, g]


def _embedding_record(op, args, attrs):
    data, weight = args
    if not isinstance(weight, RowSparseNDArray) or isinstance(data, BaseSparseNDArray):
        return None
    return _rsp_embedding_forward(attrs, data, weight), _rsp_embedding_grad, weight._entry


def _dot_record(op, args, attrs):
    lhs, rhs = args
    # the CSR input is data (no gradient); dot(csr, weight) with the weight's gradient row_sparse
    if not isinstance(lhs, CSRNDArray) or lhs._entry is not None or attrs.transpose_a or attrs.transpose_b \
            or isinstance(rhs, CSRNDArray) or attrs.get("forward_stype") is not None:
        return None
    with autograd.pause():
        out = invoke(op, [lhs, rhs], attrs=attrs)
    return out, _csr_dot_grad, None


_RECORDED = {"Embedding": _embedding_record, "_contrib_SparseEmbedding": _embedding_record,
             "dot": _dot_record}


def record(op, args, attrs):
    """While recording: run ``op``'s sparse form on ``args`` and put it on the tape with its
    sparse gradient; None where the operator has none for these inputs."""
    fn = _RECORDED.get(op.name)
    if fn is None:
        return None
    res = fn(op, args, attrs)
    if res is None:
        return None
    out, grad, state = res
    out._entry = None
    autograd._record(_SparseTapeOp(op, grad), attrs, list(args), list(args), [out], state)
    return out


def _embedding_stype(attrs, st):
    # a row_sparse weight is read through its stored rows; other sparse inputs fall back
    return ("default",) if st == ("default", "row_sparse") else FALLBACK


def _embedding_compute(op, args, attrs):
    return _rsp_embedding_forward(attrs, args[0], args[1])


def _embedding_grad_stype(sparse):
    def grad(attrs, st):
        return ("default", "row_sparse" if sparse or attrs.sparse_grad else "default")
    return grad


def _install():
    for name in ("Embedding", "_contrib_SparseEmbedding"):
        op = get_op(name)
        assert isinstance(op, OpDef)
        autograd._SPARSE_BACKWARD[op] = _embedding_backward
        set_storage(name, _embedding_compute, _embedding_stype,
                    grad=_embedding_grad_stype(name == "_contrib_SparseEmbedding"))


_install()
