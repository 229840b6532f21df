"""The sparse forms of the registered operators and their storage rules (MXNet 1.9.1's).

Each entry below declares, through ``registry.set_storage``, which input storage types an
operator computes itself and the storage types of its outputs (``infer``), and how (``compute``,
on NDArrays of those storage types).  ``registry.infer_storage`` applies the rule for eager calls
(``sparse.dispatch``) and for graphs (``symbol/infer.py``, ``Executor``): storage types without a
form fall back to the dense operator with MXNet's warning, or are refused where MXNet refuses
them.  SciPy (the ``[sparse]`` extra) computes the CSR products; without it they run dense.
"""
import builtins

import numpy as np

from ..base import MXNetError
from ..backend import get_backend
from ..ops.registry import FALLBACK, UNSUPPORTED, get_op, set_storage
from .ndarray import invoke, _wrap
from .sparse import (BaseSparseNDArray, CSRNDArray, RowSparseNDArray, csr_matrix, cast_storage, _csr_rows,
                     _csr_from_dense, _same_structure, _densified, _host, _scipy_sparse, _IDX)

D, C, R = "default", "csr", "row_sparse"
_SPARSE = (C, R)


def _is_host(a):
    return a._ctx.device_typeid != 2


def _dense_result(op, args, attrs):
    """Operators whose output is dense anyway (csr + dense, ...): the dense operator on dense
    copies, without a fallback message (MXNet computes these from the sparse input directly)."""
    return invoke(op, [_densified(a) for a in args], attrs=attrs)


# -- unary operators ---------------------------------------------------------------------------
# operators that map 0 to 0: computed on the stored values, the structure kept
_ZERO_KEEPING = (
    "abs", "sign", "negative", "square", "sqrt", "relu", "sin", "tan", "arcsin", "arctan", "sinh",
    "tanh", "arcsinh", "arctanh", "ceil", "floor", "rint", "round", "fix", "trunc", "expm1", "log1p",
    "degrees", "radians", "cbrt", "_copy", "zeros_like", "make_loss", "BlockGrad",
)


def _keep(attrs, st):
    return (st[0],) if st[0] in _SPARSE else FALLBACK


def _unary(op, args, attrs):
    (a,) = args
    vals = invoke(op, [_wrap(a._values, a._ctx)], attrs=attrs)._data
    return _same_structure(a, vals)


def _keep_if(cond):
    """The structure is kept when ``cond(attrs)`` (the operator maps 0 to 0 for those parameters)."""
    def infer(attrs, st):
        return (st[0],) if st[0] in _SPARSE and cond(attrs) else FALLBACK
    return infer


def _finite_scalar(attrs):
    return bool(np.isfinite(attrs.scalar))


def _plus_scalar_stype(attrs, st):
    # adding 0 keeps the storage; any other scalar gives a dense result, computed directly
    if st[0] not in _SPARSE:
        return FALLBACK
    return (st[0],) if attrs.scalar == 0 else (D,)


def _plus_scalar(op, args, attrs):
    return _unary(op, args, attrs) if attrs.scalar == 0 else _dense_result(op, args, attrs)


# scalar comparisons keep the storage type where they map 0 to 0 (MXNet's rule)
_CMP_SCALAR = {"_equal_scalar": np.equal, "_not_equal_scalar": np.not_equal, "_greater_scalar": np.greater,
               "_greater_equal_scalar": np.greater_equal, "_lesser_scalar": np.less,
               "_lesser_equal_scalar": np.less_equal}


def _cmp_stype(name):
    return _keep_if(lambda attrs: not _CMP_SCALAR[name](0, attrs.scalar))


def _clip_stype(attrs, st):
    if st[0] not in _SPARSE:
        return FALLBACK
    # a range without 0 would fill the zeros: MXNet refuses it
    return (st[0],) if attrs.a_min <= 0 <= attrs.a_max else UNSUPPORTED


def _scatter_scalar(op, args, attrs):
    """``_scatter_plus_scalar`` / ``_scatter_minus_scalar``: the scalar applied to stored values only."""
    (a,) = args
    s = attrs.scalar if op.name == "_scatter_plus_scalar" else -attrs.scalar
    return _same_structure(a, a._values + a._values.dtype.type(s))


