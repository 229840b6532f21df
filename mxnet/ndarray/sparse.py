"""``mx.nd.sparse``: compressed sparse row (CSR) and row-sparse NDArrays.

The compressed components live as backend arrays (values, and int64 indices / indptr); a dense
copy is made only where an operator has no sparse form, and then MXNet's storage-fallback warning
is printed once per operator and storage types.  SciPy is optional: only ``asscipy`` and building
from a SciPy matrix need it.
"""
import builtins
import os
import sys

import numpy as np

from ..base import MXNetError, np_dtype, mx_real_t, numeric_types
from ..context import Context, current_context
from ..backend import get_backend
from ..ops._util import check_alloc_size
from .ndarray import NDArray, invoke, _wrap

__all__ = ["BaseSparseNDArray", "CSRNDArray", "RowSparseNDArray", "csr_matrix", "row_sparse_array", "add",
           "subtract", "multiply", "divide",
           "zeros", "empty", "array", "cast_storage"]

_IDX = np.int64

# the operators mx.nd.sparse / mx.sym.sparse also offer (MXNet lists there those it has sparse
# forms of); they are the registered operators, dispatching on the inputs' storage types
FRONT_END_OPS = (
    "dot", "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "add_n", "slice", "sum", "mean",
    "clip", "where", "abs", "sign", "negative", "square", "sqrt", "relu", "sigmoid", "sin", "tan", "arcsin",
    "arctan", "sinh", "tanh", "arcsinh", "arctanh", "ceil", "floor", "rint", "round", "fix", "trunc", "expm1",
    "log1p", "degrees", "radians", "exp", "log", "cos", "cosh", "arccos", "arccosh", "rsqrt", "cbrt", "rcbrt",
    "reciprocal", "gamma", "gammaln", "zeros_like", "ones_like", "make_loss", "Embedding", "FullyConnected",
    "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_plus", "broadcast_minus",
    "sgd_update", "sgd_mom_update", "adam_update", "ftrl_update", "adagrad_update", "square_sum",
    "cast_storage", "retain", "log2", "log10", "exp2", "erf", "erfinv", "norm", "stop_gradient",
    "BlockGrad", "Cast", "_square_sum", "ElementWiseSum", "LinearRegressionOutput", "LogisticRegressionOutput",
    "MAERegressionOutput", "_contrib_round_ste", "_contrib_sign_ste", "concat")


def _scipy_sparse():
    try:
        import scipy.sparse as spsp
    except ImportError:
        raise ImportError("this needs SciPy (pip install scipy, or mxnext's [test] extra)") from None
    return spsp


def _is_scipy_sparse(x):
    mod = type(x).__module__
    return mod.startswith("scipy.sparse")


def _host(x):
    if isinstance(x, NDArray):
        return x.asnumpy()
    return np.asarray(x)


