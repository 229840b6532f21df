"""Autograd scopes, backward, grad and Function, checked against values from MXNet 1.9.1."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, nd
from mxnet.base import MXNetError


def _close(a, values):
    np.testing.assert_allclose(a.asnumpy(), np.array(values, dtype="float32"), rtol=1e-5, atol=1e-6)


def _var(values, req="write"):
    x = nd.array(values)
    x.attach_grad(grad_req=req)
    return x


def test_scope_nesting():
    r = []
    with autograd.record():
        r += [autograd.is_recording(), autograd.is_training()]
        with autograd.pause():
            r += [autograd.is_recording(), autograd.is_training()]
            with autograd.train_mode():
                r += [autograd.is_recording(), autograd.is_training()]
        with autograd.predict_mode():
            r += [autograd.is_recording(), autograd.is_training()]
    with autograd.record(train_mode=False):
        r += [autograd.is_recording(), autograd.is_training()]
    r += [autograd.is_recording(), autograd.is_training()]
    assert r == [True, True, False, False, False, True, True, False, True, False, False, False]
    assert [autograd.set_recording(True), autograd.set_recording(False),
            autograd.set_training(True), autograd.set_training(False)] == [False, True, False, True]


def test_head_grads_and_retain_graph():
    x = _var([1., 2., 3.])
    with autograd.record():
        y = x * x
    y.backward(nd.array([1., 10., 100.]))
    _close(x.grad, [2, 40, 600])
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    _close(x.grad, [2, 4, 6])
    with pytest.raises(MXNetError, match="retain_graph"):
        y.backward()


def test_grad_req():
    x = _var([1., 2., 3.], "add")
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    _close(x.grad, [4, 8, 12])
    x = _var([1., 2., 3.], "null")
    _close(x.grad, [0, 0, 0])
    with autograd.record():
        y = (x * x).sum()
    with pytest.raises(MXNetError, match="require gradients"):
        y.backward()
    with pytest.raises(KeyError):
        nd.ones(2).attach_grad(grad_req="bad")


@pytest.mark.parametrize("fn,second", [
    (nd.sin, [-0.47942555, -0.84147096]), (nd.exp, [1.6487212, 2.7182817]),
    (nd.cos, [-0.87758255, -0.5403023]), (nd.log, [-4., -1.]), (nd.relu, [0., 0.])])
def test_second_order(fn, second):
    x = _var([0.5, 1.0])
    with autograd.record():
        y = fn(x)
        g = autograd.grad(y, [x], create_graph=True, retain_graph=True)[0]
    g.backward()
    _close(x.grad, second)


def test_grad_returns_list_and_head_grads():
    x = _var([0.5, 1.0])
    with autograd.record():
        y = x * 2
    g = autograd.grad(y, x, head_grads=nd.array([1.0, 3.0]))
    assert isinstance(g, list) and len(g) == 1
    _close(g[0], [2, 6])
    z = _var([1., 1.])
    with autograd.record():
        y = x * 2
    with pytest.raises(MXNetError, match="unreachable"):
        autograd.grad(y, [x, z])


def test_mark_variables():
    x, g = nd.array([0.5, 1.0]), nd.zeros(2)
    autograd.mark_variables([x], [g])
    with autograd.record():
        y = x * 3
    y.backward()
    _close(g, [3, 3])
    autograd.mark_variables(x, g, "add")
    with autograd.record():
        y = x * 3
    y.backward()
    _close(g, [6, 6])


def test_grad_through_indexing_and_copies():
    x = _var(np.arange(5))
    with autograd.record():
        y = x[1:3]
    y.backward()
    _close(x.grad, [0, 1, 1, 0, 0])
    x = _var(np.arange(6).reshape((2, 3)))
    with autograd.record():
        y = x[[1, 0, 1], [0, 2, 0]]
    y.backward()
    _close(x.grad, [[0, 0, 1], [2, 0, 0]])
    with autograd.record():
        y = x[:, 1] * 2
    y.backward()
    _close(x.grad, [[0, 2, 0], [0, 2, 0]])
    x = _var(np.arange(6))
    with autograd.record():
        y = x.reshape((2, 3)).copy().as_in_context(mx.cpu(1)) * nd.array([[1, 2, 3]], ctx=mx.cpu(1))
    y.backward()
    _close(x.grad, [1, 2, 3, 1, 2, 3])


def test_accumulation_detach_and_unused():
    x, z = _var([0., 1., 2.]), _var([1., 1., 1.])
    with autograd.record():
        y = x * x + x
    y.backward()
    _close(x.grad, [1, 3, 5])
    with autograd.record():
        y = x.detach() * x
    y.backward()
    _close(x.grad, [0, 1, 2])
    _close(z.grad, [0, 0, 0])
    assert y.grad is None
    x.backward()  # a variable as its own head
    _close(x.grad, [1, 1, 1])


def test_multiple_heads():
    x = _var([0., 1., 2.])
    with autograd.record():
        y1, y2 = x * 2, x * x
    autograd.backward([y1, y2])
    _close(x.grad, [2, 4, 6])
    with autograd.record():
        y1, y2 = x * 2, x * x
    autograd.backward([y1, y2], [nd.ones(3), nd.ones(3) * 2])
    _close(x.grad, [2, 6, 10])


def test_backward_errors():
    with pytest.raises(MXNetError, match="not in a computational graph"):
        (nd.arange(3) * 2).backward()
    x = _var([0., 1., 2.])
    with pytest.raises(MXNetError):
        (x * 2).backward()
    with autograd.record():
        y = x * 2
        with pytest.raises(MXNetError, match="Assigning to NDArrays"):
            y[:] = 1
        with pytest.raises(MXNetError, match="Assigning to NDArrays"):
            x += 1


def test_dropout_modes():
    x = nd.ones((100,))
    with autograd.record():
        assert (nd.Dropout(x, p=0.5).asnumpy() == 0).any()
    with autograd.record(train_mode=False):
        assert not (nd.Dropout(x, p=0.5).asnumpy() == 0).any()
    with autograd.train_mode():
        assert (nd.Dropout(x, p=0.5).asnumpy() == 0).any()
    assert not (nd.Dropout(x, p=0.5).asnumpy() == 0).any()


class _MulAdd(autograd.Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b, a + b

    def backward(self, g1, g2):
        a, b = self.saved_tensors
        return g1 * b + g2, g1 * a + g2


def test_function():
    a, b = _var([1., 2.]), _var([3., 4.])
    f = _MulAdd()
    with autograd.record():
        p, s = f(a, b)
        z = p * 2 + s
    z.backward()
    _close(a.grad, [7, 9])
    _close(b.grad, [3, 5])
    with pytest.raises(AssertionError, match="only be called once"):
        f(a, b)


def test_duplicate_head_takes_last_gradient():
    # real MXNet 1.9.1: [30. 30.] then [33. 33.]
    x = mx.nd.array([1., 2.])
    x.attach_grad()
    with mx.autograd.record():
        y = x * 3
    mx.autograd.backward([y, y], [mx.nd.array([1., 1.]), mx.nd.array([10., 10.])])
    assert x.grad.asnumpy().tolist() == [30., 30.]
    with mx.autograd.record():
        y = x * 3
        w = y + 0
    mx.autograd.backward([y, w], [mx.nd.array([1., 1.]), mx.nd.array([10., 10.])])
    assert x.grad.asnumpy().tolist() == [33., 33.]
