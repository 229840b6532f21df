"""Fusions of the compiled plan that also run in training (mxnet/executor/passes.py): a
hybridized block gives the eager outputs and gradients, and the fusion is really taken."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.executor.passes import _PoolAct
from mxnet.gluon import nn


def _run(net, x, hybrid):
    if hybrid:
        net.hybridize()
    xs = mx.nd.array(x)
    xs.attach_grad()
    with autograd.record():
        y = net(xs)
        loss = (y * mx.nd.array(np.linspace(-1, 1, y.size).reshape(y.shape))).sum()
    loss.backward()
    grads = {k: p.grad().asnumpy() for k, p in net.collect_params().items()}
    return y.asnumpy(), xs.grad.asnumpy(), grads


def _fused_steps(net):
    return [st for st in net._cached_op.plan._fused if isinstance(st.op, _PoolAct)]


def _net(act, pool_kw, reuse=False):
    class Net(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2D(4, 3, in_channels=2)
            self.pool = nn.MaxPool2D(**pool_kw)
            self.out = nn.Dense(3)

        def hybrid_forward(self, F, x):
            a = F.Activation(self.conv(x), act_type=act)
            y = self.out(self.pool(a))
            return F.broadcast_add(y, a.sum()) if reuse else y
    net = Net()
    net.initialize(mx.init.Xavier(), force_reinit=True)
    return net


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "softrelu"])
@pytest.mark.parametrize("pool_kw", [dict(pool_size=2, strides=2), dict(pool_size=3, strides=2),
                                     dict(pool_size=(2, 3), strides=1)])
def test_activation_under_max_pool(act, pool_kw, kernels):
    mx.random.seed(1)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 11, 10)).astype(np.float32) * 3
    x[:, :, :4] = 0   # windows of tied values (relu: ties at 0; equal inputs everywhere)
    net = _net(act, pool_kw)
    net(mx.nd.array(x))   # deferred shapes
    params = {k: p.data().copy() for k, p in net.collect_params().items()}
    want = _run(net, x, False)
    for k, p in net.collect_params().items():
        p.set_data(params[k])
    got = _run(net, x, True)
    assert len(_fused_steps(net)) == 1
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    for k in want[2]:
        np.testing.assert_allclose(got[2][k], want[2][k], rtol=1e-5, atol=1e-5, err_msg=k)


@pytest.mark.parametrize("act,pool_kw,reuse", [
    ("tanh", dict(pool_size=2, strides=2), True),                 # the activation is used twice
    ("tanh", dict(pool_size=3, strides=2, padding=1), False),      # padding: -inf would win windows
    ("softsign", dict(pool_size=2, strides=2), False),             # (fused for monotone acts only)
])
def test_not_fused(act, pool_kw, reuse):
    net = _net(act, pool_kw, reuse)
    x = np.random.default_rng(3).standard_normal((2, 2, 9, 9)).astype(np.float32)
    want = _run(net, x, False)
    got = _run(net, x, True)
    assert not _fused_steps(net)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)


def test_inference_and_monitor_runs():
    """Inference runs use the fusion too; a monitored executor sees the activation's output."""
    data = mx.sym.var("data")
    act = mx.sym.Activation(mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, name="c"),
                            act_type="tanh", name="act")
    sym = mx.sym.Pooling(act, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool")
    x = np.random.default_rng(4).standard_normal((2, 1, 8, 8)).astype(np.float32)
    ex = sym.simple_bind(mx.cpu(), data=x.shape)
    ex.arg_dict["data"][:] = x
    ex.arg_dict["c_weight"][:] = np.random.default_rng(5).standard_normal((2, 1, 3, 3))
    ex.arg_dict["c_bias"][:] = 0.1
    seen = []
    ex.set_monitor_callback(lambda name, arr: seen.append(name), monitor_all=False)
    out = ex.forward(is_train=True)[0].asnumpy()
    assert any(n.startswith("act") for n in seen)
    conv = mx.nd.Convolution(mx.nd.array(x), ex.arg_dict["c_weight"], ex.arg_dict["c_bias"],
                             kernel=(3, 3), num_filter=2)
    ref = mx.nd.Pooling(mx.nd.tanh(conv), kernel=(2, 2), stride=(2, 2), pool_type="max").asnumpy()
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    ex.set_monitor_callback(None)
    ex2 = sym.simple_bind(mx.cpu(), data=x.shape)
    ex2.copy_params_from({k: v for k, v in ex.arg_dict.items() if k != "data"})
    ex2.arg_dict["data"][:] = x
    np.testing.assert_allclose(ex2.forward(is_train=False)[0].asnumpy(), ref, rtol=1e-6)
    ex2.backward(mx.nd.ones(ref.shape))
    ex.forward(is_train=True)
    ex.backward(mx.nd.ones(ref.shape))
    np.testing.assert_allclose(ex2.grad_dict["c_weight"].asnumpy(), ex.grad_dict["c_weight"].asnumpy(),
                               rtol=1e-5)


@pytest.mark.parametrize("axis,keepdims", [(-1, True), (-1, False), (1, False)])
def test_pick_of_log_softmax(axis, keepdims):
    """The compiled plan runs pick(log_softmax) as one fused step; values and gradients are the
    composition's (labels out of range clipped, as pick does)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 6, 4)).astype(np.float32) * 4
    label = rng.integers(-1, 8, size=(3, 4) if axis == 1 else (3, 6)).astype(np.float32)
    head = rng.standard_normal((3, 1, 4) if axis == 1 else (3, 6, 1)).astype(np.float32)
    if not keepdims:
        head = head.squeeze(axis)
    data, lab = mx.sym.var("data"), mx.sym.var("label")
    sym = mx.sym.pick(mx.sym.log_softmax(data, axis=axis), lab, axis=axis, keepdims=keepdims)
    ex = sym.bind(mx.cpu(), {"data": mx.nd.array(x), "label": mx.nd.array(label)},
                  args_grad={"data": mx.nd.zeros(x.shape)}, grad_req={"data": "write", "label": "null"})
    assert [type(st.op).__name__ for st in ex._plan._fused] == ["_PickLogSoftmax"]
    out = ex.forward(is_train=True)[0].asnumpy()
    ex.backward(mx.nd.array(head))
    xs = mx.nd.array(x)
    xs.attach_grad()
    with autograd.record():
        ref = mx.nd.pick(mx.nd.log_softmax(xs, axis=axis), mx.nd.array(label), axis=axis, keepdims=keepdims)
    ref.backward(mx.nd.array(head))
    np.testing.assert_allclose(out, ref.asnumpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), xs.grad.asnumpy(), rtol=1e-5, atol=1e-6)


def test_hybridized_loss_exports_mxnet_operators(tmp_path):
    """The eager loss calls the fused operator; the traced graph keeps MXNet's own operators."""
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    loss.hybridize()
    pred, label = mx.nd.array(np.eye(3, 5, dtype=np.float32)), mx.nd.array([0, 4, 2])
    hybrid = loss(pred, label).asnumpy()
    eager = gluon.loss.SoftmaxCrossEntropyLoss()(pred, label).asnumpy()
    np.testing.assert_allclose(hybrid, eager, rtol=1e-6)
    np.testing.assert_allclose(eager, -np.log(np.exp([1, 0, 1]) / (np.e + 4)), rtol=1e-6)
    loss.export(str(tmp_path / "loss"))
    ops = [n["op"] for n in __import__("json").load(open(tmp_path / "loss-symbol.json"))["nodes"]]
    assert "log_softmax" in ops and "pick" in ops and "_softmax_cross_entropy_pick" not in ops


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "softrelu", "softsign"])
@pytest.mark.parametrize("flatten", [True, False])
def test_dense_activation(act, flatten, kernels):
    """Dense(activation=...) runs as one step applying the activation in place (monotone
    activations, whose gradient needs only the output); outputs and gradients are eager's."""
    def build():
        mx.random.seed(7)
        net = nn.HybridSequential()
        net.add(nn.Dense(6, activation=act, flatten=flatten), nn.Dense(3, flatten=flatten))
        net.initialize(mx.init.Xavier())
        return net
    x = np.random.default_rng(6).standard_normal((4, 2, 5)).astype(np.float32) * 2
    x[0] = 0   # relu's kink: the gradient there is 0, as MXNet has it
    want = _run(build(), x, False)
    net = build()
    got = _run(net, x, True)
    fused = [type(st.op).__name__ for st in net._cached_op.plan._fused]
    assert fused.count("_FCAct") == (act != "softsign")
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    for g, w in zip(got[2].values(), want[2].values()):   # same order, other name prefixes
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_dense_output_used_twice_is_not_fused():
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
    sym = mx.sym.Activation(fc, act_type="relu") + fc
    ex = sym.simple_bind(mx.cpu(), data=(2, 3))
    assert "_FCAct" not in [type(st.op).__name__ for st in ex._plan._fused]
    ex.arg_dict["data"][:] = np.arange(6.0).reshape(2, 3) - 2
    ex.arg_dict["fc_weight"][:] = np.linspace(-1, 1, 12).reshape(4, 3)
    out = ex.forward(is_train=True)[0].asnumpy()
    pre = (np.arange(6.0).reshape(2, 3) - 2) @ np.linspace(-1, 1, 12).reshape(4, 3).T
    np.testing.assert_allclose(out, np.maximum(pre, 0) + pre, rtol=1e-6, atol=1e-6)
