"""mx.npx: set_np and its scopes, reshape codes, V3 save/load (bytes of MXNet 1.9.1), layer
operators on mx.np arrays (values checked against the oracle) and use_np."""
import os

import numpy as onp
import pytest

import mxnet as mx
from mxnet import np, npx
from mxnet.test_utils import assert_almost_equal

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens")


@pytest.fixture(autouse=True)
def _np_semantics():
    npx.set_np()
    yield
    npx.reset_np()


@pytest.mark.parametrize("src,codes,reverse,want", [
    ((1, 6, 4), (-2, -1), False, (1, 24)), ((1, 6, 4), (-5, -2), False, (6, 4)),
    ((1, 6, 4), (-3, -2, -2), False, (6, 4)), ((1, 6, 4), (-1, -4), False, (1, 6, 4)),
    ((2, 3, 4), (-1, 4), True, (6, 4)), ((2, 3, 4), (-2, -5), False, (2, 12)),
    ((6, 4), (-6, 2, 3, -2), False, (2, 3, 4)), ((6, 4), (-6, -1, 3, -2), False, (2, 3, 4)),
])
def test_reshape_codes(src, codes, reverse, want):
    x = np.arange(int(onp.prod(src))).reshape(src)
    y = npx.reshape(x, codes, reverse=reverse)
    assert y.shape == want and y.reshape(-1).tolist() == x.reshape(-1).tolist()


def test_save_matches_mxnet_bytes_and_loads(tmp_path):
    f = str(tmp_path / "a.params")
    npx.save(f, {"w": np.array([[1., 2.], [3., 4.]]), "b": np.array(5, dtype="int32")})
    with open(f, "rb") as a, open(os.path.join(HERE, "np_save_v3.params"), "rb") as b:
        assert a.read() == b.read()
    d = npx.load(os.path.join(HERE, "np_save_v3.params"))
    assert isinstance(d["w"], np.ndarray) and d["w"].tolist() == [[1., 2.], [3., 4.]]
    assert d["b"].shape == () and d["b"].dtype == onp.int32 and d["b"].item() == 5
    npx.save(f, [np.ones(3)])
    assert npx.load(f)[0].tolist() == [1., 1., 1.]


def test_layer_ops_match_oracle():
    assert repr(npx.nonzero(np.array([[0, 1], [2, 0]]))) == "array([[0, 1],\n       [1, 0]], dtype=int64)"
    assert repr(npx.one_hot(np.array([0, 2]), 3)) == "array([[1., 0., 0.],\n       [0., 0., 1.]])"
    assert repr(npx.topk(np.array([[1., 3., 2.]]), k=2)) == "array([[1., 2.]])"
    bn = npx.batch_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))
    assert_almost_equal(bn.asnumpy(), onp.full((2, 3), 0.9995004, onp.float32))
    assert_almost_equal(npx.softmax(np.array([1., 2., 3.])).asnumpy(),
                        onp.array([0.09003057, 0.24472848, 0.6652409], onp.float32))
    with mx.autograd.record(train_mode=True):
        d = npx.dropout(np.ones((50, 40)), p=0.5)
    vals = set(onp.unique(d.asnumpy()).tolist())
    assert vals == {0.0, 2.0} and isinstance(d, np.ndarray)


def test_fully_connected_trains_with_autograd():
    x = np.array(onp.random.RandomState(0).randn(8, 3), dtype="float32")
    w, b = np.zeros((2, 3)), np.zeros(2)
    for p in (w, b):
        p.attach_grad()
    with mx.autograd.record():
        loss = (npx.fully_connected(x, w, b, num_hidden=2, no_bias=False) - 1.0).sum()
    loss.backward()
    assert isinstance(w.grad, np.ndarray)
    assert_almost_equal(w.grad.asnumpy(), onp.broadcast_to(x.asnumpy().sum(0), (2, 3)), rtol=1e-5, atol=1e-5)
    assert b.grad.tolist() == [8., 8.]


def test_use_np_decorator_and_scopes():
    npx.reset_np()

    @npx.use_np
    def f():
        return mx.util.is_np_array(), mx.util.is_np_shape()

    assert f() == (True, True) and not mx.util.is_np_array()

    @mx.util.use_np
    class Blk:
        def forward(self):
            return mx.util.is_np_array()

    assert Blk().forward() is True and not mx.util.is_np_array()
    with npx.np_shape(True):
        assert npx.is_np_shape() and not npx.is_np_array()
    with pytest.raises(ValueError):
        mx.util.set_np(shape=False, array=True)


def test_device_helpers_and_random():
    assert npx.cpu() == mx.cpu() and npx.current_context() == mx.cpu() and npx.num_gpus() >= 0
    npx.waitall()
    npx.random.seed(7)
    a = npx.random.uniform_n(0, 1, batch_shape=(3,))
    npx.random.seed(7)
    assert a.tolist() == npx.random.uniform_n(0, 1, batch_shape=(3,)).tolist()
    bern = npx.random.bernoulli(prob=np.array([0., 1., 1.]))
    assert bern.tolist() == [0., 1., 1.]