class BaseSparseNDArray(NDArray):
    """A sparse NDArray: ``_values`` and the auxiliary index arrays ``_aux`` (backend arrays)."""

    __slots__ = ("_values", "_aux", "_sshape")
    _is_sparse = True

    def _make(self, values, aux, shape, ctx):
        self._values, self._aux, self._sshape = values, tuple(aux), tuple(int(d) for d in shape)
        self._ctx, self._entry = ctx, None
        return self

    @classmethod
    def _new(cls, values, aux, shape, ctx):
        return cls.__new__(cls)._make(values, aux, shape, ctx)

    # the dense view the NDArray methods read; read-only, so a write into it fails loudly
    @property
    def _data(self):
        d = self._dense()
        if isinstance(d, np.ndarray):
            d.flags.writeable = False
        return d

    @_data.setter
    def _data(self, value):
        raise MXNetError(f"{type(self).__name__}: cannot replace the storage with a dense array")

    @property
    def shape(self):
        return self._sshape

    @property
    def dtype(self):
        return self._values.dtype.type

    @property
    def ndim(self):
        return len(self._sshape)

    @property
    def size(self):
        raise NotImplementedError("size is not defined for sparse NDArrays (as in MXNet)")

    @property
    def writable(self):
        return True

    @property
    def data(self):
        """The stored values."""
        return _wrap(self._values, self._ctx)

    @property
    def indices(self):
        return _wrap(self._aux[-1], self._ctx)

    @property
    def _num_aux(self):
        return len(self._aux)

    @property
    def _aux_types(self):
        return [a.dtype.type for a in self._aux]

    def __repr__(self):
        shape = "x".join(str(d) for d in self.shape)
        return f"\n<{type(self).__name__} {shape} @{self._ctx}>"

    __str__ = __repr__

    def __len__(self):
        return self._sshape[0]

    def __iter__(self):
        raise NotImplementedError(f"iterating over a {type(self).__name__} is not supported (as in MXNet)")

    def asnumpy(self):
        d = self._dense()
        return d if isinstance(d, np.ndarray) else get_backend(self._ctx).to_numpy(d)

    def astype(self, dtype, copy=True):
        dt = np_dtype(dtype)
        if not copy and self._values.dtype == dt:
            return self
        return type(self)._new(self._values.astype(dt), [a.copy() for a in self._aux], self._sshape,
                               self._ctx)

    def copy(self):
        return type(self)._new(self._values.copy(), [a.copy() for a in self._aux], self._sshape, self._ctx)

    def as_in_context(self, context):
        return self if context == self._ctx else self.copyto(context)

    def detach(self):
        """The same stored values, outside the autograd graph."""
        return type(self)._new(self._values, self._aux, self._sshape, self._ctx)

    def copyto(self, other):
        """Copy into ``other`` (an NDArray of any storage type, or a Context)."""
        if isinstance(other, Context):
            be = get_backend(other)
            return type(self)._new(be.asarray(_host(self.data)),
                                   [be.asarray(_host(_wrap(a, self._ctx))) for a in self._aux],
                                   self._sshape, other)
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto does not support type {type(other).__name__}")
        if other is self:
            return other
        if tuple(other.shape) != self._sshape:
            raise MXNetError(f"copyto: shape {self._sshape} does not match the target's {tuple(other.shape)}")
        _assign(other, self)
        return other

    def tostype(self, stype):
        if stype == "default":
            return _wrap(self._dense().copy() if not isinstance(self._dense(), np.ndarray) else self._dense(),
                         self._ctx)
        if stype == self.stype:
            return self.copy()
        raise ValueError(f"cast_storage from {self.stype} to {stype} is not supported")

    def _binary(self, other, op_arr, op_scalar, rop_scalar=None, reverse=False):
        # as MXNet's sparse arithmetic: arrays of equal shapes go to the elementwise operator,
        # which has the sparse forms
        if isinstance(other, NDArray) and tuple(other.shape) == self._sshape:
            op_arr = _elemwise_of(op_arr)
        return super()._binary(other, op_arr, op_scalar, rop_scalar, reverse)

    def _inplace(self, o, op_arr, op_scalar):
        _assign(self, self._binary(o, op_arr, op_scalar))
        return self

    def __getstate__(self):
        host = lambda a: _host(_wrap(a, self._ctx))  # noqa: E731
        return {"values": host(self._values), "aux": [host(a) for a in self._aux], "shape": self._sshape,
                "ctx": (self._ctx.device_type, self._ctx.device_id)}

    def __setstate__(self, st):
        ctx = Context(*st["ctx"])
        try:
            be = get_backend(ctx)
        except MXNetError:  # saved on a GPU, loaded where there is none
            ctx = Context("cpu", 0)
            be = get_backend(ctx)
        self._make(be.asarray(st["values"]), [be.asarray(a) for a in st["aux"]], st["shape"], ctx)

    def as_np_ndarray(self):
        raise MXNetError(f"as_np_ndarray: {type(self).__name__} has no mx.np form")

    def __setitem__(self, key, value):
        if not (isinstance(key, builtins.slice) and key == builtins.slice(None)):
            raise ValueError(f"{type(self).__name__} only supports [:] for assignment")
        if isinstance(value, NDArray):
            if tuple(value.shape) != self._sshape:
                raise MXNetError(f"__setitem__: shape {tuple(value.shape)} does not match {self._sshape}")
            _assign(self, value)
        elif isinstance(value, numeric_types):
            xp = get_backend(self._ctx).xp
            dense = xp.full(self._sshape, value, dtype=self._values.dtype)
            if self.stype == "row_sparse":  # as MXNet: every row stored, even for 0
                self._values, self._aux = dense, (xp.arange(self._sshape[0], dtype=_IDX),)
            else:
                _assign(self, _wrap(dense, self._ctx))
        else:
            arr = np.asarray(value, dtype=self._values.dtype)
            _assign(self, _wrap(get_backend(self._ctx).asarray(np.broadcast_to(arr, self._sshape).copy()),
                                self._ctx))


