"""Model parallelism: ``group2ctx`` in bind/simple_bind/Module, Gluon blocks on two contexts."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.base import MXNetError


def _chain():
    with mx.AttrScope(ctx_group="dev1"):
        a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
        net = (a + b) * 3
    with mx.AttrScope(ctx_group="dev2"):
        c = mx.sym.Variable("c")
        net = net + c
    return net


def test_simple_bind_places_groups_and_outputs_as_mxnet():
    # contexts and gradients observed with MXNet 1.9.1 for this graph
    g2c = {"dev1": mx.cpu(1), "dev2": mx.cpu(2)}
    net = _chain()
    exe = net.simple_bind(mx.cpu(3), a=(2, 3), b=(2, 3), c=(2, 3), group2ctx=g2c)
    assert [a.context for a in exe.arg_arrays] == [mx.cpu(1), mx.cpu(1), mx.cpu(2)]
    assert [g.context for g in exe.grad_arrays] == [mx.cpu(1), mx.cpu(1), mx.cpu(2)]
    assert exe.outputs[0].context == mx.cpu(2)
    for arr in exe.arg_arrays:
        arr[:] = 1
    exe.forward(is_train=True)
    assert exe.outputs[0].context == mx.cpu(2)
    assert exe.outputs[0].asnumpy().tolist() == [[7.0] * 3] * 2
    exe.backward(mx.nd.ones((2, 3), ctx=mx.cpu(2)))
    assert [float(g.asnumpy().sum()) for g in exe.grad_arrays] == [18.0, 18.0, 6.0]
    # an operator outside any group runs where its input runs
    grouped = mx.sym.Group([net * 1, mx.sym.sum(net)])
    exe = grouped.simple_bind(mx.cpu(3), a=(2, 3), b=(2, 3), c=(2, 3), group2ctx=g2c)
    exe.forward()
    assert [o.context for o in exe.outputs] == [mx.cpu(2), mx.cpu(2)]
    # without group2ctx everything is on the bind context
    exe = net.simple_bind(mx.cpu(3), a=(2, 3), b=(2, 3), c=(2, 3))
    assert {a.context for a in exe.arg_arrays} | {exe.outputs[0].context} == {mx.cpu(3)}


def test_unmapped_group_is_an_error():
    with pytest.raises(MXNetError, match="device assignment not found for group dev2"):
        _chain().simple_bind(mx.cpu(0), a=(2, 3), b=(2, 3), c=(2, 3), group2ctx={"dev1": mx.cpu(1)})


def test_group2ctx_over_two_gpus_is_not_implemented():
    g2c = {"dev1": mx.gpu(0), "dev2": mx.gpu(1)}
    with pytest.raises(NotImplementedError, match="one device"):
        _chain().simple_bind(mx.cpu(0), a=(2, 3), b=(2, 3), c=(2, 3), group2ctx=g2c)
    args = [mx.nd.ones((2, 3)) for _ in range(3)]
    with pytest.raises(NotImplementedError, match="one device"):
        _chain().bind(mx.cpu(0), args, group2ctx=g2c)


def _mlp():
    data = mx.sym.Variable("data")
    with mx.AttrScope(ctx_group="stage1"):
        h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu")
    with mx.AttrScope(ctx_group="stage2"):
        out = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")
    return out


def _fit(group2ctxs):
    rng = np.random.RandomState(0)
    x, y = rng.randn(32, 5).astype("f4"), rng.randint(0, 3, 32).astype("f4")
    mod = mx.mod.Module(_mlp(), context=mx.cpu(0), group2ctxs=group2ctxs)
    mx.random.seed(1)
    mod.fit(mx.io.NDArrayIter(x, y, batch_size=8), num_epoch=3, optimizer="sgd",
            optimizer_params={"learning_rate": 0.5}, initializer=mx.init.Xavier())
    return mod


def test_module_group2ctxs_trains_like_one_device():
    g2c = {"stage1": mx.cpu(1), "stage2": mx.cpu(2)}
    mod = _fit(g2c)
    group = mod._exec_group
    ctxs = {n: a[0].context for n, a in zip(group.param_names, group.param_arrays)}
    assert ctxs == {"fc1_weight": mx.cpu(1), "fc1_bias": mx.cpu(1), "fc2_weight": mx.cpu(2),
                    "fc2_bias": mx.cpu(2)}
    assert mod.get_outputs()[0].context == mx.cpu(2)
    ref = _fit(None).get_params()[0]
    for k, v in mod.get_params()[0].items():
        np.testing.assert_array_equal(v.asnumpy(), ref[k].asnumpy())


def test_gluon_blocks_on_two_contexts_with_one_trainer():
    mx.random.seed(3)
    a, b = gluon.nn.Dense(4, in_units=3), gluon.nn.Dense(2, in_units=4)
    a.initialize(ctx=mx.cpu(0))
    b.initialize(ctx=mx.cpu(1))
    tr = gluon.Trainer(list(a.collect_params().values()) + list(b.collect_params().values()),
                       "sgd", {"learning_rate": 0.1})
    x = mx.nd.ones((2, 3), ctx=mx.cpu(0))
    with autograd.record():
        h = a(x)
        y = b(h.as_in_context(mx.cpu(1)))
    assert (h.context, y.context) == (mx.cpu(0), mx.cpu(1))
    y.backward()
    w0 = a.weight.data().asnumpy().copy()
    wb_cols = b.weight.data().asnumpy().sum(axis=0)
    tr.step(1)
    assert a.weight.data().context == mx.cpu(0) and b.weight.data().context == mx.cpu(1)
    # dL/dWa[i, j] = sum over the batch of (Wb^T 1)[i] * x[j], with x all ones and 2 rows
    np.testing.assert_allclose(a.weight.data().asnumpy(), w0 - 0.1 * 2 * wb_cols[:, None] * np.ones((1, 3)),
                               rtol=1e-5)
