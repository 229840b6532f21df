"""Sparse storage in graphs: simple_bind's storage types (against MXNet 1.9.1, goldens in
tests/goldens/sparse_storage.json), executors and hybridized blocks fed CSR batches."""
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon
from mxnet.ndarray import sparse as nd_sparse

pytest.importorskip("scipy")

with open(os.path.join(os.path.dirname(__file__), "goldens", "sparse_storage.json")) as f:
    BINDS = json.load(f)["binds"]


def _resolve(root, name):
    return getattr(root._internal, name) if name.startswith("_") else getattr(root, name)


@pytest.mark.parametrize("case", BINDS, ids=lambda c: f"{c['op']}({','.join(c['stypes'])})")
def test_simple_bind_storage_types(case):
    names = [f"x{i}" for i in range(len(case["shapes"]))]
    sym = _resolve(mx.sym, case["op"])(*[mx.sym.var(n) for n in names], **case["kwargs"])
    exe = sym.simple_bind(mx.cpu(), stype_dict=dict(zip(names, case["stypes"])),
                          **{n: tuple(s) for n, s in zip(names, case["shapes"])})
    assert [exe.arg_dict[n].stype for n in names] == case["arg_stypes"]
    assert [exe.grad_dict[n].stype for n in names] == case["grad_stypes"]
    assert exe.outputs[0].stype == case["out_stype"]


def _csr(rows, cols, density, seed):
    rng = np.random.RandomState(seed)
    dense = rng.uniform(-1, 1, (rows, cols)).astype(np.float32) * (rng.uniform(size=(rows, cols)) < density)
    return dense, mx.nd.sparse.csr_matrix(dense)


def test_executor_sparse_graph_forward_backward():
    """dot(csr, w) + b in a bound graph: the output, and w's row_sparse gradient holding the rows
    the batch touches, equal the dense computation."""
    dense, x = _csr(6, 10, 0.2, 0)
    dense[:, 7] = 0  # a feature no sample has: its gradient row is not stored
    x = mx.nd.sparse.csr_matrix(dense)
    w = np.random.RandomState(1).uniform(-1, 1, (10, 3)).astype(np.float32)
    b = np.arange(3, dtype=np.float32)
    data, weight, bias = mx.sym.var("data", stype="csr"), mx.sym.var("w"), mx.sym.var("b")
    out = mx.sym.broadcast_add(mx.sym.dot(data, weight), bias)
    exe = out.simple_bind(mx.cpu(), data=(6, 10), w=(10, 3), b=(1, 3), grad_req={"w": "write", "b": "write"})
    assert exe.arg_dict["data"].stype == "csr" and exe.grad_dict["w"].stype == "row_sparse"
    x.copyto(exe.arg_dict["data"])
    exe.arg_dict["w"][:] = w
    exe.arg_dict["b"][:] = b.reshape(1, 3)
    y = exe.forward(is_train=False)[0]
    np.testing.assert_allclose(y.asnumpy(), dense @ w + b, rtol=1e-5, atol=1e-6)
    exe.forward(is_train=True)
    g = np.ones((6, 3), np.float32)
    exe.backward(mx.nd.array(g))
    gw = exe.grad_dict["w"]
    assert gw.stype == "row_sparse" and 7 not in gw.indices.asnumpy().tolist()
    np.testing.assert_allclose(gw.asnumpy(), dense.T @ g, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exe.grad_dict["b"].asnumpy(), g.sum(0, keepdims=True), rtol=1e-6)


class _SparseLinear(gluon.HybridBlock):
    def __init__(self, units, in_units, grad_stype="default", **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.w = self.params.get("w", shape=(in_units, units), grad_stype=grad_stype)

    def hybrid_forward(self, F, x, w):
        return F.relu(F.dot(x, w))


def test_hybridized_block_on_csr(capfd):
    """A hybridized block given a CSR batch runs dot's sparse form (no fallback message) and agrees
    with the same block run eagerly on the dense batch; nn.Dense (FullyConnected) on a CSR batch
    falls back to dense with MXNet's message, as there."""
    dense, x = _csr(8, 50, 0.1, 2)
    net = _SparseLinear(4, 50)
    net.initialize(mx.init.Uniform(1.0))
    want = net(mx.nd.array(dense)).asnumpy()
    net.hybridize()
    saved = set(nd_sparse._logged)
    nd_sparse._logged.clear()
    try:
        capfd.readouterr()
        got = net(x)
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)
        assert "fallback" not in capfd.readouterr().err
        fc = gluon.nn.Dense(3, in_units=50)
        fc.initialize()
        fc.hybridize()
        out = fc(x)
        assert "operator = FullyConnected" in capfd.readouterr().err
        np.testing.assert_allclose(out.asnumpy(), fc(mx.nd.array(dense)).asnumpy(), rtol=1e-5, atol=1e-6)
    finally:
        nd_sparse._logged.clear()
        nd_sparse._logged.update(saved)


def test_cast_storage_in_graph():
    data = mx.sym.var("data")
    sym = mx.sym.sparse.sum(mx.sym.cast_storage(data, stype="csr"), axis=0)
    x = np.array([[0, 1, 0], [2, 0, 3]], np.float32)
    exe = sym.bind(mx.cpu(), {"data": mx.nd.array(x)})
    out = exe.forward()[0]
    assert out.stype == "default"
    np.testing.assert_allclose(out.asnumpy(), x.sum(0))
    csr = mx.sym.cast_storage(data, stype="csr").bind(mx.cpu(), {"data": mx.nd.array(x)}).forward()[0]
    assert csr.stype == "csr" and csr.indices.asnumpy().tolist() == [1, 0, 2]


def test_hybridized_training_on_csr():
    """Under autograd a hybridized block fed a CSR batch records its operators one by one: the
    weight's gradient is row_sparse (the batch's columns only) and equals the dense gradient."""
    from mxnet import autograd
    dense, x = _csr(6, 40, 0.1, 4)
    dense[:, 5] = 0
    x = mx.nd.sparse.csr_matrix(dense)
    net = _SparseLinear(3, 40, grad_stype="row_sparse")
    net.initialize(mx.init.Uniform(1.0))
    net.hybridize()
    w = net.w.data().asnumpy()
    with autograd.record():
        y = net(x)
        loss = (y * y).sum()
    loss.backward()
    g = net.w.grad()
    assert g.stype == "row_sparse" and 5 not in g.indices.asnumpy().tolist()
    z = dense @ w
    want = dense.T @ (2 * np.maximum(z, 0) * (z > 0))
    np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(loss.asscalar(), (np.maximum(z, 0) ** 2).sum(), rtol=1e-5)
