"""Symbol-based mx.test_utils checks: check_symbolic_forward/backward against values recorded
under MXNet 1.9.1 (tools/goldens/gen_test_utils_symbolic.py), check_numeric_gradient on symbols,
check_consistency, check_speed, hybridize consistency and compare_optimizer."""
import inspect
import os

import numpy as np
import pytest

import mxnet as mx
import mxnet.test_utils as tu
from mxnet.ops.registry import get_op

GOLD = np.load(os.path.join(os.path.dirname(__file__), "goldens", "test_utils_symbolic.npz"))


def _symbols():
    d = mx.sym.var("data")
    return {
        "fc": mx.sym.FullyConnected(d, num_hidden=3, name="fc"),
        "conv": mx.sym.Convolution(d, num_filter=3, kernel=(3, 3), pad=(1, 1), stride=(2, 1), name="conv"),
        "sin": mx.sym.sin(d),
        "dot": mx.sym.dot(mx.sym.var("a"), mx.sym.var("b"), transpose_b=True),
        "bn": mx.sym.BatchNorm(d, fix_gamma=False, name="bn"),
        "softmax": mx.sym.softmax(d, axis=-1),
    }


def _case(cid):
    sym = _symbols()[cid]
    args = [GOLD[f"{cid}/arg/{k}"] for k in sym.list_arguments()]
    aux = [GOLD[f"{cid}/aux/{k}"] for k in sym.list_auxiliary_states()] or None
    grads = {k: GOLD[f"{cid}/grad/{k}"] for k in sym.list_arguments()}
    return sym, args, aux, GOLD[f"{cid}/out"], GOLD[f"{cid}/ograd"], grads


CASES = ("fc", "conv", "sin", "dot", "bn", "softmax")


def test_signatures_match_mxnet():
    expected = {
        "check_numeric_gradient": "(sym, location, aux_states=None, numeric_eps=None, rtol=None, atol=None, "
                                  "grad_nodes=None, use_forward_train=True, ctx=None, grad_stype_dict=None, "
                                  "dtype=<class 'numpy.float32'>)",
        "check_symbolic_forward": "(sym, location, expected, rtol=None, atol=None, aux_states=None, ctx=None, "
                                  "equal_nan=False, dtype=<class 'numpy.float32'>)",
        "check_symbolic_backward": "(sym, location, out_grads, expected, rtol=None, atol=None, aux_states=None, "
                                   "grad_req='write', ctx=None, grad_stypes=None, equal_nan=False, "
                                   "dtype=<class 'numpy.float32'>)",
        "check_speed": "(sym, location=None, ctx=None, N=20, grad_req=None, typ='whole', **kwargs)",
        "check_consistency": "(sym, ctx_list, scale=1.0, grad_req='write', arg_params=None, aux_params=None, "
                             "rtol=None, atol=None, raise_on_err=True, ground_truth=None, equal_nan=False, "
                             "use_uniform=False, rand_type=<class 'numpy.float64'>)",
        "check_gluon_hybridize_consistency": "(net_builder, data_l, numpy_func=None, test_grad=True, "
                                             "rtol=0.0001, atol=0.0001)",
        "compare_optimizer": "(opt1, opt2, shape, dtype, w_stype='default', g_stype='default', rtol=0.0001, "
                             "atol=1e-05, compare_states=True, ntensors=1)",
        "numeric_grad": "(executor, location, aux_states=None, eps=0.0001, use_forward_train=True, "
                        "dtype=<class 'numpy.float32'>)",
    }
    for name, sig in expected.items():
        assert str(inspect.signature(getattr(tu, name))) == sig, name


