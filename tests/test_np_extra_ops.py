"""mx.np functions on the operators of ops/np_extra.py and NumPy-interface fixes; expected values
recorded under real MXNet 1.9.1."""
import numpy as onp
import pytest

import mxnet as mx
from mxnet import np, npx
from mxnet.gluon import HybridBlock


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def _x():
    x = np.array([[1., 4., 9.], [16., 25., 36.], [49., 64., 81.]])
    x.attach_grad()
    return x


def _grad(fn, *args):
    with mx.autograd.record():
        y = fn(*args)
    y.backward()
    return y


def test_diff_trace_pad_gradients():
    x = _x()
    y = _grad(lambda v: np.diff(v, n=2, axis=0) * np.array([[1., 2., 3.]]), x)
    assert y.tolist() == [[18., 36., 54.]]
    assert x.grad.tolist() == [[1., 2., 3.], [-2., -4., -6.], [1., 2., 3.]]
    y = _grad(lambda v: np.trace(v, offset=1), x)
    assert float(y) == 40.
    assert x.grad.tolist() == [[0., 1., 0.], [0., 0., 1.], [0., 0., 0.]]
    y = _grad(lambda v: np.pad(v, ((1, 2), (0, 1)), mode="constant", constant_values=2)
              * np.arange(24).reshape(6, 4), x)
    assert y.shape == (6, 4)
    assert x.grad.tolist() == [[4., 5., 6.], [8., 9., 10.], [12., 13., 14.]]


def test_ediff1d_with_array_ends():
    a, b, c = np.array([1., 3., 6.]), np.array([7., 8.]), np.array([9.])
    for v in (a, b, c):
        v.attach_grad()
    y = _grad(lambda: np.ediff1d(a, to_end=b, to_begin=c) * np.arange(5))
    assert y.tolist() == [0., 2., 6., 21., 32.]
    assert (a.grad.tolist(), b.grad.tolist(), c.grad.tolist()) == ([-1., -1., 2.], [3., 4.], [0.])


def test_weighted_average_gradients():
    x = _x()
    w = np.array([1., 2., 3.])
    w.attach_grad()
    with mx.autograd.record():
        avg, wsum = np.average(x, axis=1, weights=w, returned=True)
    avg.backward()
    assert avg.tolist() == [6., 29., 70.]
    onp.testing.assert_allclose(wsum.asnumpy(), 6.)
    onp.testing.assert_allclose(x.grad.asnumpy(), [[1 / 6, 1 / 3, 0.5]] * 3, rtol=1e-6)
    onp.testing.assert_allclose(w.grad.asnumpy(), [-6.5, -2., 3.5], rtol=1e-6)


def test_delete_ignores_out_of_range_array_indices():
    assert np.delete(np.arange(6), np.array([-1, 1, 7], dtype="int64")).tolist() == [0., 2., 3., 4., 5.]
    assert np.delete(np.arange(6), -1).tolist() == [0., 1., 2., 3., 4.]
    assert np.delete(np.arange(6), slice(None, None, 2)).tolist() == [1., 3., 5.]


def test_creation_and_shape_edge_cases():
    assert np.hanning(4, dtype="float64").dtype == onp.float64
    onp.testing.assert_allclose(np.hanning(4, dtype="float64").asnumpy(), [0., 0.75, 0.75, 0.], atol=1e-6)
    r = np.full_like(np.ones((2,)), True, dtype="int32")
    assert r.dtype == onp.int32 and r.tolist() == [1, 1]
    assert np.tile(np.ones((2, 2)), (2, 0, 3)).shape == (2, 0, 6)
    assert np.broadcast_to(np.arange(5), (3, 4, -2)).shape == (3, 4, 5)
    assert np.sum(np.ones((2, 3)), axis=()).shape == (2, 3)
    assert [p.shape for p in np.split(np.zeros((0, 3)), (1, 2))] == [(0, 3)] * 3
    with pytest.raises(ValueError):
        np.ones((3, 4, 5)).transpose((0, 0, 1))
    with pytest.raises(mx.base.MXNetError):
        np.ones((3, 4, 5)).transpose((0, 1, 3))


def test_tril_of_1d_gradient_and_float16_mean():
    t = np.array([1., 2., 3.])
    t.attach_grad()
    _grad(lambda v: np.tril(v), t)
    assert t.grad.tolist() == [3., 2., 1.]
    h = np.array([0.1, 0.2, 0.3, 0.4] * 100, dtype="float16")
    assert float(np.mean(h, dtype="float16")) == 0.25


def test_null_grad_req_has_no_gradient_after_backward():
    a, b = np.ones((2,)), np.ones((2,))
    a.attach_grad("null")
    b.attach_grad()
    _grad(lambda: (a * b).sum())
    assert a.grad is None and b.grad.tolist() == [1., 1.]


class _F(HybridBlock):
    def __init__(self, fn):
        super().__init__()
        self._fn = fn

    def hybrid_forward(self, F, *args):
        return self._fn(F, *args)


