"""Gradients written straight into the parameters' buffers (``OpContext.grad_out``).

Autograd offers a leaf's gradient buffer to the one operator that reads the leaf when nothing
else contributes to that gradient; the results must be exactly those of the copying path."""
from unittest import mock

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.ops.registry import OpContext


def _count_used_buffers():
    """Patch ``OpContext.grad_buffer`` and count the buffers kernels accepted."""
    used = []
    real = OpContext.grad_buffer

    def spy(self, i, shape, dtype):
        b = real(self, i, shape, dtype)
        if b is not None:
            used.append(b)
        return b
    return mock.patch.object(OpContext, "grad_buffer", spy), used


def _dense_grads(x, w, b, dy):
    return dy.T @ x, dy.sum(axis=0)


@pytest.mark.parametrize("hybrid", [False, True])
def test_dense_writes_its_weight_gradients_in_place(hybrid):
    net = gluon.nn.Dense(5, in_units=4)
    net.initialize(mx.init.Normal(1.0))
    if hybrid:
        net.hybridize()
    x = mx.nd.array(np.random.RandomState(0).normal(size=(3, 4)))
    wbuf, bbuf = net.weight.grad()._data, net.bias.grad()._data
    patch, used = _count_used_buffers()
    with patch:
        with autograd.record():
            y = net(x)
        y.backward(mx.nd.array(np.arange(15.0).reshape(3, 5)))
    assert any(u is wbuf for u in used) and any(u is bbuf for u in used)
    assert net.weight.grad()._data is wbuf
    gw, gb = _dense_grads(x.asnumpy(), None, None, np.arange(15.0).reshape(3, 5))
    np.testing.assert_allclose(net.weight.grad().asnumpy(), gw, rtol=1e-6)
    np.testing.assert_allclose(net.bias.grad().asnumpy(), gb, rtol=1e-6)


@pytest.mark.parametrize("hybrid", [False, True])
def test_conv_gemm_path_writes_its_weight_gradient_in_place(hybrid):
    """A convolution on the GEMM path (more channels than the direct kernels take, batch-inner
    columns) writes its weight gradient into the parameter's row-major buffer."""
    net = gluon.nn.Conv2D(130, 3, padding=1, in_channels=129, use_bias=False)
    net.initialize(mx.init.Normal(0.1))
    if hybrid:
        net.hybridize()
    r = np.random.RandomState(4)
    x = r.normal(size=(8, 129, 5, 5)).astype(np.float32)
    dy = r.normal(size=(8, 130, 5, 5)).astype(np.float32)
    wbuf = net.weight.grad()._data
    patch, used = _count_used_buffers()
    with patch:
        with autograd.record():
            y = net(mx.nd.array(x))
        y.backward(mx.nd.array(dy))
    assert any(u is wbuf for u in used) and net.weight.grad()._data is wbuf
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = np.zeros((130, 129, 3, 3))
    for i in range(3):
        for j in range(3):
            want[:, :, i, j] = np.einsum("nfhw,nchw->fc", dy, xp[:, :, i:i + 5, j:j + 5])
    np.testing.assert_allclose(net.weight.grad().asnumpy(), want, rtol=1e-4, atol=1e-4)


def test_shared_weight_sums_both_uses():
    w = mx.nd.array(np.random.RandomState(1).normal(size=(3, 4)))
    w.attach_grad()
    x1 = mx.nd.array(np.random.RandomState(2).normal(size=(2, 4)))
    x2 = mx.nd.array(np.random.RandomState(3).normal(size=(2, 4)))
    patch, used = _count_used_buffers()
    with patch:
        with autograd.record():
            y = (mx.nd.FullyConnected(x1, w, num_hidden=3, no_bias=True)
                 + mx.nd.FullyConnected(x2, w, num_hidden=3, no_bias=True))
        y.backward()
    assert not used
    want = np.ones((2, 3)).T @ (x1.asnumpy() + x2.asnumpy())
    np.testing.assert_allclose(w.grad.asnumpy(), want, rtol=1e-6)


def test_grad_req_add_accumulates():
    w = mx.nd.ones((3, 4))
    w.attach_grad(grad_req="add")
    x = mx.nd.array(np.arange(8.0).reshape(2, 4))
    for _ in range(2):
        with autograd.record():
            y = mx.nd.FullyConnected(x, w, num_hidden=3, no_bias=True)
        y.backward()
    np.testing.assert_allclose(w.grad.asnumpy(), 2 * np.ones((2, 3)).T @ x.asnumpy())


