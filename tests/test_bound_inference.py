"""The inference program of a hybridized block (``GraphPlan.infer``): after a checked run, later
calls with arguments of the same types, shapes and dtypes run each step's bound function
(``OpDef.bind``: convolution, pooling and dense layers without their checks).  These must give
what the checked run gives, follow new argument values and layouts, and fall back to the
checked run, with its errors, for anything else."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon
from mxnet.base import MXNetError
from mxnet.gluon import nn


def _lenet():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(6, 5, activation="tanh"), nn.MaxPool2D(2, 2),
            nn.Conv2D(8, 3, padding=1), nn.Activation("relu"), nn.MaxPool2D(2, 2),
            nn.Dense(16, activation="tanh"), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    return net


def _pair():
    """The same network twice: one hybridized, one run imperatively (the reference)."""
    mx.random.seed(1)
    ref = _lenet()
    hyb = _lenet()
    hyb(mx.nd.zeros((1, 1, 20, 20)))
    ref(mx.nd.zeros((1, 1, 20, 20)))
    for a, b in zip(ref.collect_params().values(), hyb.collect_params().values()):   # same layers, same order
        b.set_data(a.data())
    hyb.hybridize(static_alloc=True, static_shape=True)
    return ref, hyb


def _x(shape, seed):
    return mx.nd.array(np.random.RandomState(seed).normal(size=shape).astype(np.float32))


def _bound(net):
    return net._cached_op.plan._bound


def test_bound_calls_match_checked_ones(kernels):
    ref, hyb = _pair()
    for seed in range(4):
        x = _x((1, 1, 20, 20), seed)
        np.testing.assert_allclose(hyb(x).asnumpy(), ref(x).asnumpy(), rtol=1e-5, atol=1e-6)
    assert _bound(hyb) is not None
    # the bound program against a fresh checked run of the same plan
    x = _x((1, 1, 20, 20), 9)
    got = hyb(x).asnumpy()
    hyb._cached_op.plan._bound = None
    np.testing.assert_array_equal(got, hyb(x).asnumpy())


def test_new_shapes_rebind_and_errors_come_from_the_checks():
    ref, hyb = _pair()
    hyb(_x((1, 1, 20, 20), 0))
    first = _bound(hyb)
    x3 = _x((3, 1, 20, 20), 1)
    np.testing.assert_allclose(hyb(x3).asnumpy(), ref(x3).asnumpy(), rtol=1e-5, atol=1e-6)
    assert _bound(hyb) is not first and _bound(hyb)[0][0][1] == (3, 1, 20, 20)
    with pytest.raises(MXNetError, match="Convolution"):
        hyb(mx.nd.zeros((1, 2, 20, 20)))    # two channels where the weights take one


def test_parameter_values_and_layouts_follow():
    ref, hyb = _pair()
    x = _x((2, 1, 20, 20), 0)
    hyb(x)
    for _, p in list(hyb.collect_params().items()):
        p.set_data(p.data() * 0.5)
    for _, p in list(ref.collect_params().items()):
        p.set_data(p.data() * 0.5)
    np.testing.assert_allclose(hyb(x).asnumpy(), ref(x).asnumpy(), rtol=1e-5, atol=1e-6)
    # a non-contiguous input of the bound shape (a transposed view)
    xt = mx.nd.array(np.ascontiguousarray(x.asnumpy().transpose(0, 1, 3, 2)))
    view = mx.nd.NDArray.__new__(mx.nd.NDArray)
    view._data, view._ctx, view._entry = xt._data.transpose(0, 1, 3, 2), xt._ctx, None
    assert not view._data.flags.c_contiguous
    np.testing.assert_allclose(hyb(view).asnumpy(), ref(x).asnumpy(), rtol=1e-5, atol=1e-6)


class _Split(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        a, b = F.split(x, num_outputs=2, axis=1)
        return F.relu(a) * 2 + b


def test_multi_output_steps():
    net = _Split()
    net.hybridize()
    x = np.random.RandomState(3).normal(size=(3, 4)).astype(np.float32)
    want = np.maximum(x[:, :2], 0) * 2 + x[:, 2:]
    for _ in range(3):
        np.testing.assert_allclose(net(mx.nd.array(x)).asnumpy(), want, rtol=1e-6)
    assert _bound(net) is not None


def test_a_failing_bound_step_falls_back_to_the_checked_run():
    ref, hyb = _pair()
    x = _x((1, 1, 20, 20), 4)
    hyb(x)
    sig, program = _bound(hyb)

    def broken(ins):
        raise RuntimeError("stale binding")
    program[0] = (broken,) + program[0][1:]
    np.testing.assert_allclose(hyb(x).asnumpy(), ref(x).asnumpy(), rtol=1e-5, atol=1e-6)
    assert _bound(hyb)[1][0][0] is not broken