# -- reductions --------------------------------------------------------------------------------
def _axis(attrs):
    ax = attrs.get("axis")
    if ax is None:
        return None
    return tuple(ax) if isinstance(ax, (tuple, list)) else (ax,)


def _sum_stype(attrs, st):
    # CSR sums along one axis, without keepdims, come out dense; the rest falls back
    if st[0] == C and _axis(attrs) in ((0,), (1,), (-1,), (-2,)) and not attrs.keepdims \
            and not attrs.exclude:
        return (D,)
    return FALLBACK


def _csr_rows_of(a):
    xp = get_backend(a._ctx).xp
    indptr = a._aux[0]
    return xp.repeat(xp.arange(a._sshape[0], dtype=_IDX), xp.diff(indptr).astype(_IDX))


def _sum(op, args, attrs):
    (a,) = args
    xp = get_backend(a._ctx).xp
    axis = _axis(attrs)[0] % 2
    n = a._sshape[1 - axis]
    keys = a._aux[1] if axis == 0 else _csr_rows_of(a)
    res = xp.bincount(keys, weights=a._values, minlength=n)
    if op.name == "mean":
        res = res / a._sshape[axis]
    return _wrap(res.astype(a._values.dtype), a._ctx)


def _norm_stype(attrs, st):
    if st[0] in _SPARSE and attrs.ord == 2 and attrs.axis is None and not attrs.keepdims \
            and attrs.out_dtype is None:
        return (D,)
    return FALLBACK


def _norm(op, args, attrs):
    (a,) = args
    xp = get_backend(a._ctx).xp
    v = a._values
    return _wrap(xp.sqrt((v * v).sum()).reshape(1).astype(v.dtype), a._ctx)


def _square_sum_stype(attrs, st):
    if st[0] == C:
        return UNSUPPORTED
    if st[0] != R or attrs.exclude:
        return FALLBACK
    axis = _axis(attrs)
    if axis in ((1,), (-1,)) and attrs.keepdims:
        return (R,)
    return (D,) if axis in ((0,), (1,), (-1,), (-2,)) else FALLBACK


def _square_sum(op, args, attrs):
    (a,) = args
    xp = get_backend(a._ctx).xp
    v = a._values.reshape(a._values.shape[0], int(np.prod(a._sshape[1:])))
    if _axis(attrs)[0] % 2 == 0:
        res = (v * v).sum(axis=0)
        return _wrap(res.reshape(1, -1) if attrs.keepdims else res, a._ctx)
    sq = (v * v).sum(axis=1)
    if attrs.keepdims:
        return RowSparseNDArray._new(sq.reshape(-1, 1), [x.copy() for x in a._aux], (a._sshape[0], 1), a._ctx)
    out = xp.zeros(a._sshape[0], dtype=v.dtype)
    out[a._aux[0]] = sq
    return _wrap(out, a._ctx)


# -- elementwise binary operators ----------------------------------------------------------------
def _add_stype(attrs, st):
    a, b = st
    if a == b:
        return (a,) if a in _SPARSE else FALLBACK
    return (D,) if D in st else FALLBACK


def _mul_stype(attrs, st):
    a, b = st
    if a == b or D in st:
        s = b if a == D else a
        return (s,) if s in _SPARSE else FALLBACK
    return FALLBACK


def _div_stype(attrs, st):
    a, b = st
    if (a, b) == (R, R) or (D in st and st != (D, D)):
        return (D,)
    return FALLBACK


def _rsp_union(op, a, b, attrs):
    xp = get_backend(a._ctx).xp
    ia, ib = a._aux[0], b._aux[0]
    rows = xp.union1d(ia, ib).astype(_IDX)
    dt = np.result_type(a._values.dtype, b._values.dtype)
    va = xp.zeros((rows.shape[0],) + a._sshape[1:], dtype=dt)
    vb = xp.zeros_like(va)
    va[xp.searchsorted(rows, ia)] = a._values
    vb[xp.searchsorted(rows, ib)] = b._values
    vals = invoke(op, [_wrap(va, a._ctx), _wrap(vb, a._ctx)], attrs=attrs)._data
    return RowSparseNDArray._new(vals, (rows,), a._sshape, a._ctx)


