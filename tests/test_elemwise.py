"""Elementwise operators: goldens from MXNet 1.9.1, finite differences, errors, higher order."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from fd import check_fd
from golden import load_cases, run_case, case_ids

CASES = load_cases("elemwise")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_elemwise_golden(case):
    run_case(case)


nd = mx.nd
R = np.random.RandomState(3)
_POS = {"log", "log1p", "log10", "log2", "sqrt", "rsqrt", "gammaln", "gamma", "reciprocal", "cbrt", "rcbrt"}
_UNIT = {"arcsin", "arccos", "arctanh", "erfinv"}
FD_UNARY = ["abs", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt",
            "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
            "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians", "erf", "erfinv", "gamma",
            "gammaln", "sigmoid", "hard_sigmoid", "relu", "softsign", "negative", "identity"]


def _domain(name, shape=(2, 3)):
    if name in _POS:
        return R.uniform(0.3, 2.5, shape)
    if name in _UNIT:
        return R.uniform(-0.8, 0.8, shape)
    if name == "arccosh":
        return R.uniform(1.2, 3, shape)
    x = R.uniform(-2, 2, shape)
    return np.where(np.abs(x) < 0.05, 0.3, x)   # keep away from kinks at 0


@pytest.mark.parametrize("name", FD_UNARY)
def test_unary_fd(name):
    check_fd(getattr(nd, name), [_domain(name)])


FD_BINARY = ["broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_power",
             "broadcast_mod", "broadcast_maximum", "broadcast_minimum", "broadcast_hypot"]


@pytest.mark.parametrize("name", FD_BINARY)
def test_binary_fd(name):
    a = R.uniform(0.6, 2.0, (2, 3))
    b = R.uniform(0.7, 1.9, (1, 3))
    if name == "broadcast_mod":
        b = np.array([[0.7, 0.9, 1.3]])    # keep a / b off integers
        a = np.array([[0.8, 1.5, 2.0], [1.9, 0.5, 1.7]])
    check_fd(getattr(nd, name), [a, b])


FD_SCALAR = ["_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar",
             "_mod_scalar", "_rmod_scalar", "_power_scalar", "_rpower_scalar", "_maximum_scalar",
             "_minimum_scalar", "_hypot_scalar"]


@pytest.mark.parametrize("name", FD_SCALAR)
def test_scalar_fd(name):
    x = np.array([[0.6, 1.1, 1.7], [2.2, 0.9, 1.3]])
    check_fd(lambda a: getattr(nd._internal, name)(a, scalar=1.4), [x])


def test_other_fd():
    x = R.uniform(-2, 2, (2, 3))
    check_fd(lambda a: nd.clip(a, -1.0, 1.0), [np.where(np.abs(np.abs(x) - 1) < 0.05, 0.5, x)])
    check_fd(lambda a, b: nd.where(nd.array([1, 0], dtype=np.float64), a, b), [x, x + 1])
    check_fd(lambda a, b, c: nd.add_n(a, b, c), [x, x * 2, x - 1])
    check_fd(lambda a: nd.hard_sigmoid(a, alpha=0.3, beta=0.4), [R.uniform(-1, 1, (2, 3))])


def test_higher_order_sin_and_others():
    x0 = np.array([0.3, 1.2, -0.7])
    x = nd.array(x0)
    x.attach_grad()
    with mx.autograd.record():
        y = nd.sin(x)
        dy = mx.autograd.grad(y, x, create_graph=True)[0]
    dy.backward()
    # values from MXNet 1.9.1: d2/dx2 sin(x) = -sin(x)
    np.testing.assert_allclose(x.grad.asnumpy(), [-0.29552022, -0.93203908, 0.64421767], rtol=1e-6)
    for f, d2 in ((nd.exp, np.exp), (nd.tanh, lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
                  (nd.sigmoid, lambda v: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + np.exp(-v)))),
                  (lambda a: a * a * a, lambda v: 6 * v), (nd.log, lambda v: -1 / v ** 2),
                  (nd.erf, lambda v: -4 * v / np.sqrt(np.pi) * np.exp(-v * v))):
        x = nd.array(np.abs(x0), dtype=np.float64)
        x.attach_grad()
        with mx.autograd.record():
            dy = mx.autograd.grad(f(x), x, create_graph=True)[0]
        dy.backward()
        np.testing.assert_allclose(x.grad.asnumpy(), d2(np.abs(x0)), rtol=1e-6)


def test_dtype_rules_and_errors():
    a = nd.array([1, 2], dtype=np.int32)
    assert (a * 1.5).asnumpy().tolist() == [1, 2]            # scalar cast to int first
    assert (nd.array([-7, 7], dtype=np.int32) / 2).asnumpy().tolist() == [-3, 3]
    assert nd.exp(a).dtype == np.int32
    assert nd.sqrt(nd.array([-1.0, 4.0])).dtype == np.float32
    with pytest.raises(MXNetError, match="dtype"):
        nd.broadcast_add(nd.ones((2,)), nd.ones((2,), dtype=np.float64))
    with pytest.raises(MXNetError, match="broadcast"):
        nd.broadcast_add(nd.ones((2, 3)), nd.ones((2, 4)))
    with pytest.raises(MXNetError, match="shape"):
        nd.elemwise_add(nd.ones((2, 3)), nd.ones((1, 3)))
    with pytest.raises(MXNetError, match="condition"):
        nd.where(nd.ones((3,)), nd.ones((2, 2)), nd.ones((2, 2)))
    with pytest.raises(MXNetError, match="a_min"):
        nd.clip(nd.ones((2,)), a_max=1.0)
    with pytest.raises(MXNetError, match="hard_sigmoid"):
        nd.hard_sigmoid(a)
    with pytest.raises(MXNetError, match="normalization"):
        nd.MakeLoss(nd.ones((2,)), normalization="mean")


def test_special_functions_accuracy():
    import math
    from mxnet.ops import _util as U
    x = np.linspace(-5, 5, 2001)
    np.testing.assert_allclose(U.erf(np, x), [math.erf(v) for v in x], rtol=1e-14, atol=1e-15)
    p = np.linspace(-0.9999, 0.9999, 2001)
    np.testing.assert_allclose(U.erf(np, U.erfinv(np, p)), p, rtol=1e-13, atol=1e-15)
    z = np.linspace(-9.77, 40.23, 2001)
    np.testing.assert_allclose(U.gammaln(np, z), [math.lgamma(v) for v in z], rtol=1e-12, atol=1e-12)
    z = np.linspace(-4.77, 20.23, 1001)
    np.testing.assert_allclose(U.gamma(np, z), [math.gamma(v) for v in z], rtol=1e-11)
    np.testing.assert_allclose(U.digamma(np, np.array([1.0, 0.5, 10.0])),
                               [-0.5772156649015329, -1.9635100260214235, 2.251752589066721], rtol=1e-13)


def test_exp_float32_rounds_correctly():
    # MXNet's exp (libm's expf) gives the float32 nearest e^x; NumPy's SIMD float32 exp is an ulp
    # off for a third of inputs, exp(1) among them
    assert mx.nd.exp(mx.nd.ones((1,))).asscalar() == np.float32(np.e)
    x = np.linspace(-20, 20, 4001).astype(np.float32)
    want = np.exp(x.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(mx.nd.exp(mx.nd.array(x)).asnumpy(), want)
    a = mx.nd.ones((1,))
    a.attach_grad()
    with mx.autograd.record():
        z = mx.nd.exp(a) + a
    dz, = mx.autograd.grad(z, [a], create_graph=True)
    assert dz.asscalar() == np.float32(np.e) + 1
    dz.backward()
    assert a.grad.asscalar() == np.float32(np.e)
    assert mx.nd.exp(mx.nd.array([1.0], dtype="float16")).dtype == np.float16
