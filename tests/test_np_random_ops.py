"""mx.np.random samplers as operators: array parameters, reparameterised gradients, graph forms,
npx.random batch samplers and MXNet's ValueErrors."""
import json

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


class _Draw(HybridBlock):
    def __init__(self, fn):
        super().__init__()
        self._fn = fn

    def hybrid_forward(self, F, *args):
        return self._fn(F, *args)


@pytest.mark.parametrize("hybridize", [False, True])
def test_reparameterised_gradients(hybridize):
    loc, scale = np.zeros((3, 2)), np.ones((2,)) * 2
    loc.attach_grad()
    scale.attach_grad()
    block = _Draw(lambda F, m, s: F.np.random.normal(m, s, size=(4, 3, 2)))
    if hybridize:
        block.hybridize()
    with mx.autograd.record():
        x = block(loc, scale)
    x.backward()
    assert x.shape == (4, 3, 2) and loc.grad.shape == (3, 2) and scale.grad.shape == (2,)
    assert loc.grad.tolist() == [[4., 4.]] * 3
    # x = loc + scale * eps, so d sum(x) / d scale = sum(eps) = sum(x - loc) / scale
    onp.testing.assert_allclose(scale.grad.asnumpy(), x.asnumpy().reshape(-1, 2).sum(0) / 2, rtol=1e-5)
    for draw, check in ((lambda s: np.random.exponential(s), lambda x, g: g == x),
                        (lambda s: np.random.rayleigh(s), lambda x, g: g == x),
                        (lambda s: np.random.lognormal(np.zeros(5), s), lambda x, g: g.sum() >= 0)):
        s = np.ones((5,))
        s.attach_grad()
        with mx.autograd.record():
            x = draw(s)
        x.backward()
        assert check(x.asnumpy(), s.grad.asnumpy()).all()


def test_parameter_shapes_and_errors():
    assert np.random.uniform(np.zeros((2, 1)), np.ones((3,))).shape == (2, 3)
    assert np.random.gamma(np.ones((4,)), 2.0, size=(3, 4)).shape == (3, 4)
    assert np.random.weibull(np.ones((2, 0))).shape == (2, 0)
    b = np.random.beta(np.array([1.]), np.array([1.]), size=(7, 8))
    assert b.shape == (7, 8) and ((b.asnumpy() > 0) & (b.asnumpy() < 1)).all()
    p = np.random.power(2., size=100).asnumpy()
    assert ((p >= 0) & (p <= 1)).all()
    for bad in (lambda: np.random.gamma(1, 0), lambda: np.random.gamma(np.array(0), np.array(1)),
                lambda: np.random.exponential(-1), lambda: np.random.weibull(0),
                lambda: np.random.lognormal(sigma=-1), lambda: npx.random.bernoulli(prob=1.5),
                lambda: npx.random.bernoulli(prob=0.5, logit=0.)):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.parametrize("hybridize", [False, True])
def test_npx_batch_samplers_choice_and_mvn(hybridize):
    cases = [
        (lambda F, a, b: F.npx.random.normal_n(a, b, batch_shape=(2, 3)), (2, 3, 2, 2)),
        (lambda F, a, b: F.npx.random.uniform_n(a, b, batch_shape=None), (2, 2)),
        (lambda F, a, b: F.np.random.multivariate_normal(a[0], b, (5,)), (5, 2)),
        (lambda F, a, b: F.np.random.choice(a.reshape(-1), 3, False, None), (3,)),
    ]
    for fn, shape in cases:
        block = _Draw(fn)
        if hybridize:
            block.hybridize()
        assert block(np.ones((2, 2)), np.eye(2)).shape == shape
    x = npx.random.bernoulli(logit=np.zeros((3, 4)), dtype="bool")
    assert x.shape == (3, 4) and x.dtype == onp.bool_
    mvn = np.random.multivariate_normal(np.zeros((3, 2)), np.broadcast_to(np.eye(2), (4, 3, 2, 2)), (2,))
    assert mvn.shape == (2, 4, 3, 2)


@pytest.mark.parametrize("hybridize", [False, True])
def test_bernoulli_from_logits(hybridize):
    block = _Draw(lambda F, a, b: F.npx.random.bernoulli(logit=a * 100 - 50) + b * 0)
    if hybridize:
        block.hybridize()
    out = block(np.array([0., 1., 0., 1.]), np.zeros(4))
    assert out.tolist() == [0., 1., 0., 1.]
    graph = json.loads(mx.sym.npx.random.bernoulli(logit=mx.sym.var("x").as_np_ndarray()).tojson())
    json_ops = [n["op"] for n in graph["nodes"]]
    assert json_ops == ["null", "_npi_bernoulli"]
