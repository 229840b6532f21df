"""Sparse NDArrays (CSR, row_sparse): expected values recorded under real MXNet 1.9.1."""
import pickle

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.ndarray.sparse import CSRNDArray, RowSparseNDArray

DENSE = [[0, 1, 0], [2, 0, 3], [0, 0, 0]]
RSP_DENSE = [[0, 0], [1, 2], [0, 0], [3, 0]]


def _csr():
    return mx.nd.array(DENSE).tostype("csr")


def _rsp():
    return mx.nd.array(RSP_DENSE).tostype("row_sparse")


def test_cast_storage_components():
    a = _csr()
    assert isinstance(a, CSRNDArray) and a.stype == "csr" and a.shape == (3, 3)
    assert a.data.asnumpy().tolist() == [1.0, 2.0, 3.0]
    assert a.indices.asnumpy().tolist() == [1, 0, 2]
    assert a.indptr.asnumpy().tolist() == [0, 1, 3, 3]
    assert a.indices.dtype == np.int64 and a.dtype == np.float32
    r = _rsp()
    assert isinstance(r, RowSparseNDArray) and r._num_aux == 1
    assert r.data.asnumpy().tolist() == [[1.0, 2.0], [3.0, 0.0]]
    assert r.indices.asnumpy().tolist() == [1, 3]
    np.testing.assert_array_equal(r.asnumpy(), RSP_DENSE)
    np.testing.assert_array_equal(mx.nd.cast_storage(a, "default").asnumpy(), DENSE)
    assert repr(a) == "\n<CSRNDArray 3x3 @cpu(0)>"


def test_constructors():
    c = mx.nd.sparse.csr_matrix(([1, 2], [0, 1], [0, 1, 2]))
    assert c.shape == (2, 2) and c.dtype == np.float32
    coo = pytest.importorskip("scipy.sparse").coo_matrix(([1.0, 2.0], ([0, 1], [2, 0])), shape=(2, 3))
    c = mx.nd.sparse.csr_matrix(coo)
    assert c.indptr.asnumpy().tolist() == [0, 1, 2] and c.indices.asnumpy().tolist() == [2, 0]
    assert c.dtype == np.float64
    np.testing.assert_array_equal(c.asscipy().toarray(), coo.toarray())
    r = mx.nd.sparse.row_sparse_array(([[5, 5]], [2]), shape=(4, 2))
    np.testing.assert_array_equal(r.asnumpy(), [[0, 0], [0, 0], [5, 5], [0, 0]])
    z = mx.nd.zeros((3, 2), stype="row_sparse")
    assert z.data.shape == (0, 2)
    assert mx.nd.sparse.zeros("csr", (3, 2)).indptr.asnumpy().tolist() == [0, 0, 0, 0]
    with pytest.raises(ValueError):
        mx.nd.sparse.csr_matrix((2, 2), shape=(3, 2))
    with pytest.raises(ValueError):
        mx.nd.array([1, 2, 3]).tostype("csr")
    with pytest.raises(ValueError):
        _csr().tostype("row_sparse")


def test_sparse_kept_operators():
    a, r = _csr(), _rsp()
    w = mx.nd.array(np.arange(6).reshape(3, 2))
    d = mx.nd.dot(a, w)
    assert d.stype == "default" and d.asnumpy().tolist() == [[2, 3], [12, 17], [0, 0]]
    t = mx.nd.dot(a, w, transpose_a=True)
    assert t.stype == "row_sparse" and t.indices.asnumpy().tolist() == [0, 1, 2]
    assert t.data.asnumpy().tolist() == [[4, 6], [0, 1], [6, 9]]
    s = r + mx.nd.sparse.row_sparse_array(([[5, 5]], [2]), shape=(4, 2))
    assert s.stype == "row_sparse" and s.indices.asnumpy().tolist() == [1, 2, 3]
    assert s.data.asnumpy().tolist() == [[1, 2], [5, 5], [3, 0]]
    x = mx.nd.sparse.retain(r, mx.nd.array([3, 0, 2]))
    assert x.indices.asnumpy().tolist() == [3, 0, 2]
    assert x.data.asnumpy().tolist() == [[3, 0], [0, 0], [0, 0]]
    sl = a[1:3]
    assert sl.stype == "csr" and sl.indptr.asnumpy().tolist() == [0, 2, 2]
    assert sl.indices.asnumpy().tolist() == [0, 2]
    assert (a * 2).stype == "csr" and (a > 0).stype == "csr" and (a < 1).stype == "default"
    nnz = mx.nd.contrib.getnnz(a, axis=1)
    assert nnz.dtype == np.int64 and nnz.asnumpy().tolist() == [1, 2, 0]
    tk = mx.nd.take(a, mx.nd.array([2, 0]), mode="clip")
    assert tk.stype == "csr" and tk.indptr.asnumpy().tolist() == [0, 0, 1]


def test_fallback_is_dense_with_warning(capsys):
    a = _csr()
    e = mx.nd.exp(a)
    assert type(e) is mx.nd.NDArray
    np.testing.assert_allclose(e.asnumpy(), np.exp(np.array(DENSE, dtype=np.float32)), rtol=1e-6)
    assert "Storage type fallback detected" in capsys.readouterr().err
    out = mx.nd.zeros((3, 3), stype="csr")
    mx.nd.broadcast_add(mx.nd.ones((3, 3)), mx.nd.ones((3, 3)), out=out)
    assert out.stype == "csr" and out.asnumpy().sum() == 18