class CSRNDArray(BaseSparseNDArray):
    """A 2-D array in compressed sparse row format: ``data``, ``indices`` (column of each value)
    and ``indptr`` (row ``i``'s values are ``data[indptr[i]:indptr[i+1]]``)."""

    __slots__ = ()

    @property
    def stype(self):
        return "csr"

    @property
    def indptr(self):
        return _wrap(self._aux[0], self._ctx)

    def _dense(self):
        xp = get_backend(self._ctx).xp
        indptr, indices = self._aux
        rows, cols = self._sshape
        check_alloc_size("cast_storage", self._sshape)    # a loaded file may claim any shape
        out = xp.zeros(self._sshape, dtype=self._values.dtype)
        if self._values.shape[0]:
            r = xp.repeat(xp.arange(rows), xp.diff(indptr).astype(_IDX))
            out[r, indices] = self._values
        return out

    def asscipy(self):
        spsp = _scipy_sparse()
        return spsp.csr_matrix((self.data.asnumpy(), self.indices.asnumpy(), self.indptr.asnumpy()),
                               shape=self._sshape)

    def __getitem__(self, key):
        """Rows ``key`` (an int or a slice with step 1), as a CSRNDArray."""
        rows = self._sshape[0]
        if isinstance(key, (int, np.integer)):
            k = int(key) + rows if key < 0 else int(key)
            if not 0 <= k < rows:
                raise IndexError(f"index {key} is out of bounds for axis 0 with size {rows}")
            begin, end = k, k + 1
        elif isinstance(key, builtins.slice):
            if key.step not in (None, 1):
                raise ValueError("CSRNDArray only supports row slices with step 1")
            begin, end, _ = key.indices(rows)
            end = max(end, begin)
        else:
            raise ValueError(f"CSRNDArray does not support indexing with {type(key).__name__}")
        return _csr_rows(self, begin, end)

    def check_format(self, full_check=True):
        """Raise MXNetError unless indptr/indices describe a valid CSR matrix."""
        indptr, indices = (_host(_wrap(a, self._ctx)) for a in self._aux)
        rows, cols = self._sshape
        if indptr.shape != (rows + 1,) or indices.shape != self._values.shape[:1]:
            raise MXNetError("check_format: CSR component shapes do not match the array's shape")
        if full_check:
            if indptr[0] != 0 or np.any(np.diff(indptr) < 0) or indptr[-1] != indices.shape[0]:
                raise MXNetError("check_format: indptr must start at 0, not decrease, and end at nnz")
            if indices.size and (indices.min() < 0 or indices.max() >= cols):
                raise MXNetError("check_format: column indices out of range")
            for r in range(rows):
                seg = indices[indptr[r]:indptr[r + 1]]
                if np.any(np.diff(seg) <= 0):
                    raise MXNetError("check_format: column indices within a row must be sorted and unique")


