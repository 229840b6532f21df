"""MXNet 1.x behaviour around its engine and thread-local scopes: sampler failures that surface
when a result is read, per-thread default context / attribute scope / name manager, the global
np-shape switch and the old ``mx.contrib.autograd`` interface."""
import threading

import numpy as np
import pytest

import mxnet as mx
from mxnet.attribute import AttrScope
from mxnet.base import MXNetError
from mxnet.context import Context
from mxnet.name import NameManager


def test_sampler_failure_raised_on_read_then_cleared():
    a = mx.nd.random.normal(0, -1, (2, 3))  # no error yet, as in MXNet
    assert a.shape == (2, 3)
    b = mx.nd.dot(a + 1, mx.nd.ones((3, 2)))
    assert mx.nd.ones((2,)).asnumpy().sum() == 2  # unrelated arrays read fine
    with pytest.raises(MXNetError, match="scale must be positive"):
        b.asnumpy()
    a.asnumpy()  # raised once: cleared for every array it reached
    mx.nd.waitall()


def test_sampler_failure_waitall_and_copies():
    a = mx.nd.random.uniform(1, 0, (2,))
    with pytest.raises(MXNetError, match="low must be less or equal to high"):
        mx.nd.waitall()
    mx.nd.waitall()
    for write in (lambda a, t: t.__setitem__(slice(None), a), lambda a, t: a.copyto(t),
                  lambda a, t: mx.nd.elemwise_add(a, a, out=t)):
        a = mx.nd.random.randint(5, 1, shape=(2,))
        t = mx.nd.zeros((2,), dtype="int32")
        write(a, t)
        with pytest.raises(MXNetError):
            t.wait_to_read()
    r0, _ = mx.nd.random.exponential(-1, shape=(2, 2))
    with pytest.raises(MXNetError):
        r0.asnumpy()


def test_take_raise_fails_on_read_eager_and_in_executor():
    # MXNet's take kernel finds an out-of-range index while running: the call and the executor's
    # forward return, reading an output raises (once)
    x, idx = mx.nd.array([1.0, 2.0, 3.0]), mx.nd.array([0, 5])
    y = mx.nd.take(x, idx, mode="raise")
    with pytest.raises(MXNetError, match="out of bounds"):
        y.asnumpy()
    mx.nd.waitall()
    exe = mx.sym.take(mx.sym.var("a"), mx.sym.var("i"), mode="raise").bind(mx.cpu(), {"a": x, "i": idx})
    exe.forward(is_train=True)
    with pytest.raises(MXNetError, match="out of bounds"):
        exe.outputs[0].asnumpy()
    exe.forward()
    with pytest.raises(MXNetError, match="out of bounds"):
        mx.nd.waitall()
    mx.nd.waitall()
    exe.arg_dict["i"][:] = mx.nd.array([2, 0])
    np.testing.assert_array_equal(exe.forward()[0].asnumpy(), [3.0, 1.0])


def test_sampler_shape_errors_stay_immediate():
    with pytest.raises(MXNetError):
        mx.nd.random.normal(0, -1, (0,))


def test_class_properties_are_per_thread():
    main = Context.default_ctx
    seen = {}

    def worker():
        Context.default_ctx = mx.cpu(3)
        AttrScope.current = AttrScope(x="hello")
        NameManager.current = NameManager()
        seen["ctx"] = Context.default_ctx
        seen["attr"] = AttrScope.current._attr
        seen["name"] = NameManager.current.get(None, "w")

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == {"ctx": mx.cpu(3), "attr": {"x": "hello"}, "name": "w0"}
    assert Context.default_ctx == main
    assert "x" not in AttrScope.current._attr


def test_global_np_shape_reaches_other_threads():
    out = []
    prev = mx.util.set_np_shape(2)
    try:
        t = threading.Thread(target=lambda: out.append(mx.np.ones(shape=()).shape))
        t.start()
        t.join()
    finally:
        mx.util.set_np_shape(0)
    assert not prev and out == [()]
    assert not mx.util.is_np_shape()
    scope = mx.util._NumpyArrayScope(True)
    with scope:
        assert mx.is_np_array()
    assert scope._is_np_array and not mx.is_np_array()


def test_hidden_keys_as_operator_kwargs():
    data = mx.sym.Variable("data")
    op = mx.sym.Convolution(data=data, name="conv", kernel=(1, 1), num_filter=1, lr_mult=2)
    for node in ("conv", "conv_weight", "conv_bias"):
        assert op.attr_dict()[node]["__lr_mult__"] == "2"
        assert op.attr_dict()[node]["lr_mult"] == "2"


def test_dense_on_1d_input_is_a_batch_of_scalars():
    out = mx.nd.FullyConnected(mx.nd.array([1, 2, 3]), mx.nd.array([[1], [2]]), num_hidden=2,
                               no_bias=True)
    np.testing.assert_array_equal(out.asnumpy(), [[1, 2], [2, 4], [3, 6]])
    net = mx.gluon.nn.Dense(2)
    net.initialize()
    assert net(mx.nd.array([1, 2, 3])).shape == (3, 2) and net.weight.shape == (2, 1)


def test_contrib_autograd_and_fresh_grad():
    from mxnet.contrib import autograd as cag
    x = mx.nd.array([1.0, 2.0])
    grads, loss = cag.grad_and_loss(lambda x: x * x)(x)
    np.testing.assert_array_equal(grads[0].asnumpy(), [2, 4])
    np.testing.assert_array_equal(loss.asnumpy(), [1, 4])
    with cag.train_section():
        assert mx.autograd.is_recording() and mx.autograd.is_training()
        with cag.test_section():
            assert not mx.autograd.is_recording() and not mx.autograd.is_training()
    x.attach_grad()
    assert x._fresh_grad is False
    with mx.autograd.record():
        y = x * 2
    y.backward()
    assert x._fresh_grad is True
    x._fresh_grad = False
    assert x._fresh_grad is False


def test_executor_backward_after_deferred_forward_failure():
    """A bound graph whose forward failed with a deferred error: backward marks the gradients
    failed, so reading one (or waitall) raises that error once and nothing is left pending."""
    x = mx.sym.Variable("x")
    out = mx.sym.make_loss(mx.sym.dot(x, mx.sym.random.normal(0, -1, (2, 2))))
    for read in ("waitall", "grad"):
        ex = out.bind(mx.cpu(), args={"x": mx.nd.ones((2, 2))}, args_grad={"x": mx.nd.zeros((2, 2))})
        ex.forward(is_train=True)
        ex.backward()
        with pytest.raises(MXNetError, match="scale must be positive"):
            mx.nd.waitall() if read == "waitall" else ex.grad_arrays[0].asnumpy()
        mx.nd.waitall()  # raised once: nothing pending
