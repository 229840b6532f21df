"""Activation, normalisation, softmax, dropout, embedding and loss operators."""
import ast
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from fd import check_fd
from golden import load_cases, run_case, case_ids, HERE

CASES = load_cases("nn_basic")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_nn_basic_golden(case):
    run_case(case, rtol=1e-4, atol=1e-5)


def _rn(*shape, seed=0):
    return np.random.RandomState(seed).normal(size=shape)


FD = [
    ("act_softrelu", lambda x: mx.nd.Activation(x, act_type="softrelu"), [_rn(2, 3)]),
    ("act_softsign", lambda x: mx.nd.Activation(x, act_type="softsign"), [_rn(2, 3)]),
    ("act_sigmoid", lambda x: mx.nd.Activation(x, act_type="sigmoid"), [_rn(2, 3)]),
    ("elu", lambda x: mx.nd.LeakyReLU(x, act_type="elu", slope=0.4), [_rn(2, 3) + 0.05]),
    ("gelu", lambda x: mx.nd.LeakyReLU(x, act_type="gelu"), [_rn(2, 3)]),
    ("prelu", lambda x, g: mx.nd.LeakyReLU(x, g, act_type="prelu"), [_rn(2, 3, 2) + 0.05, [0.1, 0.2, 0.3]]),
    ("softmax_t", lambda x: mx.nd.softmax(x, axis=0, temperature=1.7), [_rn(3, 2)]),
    ("log_softmax", lambda x: mx.nd.log_softmax(x), [_rn(2, 4)]),
    ("softmin", lambda x: mx.nd.softmin(x, temperature=0.5), [_rn(2, 4)]),
    ("sact_channel", lambda x: mx.nd.SoftmaxActivation(x, mode="channel"), [_rn(2, 3, 2)]),
    ("sce", lambda x: mx.nd.softmax_cross_entropy(x, mx.nd.array([2, 0], dtype="float64")), [_rn(2, 3)]),
    ("smooth_l1", lambda x: mx.nd.smooth_l1(x, scalar=1.3), [_rn(2, 4) * 2]),
    ("bn_train", lambda x, g, b: mx.nd.BatchNorm(x, g, b, mx.nd.zeros(3, dtype="float64"),
                                                 mx.nd.ones(3, dtype="float64"), fix_gamma=False),
     [_rn(4, 3, 2), [1.2, 0.7, 1.0], [0.1, 0.2, 0.3]]),
    ("ln", lambda x, g, b: mx.nd.LayerNorm(x, g, b, axis=1),
     [_rn(2, 3, 2), [1.2, 0.7, 1.0], [0.1, 0.2, 0.3]]),
    ("in", lambda x, g, b: mx.nd.InstanceNorm(x, g, b), [_rn(2, 2, 3), [1.2, 0.7], [0.1, 0.2]]),
    ("gn", lambda x, g, b: mx.nd.GroupNorm(x, g, b, num_groups=2), [_rn(2, 4, 2), [1.2, 0.7], [0.1, 0.2]]),
    ("l2_spatial", lambda x: mx.nd.L2Normalization(x, mode="spatial"), [_rn(2, 2, 3)]),
    ("lrn", lambda x: mx.nd.LRN(x, nsize=3, alpha=0.1), [_rn(1, 4, 2, 1)]),
    ("emb", lambda w: mx.nd.Embedding(mx.nd.array([[1, 3], [1, 0]]), w, input_dim=4, output_dim=2),
     [_rn(4, 2)]),
    ("ctc", lambda x: mx.nd.CTCLoss(x, mx.nd.array([[1, 2], [2, 0]], dtype="float64")), [_rn(4, 2, 3)]),
]


@pytest.mark.parametrize("name,fn,inputs", FD, ids=[f[0] for f in FD])
def test_fd(name, fn, inputs):
    check_fd(fn, [np.asarray(a, dtype=np.float64) for a in inputs], train=name == "bn_train")