class RowSparseNDArray(BaseSparseNDArray):
    """An array whose stored rows are ``data`` (shape ``(k,) + shape[1:]``) at row ``indices``; the
    other rows are zero."""

    __slots__ = ()

    @property
    def stype(self):
        return "row_sparse"

    def _dense(self):
        xp = get_backend(self._ctx).xp
        check_alloc_size("cast_storage", self._sshape)
        out = xp.zeros(self._sshape, dtype=self._values.dtype)
        if self._values.shape[0]:
            out[self._aux[0]] = self._values
        return out

    def __getitem__(self, key):
        if isinstance(key, builtins.slice) and key == builtins.slice(None):
            return self
        raise ValueError("RowSparseNDArray only supports [:] for indexing")

    def retain(self, indices):
        return retain(self, indices)

    def check_format(self, full_check=True):
        idx = _host(self.indices)
        if self._values.shape[1:] != self._sshape[1:] or idx.shape != self._values.shape[:1]:
            raise MXNetError("check_format: row_sparse component shapes do not match the array's shape")
        if full_check and idx.size and (idx.min() < 0 or idx.max() >= self._sshape[0]
                                        or np.any(np.diff(idx) <= 0)):
            raise MXNetError("check_format: row indices must be sorted, unique and in range")


# -- construction ------------------------------------------------------------------------------
def _ctx_of(ctx):
    return current_context() if ctx is None else ctx


def _default_dtype(src, dtype):
    if dtype is not None:
        return np_dtype(dtype)
    if isinstance(src, (np.ndarray, NDArray)) or _is_scipy_sparse(src):
        return np.dtype(src.dtype)
    return np.dtype(mx_real_t)


def _csr_from_dense(dense, ctx):
    """CSR components of a dense backend array (2-D)."""
    xp = get_backend(ctx).xp
    if dense.ndim != 2:
        raise ValueError(f"cast_storage: csr needs a 2-D array, got shape {tuple(dense.shape)}")
    mask = dense != 0
    r, c = xp.nonzero(mask)
    indptr = xp.zeros(dense.shape[0] + 1, dtype=_IDX)
    xp.cumsum(mask.sum(axis=1), out=indptr[1:])
    return CSRNDArray._new(dense[r, c].copy(), (indptr, c.astype(_IDX)), dense.shape, ctx)


def _rsp_from_dense(dense, ctx):
    xp = get_backend(ctx).xp
    if dense.ndim == 0:
        raise MXNetError("cast_storage: row_sparse needs at least 1 dimension")
    nz = dense.reshape(dense.shape[0], -1) != 0 if dense.shape[0] else xp.zeros((0, 1), dtype=bool)
    rows = xp.nonzero(nz.any(axis=1))[0].astype(_IDX)
    return RowSparseNDArray._new(dense[rows].copy(), (rows,), dense.shape, ctx)


