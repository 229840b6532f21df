"""Random operators, mx.nd.random wrappers and mx.random: shapes, dtypes, statistics, seeding."""
import importlib.util
import os
import sys

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError


def _nd_random():
    """mx.nd.random as MXNet has it (the wrappers in mxnet/ndarray/random.py).

    Until mxnet/ndarray/__init__.py imports that file itself, load it in place of the
    generated prefix-stripped module.
    """
    if not hasattr(mx.nd.random, "randn"):
        path = os.path.join(os.path.dirname(mx.nd.__file__), "random.py")
        spec = importlib.util.spec_from_file_location("mxnet.ndarray.random", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["mxnet.ndarray.random"] = mod
        spec.loader.exec_module(mod)
        mx.nd.random = mod
    return mx.nd.random


rnd = _nd_random()
import mxnet.random as mxrandom  # noqa: E402  (needs the wrappers above)

nd = mx.nd

N = 100000
DISTS = {  # name: (scalar params, mean, variance)
    "uniform": ({"low": -1.0, "high": 3.0}, 1.0, 16 / 12),
    "normal": ({"loc": 2.0, "scale": 0.5}, 2.0, 0.25),
    "exponential": ({"lam": 4.0}, 0.25, 1 / 16),
    "gamma": ({"alpha": 2.0, "beta": 3.0}, 6.0, 18.0),
    "poisson": ({"lam": 3.5}, 3.5, 3.5),
    "negative_binomial": ({"k": 3, "p": 0.25}, 9.0, 36.0),
    "generalized_negative_binomial": ({"mu": 3.0, "alpha": 0.5}, 3.0, 7.5),
}


def _stats_ok(x, mean, var, tol=0.03):
    x = x.astype(np.float64)
    assert abs(x.mean() - mean) < tol * max(1.0, abs(mean)), (x.mean(), mean)
    assert abs(x.var() - var) < 2 * tol * max(1.0, var), (x.var(), var)


def test_registered_names_and_aliases():
    get = mx.ops.get_op
    for d in DISTS:
        assert get(f"random_{d}") is get(f"_random_{d}")
        assert get(f"sample_{d}") is get(f"_sample_{d}")
        assert get(f"_random_{d}_like").inputs == ("data",)
    assert get("uniform") is get("_random_uniform") and get("normal") is get("_random_normal")
    assert get("shuffle") is get("_shuffle") and get("sample_multinomial") is get("_sample_multinomial")
    assert get("random_randint") is get("_random_randint")
    assert [p.name for p in get("_random_uniform").params] == ["low", "high", "shape", "ctx", "dtype"]
    assert [p.name for p in get("_random_negative_binomial").params][:2] == ["k", "p"]
    assert get("_sample_normal").inputs == ("mu", "sigma")


@pytest.mark.parametrize("dist", sorted(DISTS))
def test_random_op_statistics(dist):
    params, mean, var = DISTS[dist]
    mxrandom.seed(11)
    x = getattr(nd._internal, f"_random_{dist}")(shape=(N,), **params)
    assert x.shape == (N,) and x.dtype == np.float32
    _stats_ok(x.asnumpy(), mean, var)


@pytest.mark.parametrize("dist", sorted(DISTS))
def test_sample_op_statistics(dist):
    # two parameter sets side by side; each row gets its own distribution
    params, mean, var = DISTS[dist]
    other = {"uniform": {"low": 0.0, "high": 1.0}, "normal": {"loc": -5.0, "scale": 2.0},
             "exponential": {"lam": 1.0}, "gamma": {"alpha": 5.0, "beta": 0.5}, "poisson": {"lam": 10.0},
              "negative_binomial": {"k": 5, "p": 0.5},
             "generalized_negative_binomial": {"mu": 2.0, "alpha": 0.0}}
    ostats = {"uniform": (0.5, 1 / 12), "normal": (-5.0, 4.0), "exponential": (1.0, 1.0),
              "gamma": (2.5, 1.25), "poisson": (10.0, 10.0), "negative_binomial": (5.0, 10.0),
              "generalized_negative_binomial": (2.0, 2.0)}[dist]
    arrays = [nd.array([[params[k], other[dist][k]]]) for k in params]
    mxrandom.seed(12)
    x = getattr(nd._internal, f"_sample_{dist}")(*arrays, shape=(N // 2,))
    assert x.shape == (1, 2, N // 2) and x.dtype == np.float32
    x = x.asnumpy()
    _stats_ok(x[0, 0], mean, var)
    _stats_ok(x[0, 1], *ostats)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dtypes(dtype):
    x = nd._internal._random_normal(shape=(3, 4), dtype=dtype)
    assert x.shape == (3, 4) and x.dtype == np.dtype(dtype)
    y = nd._internal._sample_uniform(nd.array([0, 1]), nd.array([1, 2]), shape=(5,), dtype=dtype)
    assert y.shape == (2, 5) and y.dtype == np.dtype(dtype)
    v = y.asnumpy()
    assert (v[0] >= 0).all() and (v[0] < 1).all() and (v[1] >= 1).all() and (v[1] < 2).all()
    # without dtype the samplers give float32 whatever the parameters' type
    z = nd._internal._sample_normal(nd.array([0], dtype="float64"), nd.array([1], dtype="float64"))
    assert z.shape == (1,) and z.dtype == np.float32
    with pytest.raises(MXNetError):
        nd._internal._random_uniform(shape=2, dtype="int32")


def test_randint():
    x = nd._internal._random_randint(low=-3, high=5, shape=(N,))
    assert x.dtype == np.int32
    v = x.asnumpy()
    assert v.min() == -3 and v.max() == 4
    np.testing.assert_allclose(np.bincount(v + 3) / N, np.full(8, 1 / 8), atol=0.01)
    assert rnd.randint(0, 2 ** 40, shape=3, dtype="int64").dtype == np.int64
    with pytest.raises(MXNetError, match="low"):
        nd._internal._random_randint(low=3, high=1, shape=2).asnumpy()
    with pytest.raises(MXNetError, match="low"):
        rnd.randint(0.5, 3, shape=2)


@pytest.mark.parametrize("call", [
    lambda: nd._internal._random_uniform(low=2, high=1, shape=2),
    lambda: nd._internal._random_normal(scale=-1, shape=2),
    lambda: nd._internal._random_gamma(alpha=0, shape=2),
    lambda: nd._internal._random_exponential(lam=0, shape=2),
    lambda: nd._internal._random_poisson(lam=-1, shape=2),
    lambda: nd._internal._random_negative_binomial(k=-1, shape=2),
    lambda: nd._internal._random_generalized_negative_binomial(alpha=-1, shape=2),
    lambda: nd._internal._random_uniform(),
    lambda: nd._internal._random_uniform(shape=()),
    lambda: nd._internal._random_uniform(shape=(2, -1)),
    lambda: nd._internal._sample_uniform(nd.array([0, 1]), nd.array([1, 2, 3])),
    lambda: nd._internal._random_uniform_like(nd.ones((2,), dtype="int32")),
    lambda: nd._internal._shuffle(nd.array(3.0).reshape(())),
])
def test_argument_errors(call):
    # bad distribution parameters surface when the result is read, as in MXNet
    with pytest.raises(MXNetError):
        call().wait_to_read()


def test_edge_parameters():
    # p > 1 and alpha == 0 are accepted as MXNet does
    assert (nd._internal._random_negative_binomial(k=3, p=2.0, shape=5).asnumpy() == 0).all()
    v = nd._internal._random_generalized_negative_binomial(mu=3, alpha=0, shape=N).asnumpy()
    _stats_ok(v, 3.0, 3.0)
    assert (nd._internal._random_uniform(low=2, high=2, shape=3).asnumpy() == 2).all()


def test_like_ops():
    x = nd.ones((3, 4), dtype="float64")
    for d, (params, _, _) in DISTS.items():
        y = getattr(rnd, f"{d}_like")(x, **params)
        assert y.shape == (3, 4) and y.dtype == np.float64, d
    mxrandom.seed(3)
    v = rnd.normal_like(nd.zeros((N,)), loc=1.0, scale=2.0).asnumpy()
    assert v.dtype == np.float32
    _stats_ok(v, 1.0, 4.0)


def test_samplers_give_zero_gradients():
    m = nd.array([1.0, 2.0])
    m.attach_grad()
    with mx.autograd.record():
        y = rnd.normal(m, m * 2) + rnd.uniform_like(m) + rnd.gamma(m, m)
    y.backward()
    assert m.grad.asnumpy().tolist() == [0.0, 0.0]


def test_multinomial():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], dtype=np.float32)
    mxrandom.seed(5)
    s = nd._internal._sample_multinomial(nd.array(p), shape=(N // 4,)).asnumpy()
    assert s.dtype == np.int32 and s.shape == (2, N // 4)
    np.testing.assert_allclose(np.bincount(s[0], minlength=3) / s.shape[1], p[0], atol=0.01)
    np.testing.assert_allclose(np.bincount(s[1], minlength=3) / s.shape[1], p[1], atol=0.01)
    assert rnd.multinomial(nd.array([0.2, 0.8])).shape == (1,)
    assert rnd.multinomial(nd.array([0.2, 0.8]), shape=(2, 3), dtype="float32").dtype == np.float32
    # rows summing to less than one give index k for the missing mass, as in MXNet
    u = rnd.multinomial(nd.array([[0.1, 0.2]]), shape=N // 4).asnumpy()
    np.testing.assert_allclose(np.bincount(u.ravel()) / u.size, [0.1, 0.2, 0.7], atol=0.01)


def test_multinomial_get_prob_and_gradient():
    p = nd.array([[0.1, 0.9], [0.5, 0.5]])
    p.attach_grad()
    with mx.autograd.record():
        s, lp = rnd.multinomial(p, shape=3, get_prob=True)
    head = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    lp.backward(nd.array(head))
    s, lp = s.asnumpy(), lp.asnumpy()
    pn = p.asnumpy()
    np.testing.assert_allclose(lp, np.log(np.take_along_axis(pn, s, axis=1)), rtol=1e-6)
    want = np.zeros_like(pn)
    for r in range(2):
        for j in range(3):
            want[r, s[r, j]] += head[r, j] / pn[r, s[r, j]]
    np.testing.assert_allclose(p.grad.asnumpy(), want, rtol=1e-6)


def test_multinomial_fd():
    from fd import check_fd

    def fn(p):
        mxrandom.seed(7)  # the same draws at every evaluation
        return rnd.multinomial(p, shape=4, get_prob=True)[1]
    check_fd(fn, [np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])])


def test_shuffle():
    x = nd.arange(20).reshape((10, 2))
    mxrandom.seed(0)
    y = rnd.shuffle(x).asnumpy()
    assert y.shape == (10, 2) and sorted(y[:, 0].tolist()) == list(range(0, 20, 2))
    assert (y[:, 1] == y[:, 0] + 1).all()  # rows move whole
    assert not (y == x.asnumpy()).all()
    assert x.asnumpy()[0].tolist() == [0, 1]  # input untouched
    with pytest.raises(MXNetError):  # _shuffle has no gradient
        xs = nd.ones((3,))
        xs.attach_grad()
        with mx.autograd.record():
            z = rnd.shuffle(xs)
        z.backward()


def test_wrapper_dispatch():
    assert rnd.uniform().shape == (1,) and rnd.normal().shape == (1,)
    assert rnd.uniform(-1, 1, shape=(2, 3)).shape == (2, 3) and rnd.uniform(shape=5).shape == (5,)
    y = rnd.uniform(nd.array([0, 10]), nd.array([1, 11]), shape=4)
    assert y.shape == (2, 4) and (y.asnumpy()[1] >= 10).all()
    assert rnd.normal(nd.array([0, 1]), nd.array([1, 1])).shape == (2,)
    assert rnd.randn(2, 3).shape == (2, 3)
    v = rnd.randn(N, loc=5, scale=0.1).asnumpy()
    _stats_ok(v, 5.0, 0.01)
    assert rnd.uniform(dtype="float64", shape=2).dtype == np.float64
    assert rnd.randint(0, 5, shape=2).dtype == np.int32
    with pytest.raises(AssertionError, match="must all have the same type"):
        rnd.uniform(nd.array([0]), 3)
    with pytest.raises(ValueError, match="either NDArray or numbers"):
        rnd.uniform("a", 3)
    with pytest.raises(TypeError):
        rnd.randint(nd.array([0]), nd.array([3]))
    with pytest.raises(MXNetError):
        rnd.randn()


def test_wrapper_scale_and_rates():
    mxrandom.seed(9)
    _stats_ok(rnd.exponential(4, shape=N).asnumpy(), 4.0, 16.0)
    _stats_ok(rnd.exponential(nd.array([4.0]), shape=N).asnumpy()[0], 4.0, 16.0)
    _stats_ok(rnd.gamma(2, 3, shape=N).asnumpy(), 6.0, 18.0)
    _stats_ok(rnd.poisson(2, shape=N).asnumpy(), 2.0, 2.0)
    _stats_ok(rnd.negative_binomial(3, 0.25, shape=N).asnumpy(), 9.0, 36.0)
    _stats_ok(rnd.generalized_negative_binomial(3, 0.5, shape=N).asnumpy(), 3.0, 7.5)


def test_out_and_ctx():
    o = nd.zeros((2, 2), dtype="float64")
    r = rnd.normal(out=o)
    assert r is o and o.dtype == np.float64 and (o.asnumpy() != 0).all()
    o2 = nd.zeros((2, 3))
    rnd.uniform(nd.array([0, 5]), nd.array([1, 6]), shape=3, out=o2)
    assert (o2.asnumpy()[1] >= 5).all()
    assert rnd.uniform(shape=2, ctx=mx.cpu()).context == mx.cpu()
    assert nd.random_uniform(shape=(2,), ctx=mx.cpu(0)).shape == (2,)


def test_seed_reproducible():
    def draws():
        return [rnd.uniform(shape=5).asnumpy(), rnd.normal(shape=(2, 2)).asnumpy(),
                rnd.poisson(3, shape=4).asnumpy(), rnd.randint(0, 100, shape=6).asnumpy(),
                rnd.multinomial(nd.array([0.3, 0.7]), shape=8).asnumpy(),
                rnd.shuffle(nd.arange(10)).asnumpy(),
                rnd.gamma(nd.array([2.0]), nd.array([1.0]), shape=3).asnumpy()]
    mxrandom.seed(42)
    a = draws()
    mxrandom.seed(42)
    b = draws()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    mxrandom.seed(43)
    assert not np.array_equal(draws()[0], a[0])
    # like MXNet, the seed is a 32-bit integer
    mxrandom.seed(-1)
    c = rnd.uniform(shape=3).asnumpy()
    mxrandom.seed(2 ** 32 - 1)
    np.testing.assert_array_equal(rnd.uniform(shape=3).asnumpy(), c)
    mxrandom.seed(7, ctx=mx.cpu())
    d = rnd.uniform(shape=3).asnumpy()
    mxrandom.seed(7, ctx="cpu")
    np.testing.assert_array_equal(rnd.uniform(shape=3).asnumpy(), d)


@pytest.mark.parametrize("bad", [1.5, "a", None])
def test_seed_errors(bad):
    with pytest.raises(ValueError, match="seed_state must be int"):
        mxrandom.seed(bad)


def test_mx_random_exports():
    for n in ["uniform", "normal", "randn", "randint", "exponential", "gamma", "poisson", "negative_binomial",
              "generalized_negative_binomial", "multinomial", "shuffle"]:
        assert getattr(mxrandom, n) is getattr(rnd, n)
    assert rnd.uniform_like.__name__ == "uniform_like"