def test_regression_outputs_fd():
    # the backward of an *Output op is the gradient of its implied loss, head gradient ignored
    x, t = _rn(3, 2), _rn(3, 2, seed=1)
    for op, loss in (("LinearRegressionOutput", lambda y: 0.5 * ((y - t) ** 2).sum()),
                     ("LogisticRegressionOutput",
                      lambda y: (np.logaddexp(0, y) - t * y).sum())):
        d = mx.nd.array(x, dtype="float64")
        d.attach_grad()
        with mx.autograd.record():
            y = getattr(mx.nd, op)(d, mx.nd.array(t, dtype="float64"))
        y.backward(mx.nd.ones(y.shape, dtype="float64") * 7)
        eps = 1e-6
        num = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            xp_, xm = x.copy(), x.copy()
            xp_[i] += eps
            xm[i] -= eps
            num[i] = (loss(xp_) - loss(xm)) / (2 * eps)
        np.testing.assert_allclose(d.grad.asnumpy(), num / 2, rtol=1e-5, atol=1e-7)


BN = np.load(os.path.join(HERE, "nn_basic_bn.npz"))


@pytest.mark.parametrize("cid", ["fix", "nofix", "axis"])
def test_batchnorm_moving_stats(cid):
    kw = ast.literal_eval(str(BN[f"{cid}/kwargs"]))
    arrs = [mx.nd.array(BN[k]) for k in (f"{cid}/in", "gamma", "beta", "mm", "mv")]
    arrs[0].attach_grad()
    with mx.autograd.record():
        out = mx.nd.BatchNorm(*arrs, **kw)
    # like MXNet, the moving statistics change in the backward pass, not in the forward
    np.testing.assert_array_equal(arrs[3].asnumpy(), BN["mm"])
    out.backward()
    np.testing.assert_allclose(arrs[3].asnumpy(), BN[f"{cid}/mean_after"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(arrs[4].asnumpy(), BN[f"{cid}/var_after"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(arrs[1].asnumpy(), BN[f"{cid}/gamma_after"])


def test_batchnorm_inference_leaves_stats():
    mm, mv = mx.nd.array([0.1, 0.2]), mx.nd.array([1.0, 2.0])
    x = mx.nd.array(_rn(3, 2))
    out = mx.nd.BatchNorm(x, mx.nd.ones(2), mx.nd.zeros(2), mm, mv)
    np.testing.assert_allclose(out.asnumpy(), (_rn(3, 2) - [0.1, 0.2]) / np.sqrt(np.array([1.0, 2.0]) + 1e-3),
                               rtol=1e-5)
    np.testing.assert_array_equal(mm.asnumpy(), np.float32([0.1, 0.2]))
    assert out.dtype == np.float32


def test_dropout_statistics():
    x = mx.nd.ones((200, 100))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Dropout(x, p=0.3)
    y.backward()
    yn = y.asnumpy()
    assert y.dtype == np.float32
    np.testing.assert_allclose(np.unique(yn), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((yn == 0).mean() - 0.3) < 0.02
    np.testing.assert_array_equal(x.grad.asnumpy(), yn)   # gradient uses the same mask
    np.testing.assert_array_equal(mx.nd.Dropout(x, p=0.3).asnumpy(), x.asnumpy())
    ya = mx.nd.Dropout(x, p=0.5, mode="always", axes=(1,)).asnumpy()
    assert (ya == ya[:, :1]).all() and 0.3 < (ya[:, 0] == 0).mean() < 0.7


def test_selu_gradient_like_mxnet():
    # MXNet's selu gradient for x <= 0 is lambda * (y + alpha), not the derivative lambda * alpha * e^x
    lam, alpha = 1.0507009873554805, 1.6732632423543772
    x = mx.nd.array([-1.0, 2.0])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.LeakyReLU(x, act_type="selu")
    y.backward()
    yn = lam * alpha * np.expm1(-1.0)
    np.testing.assert_allclose(x.grad.asnumpy(), [lam * (yn + alpha), lam], rtol=1e-6)


def test_rrelu_inference_mean_slope():
    y, mask = mx.nd.LeakyReLU(mx.nd.array([-2.0, 3.0]), act_type="rrelu")
    np.testing.assert_allclose(y.asnumpy(), [-2.0 * (0.125 + 0.334) / 2, 3.0], rtol=1e-6)


def test_rrelu_training_random_slope():
    x = mx.nd.array(-np.ones((50, 40)))
    x.attach_grad()
    with mx.autograd.record():
        y, mask = mx.nd.LeakyReLU(x, act_type="rrelu", lower_bound=0.1, upper_bound=0.3)
    y.backward()
    s = -y.asnumpy()
    assert 0.1 <= s.min() and s.max() <= 0.3 and s.std() > 0.03
    np.testing.assert_allclose(x.grad.asnumpy(), s, rtol=1e-6)


def test_embedding_large_scatter():
    idx = np.random.RandomState(0).randint(0, 50, size=(64, 30))
    w = mx.nd.array(_rn(50, 8))
    w.attach_grad()
    g = _rn(64, 30, 8).astype(np.float32)
    with mx.autograd.record():
        y = mx.nd.Embedding(mx.nd.array(idx), w, input_dim=50, output_dim=8)
    y.backward(mx.nd.array(g))
    want = np.zeros((50, 8), np.float32)
    np.add.at(want, idx.reshape(-1), g.reshape(-1, 8))
    np.testing.assert_allclose(w.grad.asnumpy(), want, rtol=1e-5, atol=1e-5)


def test_float32_stays_float32():
    x = mx.nd.array(_rn(2, 3, 4))
    p = [mx.nd.ones(3), mx.nd.zeros(3)]
    outs = [mx.nd.softmax(x), mx.nd.log_softmax(x), mx.nd.Activation(x, act_type="softrelu"),
            mx.nd.LeakyReLU(x, act_type="gelu"), mx.nd.BatchNorm(x, *p, mx.nd.zeros(3), mx.nd.ones(3)),
            mx.nd.InstanceNorm(x, *p), mx.nd.L2Normalization(x), mx.nd.smooth_l1(x, scalar=1.0)]
    assert all(o.dtype == np.float32 for o in outs)
    assert mx.nd.softmax(x, dtype="float64").dtype == np.float64


@pytest.mark.parametrize("call", [
    lambda: mx.nd.Activation(mx.nd.ones((2, 2)), act_type="swish"),
    lambda: mx.nd.Activation(mx.nd.ones((2, 2))),
    lambda: mx.nd.softmax(mx.nd.ones((2, 2)), axis=2),
    lambda: mx.nd.softmax(mx.nd.ones((2, 2)), mx.nd.array([1.0, 2.0]), use_length=True),
    lambda: mx.nd.softmax(mx.nd.array([1, 2], dtype="int32")),
    lambda: mx.nd.BatchNorm(mx.nd.ones((2, 3)), mx.nd.ones(4), mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3)),
    lambda: mx.nd.BatchNorm(mx.nd.ones((2, 3)), mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3),
                            axis=2),
    lambda: mx.nd.LayerNorm(mx.nd.ones((2, 3)), mx.nd.ones(2), mx.nd.ones(2)),
    lambda: mx.nd.GroupNorm(mx.nd.ones((2, 3, 2)), mx.nd.ones(2), mx.nd.ones(2), num_groups=2),
    lambda: mx.nd.LRN(mx.nd.ones((2, 3)), nsize=3),
    lambda: mx.nd.SoftmaxOutput(mx.nd.ones((2, 3)), mx.nd.ones((3,))),
    lambda: mx.nd.Embedding(mx.nd.ones((2,)), mx.nd.ones((4, 2)), input_dim=5, output_dim=2),
    lambda: mx.nd.Dropout(mx.nd.ones((2,)), p=1.5),
    lambda: mx.nd.LeakyReLU(mx.nd.ones((2, 3)), act_type="prelu"),
])
def test_errors(call):
    with pytest.raises(MXNetError):
        call()


def test_shape_inference():
    from mxnet.ops import get_op
    bn = get_op("BatchNorm")
    ins, outs = bn.infer_shape(bn.parse_attrs({"axis": -1}), [(2, 5, 7), None, None, None, None])
    assert ins[1:] == [(7,)] * 4 and outs[0] == (2, 5, 7)
    emb = get_op("Embedding")
    ins, outs = emb.infer_shape(emb.parse_attrs({"input_dim": 10, "output_dim": 4}), [(3, 2), None])
    assert ins[1] == (10, 4) and outs == [(3, 2, 4)]
    ln = get_op("LayerNorm")
    ins, outs = ln.infer_shape(ln.parse_attrs({"axis": 1}), [(2, 6, 3), None, None])
    assert ins[1] == (6,) and outs[1] == (2, 1, 3)
    gn = get_op("GroupNorm")
    ins, _ = gn.infer_shape(gn.parse_attrs({"num_groups": 3}), [(2, 6, 3), None, None])
    assert ins[1] == (3,)
