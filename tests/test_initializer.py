"""mx.init: dumps strings, name dispatch, deterministic kernels vs MXNet goldens, random statistics."""
import json
import logging
import os
import warnings

import numpy as np
import pytest

import mxnet as mx
from test_random import mxrandom
from mxnet import initializer as I

nd = mx.nd
GOLD = os.path.join(os.path.dirname(__file__), "goldens")
META = json.load(open(os.path.join(GOLD, "init.json")))
ARR = np.load(os.path.join(GOLD, "init.npz"))


@I.register
class NameHash(I.Initializer):
    """Same as tools/goldens/gen_init.py: values derived from the parameter name."""

    def _init_weight(self, desc, arr):
        base = sum(map(ord, desc)) % 97
        arr[:] = base + 0.01 * np.arange(arr.size).reshape(arr.shape)

    def _init_bias(self, desc, arr):
        base = sum(map(ord, desc)) % 89
        arr[:] = -base - 0.01 * np.arange(arr.size).reshape(arr.shape)


def _fill(init, name, shape, dtype="float32", **attrs):
    a = nd.zeros(shape, dtype=dtype)
    init(I.InitDesc(name, attrs or None), a)
    return a.asnumpy()


@pytest.mark.parametrize("expr", sorted(META["dumps"]))
def test_dumps_match_mxnet(expr):
    assert eval(expr, {"I": I, "mx": mx}).dumps() == META["dumps"][expr]


@pytest.mark.parametrize("expr", sorted(META["dumps"]))
def test_create_roundtrip(expr):
    init = eval(expr, {"I": I, "mx": mx})
    again = I.create(init.dumps())
    assert type(again) is type(init) and again.dumps() == init.dumps()


def test_create_forms_and_errors():
    assert type(I.create("zeros")) is I.Zero and type(I.create("ONES")) is I.One
    assert type(I.create('{"initializer": "one"}')) is I.One
    assert I.create({"initializer": "xavier", "magnitude": 2}).magnitude == 2.0
    x = I.Xavier()
    assert I.create(x) is x
    with pytest.raises(AssertionError, match="already an instance"):
        I.create(x, 3)
    with pytest.raises(AssertionError, match="foo is not registered"):
        I.create("foo")
    with pytest.raises(AssertionError, match="must be of string type"):
        I.create(1)
    assert I.create("msraprelu", slope=0.0).magnitude == 2.0


def test_name_dispatch_matches_mxnet():
    calls = []

    class Rec(I.Initializer):
        pass
    methods = ["_init_bilinear", "_init_loc_bias", "_init_zero", "_init_one", "_init_bias",
               "_init_quantized_bias", "_init_gamma", "_init_beta", "_init_weight", "_init_quantized_weight",
               "_init_default"]
    for m in methods:
        setattr(Rec, m, (lambda m: lambda self, name, arr: calls.append(m))(m))
    rec = Rec()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, want in META["dispatch"].items():
            rec(I.InitDesc(name), nd.zeros((6,)))
            rec(name, nd.zeros((6,)))
            assert calls[-2:] == want, name