def csr_matrix(arg1, shape=None, ctx=None, dtype=None):
    """A CSRNDArray from ``(data, indices, indptr)``, ``(M, N)`` (empty), a SciPy sparse matrix,
    a CSRNDArray, or dense data (an NDArray, a NumPy array or nested lists)."""
    ctx = _ctx_of(ctx)
    be = get_backend(ctx)
    if isinstance(arg1, tuple) and len(arg1) == 3:
        data, indices, indptr = arg1
        dt = _default_dtype(data, dtype)
        data = np.asarray(_host(data), dtype=dt).reshape(-1)
        indices = np.asarray(_host(indices), dtype=_IDX).reshape(-1)
        indptr = np.asarray(_host(indptr), dtype=_IDX).reshape(-1)
        if shape is None:
            if not indices.size:
                raise ValueError("csr_matrix: the shape is needed when there are no indices")
            shape = (indptr.shape[0] - 1, int(indices.max()) + 1)
        shape = tuple(int(d) for d in shape)
        if len(shape) != 2 or indptr.shape[0] != shape[0] + 1 or data.shape != indices.shape:
            raise MXNetError(f"csr_matrix: data {data.shape}, indices {indices.shape} and indptr "
                             f"{indptr.shape} do not describe a matrix of shape {shape}")
        return CSRNDArray._new(be.asarray(data), (be.asarray(indptr), be.asarray(indices)), shape, ctx)
    if isinstance(arg1, tuple) and len(arg1) == 2 and all(isinstance(d, (int, np.integer)) for d in arg1):
        if shape is not None and tuple(shape) != tuple(arg1):
            raise ValueError(f"csr_matrix: shape {tuple(shape)} does not match {tuple(arg1)}")
        return zeros("csr", arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, tuple) and len(arg1) == 2 and isinstance(arg1[1], tuple) and len(arg1[1]) == 2:
        # COO: (data, (row, col)), through SciPy as MXNet does
        spsp = _scipy_sparse()
        data = _host(arg1[0])
        coo = spsp.coo_matrix((data, (_host(arg1[1][0]), _host(arg1[1][1]))), shape=shape)
        return csr_matrix(coo.tocsr(), ctx=ctx, dtype=_default_dtype(arg1[0], dtype))
    if _is_scipy_sparse(arg1):
        m = arg1.tocsr(copy=True)
        m.sum_duplicates()  # canonical form: duplicates summed, columns sorted
        m.sort_indices()
        return csr_matrix((m.data, m.indices, m.indptr), shape=m.shape, ctx=ctx,
                          dtype=_default_dtype(arg1, dtype))
    if isinstance(arg1, CSRNDArray):
        res = arg1.copyto(ctx)
        return res if dtype is None else res.astype(dtype)
    if isinstance(arg1, BaseSparseNDArray):
        raise ValueError(f"csr_matrix: unexpected input {arg1.stype} array")
    dt = _default_dtype(arg1, dtype)
    dense = be.asarray(np.asarray(_host(arg1), dtype=dt))
    if dense.ndim != 2:
        raise ValueError(f"csr_matrix: dense input must be 2-D, got shape {tuple(dense.shape)}")
    if shape is not None and tuple(shape) != tuple(dense.shape):
        raise ValueError(f"csr_matrix: shape {tuple(shape)} does not match the data's {tuple(dense.shape)}")
    return _csr_from_dense(dense, ctx)


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None):
    """A RowSparseNDArray from ``(data, indices)``, a shape tuple (empty), a RowSparseNDArray or
    dense data."""
    ctx = _ctx_of(ctx)
    be = get_backend(ctx)
    if isinstance(arg1, tuple) and arg1 and all(isinstance(d, (int, np.integer)) for d in arg1):
        if shape is not None and tuple(int(d) for d in shape) != tuple(int(d) for d in arg1):
            raise ValueError(f"row_sparse_array: shape {tuple(shape)} does not match {tuple(arg1)}")
        return zeros("row_sparse", arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, tuple) and len(arg1) == 2:
        data, indices = arg1
        dt = _default_dtype(data, dtype)
        data = np.asarray(_host(data), dtype=dt)
        indices = np.asarray(_host(indices), dtype=_IDX).reshape(-1)
        if data.ndim == 0 or data.shape[0] != indices.shape[0]:
            raise MXNetError(f"row_sparse_array: data {data.shape} and indices {indices.shape} disagree")
        if shape is None:
            if not indices.size:
                raise ValueError("row_sparse_array: the shape is needed when there are no indices")
            shape = (int(indices.max()) + 1,) + data.shape[1:]
        shape = tuple(int(d) for d in shape)
        if tuple(shape[1:]) != data.shape[1:]:
            raise MXNetError(f"row_sparse_array: data {data.shape} does not match shape {shape}")
        return RowSparseNDArray._new(be.asarray(data), (be.asarray(indices),), shape, ctx)
    if isinstance(arg1, RowSparseNDArray):
        res = arg1.copyto(ctx)
        return res if dtype is None else res.astype(dtype)
    if isinstance(arg1, BaseSparseNDArray):
        raise ValueError(f"row_sparse_array: unexpected input {arg1.stype} array")
    dt = _default_dtype(arg1, dtype)
    dense = be.asarray(np.asarray(_host(arg1), dtype=dt))
    if shape is not None and tuple(shape) != tuple(dense.shape):
        raise ValueError(f"row_sparse_array: shape {tuple(shape)} does not match the data's {tuple(dense.shape)}")
    return _rsp_from_dense(dense, ctx)


