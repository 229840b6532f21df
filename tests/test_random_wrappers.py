"""mx.sym.random's distribution functions, randn with array parameters, legacy creation symbols
of unknown shape, and the Zipfian candidate samplers."""
import json

import numpy as np

import mxnet as mx


def _attrs(sym):
    return json.loads(sym.tojson())["nodes"][-1]


def test_sym_random_numbers_and_symbols():
    node = _attrs(mx.sym.random.exponential(scale=2.0, shape=(2,)))
    assert node["op"] == "_random_exponential" and node["attrs"]["lam"] == "0.5"
    s = mx.sym.random.normal(mx.sym.var("a"), mx.sym.var("b"), shape=(2,))
    assert _attrs(s)["op"] == "_sample_normal"
    assert s.infer_shape(a=(3,), b=(3,))[1] == [(3, 2)]
    s = mx.sym.random.randn(2, 3, loc=mx.sym.var("a"), scale=mx.sym.var("b"))
    assert _attrs(s)["attrs"]["shape"] == "(2, 3)"
    assert mx.sym.random.multinomial(mx.sym.var("d")).list_outputs() == [
        "_sample_multinomial0_output0", "_sample_multinomial0_output1"]


def test_sym_random_unknown_shape_takes_inferred_one():
    # a legacy empty shape is unknown: the sum with X gives the sample X's shape
    s = mx.sym.random.randn(loc=10.0, scale=0.5, data=mx.sym.ones((2, 3))) + mx.sym.var("X")
    out = s.eval(X=mx.nd.zeros((4, 5)))[0]
    assert out.shape == (4, 5)
    assert abs(float(out.asnumpy().mean()) - 10.0) < 1.0


def test_nd_randn_with_array_parameters():
    loc = mx.nd.array([[0.0, 100.0]])
    out = mx.nd.random.randn(500, loc=loc, scale=mx.nd.array([[1.0, 1.0]]))
    assert out.shape == (1, 2, 500)
    np.testing.assert_allclose(out.asnumpy().mean(axis=2), [[0.0, 100.0]], atol=0.3)


def test_sample_unique_zipfian():
    classes, trials = mx.nd._internal._sample_unique_zipfian(1000, shape=(3, 200))
    assert classes.dtype == np.int64 and trials.dtype == np.int64
    c = classes.asnumpy()
    assert all(np.unique(row).size == 200 for row in c)
    assert c.min() >= 0 and c.max() < 1000
    assert (trials.asnumpy() >= 200).all()


def test_rand_zipfian_expected_counts():
    true = mx.nd.array([0, 3, 7], dtype="int32")
    sampled, count_true, count_sampled = mx.nd.contrib.rand_zipfian(true, 50, 10)
    expected = lambda c: np.log((c + 2.0) / (c + 1.0)) / np.log(11) * 50  # noqa: E731
    assert sampled.dtype == np.int64 and sampled.shape == (50,)
    np.testing.assert_allclose(count_true.asnumpy(), expected(np.array([0, 3, 7])))
    np.testing.assert_allclose(count_sampled.asnumpy(), expected(sampled.asnumpy()))
    outs = mx.sym.Group(mx.sym.contrib.rand_zipfian(mx.sym.var("t"), 50, 10))
    res = outs.eval(t=true)
    np.testing.assert_allclose(res[1].asnumpy(), expected(np.array([0, 3, 7])))