def _csr_pair(op, a, b):
    try:
        sa, sb = a.asscipy(), b.asscipy()
    except ImportError:
        return None
    name = op.name
    res = sa + sb if name in ("elemwise_add", "_grad_add") else sa - sb if name == "elemwise_sub" \
        else sa.multiply(sb).tocsr()
    res.sort_indices()
    return csr_matrix(res, ctx=a._ctx, dtype=np.result_type(a._values.dtype, b._values.dtype))


def _stored_positions(a):
    """Index arrays selecting ``a``'s stored entries in its dense shape."""
    if isinstance(a, CSRNDArray):
        return _csr_rows_of(a), a._aux[1]
    return (a._aux[0],)


def _sparse_times_dense(op, s, d, attrs, swap):
    """``s * d`` (or ``d * s``) on the entries ``s`` stores, keeping its structure."""
    other = d._data[_stored_positions(s)]
    x, y = (_wrap(other, s._ctx), _wrap(s._values, s._ctx))
    vals = invoke(op, [x, y] if swap else [y, x], attrs=attrs)._data
    return _same_structure(s, vals)


def _binary(op, args, attrs):
    a, b = args
    if a.shape != b.shape:
        raise MXNetError(f"Operator {op.name}: shapes {a.shape} and {b.shape} differ")
    sa, sb = a.stype, b.stype
    if D in (sa, sb):
        if op.name != "elemwise_mul":
            return _dense_result(op, args, attrs)
        return _sparse_times_dense(op, b, a, attrs, True) if sa == D else _sparse_times_dense(op, a, b, attrs, False)
    if op.name == "elemwise_div":
        return _dense_result(op, args, attrs)
    if sa == R:
        return _rsp_union(op, a, b, attrs)
    return _csr_pair(op, a, b) if _is_host(a) else None


def _same_sparse_stype(attrs, st):
    # _maximum/_minimum/_hypot map (0, 0) to 0: two arrays of one sparse storage type keep it
    return (st[0],) if st[0] == st[1] and st[0] in _SPARSE else FALLBACK


def _same_sparse(op, args, attrs):
    a, b = args
    if a.shape != b.shape:
        raise MXNetError(f"Operator {op.name}: shapes {a.shape} and {b.shape} differ")
    if a.stype == R:
        return _rsp_union(op, a, b, attrs)
    # CSR: on the union of the two structures, through a dense result of the pair's rows
    return cast_storage(_dense_result(op, args, attrs), C)


def _power_stype(attrs, st):
    # MXNet computes a dense power from these storage types without falling back, not csr ** csr
    return FALLBACK if st == (C, C) or st == (D, D) or C in st and R in st else (D,)


def _scatter_div_stype(attrs, st):
    return (st[0],) if st[0] in _SPARSE else FALLBACK


def _scatter_div(op, args, attrs):
    """``lhs / rhs`` on the entries ``lhs`` stores only."""
    a, b = args
    other = b._dense() if isinstance(b, BaseSparseNDArray) else b._data
    return _same_structure(a, a._values / other[_stored_positions(a)])


def _bcast_add_stype(attrs, st):
    return (D,) if st == (C, D) else FALLBACK


def _bcast_mul_stype(attrs, st):
    return (C,) if st == (C, D) else FALLBACK


def _bcast_mul(op, args, attrs):
    """csr * dense (broadcast to the csr's shape): the stored entries times the matching values."""
    a, b = args
    xp = get_backend(a._ctx).xp
    try:
        full = xp.broadcast_to(b._data, a._sshape)
    except ValueError:
        raise MXNetError(f"Operator {op.name}: the dense operand of shape {b.shape} must broadcast to "
                         f"the csr operand's shape {a.shape}") from None
    y = full[_stored_positions(a)]
    vals = invoke(op, [_wrap(a._values, a._ctx), _wrap(xp.ascontiguousarray(y), a._ctx)], attrs=attrs)._data
    return _same_structure(a, vals)