def zeros(stype, shape, ctx=None, dtype=None, **kwargs):
    """An all-zero array of storage type ``stype`` (nothing stored)."""
    ctx = _ctx_of(ctx)
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(d) for d in shape)
    dt = np_dtype(dtype, mx_real_t)
    xp = get_backend(ctx).xp
    if stype == "default":
        from . import zeros as dense_zeros
        return dense_zeros(shape, ctx=ctx, dtype=dt, **kwargs)
    if stype == "csr":
        if len(shape) != 2:
            raise MXNetError(f"zeros: csr needs a 2-D shape, got {shape}")
        res = CSRNDArray._new(xp.zeros((0,), dtype=dt), (xp.zeros(shape[0] + 1, dtype=_IDX),
                                                         xp.zeros((0,), dtype=_IDX)), shape, ctx)
    elif stype == "row_sparse":
        res = RowSparseNDArray._new(xp.zeros((0,) + shape[1:], dtype=dt), (xp.zeros((0,), dtype=_IDX),),
                                    shape, ctx)
    else:
        raise ValueError(f"zeros: unknown storage type {stype!r}")
    out = kwargs.get("out")
    if out is not None:
        _assign(out, res)
        return out
    return res


def empty(stype, shape, ctx=None, dtype=None):
    """An empty sparse array (the same as ``zeros``: nothing stored)."""
    return zeros(stype, shape, ctx=ctx, dtype=dtype)


def array(source_array, ctx=None, dtype=None):
    """A sparse array from a sparse NDArray or a SciPy sparse matrix."""
    if isinstance(source_array, CSRNDArray) or _is_scipy_sparse(source_array):
        return csr_matrix(source_array, ctx=ctx, dtype=dtype)
    if isinstance(source_array, RowSparseNDArray):
        return row_sparse_array(source_array, ctx=ctx, dtype=dtype)
    raise ValueError(f"array: expected a sparse NDArray or a SciPy sparse matrix, got "
                     f"{type(source_array).__name__}")


def cast_storage(data=None, stype=None, out=None):
    """``data`` converted to storage type ``stype`` ('default', 'csr' or 'row_sparse')."""
    if not isinstance(data, NDArray):
        raise MXNetError(f"Operator cast_storage: the input 'data' must be an NDArray, got "
                         f"{type(data).__name__}")
    if stype not in ("default", "csr", "row_sparse"):
        raise MXNetError(f"cast_storage: unknown storage type {stype!r}")
    if isinstance(data, BaseSparseNDArray):
        if stype not in ("default", data.stype):
            from ..ops.registry import get_op, infer_storage
            op = get_op("cast_storage")
            infer_storage(op, op.parse_attrs({"stype": stype}), [data.stype])  # MXNet's refusal
        res = data.tostype(stype)
    elif stype == "default":
        res = data.copy()
    else:
        if stype == "csr" and data.ndim != 2:
            raise MXNetError(f"Operator cast_storage: csr needs 2-D data, got shape {tuple(data.shape)}")
        res = (_csr_from_dense if stype == "csr" else _rsp_from_dense)(data._data, data._ctx)
        from .. import autograd
        if autograd.is_recording():
            # on the tape as the registered operator, whose gradient passes the dense head
            # gradient through (MXNet's _backward_cast_storage)
            from ..ops.registry import get_op
            op = get_op("cast_storage")
            autograd._record(op, op.parse_attrs({"stype": stype}), [data], [data._data], [res], None)
    if out is not None:
        _assign(out, res)
        return out
    return res