def test_a_buffer_the_graph_reads_is_not_overwritten_early():
    """``w.grad`` is also the weight of a second layer: its old value must be what that layer's
    backward sees, as when the gradient is copied at the end."""
    rs = np.random.RandomState(4)
    w = mx.nd.array(rs.normal(size=(3, 4)))
    w.attach_grad()
    w.grad[:] = rs.normal(size=(3, 4))
    old = w.grad.asnumpy()
    x = mx.nd.array(rs.normal(size=(2, 4)))
    x.attach_grad()
    with autograd.record():
        h = mx.nd.FullyConnected(x, w, num_hidden=3, no_bias=True)
        y = h.sum() + mx.nd.FullyConnected(x, w.grad, num_hidden=3, no_bias=True).sum()
    y.backward()
    np.testing.assert_allclose(w.grad.asnumpy(), np.ones((2, 3)).T @ x.asnumpy(), rtol=1e-6)
    want_dx = np.ones((2, 3)) @ w.asnumpy() + np.ones((2, 3)) @ old
    np.testing.assert_allclose(x.grad.asnumpy(), want_dx, rtol=1e-5)


def test_embedding_gradient_in_place_with_repeats():
    emb = gluon.nn.Embedding(6, 3)
    emb.initialize()
    idx = mx.nd.array([[1, 4, 1], [0, 1, 5]])
    emb.weight.grad()[:] = 7.0   # stale values must not survive
    patch, used = _count_used_buffers()
    with patch:
        with autograd.record():
            y = emb(idx)
        y.backward(mx.nd.ones((2, 3, 3)) * 2)
    assert len(used) == 1
    want = np.zeros((6, 3))
    for i in (1, 4, 1, 0, 1, 5):
        want[i] += 2
    np.testing.assert_array_equal(emb.weight.grad().asnumpy(), want)


def test_trained_values_match_the_copying_path():
    """A few SGD steps of a small MLP, hybridized, give the same weights with the direct
    buffers as with every offer refused."""
    def train(refuse):
        mx.random.seed(3)
        net = gluon.nn.HybridSequential()
        net.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(3))
        net.initialize(mx.init.Xavier())
        net.hybridize()
        tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
        loss = gluon.loss.SoftmaxCrossEntropyLoss()
        rs = np.random.RandomState(0)
        x, y = mx.nd.array(rs.normal(size=(16, 5))), mx.nd.array(rs.randint(0, 3, 16))
        ctx = mock.patch.object(OpContext, "grad_buffer", lambda *a: None) if refuse else mock.MagicMock()
        with ctx:
            for _ in range(3):
                with autograd.record():
                    out = loss(net(x), y)
                out.backward()
                tr.step(16)
        return [p.data().asnumpy() for p in net.collect_params().values()]
    for a, b in zip(train(False), train(True)):
        np.testing.assert_array_equal(a, b)


def test_executor_writes_gradients_in_place():
    """Executor.backward offers its 'write' gradient arrays to the graph's operators; values
    are those of the copying path, and a gradient array bound as an input too is not offered."""
    rs = np.random.RandomState(5)
    data = mx.sym.var("data")
    sym = mx.sym.FullyConnected(mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=6, name="a"),
                                                  act_type="relu"), num_hidden=2, name="b")
    x = rs.normal(size=(4, 3)).astype(np.float32)
    ex = sym.simple_bind(mx.cpu(), data=x.shape)
    for k, v in ex.arg_dict.items():
        v[:] = rs.normal(size=v.shape)
    ex.arg_dict["data"][:] = x
    bufs = {k: v._data for k, v in ex.grad_dict.items()}
    patch, used = _count_used_buffers()
    with patch:
        ex.forward(is_train=True)
        ex.backward(mx.nd.ones((4, 2)))
    assert any(u is bufs["a_weight"] for u in used) and any(u is bufs["b_weight"] for u in used)
    xs = mx.nd.array(x)
    ws = {k: ex.arg_dict[k].copy() for k in ("a_weight", "a_bias", "b_weight", "b_bias")}
    for w in ws.values():
        w.attach_grad()
    with autograd.record():
        h = mx.nd.relu(mx.nd.FullyConnected(xs, ws["a_weight"], ws["a_bias"], num_hidden=6))
        y = mx.nd.FullyConnected(h, ws["b_weight"], ws["b_bias"], num_hidden=2)
    y.backward(mx.nd.ones((4, 2)))
    for k, w in ws.items():
        assert ex.grad_dict[k]._data is bufs[k]
        np.testing.assert_allclose(ex.grad_dict[k].asnumpy(), w.grad.asnumpy(), rtol=1e-5, atol=1e-6)