def _add_n_stype(attrs, st):
    return (R,) if all(s == R for s in st) else FALLBACK


def _add_n(op, args, attrs):
    if len({a.shape for a in args}) != 1:
        raise MXNetError(f"Operator add_n: the inputs' shapes differ: {[a.shape for a in args]}")
    add = get_op("elemwise_add")
    res = args[0].copy()
    for b in args[1:]:
        res = _rsp_union(add, res, b, add.parse_attrs({}))
    return res


def _where_stype(attrs, st):
    return (D,) if st == (C, D, D) else FALLBACK


# -- dot -----------------------------------------------------------------------------------------
def _dot_stype(attrs, st):
    if attrs.get("forward_stype") is not None:
        return FALLBACK
    ta, tb = attrs.transpose_a, attrs.transpose_b
    if st == (C, D):
        return (D,) if not ta and not tb else (R,) if ta and not tb else FALLBACK
    if st == (D, C):
        return (C,) if not ta and not tb else (FALLBACK, (C,)) if tb and not ta else FALLBACK
    if st == (C, R) and not ta and not tb:
        return (D,)
    return FALLBACK


def _scipy_view(a):
    """A SciPy CSR matrix over a host CSRNDArray's own components (no copies where SciPy keeps
    int64 indices)."""
    indptr, indices = a._aux
    return _scipy_sparse().csr_matrix((a._values, indices, indptr), shape=a._sshape, copy=False)


def _dot(op, args, attrs):
    """The CSR products through SciPy: time and memory proportional to the stored values (and,
    for ``csr.T x dense``, to the rows of the result that can be non-zero)."""
    a, b = args
    if not _is_host(a):
        return None
    try:
        _scipy_sparse()
    except ImportError:
        return None
    if isinstance(a, CSRNDArray):
        if a.ndim != 2 or b.ndim != 2:
            return None
        sa = _scipy_view(a)
        dt = np.result_type(a._values.dtype, b.dtype)
        rhs = b._dense() if isinstance(b, BaseSparseNDArray) else b._data
        if not attrs.transpose_a:
            if sa.shape[1] != rhs.shape[0]:
                raise MXNetError(f"Operator dot: shapes {a.shape} and {b.shape} do not match")
            return _wrap(np.ascontiguousarray(sa @ rhs, dtype=dt), a._ctx)
        if sa.shape[0] != rhs.shape[0]:
            raise MXNetError(f"Operator dot: shapes {a.shape}.T and {b.shape} do not match")
        # csr.T x dense: only the columns holding values give non-zero rows.  Those columns are
        # renumbered 0..k-1 and the transposed k-row matrix built in CSR form (SciPy's CSR product
        # runs ~2x faster than its CSC one), so nothing scales with the full column count when
        # the values are few (a batch against a large weight table)
        cols = a._aux[1]
        ncol = a._sshape[1]
        # int32 local indices where they fit: SciPy keeps them without a copy
        ldt = np.int32 if ncol < 2 ** 31 else _IDX
        if cols.shape[0] * 8 < ncol:
            rows, local = np.unique(cols, return_inverse=True)
            local = local.astype(ldt)
        else:  # many values: a mask over the columns beats sorting them
            present = np.zeros(ncol, dtype=bool)
            present[cols] = True
            rows = np.flatnonzero(present)
            local = (np.cumsum(present, dtype=ldt) - 1)[cols]
        rows = rows.astype(_IDX)
        spsp = _scipy_sparse()
        small = spsp.csr_matrix((sa.data, local.reshape(-1), sa.indptr), shape=(sa.shape[0], rows.shape[0]))
        prod = np.ascontiguousarray(small.T.tocsr() @ rhs, dtype=dt)
        return RowSparseNDArray._new(prod, (rows,), (a._sshape[1], rhs.shape[1]), a._ctx)
    if a.ndim != 2 or attrs.transpose_a or attrs.transpose_b:
        return None
    if a.shape[1] != b.shape[0]:
        raise MXNetError(f"Operator dot: shapes {a.shape} and {b.shape} do not match")
    prod = (_scipy_view(b).T @ a._data.T).T
    return csr_matrix(np.asarray(prod, dtype=np.result_type(a.dtype, b._values.dtype)), ctx=a._ctx)