def test_default_values_and_errors():
    u = I.Uniform()
    assert (_fill(u, "fc_bias", (3,)) == 0).all()
    assert (_fill(u, "bn_gamma", (3,)) == 1).all()
    assert (_fill(u, "bn_beta", (3,)) == 0).all()
    assert (_fill(u, "q_max", (3,)) == 1).all()
    with pytest.raises(ValueError, match="Unknown initialization pattern for foo"):
        _fill(u, "foo", (3,))
    with pytest.raises(NotImplementedError):
        _fill(I.Initializer(), "fc_weight", (3,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="name must be string"):
            u(3, nd.zeros(3))
        with pytest.raises(TypeError, match="arr must be NDArray"):
            u("a_weight", 3)
        a = nd.zeros((6,))
        u("stn_loc_bias", a)
        assert a.asnumpy().tolist() == [1, 0, 0, 0, 1, 0]
    with pytest.warns(DeprecationWarning):
        u("x_bias", nd.zeros(2))


def test_quantized_weight_is_one_value():
    v = _fill(I.Uniform(), "fc_weight_quantize", (2, 3))
    assert len(np.unique(v)) == 1 and -127 <= v[0, 0] < 127 and v[0, 0] == int(v[0, 0])
    assert (_fill(I.Uniform(), "fc_bias_quantize", (3,)) == 0).all()


def test_init_attr_overrides_name():
    assert (_fill(I.Zero(), "x", (2,), __init__='["one", {}]') == 1).all()
    assert (_fill(I.Zero(), "x", (2,), __init__="ones") == 1).all()
    assert (_fill(I.Zero(), "x_bias", (2,), __init__=I.Constant(5)) == 5).all()
    desc = I.InitDesc("w_weight")
    g = I.One()
    g(desc, nd.zeros(2))
    assert desc.global_init is g
    d = I.InitDesc("a_weight")
    assert d == "a_weight" and d.attrs == {} and d.global_init is None


def test_constant_zero_one():
    assert (_fill(I.Constant(2.5), "w_weight", (2, 2)) == 2.5).all()
    assert _fill(I.Constant(nd.array([3, 4])), "w_weight", (2, 2)).tolist() == [[3, 4], [3, 4]]
    assert (_fill(I.Zero(), "w_weight", (3,)) == 0).all() and (_fill(I.One(), "w_weight", (3,)) == 1).all()
    assert _fill(I.One(), "w_weight", (3,), dtype="float64").dtype == np.float64


@pytest.mark.parametrize("key", META["bilinear"])
def test_bilinear_matches_mxnet(key):
    want = ARR[key]
    got = _fill(I.Bilinear(), "up_weight", want.shape)
    np.testing.assert_array_equal(got, want)


def test_legacy_upsampling_is_bilinear():
    a = nd.zeros((1, 1, 4, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        I.Uniform()("upsampling_weight", a)
    np.testing.assert_array_equal(a.asnumpy(), ARR["bilinear_1x1x4x4"])


def test_lstmbias_matches_mxnet():
    np.testing.assert_array_equal(_fill(I.LSTMBias(2.5), "lstm_weight", (12,)), ARR["lstmbias"])
    # through a parameter's own __init__ attribute, as gluon does
    got = _fill(I.Uniform(), "lstm_i2h_bias", (8,), __init__=I.LSTMBias(1.0).dumps())
    assert got.tolist() == [0, 0, 1, 1, 0, 0, 0, 0]


@pytest.mark.parametrize("case", META["fused"], ids=[c["key"] for c in META["fused"]])
def test_fused_rnn_matches_mxnet(case):
    a = nd.zeros((case["size"],))
    if case["init"] == "given":
        init = I.FusedRNN(NameHash(), 2, case["layers"], case["mode"], case["bi"], forget_bias=3.0)
        init(I.InitDesc("rnn_weight"), a)
    else:
        init = I.FusedRNN(None, 2, case["layers"], case["mode"], case["bi"])
        init(I.InitDesc("rnn_weight", global_init=NameHash()), a)
    np.testing.assert_allclose(a.asnumpy(), ARR[case["key"]], rtol=1e-6)


def test_fused_rnn_string_init_and_bad_size():
    init = I.FusedRNN('["constant", {"value": 2}]', 2, 1, "rnn_tanh")
    got = _fill(init, "rnn_weight", (14,))  # input size 3: 6 + 4 weights, 4 biases
    assert got.tolist() == [2] * 10 + [0] * 4
    with pytest.raises(ValueError, match="does not fit"):
        _fill(init, "rnn_weight", (15,))


def test_uniform_normal_statistics():
    mxrandom.seed(0)
    u = _fill(I.Uniform(0.3), "w_weight", (200, 500))
    assert u.dtype == np.float32 and -0.3 <= u.min() < -0.299 and 0.299 < u.max() < 0.3
    assert abs(u.mean()) < 3e-3 and abs(u.var() - 0.09 / 3) < 1e-3
    n = _fill(I.Normal(0.5), "w_weight", (200, 500))
    assert abs(n.mean()) < 5e-3 and abs(n.std() - 0.5) < 5e-3
    assert _fill(I.Normal(0.5), "w_weight", (3, 3), dtype="float64").dtype == np.float64


@pytest.mark.parametrize("factor_type,fan", [("avg", (64 * 9 + 32 * 9) / 2), ("in", 64 * 9), ("out", 32 * 9)])
def test_xavier_uniform_bound(factor_type, fan):
    mxrandom.seed(1)
    w = _fill(I.Xavier("uniform", factor_type, 2.0), "conv_weight", (32, 64, 3, 3))
    bound = np.sqrt(2.0 / fan)
    assert np.abs(w).max() <= bound + 1e-7 and np.abs(w).max() > 0.99 * bound
    assert abs(w.var() - bound ** 2 / 3) < 0.03 * bound ** 2 / 3


def test_xavier_gaussian_and_msra():
    mxrandom.seed(2)
    w = _fill(I.Xavier("gaussian", "in", 3), "fc_weight", (400, 300))
    assert abs(w.std() - np.sqrt(3 / 300)) < 0.01 * np.sqrt(3 / 300)
    m = _fill(I.MSRAPrelu("in", 0.0), "fc_weight", (400, 300))
    assert abs(m.std() - np.sqrt(2 / 300)) < 0.01 * np.sqrt(2 / 300)
    with pytest.raises(ValueError, match="cannot be applied to vector fc_weight"):
        _fill(I.Xavier(), "fc_weight", (5,))
    with pytest.raises(ValueError, match="Incorrect factor type"):
        _fill(I.Xavier(factor_type="x"), "fc_weight", (3, 3))
    with pytest.raises(ValueError, match="Unknown random type"):
        _fill(I.Xavier(rnd_type="x"), "fc_weight", (3, 3))


@pytest.mark.parametrize("shape,rand_type", [((6, 4), "uniform"), ((3, 2, 2, 2), "normal")])
def test_orthogonal(shape, rand_type):
    w = _fill(I.Orthogonal(1.5, rand_type), "w_weight", shape).reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, 2.25 * np.eye(gram.shape[0]), atol=1e-5)


def test_seed_reproducible():
    mxrandom.seed(123)
    a = _fill(I.Xavier(), "w_weight", (5, 7))
    b = _fill(I.Orthogonal(), "v_weight", (4, 4))
    mxrandom.seed(123)
    np.testing.assert_array_equal(_fill(I.Xavier(), "w_weight", (5, 7)), a)
    np.testing.assert_array_equal(_fill(I.Orthogonal(), "v_weight", (4, 4)), b)
    assert not np.array_equal(_fill(I.Xavier(), "w_weight", (5, 7)), a)


def test_mixed_and_load(tmp_path):
    mixed = I.Mixed(["conv", ".*"], [I.Constant(7), I.One()])
    a, b, c = nd.zeros(2), nd.zeros(2), nd.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed("conv_weight", a)
        mixed("fc_weight", b)
        mixed("conv_bias", c)  # the name rule still applies inside the chosen initializer
    assert a.asnumpy().tolist() == [7, 7] and b.asnumpy().tolist() == [1, 1]
    assert c.asnumpy().tolist() == [0, 0]
    with pytest.raises(ValueError, match="Parameter name q did not match any pattern"):
        I.Mixed(["a"], [I.One()])("q", nd.zeros(1))
    with pytest.raises(AssertionError):
        I.Mixed(["a"], [])
    load = I.Load({"arg:w": nd.array([1, 2]), "aux:m": nd.array([3.0]), "v": nd.array([4.0])},
                  default_init=I.Constant(9))
    assert sorted(load.param) == ["m", "v", "w"]
    w, m, z = nd.zeros(2), nd.zeros(1), nd.zeros(3)
    load("w", w)
    load("m", m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load("z_weight", z)
    assert w.asnumpy().tolist() == [1, 2] and m.asnumpy().tolist() == [3] and z.asnumpy().tolist() == [9] * 3
    with pytest.raises(AssertionError, match="Shape mismatch, target \\(3,\\) vs loaded \\(2,\\)"):
        load("w", nd.zeros(3))
    with pytest.raises(AssertionError, match="Cannot Initialize z"):
        I.Load({"w": nd.zeros(1)})("z", nd.zeros(1))
    fname = str(tmp_path / "p.params")
    nd.save(fname, {"arg:fc_weight": nd.array([[1, 2], [3, 4]])})
    w = nd.zeros((2, 2))
    I.Load(fname)("fc_weight", w)
    assert w.asnumpy().tolist() == [[1, 2], [3, 4]]


def test_verbose_logging(caplog):
    init = I.One().set_verbosity(True)
    with caplog.at_level(logging.INFO):
        init(I.InitDesc("fc_weight"), nd.zeros((2, 2)))
    assert "Initialized fc_weight as weight: 1.0" in caplog.text


def test_register_alias():
    @I.register
    @I.alias("myinit_alias")
    class MyInit(I.Initializer):
        def _init_weight(self, _, arr):
            arr[:] = 42

    assert type(I.create("myinit")) is MyInit and type(I.create("myinit_alias")) is MyInit
    assert (_fill(I.create("myinit"), "w_weight", (2,)) == 42).all()
    assert I.create("myinit").dumps() == '["myinit", {}]'


def test_float16_draws():
    # float16 parameters draw at their own precision
    a = _fill(I.Uniform(0.5), "w_weight", (50,), dtype="float16")
    assert a.dtype == np.float16 and np.abs(a).max() <= 0.5