@pytest.mark.parametrize("hybridize", [False, True])
def test_graph_forms_match_eager(hybridize):
    cases = [
        (lambda F, a: F.np.trace(a, offset=-1), [onp.arange(9.).reshape(3, 3)]),
        (lambda F, a: F.np.diff(a, n=1, axis=-1), [onp.arange(6.).reshape(2, 3) ** 2]),
        (lambda F, a: F.np.atleast_3d(a), [onp.arange(3.)]),
        (lambda F, a: F.np.concatenate([a, a], axis=None), [onp.ones((2, 2))]),
        (lambda F, a: F.np.hsplit(a, 3)[1], [onp.arange(6.)]),
        (lambda F, a: F.np.array_split(a, 1)[0], [onp.arange(4.)]),
        (lambda F, a: a.clip(None, 2.), [onp.arange(4.)]),
        (lambda F, a: a + F.np.hamming(M=5, dtype="float64"), [onp.zeros(())]),
        (lambda F, a: F.np.full((2, 3), a, dtype="int32"), [onp.array([1., 2., 3.])]),
        (lambda F, a: F.npx.sigmoid(a), [onp.array(0.)]),
        (lambda F, a, w: F.np.average(a, axis=0, weights=w), [onp.arange(6.).reshape(3, 2),
                                                              onp.array([1., 2., 3.])]),
    ]
    for fn, args in cases:
        expected = fn(mx, *[np.array(a, dtype=a.dtype) for a in args])
        block = _F(fn)
        if hybridize:
            block.hybridize()
        out = block(*[np.array(a, dtype=a.dtype) for a in args])
        assert out.shape == expected.shape
        onp.testing.assert_allclose(out.asnumpy(), expected.asnumpy(), rtol=1e-6)


def test_einsum_gradients_with_diagonals_and_ellipsis():
    a = np.arange(9.).reshape(3, 3)
    a.attach_grad()
    _grad(lambda: np.einsum("ii->i", a) * np.array([1., 2., 3.]))
    assert a.grad.tolist() == [[1., 0., 0.], [0., 2., 0.], [0., 0., 3.]]
    b, c = np.arange(12.).reshape(1, 2, 2, 3), np.ones((2, 3, 2))
    b.attach_grad()
    c.attach_grad()
    _grad(lambda: np.einsum("...ij,...jk->...ik", b, c))
    assert float(b.grad.sum()) == 24.
    assert c.grad.tolist() == [[[3., 3.], [5., 5.], [7., 7.]], [[15., 15.], [17., 17.], [19., 19.]]]


def test_reshape_reverse_matmul_vectors_empty_softmax_unique_axis():
    assert npx.reshape(np.ones((8, 5, 4, 6)), (-4, -1, 3, -6), reverse=True).shape == (8, 5, 4, 2, 3)
    u, v = np.array([1., 2.]), np.array([3., 4.])
    u.attach_grad()
    v.attach_grad()
    _grad(lambda: np.matmul(u, v))
    assert (u.grad.tolist(), v.grad.tolist()) == ([3., 4.], [1., 2.])
    assert npx.softmax(np.ones((2, 0))).shape == (2, 0)
    vals, counts = np.unique(np.array([[1., 2.], [1., 2.], [0., 5.]]), return_counts=True, axis=0)
    assert (vals.tolist(), counts.tolist()) == ([[0., 5.], [1., 2.]], [1, 2])


def _grad64(fn, a):
    a = np.array(a, dtype="float64")
    a.attach_grad()
    with mx.autograd.record():
        y = fn(a)
    mx.autograd.backward(y if isinstance(y, (list, tuple)) else [y])
    return a.grad.asnumpy()


def test_linalg_gradients():
    a = [[2., 1., 0.], [1., 3., 1.]]
    onp.testing.assert_allclose(_grad64(lambda v: np.linalg.tensorinv(v, 1) * np.array([[1., 2.], [3., 4.]]),
                                        [[2., 1.], [1., 3.]]).ravel(), [0.08, -0.16, -0.36, -0.28], atol=1e-6)
    onp.testing.assert_allclose(_grad64(lambda v: np.linalg.norm(v, 1), a).ravel(), [0, 1, 0, 0, 1, 0])
    onp.testing.assert_allclose(_grad64(lambda v: np.linalg.norm(v, 4, axis=1), a).ravel(),
                                [0.95555, 0.119444, 0., 0.036366, 0.981873, 0.036366], atol=1e-6)
    # the pseudo-inverse gradient agrees with central differences
    w = onp.array([[1., 2.], [3., 4.], [5., 6.]])
    g = _grad64(lambda v: np.linalg.pinv(v) * np.array(w), a)
    num = onp.zeros((2, 3))
    for i in range(2):
        for j in range(3):
            d = onp.zeros((2, 3))
            d[i, j] = 1e-6
            num[i, j] = ((onp.linalg.pinv(onp.array(a) + d) - onp.linalg.pinv(onp.array(a) - d)) * w).sum() / 2e-6
    onp.testing.assert_allclose(g, num, atol=1e-5)
    b, m = np.array([1., 2.]), np.array([[2., 1.], [1., 3.]])
    b.attach_grad()
    m.attach_grad()
    with mx.autograd.record():
        x = np.linalg.tensorsolve(m, b)
    x.backward()
    onp.testing.assert_allclose(x.asnumpy(), [0.2, 0.6], rtol=1e-6)
    onp.testing.assert_allclose(m.grad.asnumpy(), [[-0.08, -0.24], [-0.04, -0.12]], rtol=1e-5)
    onp.testing.assert_allclose(b.grad.asnumpy(), [0.4, 0.2], rtol=1e-5)
    assert np.linalg.tensorsolve(np.ones((1, 1, 1)), np.ones((1, 1, 1))).shape == (1, 1, 1)