def _assign(target, src):
    """Write ``src``'s values into ``target`` in ``target``'s storage type."""
    if tuple(target.shape) != tuple(src.shape):
        raise MXNetError(f"cannot assign an array of shape {tuple(src.shape)} to one of shape "
                         f"{tuple(target.shape)}")
    if isinstance(target, BaseSparseNDArray):
        conv = src if src.stype == target.stype else cast_storage(
            src if src.stype == "default" else src.tostype("default"), target.stype)
        if conv is src:
            conv = src.copy()
        dt = target._values.dtype
        target._values, target._aux = conv._values.astype(dt, copy=False), conv._aux
    else:
        target[:] = src.tostype("default") if isinstance(src, BaseSparseNDArray) else src


def _csr_rows(a, begin, end):
    indptr, indices = a._aux
    lo, hi = int(indptr[begin]), int(indptr[end])
    return CSRNDArray._new(a._values[lo:hi].copy(), (indptr[begin:end + 1] - lo, indices[lo:hi].copy()),
                           (end - begin, a._sshape[1]), a._ctx)


def _elemwise_of(op):
    from ..ops.registry import get_op
    name = {"broadcast_add": "elemwise_add", "broadcast_sub": "elemwise_sub", "broadcast_mul": "elemwise_mul",
            "broadcast_div": "elemwise_div"}.get(op.name)
    return op if name is None else get_op(name)


# -- operators on sparse inputs ------------------------------------------------------------------
_logged = set()


def _params_text(op, attrs):
    """The parameters as MXNet's message lists them (those that differ from the defaults)."""
    from ..ops.registry import _fmt_value
    given = [(p.name, attrs[p.name]) for p in op.params
             if attrs and p.name in attrs and (p.required or attrs[p.name] != p.default)]
    return "{" + "".join(f'"{k}" : {_fmt_value(v)}, ' for k, v in sorted(given)) + "}"


def _warn_fallback(op, args, attrs, out_stypes=("default",)):
    """MXNet's storage-fallback message, once per operator and storage types."""
    if os.environ.get("MXNET_STORAGE_FALLBACK_LOG_VERBOSE", "1") == "0":
        return
    key = (op.name, tuple(a.stype for a in args))
    if key in _logged:
        return
    _logged.add(key)
    ins = "".join(f"{s}, " for s in key[1])
    sys.stderr.write(
        "\nStorage type fallback detected:\n"
        f"operator = {op.name}\ninput storage types = [{ins}]\n"
        f"output storage types = [{''.join(f'{s}, ' for s in out_stypes)}]\n"
        f"params = {_params_text(op, attrs)}\ncontext.dev_mask = {args[0].context.device_type}\n"
        "The operator with default storage type will be dispatched for execution. You're seeing "
        "this warning message because the operator above is unable to process the given ndarrays "
        "with specified storage types, context and parameter. Temporary dense ndarrays are "
        "generated in order to execute the operator. This does not affect the correctness of the "
        "programme. You can set environment variable MXNET_STORAGE_FALLBACK_LOG_VERBOSE to 0 to "
        "suppress this warning.\n")


def _densified(a):
    if not isinstance(a, BaseSparseNDArray):
        return a
    d = _wrap(a._dense(), a._ctx)
    d._entry = a._entry  # a sparse variable's gradient flows through its dense copy
    return d


def _same_structure(a, values):
    return type(a)._new(values, [x.copy() for x in a._aux], a._sshape, a._ctx)