@pytest.mark.parametrize("cid", CASES)
def test_symbolic_forward_backward_match_mxnet(cid):
    sym, args, aux, out, ograd, grads = _case(cid)
    outs = tu.check_symbolic_forward(sym, args, [out], aux_states=aux, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(outs[0].asnumpy(), out, rtol=1e-4, atol=1e-5)
    res = tu.check_symbolic_backward(sym, args, [ograd], grads, aux_states=aux, rtol=1e-4, atol=1e-5)
    assert sorted(res) == sorted(grads)
    for k, g in grads.items():
        np.testing.assert_allclose(res[k].asnumpy(), g, rtol=1e-4, atol=1e-5)
    # a wrong expectation is reported under MXNet's names
    with pytest.raises(AssertionError, match="FORWARD_"):
        tu.check_symbolic_forward(sym, args, [out + 0.5], aux_states=aux)
    name = sym.list_arguments()[0]
    with pytest.raises(AssertionError, match=f"BACKWARD_{name}"):
        tu.check_symbolic_backward(sym, args, [ograd], {name: grads[name] + 0.5}, aux_states=aux)


def test_location_forms_and_grad_req():
    sym, args, _, out, ograd, grads = _case("fc")
    names = sym.list_arguments()
    loc = dict(zip(names, args))
    tu.check_symbolic_forward(sym, {k: mx.nd.array(v) for k, v in loc.items()}, {"fc_output": out})
    with pytest.raises(ValueError, match="Symbol arguments and keys of the given location do not match"):
        tu.check_symbolic_forward(sym, {"data": args[0]}, [out])
    # 'add' compares the increment, 'null' requires an untouched buffer
    tu.check_symbolic_backward(sym, loc, {"fc_output": ograd}, grads, grad_req="add")
    tu.check_symbolic_backward(sym, loc, [ograd], {"data": grads["data"], "fc_weight": np.zeros((3, 4))},
                               grad_req={"data": "write", "fc_weight": "null", "fc_bias": "null"})
    tu.check_symbolic_backward(sym, loc, [mx.nd.array(ograd)], [grads["data"]],
                               grad_req=["add", "null", "null"])
    with pytest.raises(AssertionError, match="BACKWARD_data"):
        tu.check_symbolic_backward(sym, loc, [ograd], {"data": 2 * grads["data"]}, grad_req="add")
    # float64 binding keeps the precision
    res = tu.check_symbolic_backward(sym, loc, [ograd], grads, dtype=np.float64)
    assert res["data"].dtype == np.float64


@pytest.mark.parametrize("cid", ["fc", "conv", "sin", "dot", "softmax"])
def test_numeric_gradient_symbols(cid):
    sym, args, _, _, _, _ = _case(cid)
    tu.check_numeric_gradient(sym, args, numeric_eps=1e-3, rtol=1e-2, atol=1e-3)


def test_numeric_gradient_batchnorm_aux_and_grad_nodes():
    sym, args, aux, _, _, _ = _case("bn")
    tu.check_numeric_gradient(sym, [a.astype(np.float64) for a in args], aux_states=aux,
                              numeric_eps=1e-5, rtol=1e-4, atol=1e-6, dtype=np.float64)
    fc, fargs, _, _, _, _ = _case("fc")
    tu.check_numeric_gradient(fc, fargs, grad_nodes={"data": "add", "fc_weight": "null", "fc_bias": "write"},
                              numeric_eps=1e-3, rtol=1e-2, atol=1e-3)
    tu.check_numeric_gradient(fc, dict(zip(fc.list_arguments(), fargs)), grad_nodes=["fc_weight"],
                              numeric_eps=1e-3, rtol=1e-2, atol=1e-3)


def test_numeric_gradient_catches_wrong_backward(monkeypatch):
    sym, args, _, _, _, _ = _case("sin")
    op = get_op("sin")
    right = op.backward

    def doubled(attrs, ograds, inputs, outputs, ctx, state):
        return [2 * g for g in right(attrs, ograds, inputs, outputs, ctx, state)]
    monkeypatch.setattr(op, "backward", doubled)
    with pytest.raises(AssertionError, match="NUMERICAL_data"):
        tu.check_numeric_gradient(sym, args, numeric_eps=1e-3, rtol=1e-2, atol=1e-3)


def test_numeric_gradient_callable_with_wrong_function():
    class WrongSquare(mx.autograd.Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x * x

        def backward(self, dy):
            return dy * self.saved_tensors[0]   # should be 2 x dy
    x = np.array([[0.5, -1.0], [2.0, 0.3]], dtype=np.float32)
    tu.check_numeric_gradient(lambda a: a * a, [x])
    with pytest.raises(AssertionError, match="NUMERICAL_0"):
        tu.check_numeric_gradient(lambda a: WrongSquare()(a), [x])


def test_numeric_grad_executor():
    sym, args, _, _, _, _ = _case("sin")
    x = args[0].astype(np.float64)
    exe = sym.bind(mx.cpu(), {"data": mx.nd.array(x, dtype=np.float64)})
    g = tu.numeric_grad(exe, {"data": x.copy()}, eps=1e-6, dtype=np.float64)
    np.testing.assert_allclose(g["data"], np.cos(x), rtol=1e-6)
    np.testing.assert_array_equal(exe.arg_dict["data"].asnumpy(), x)   # restored


def _ctx_list(shapes, dtypes=(np.float64, np.float32, np.float16)):
    return [{"ctx": mx.cpu(0), **shapes, "type_dict": {k: t for k in shapes}} for t in dtypes]


def test_check_consistency():
    np.random.seed(1)
    d = mx.sym.var("data")
    fc = mx.sym.FullyConnected(d, num_hidden=3, name="fc")
    rng = np.random.RandomState(3)
    x, w, b = rng.randn(2, 4), rng.randn(3, 4), rng.randn(3)
    gt = tu.check_consistency(fc, _ctx_list({"data": (2, 4)}, (np.float64, np.float32)),
                              arg_params={"data": x, "fc_weight": w, "fc_bias": b})
    assert sorted(gt) == ["data", "fc_bias", "fc_output", "fc_weight"]   # outputs, then gradients
    assert all(v.dtype == np.float64 for v in gt.values())   # the weights follow the float64 input
    out = x @ w.T + b
    np.testing.assert_allclose(gt["fc_output"].asnumpy(), out, rtol=1e-12)
    # the head gradient is the output rounded to the least precise dtype (float32), as in MXNet
    head = out.astype(np.float32).astype(np.float64)
    assert not np.allclose(head.sum(0), out.sum(0), rtol=1e-12, atol=0)
    np.testing.assert_allclose(gt["fc_bias"].asnumpy(), head.sum(0), rtol=1e-12)
    np.testing.assert_allclose(gt["data"].asnumpy(), head @ w, rtol=1e-12)
    np.testing.assert_allclose(gt["fc_weight"].asnumpy(), head.T @ x, rtol=1e-12)
    sin = mx.sym.sin(d)
    gt = tu.check_consistency(sin, _ctx_list({"data": (3, 4)}), grad_req="null", use_uniform=True, scale=2.0)
    assert list(gt) == sin.list_outputs() and gt[sin.list_outputs()[0]].dtype == np.float64
    bn = mx.sym.BatchNorm(d, fix_gamma=False, name="bn")
    tu.check_consistency(bn, _ctx_list({"data": (2, 3, 2, 2)}))
    bad = {k: mx.nd.array(v.asnumpy() + 1, dtype=v.dtype) for k, v in gt.items()}
    with pytest.raises(AssertionError):
        tu.check_consistency(sin, _ctx_list({"data": (3, 4)}), grad_req="null", ground_truth=bad)
    tu.check_consistency(sin, _ctx_list({"data": (3, 4)}), grad_req="null", ground_truth=bad,
                         raise_on_err=False)


def test_check_speed_and_simple_forward():
    d = mx.sym.var("data")
    fc = mx.sym.FullyConnected(d, num_hidden=3, name="fc")
    t = tu.check_speed(fc, N=2, data=(2, 4))
    assert isinstance(t, float) and t > 0
    loc = {"data": np.ones((2, 4)), "fc_weight": np.ones((3, 4)), "fc_bias": np.ones(3)}
    assert tu.check_speed(fc, location=loc, N=2, typ="forward") > 0
    with pytest.raises(ValueError, match='typ can only be "whole" or "forward"'):
        tu.check_speed(fc, location=loc, typ="backward")
    np.testing.assert_allclose(tu.simple_forward(fc, data=np.ones((2, 4)), fc_weight=np.ones((3, 4)),
                                                 fc_bias=np.ones(3)), np.full((2, 3), 5.0))


def test_check_gluon_hybridize_consistency():
    # MXNet builds with prefix='net_' and initialises the block itself
    def build(prefix=None, params=None):
        net = mx.gluon.nn.HybridSequential(prefix=prefix, params=params)
        with net.name_scope():
            net.add(mx.gluon.nn.Dense(3, in_units=4, weight_initializer=mx.init.Constant(0.5)))
        return net
    x = mx.nd.array(np.arange(8, dtype=np.float32).reshape(2, 4) / 8)
    tu.check_gluon_hybridize_consistency(build, [x], numpy_func=lambda a: a.sum(1, keepdims=True).repeat(3, 1) * 0.5)
    with pytest.raises(AssertionError):
        tu.check_gluon_hybridize_consistency(build, [x], numpy_func=lambda a: a.sum(1, keepdims=True))

    # randomly initialised (deferred) weights: later builds start from the first build's values
    def build_random(prefix=None, params=None):
        net = mx.gluon.nn.HybridSequential(prefix=prefix, params=params)
        with net.name_scope():
            net.add(mx.gluon.nn.Dense(5, flatten=False))
        return net
    tu.check_gluon_hybridize_consistency(build_random, [mx.nd.random.uniform(shape=(2, 3, 4))])


def test_compare_optimizer():
    tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9),
                         mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), (3, 4), np.float32)
    with pytest.raises(AssertionError):
        tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1), mx.optimizer.SGD(learning_rate=0.2),
                             (3, 4), np.float32)
    # sparse storage: opt1 gets dense copies of the row_sparse weight and gradient
    tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9),
                         mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), (3, 4), np.float32,
                         w_stype="row_sparse", g_stype="row_sparse")
    with pytest.raises(Exception, match="not supported"):
        tu.compare_optimizer(mx.optimizer.SGD(), mx.optimizer.SGD(), (3, 4), np.float32, w_stype="coo")