def test_ufunc_keyword_errors_and_out_dtype():
    x = np.ones((2, 3))
    for kw, err in (({"where": False}, NotImplementedError), ({"dtype": onp.int8}, NotImplementedError),
                    ({"dtype": "abcdefg"}, TypeError), ({"casting": "safe"}, NotImplementedError),
                    ({"casting": "mxnet"}, TypeError), ({"order": "C"}, NotImplementedError),
                    ({"subok": False}, NotImplementedError), ({"foo": 1}, TypeError)):
        with pytest.raises(err):
            np.exp(x, **kw)
        with pytest.raises(err):
            np.add(x, x, **kw)
    assert np.exp(x, casting="same_kind", order="K").shape == (2, 3)
    with pytest.raises(TypeError):
        np.isnan(x, out=np.empty((2, 3)))


def test_mod_integer_gradient_ldexp_and_float16_sum():
    a, b = np.array([5, 7], dtype="int32"), np.array([3, 2], dtype="int32")
    a.attach_grad()
    b.attach_grad()
    _grad(lambda: np.mod(a, b))
    assert a.grad.tolist() == [0, 0] and b.grad.tolist() == [0, 0]
    x, e = np.array([1., 2.]), np.array([2., 3.])
    x.attach_grad()
    e.attach_grad()
    y = _grad(lambda: np.ldexp(x, e))
    assert y.tolist() == [4., 16.] and x.grad.tolist() == [4., 8.]
    onp.testing.assert_allclose(e.grad.asnumpy(), [4 * onp.log(2), 16 * onp.log(2)], rtol=1e-6)
    assert np.ldexp(3, np.array([1., 2.])).tolist() == [6., 12.]
    h = np.array([0.1, 0.2, 0.3, 0.4] * 100, dtype="float16")
    assert float(np.sum(h, dtype="float16")) == 100.


@pytest.mark.parametrize("hybridize", [False, True])
def test_constraint_check_raises_value_error(hybridize):
    block = _F(lambda F, x, m: x * F.npx.constraint_check(m, "bad input"))
    if hybridize:
        block.hybridize()
    assert block(np.ones((2,)), np.ones((2,), dtype="bool")).tolist() == [1., 1.]
    with pytest.raises(ValueError, match="bad input"):
        block(np.ones((2,)), np.array([True, False], dtype="bool")).asnumpy()


def test_boolean_mask_assign_internal_ops():
    data = np.zeros((2, 3, 2))
    mask = np.array([True, False, True], dtype="bool")
    r = np._internal.boolean_mask_assign_scalar(data, mask, 5., start_axis=1, out=data)
    assert r is data and data[:, :, 0].tolist() == [[5., 0., 5.]] * 2
    np._internal.boolean_mask_assign_tensor(data, np.array([True, False], dtype="bool"), np.array(1.),
                                            start_axis=0, out=data)
    assert data[0, :, 0].tolist() == [1., 1., 1.] and data[1, :, 0].tolist() == [5., 0., 5.]


@pytest.mark.parametrize("hybridize", [False, True])
def test_integer_linspace_rounds_down_and_nonzero_of_0d(hybridize):
    block = _F(lambda F, x: x + F.np.linspace(-2, 4, 30, False, False, "int32"))
    if hybridize:
        block.hybridize()
    assert block(np.zeros((), dtype="int32"))[:6].tolist() == [-2, -2, -2, -2, -2, -1]
    assert npx.nonzero(np.array(5.)).shape == (1, 1) and npx.nonzero(np.array(0.)).shape == (0, 1)
    u = _F(lambda F, x: F.np.unique(x, True, True, True, None))
    if hybridize:
        u.hybridize()
    vals, idx, inv, counts = u(np.array([3., 1., 3.]))
    assert (vals.tolist(), idx.tolist(), inv.tolist(), counts.tolist()) == ([1., 3.], [1, 0], [1, 0, 1], [1, 2])