def dispatch(op, args, attrs, out):
    """Run ``op`` on inputs some of which are sparse, as the registry's storage rule for the
    operator says (``registry.infer_storage``): its sparse form, or the dense operator on dense
    copies with MXNet's storage-fallback message, the results stored in the inferred types."""
    from .. import autograd
    from ..ops.registry import infer_storage
    form = op.storage
    recording = autograd.is_recording()
    if recording:
        # a sparse form recorded with its sparse gradient (sparse_grad.py), where there is one
        from .sparse_grad import record
        res = record(op, args, attrs)
        if res is not None:
            if out is not None:
                _assign(out, res)
                return out
            return res
    if form is not None and form.infer is None:
        res = None if recording else form.compute(op, args, attrs, out)
        if res is not None:
            return res
        out_st, mode = ["default"] * op.num_outputs(attrs), "fallback"
    else:
        out_st, mode = infer_storage(op, attrs, [a.stype for a in args])
    res = form.compute(op, args, attrs) if mode == "sparse" and not recording else None
    if res is None:
        # recorded: the dense operator, so that autograd records it (the gradient flows through
        # the dense copies of sparse variables); a sparse form may also decline (no SciPy, GPU)
        _warn_fallback(op, args, attrs, out_st)
        dense = [_densified(a) for a in args]
        # sparse states the operator updates in place (optimizer states) take the new values back
        mutated = [i for i in op.mutated_inputs(attrs) if i < len(args) and args[i]._is_sparse]
        if not mutated and (recording or (all(s == "default" for s in out_st) and
                                          (out is None or not isinstance(out, BaseSparseNDArray)))):
            return invoke(op, dense, attrs=attrs, out=out)
        res = invoke(op, dense, attrs=attrs)
        for i in mutated:
            _assign(args[i], dense[i])
        if out_st[0] != "default":
            res = cast_storage(res, out_st[0])
    if out is not None:
        _assign(out, res)
        return out
    return res


def retain(data=None, indices=None, out=None, **kwargs):
    """The rows of row-sparse ``data`` whose indices are in ``indices``."""
    if kwargs or data is None or indices is None:
        raise MXNetError(f"_sparse_retain: unknown argument(s) {sorted(kwargs)}")
    from .sparse_ops import _retain
    res = _retain(None, [data, indices], None)
    if out is not None:
        _assign(out, res)
        return out
    return res


def _arith(name, lhs, rhs, same_op, bcast_op, scalar_op, rscalar_op, pyop):
    """MXNet's sparse-module arithmetic: elementwise for equal shapes (keeping sparsity where the
    operator has a sparse form), broadcasting otherwise, scalar operators for numbers."""
    from ..ops.registry import get_op
    lnum, rnum = isinstance(lhs, numeric_types), isinstance(rhs, numeric_types)
    if lnum and rnum:
        return pyop(lhs, rhs)
    if lnum or rnum:
        arr, num = (rhs, lhs) if lnum else (lhs, rhs)
        op = get_op(rscalar_op if lnum else scalar_op)
        return invoke(op, [arr], {"scalar": num})
    if not (isinstance(lhs, NDArray) and isinstance(rhs, NDArray)):
        raise TypeError(f"{name}: type {type(lhs).__name__} / {type(rhs).__name__} not supported")
    op = get_op(same_op if lhs.shape == rhs.shape else bcast_op)
    return invoke(op, [lhs, rhs])


def add(lhs, rhs):
    """``lhs + rhs`` for sparse or dense arrays and numbers."""
    return _arith("add", lhs, rhs, "elemwise_add", "broadcast_add", "_plus_scalar", "_plus_scalar",
                  lambda a, b: a + b)


def subtract(lhs, rhs):
    """``lhs - rhs`` for sparse or dense arrays and numbers."""
    return _arith("subtract", lhs, rhs, "elemwise_sub", "broadcast_sub", "_minus_scalar", "_rminus_scalar",
                  lambda a, b: a - b)


def multiply(lhs, rhs):
    """``lhs * rhs`` for sparse or dense arrays and numbers."""
    return _arith("multiply", lhs, rhs, "elemwise_mul", "broadcast_mul", "_mul_scalar", "_mul_scalar",
                  lambda a, b: a * b)


def divide(lhs, rhs):
    """``lhs / rhs`` for sparse or dense arrays and numbers."""
    return _arith("divide", lhs, rhs, "elemwise_div", "broadcast_div", "_div_scalar", "_rdiv_scalar",
                  lambda a, b: a / b)


from . import sparse_ops  # noqa: E402,F401  (registers the operators' sparse forms)