def test_inplace_copy_and_pickle():
    r = _rsp()
    r += r
    assert r.stype == "row_sparse" and r.asnumpy().tolist() == (np.array(RSP_DENSE) * 2).tolist()
    dense = mx.nd.zeros((4, 2))
    r.copyto(dense)
    assert dense.asnumpy().tolist() == r.asnumpy().tolist()
    b = pickle.loads(pickle.dumps(_csr()))
    assert isinstance(b, CSRNDArray) and b.asnumpy().tolist() == DENSE
    with pytest.raises(MXNetError):
        mx.nd.sparse.retain(mx.nd.ones((2, 2)), invalid_arg="x")


def test_rand_sparse_ndarray():
    pytest.importorskip("scipy")
    a = mx.test_utils.rand_ndarray((10, 8), "csr", density=0.5)
    assert a.stype == "csr" and a.shape == (10, 8)
    a.check_format()
    r, (vals, idx) = mx.test_utils.rand_sparse_ndarray((6, 3), "row_sparse", density=1)
    assert r.indices.asnumpy().tolist() == list(range(6))
    np.testing.assert_allclose(r.data.asnumpy(), vals)


def test_params_file_sparse_records(tmp_path):
    # tests/goldens/params/sparse.params: written by MXNet 1.9.1 (tools/goldens/gen_params.py)
    import os
    gold = os.path.join(os.path.dirname(__file__), "goldens", "params", "sparse.params")
    res = mx.nd.load(gold)
    assert {k: v.stype for k, v in res.items()} == {"rs": "row_sparse", "csr": "csr", "rs0": "row_sparse",
                                                     "csr0": "csr"}
    assert res["rs"].indices.asnumpy().tolist() == [0, 2] and res["rs"].data.asnumpy().tolist() == [[1, 2], [3, 4]]
    assert res["csr"].dtype == np.float64 and res["csr"].indptr.asnumpy().tolist() == [0, 2, 2, 3]
    # built here from the same parts, saved: MXNet's bytes
    built = {"rs": mx.nd.sparse.row_sparse_array((np.array([[1, 2], [3, 4]], dtype="float32"),
                                                  np.array([0, 2])), shape=(4, 2)),
             "csr": mx.nd.sparse.csr_matrix((np.array([1, 2, 3.0]), np.array([0, 2, 1]), np.array([0, 2, 2, 3])),
                                            shape=(3, 3)),
             "rs0": mx.nd.sparse.zeros("row_sparse", (3, 2)), "csr0": mx.nd.sparse.zeros("csr", (2, 3))}
    out = tmp_path / "s.params"
    mx.nd.save(str(out), built)
    with open(gold, "rb") as f:
        assert out.read_bytes() == f.read()


def test_square_sum():
    r = _rsp()
    q = mx.nd._internal._square_sum(r, axis=1, keepdims=True)
    assert q.stype == "row_sparse" and q.indices.asnumpy().tolist() == [1, 3]
    assert q.data.asnumpy().tolist() == [[5.0], [9.0]]
    q = mx.nd._internal._square_sum(r, axis=1)
    assert q.stype == "default" and q.asnumpy().tolist() == [0, 5, 0, 9]
    q = mx.nd._internal._square_sum(r, axis=0)
    assert q.stype == "default" and q.asnumpy().tolist() == [10, 4]
    x = mx.nd.array([[1, 2], [3, 4]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd._internal._square_sum(x, axis=1)
    y.backward()
    assert x.grad.asnumpy().tolist() == [[2, 4], [6, 8]]


def test_sparse_front_end_names():
    assert mx.nd.sparse.dot is mx.nd.dot and mx.sym.sparse.dot is mx.sym.dot
    q = mx.nd.contrib.quadratic(_csr(), a=1, b=2, c=0)
    assert q.stype == "csr" and q.data.asnumpy().tolist() == [3, 8, 15]
    assert mx.nd.contrib.quadratic(_csr(), a=1, b=2, c=1).stype == "default"
    a = mx.nd.sparse.add(_csr(), mx.nd.ones((1, 3)))
    assert a.asnumpy().tolist() == (np.array(DENSE) + 1).tolist()
    with pytest.raises(ValueError):
        mx.nd.sparse.zeros("invalid_stype", (2, 2))


def test_executor_sparse_buffers():
    # the graph runs dense; row_sparse argument gradients and auxiliary states keep their storage
    a, b = mx.sym.var("a"), mx.sym.var("b")
    out = mx.sym.sparse.add_n(a, b)
    args = [_rsp(), mx.nd.sparse.row_sparse_array(([[5, 5]], [2]), shape=(4, 2))]
    grads = [mx.nd.zeros((4, 2), stype="row_sparse"), mx.nd.zeros((4, 2), stype="row_sparse")]
    ex = out.bind(mx.cpu(), args=args, args_grad=grads)
    res = ex.forward(is_train=True)[0]
    assert res.asnumpy().tolist() == [[0, 0], [1, 2], [5, 5], [3, 0]]
    head = mx.nd.array(np.arange(8).reshape(4, 2))
    ex.backward([head])
    for g in grads:
        assert g.stype == "row_sparse" and g.asnumpy().tolist() == head.asnumpy().tolist()
    x = mx.sym.var("x")
    bn = mx.sym.BatchNorm(x, fix_gamma=True, name="bn")
    aux = [mx.nd.array([0.5, 0.5]).tostype("row_sparse"), mx.nd.array([1, 1]).tostype("row_sparse")]
    ex = bn.bind(mx.cpu(), args=[mx.nd.array([[1, 2], [3, 6]]), mx.nd.ones(2), mx.nd.zeros(2)], aux_states=aux)
    ex.forward(is_train=True)
    # values as MXNet 1.9.1 leaves them after a bound forward
    assert aux[0].stype == "row_sparse" and aux[0].asnumpy().tolist() == [0.5, 0.5]
    assert aux[1].asnumpy().tolist() == [1, 1]