# -- structure -------------------------------------------------------------------------------------
def _retain_stype(attrs, st):
    if st == (R, D):
        return (R,)
    return FALLBACK if st == (D, D) else UNSUPPORTED


def _retain(op, args, attrs):
    a, idx = args
    if not isinstance(a, RowSparseNDArray) or isinstance(idx, BaseSparseNDArray):
        raise MXNetError("_sparse_retain: the data must be row_sparse and the indices dense")
    xp = get_backend(a._ctx).xp
    have = a._aux[0]
    if not have.shape[0]:
        return a.copy()
    # as MXNet: every requested row is stored (zeros where the input has none)
    want = idx._data.reshape(-1).astype(_IDX)
    vals = xp.zeros((want.shape[0],) + a._sshape[1:], dtype=a._values.dtype)
    pos = xp.clip(xp.searchsorted(have, want), 0, have.shape[0] - 1)
    hit = have[pos] == want
    vals[hit] = a._values[pos[hit]]
    return RowSparseNDArray._new(vals, (want,), a._sshape, a._ctx)


def _slice_stype(attrs, st):
    if st[0] == C and all(s in (None, 1) for s in (attrs.step or ())):
        return (C,)
    return FALLBACK


def _slice(op, args, attrs):
    (a,) = args
    begin, end = list(attrs.begin), list(attrs.end)
    rows = _csr_rows(a, *builtins.slice(begin[0], end[0]).indices(a._sshape[0])[:2])
    if len(begin) < 2 or (begin[1] in (None, 0) and end[1] in (None, a._sshape[1])):
        return rows
    c0, c1, _ = builtins.slice(begin[1], end[1]).indices(a._sshape[1])
    return _csr_from_dense(rows._dense()[:, c0:c1], a._ctx)


def _concat_stype(attrs, st):
    return (C,) if st and all(s == C for s in st) and attrs.dim == 0 else FALLBACK


def _concat(op, args, attrs):
    xp = get_backend(args[0]._ctx).xp
    cols = {a._sshape[1] for a in args}
    if len(cols) != 1:
        raise MXNetError(f"Operator Concat: the csr inputs' column counts differ: {sorted(cols)}")
    ptrs, off = [xp.zeros(1, dtype=_IDX)], 0
    for a in args:
        ptrs.append(a._aux[0][1:] + off)
        off += a._values.shape[0]
    dt = np.result_type(*[a._values.dtype for a in args])
    vals = xp.concatenate([a._values.astype(dt, copy=False) for a in args])
    return CSRNDArray._new(vals, (xp.concatenate(ptrs), xp.concatenate([a._aux[1] for a in args])),
                           (sum(a._sshape[0] for a in args), cols.pop()), args[0]._ctx)


def _take_stype(attrs, st):
    return (C,) if st == (C, D) and attrs.axis == 0 and attrs.mode in ("clip", "wrap") else FALLBACK


def _take(op, args, attrs):
    a, idx = args
    rows = a._sshape[0]
    k = _host(idx).astype(_IDX).reshape(-1)
    k = np.clip(k, 0, rows - 1) if attrs.mode == "clip" else np.mod(k, rows)
    indptr, indices = (_host(_wrap(x, a._ctx)) for x in a._aux)
    counts = indptr[k + 1] - indptr[k]
    new_ptr = np.zeros(k.shape[0] + 1, dtype=_IDX)
    np.cumsum(counts, out=new_ptr[1:])
    pos = np.concatenate([np.arange(indptr[r], indptr[r + 1]) for r in k]).astype(_IDX) if k.size \
        else np.zeros(0, dtype=_IDX)
    vals = _host(a.data)[pos]
    return csr_matrix((vals, indices[pos], new_ptr), shape=(k.shape[0], a._sshape[1]), ctx=a._ctx,
                      dtype=a._values.dtype)


def _getnnz_stype(attrs, st):
    return (D,) if st == (C,) else FALLBACK


def _getnnz(op, args, attrs):
    (a,) = args
    indptr, indices = (_host(_wrap(x, a._ctx)) for x in a._aux)
    if attrs.axis is None:
        res = np.array([indices.shape[0]], dtype=_IDX)
    elif attrs.axis in (1, -1):
        res = np.diff(indptr).astype(_IDX)
    else:
        res = np.bincount(indices, minlength=a._sshape[1]).astype(_IDX)
    return _wrap(get_backend(a._ctx).asarray(res), a._ctx)


def _cast_storage_stype(attrs, st):
    src, dst = st[0], attrs.stype
    if src == dst or D in (src, dst):
        return (dst,)
    return UNSUPPORTED


def _cast_storage_op(op, args, attrs):
    return cast_storage(args[0], attrs.stype)


# the gradients MXNet computes sparse (simple_bind's gradient buffers), as observed in MXNet 1.9.1
def _same_pair_grad(attrs, st):
    return st if st[0] == st[1] and st[0] in _SPARSE else None


def _add_n_grad(attrs, st):
    return st if all(s == R for s in st) else None


def _dot_grad(attrs, st):
    # dot(csr, w): w's gradient csr.T x ograd is row_sparse
    return (D, R) if st == (C, D) and not attrs.transpose_a and not attrs.transpose_b else None


def _abs_grad(attrs, st):
    return st if st == (R,) else None


def _cast_storage_grad(attrs, st):
    return (attrs.stype,) if st == (D,) else None


def _register():
    for name in _ZERO_KEEPING:
        set_storage(name, _unary, _keep, _abs_grad if name == "abs" else None)
    set_storage("_mul_scalar", _unary, _keep_if(_finite_scalar))
    set_storage("_div_scalar", _unary, _keep_if(lambda attrs: _finite_scalar(attrs) and attrs.scalar != 0))
    for name in ("_plus_scalar", "_minus_scalar"):
        set_storage(name, _plus_scalar, _plus_scalar_stype)
    for name in _CMP_SCALAR:
        set_storage(name, _unary, _cmp_stype(name))
    set_storage("_contrib_quadratic", _unary, _keep_if(lambda attrs: attrs.c == 0))
    set_storage("clip", _unary, _clip_stype)
    for name in ("_scatter_plus_scalar", "_scatter_minus_scalar"):
        set_storage(name, _scatter_scalar, _keep)
    set_storage("_scatter_elemwise_div", _scatter_div, _scatter_div_stype)
    for name in ("sum", "mean"):
        set_storage(name, _sum, _sum_stype)
    set_storage("norm", _norm, _norm_stype)
    set_storage("_square_sum", _square_sum, _square_sum_stype)
    for name in ("elemwise_add", "elemwise_sub", "_grad_add"):
        set_storage(name, _binary, _add_stype, _same_pair_grad)
    set_storage("elemwise_mul", _binary, _mul_stype)
    set_storage("elemwise_div", _binary, _div_stype)
    for name in ("_maximum", "_minimum", "_hypot"):
        set_storage(name, _same_sparse, _same_sparse_stype)
    set_storage("_power", _dense_result, _power_stype)
    for name in ("broadcast_add", "broadcast_sub"):
        set_storage(name, _dense_result, _bcast_add_stype)
    for name in ("broadcast_mul", "broadcast_div"):
        set_storage(name, _bcast_mul, _bcast_mul_stype)
    set_storage("add_n", _add_n, _add_n_stype, _add_n_grad)
    set_storage("where", _dense_result, _where_stype)
    set_storage("dot", _dot, _dot_stype, _dot_grad)
    set_storage("_sparse_retain", _retain, _retain_stype)
    set_storage("slice", _slice, _slice_stype)
    set_storage("Concat", _concat, _concat_stype)
    set_storage("take", _take, _take_stype)
    set_storage("_contrib_getnnz", _getnnz, _getnnz_stype)
    set_storage("cast_storage", _cast_storage_op, _cast_storage_stype, _cast_storage_grad)


_register()
