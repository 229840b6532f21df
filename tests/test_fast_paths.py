"""The CPU fast paths: BatchNorm's one-pass moments, in-place activation/softmax gradients, the
parse_attrs cache, GraphPlan.grad's need mask and the in-place SGD/Adam steps.  Each is checked
against an independent reference (float64 formulas, or the registered operator bit for bit)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd
from mxnet.base import MXNetError
from mxnet.executor import GraphPlan
from mxnet.ops.registry import get_op
from mxnet.optimizer.adaptive import _adam_inplace
from mxnet.optimizer.sgd import _sgd_inplace


def _bn_reference(x, gamma, beta, mm, mv, g, eps, fix_gamma, ugs, ax, train):
    x, g = x.astype(np.float64), g.astype(np.float64)
    red = tuple(i for i in range(x.ndim) if i != ax)
    bs = [1] * x.ndim
    bs[ax] = -1
    gm = np.ones(gamma.shape) if fix_gamma else gamma.astype(np.float64)
    if train and not ugs:
        mean, var = x.mean(red), x.var(red)
    else:
        mean, var = mm.astype(np.float64), mv.astype(np.float64)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(bs)) * inv.reshape(bs)
    out = xhat * gm.reshape(bs) + beta.reshape(bs)
    n = x.size // x.shape[ax]
    dbeta, dgamma = g.sum(red), (g * xhat).sum(red)
    if ugs:
        dx = g * (gm * inv).reshape(bs)
    else:
        dx = (gm * inv).reshape(bs) * (g - dbeta.reshape(bs) / n - xhat * dgamma.reshape(bs) / n)
    return out, dx, 0 * dgamma if fix_gamma else dgamma, dbeta, mean, var


@pytest.mark.parametrize("shape,ax,offset", [((4, 3, 5, 6), 1, 0.0), ((4, 3, 5, 6), 1, 1000.0),
                                             ((6, 4), 1, 0.0), ((6, 4), -1, 3.0), ((2, 3, 4, 5), 2, 0.0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("fix_gamma,ugs,train", [(True, False, True), (False, False, True),
                                                 (False, True, True), (False, False, False)])
def test_batchnorm_against_float64(shape, ax, offset, dtype, fix_gamma, ugs, train):
    r = np.random.RandomState(0)
    c = shape[ax]
    x = (r.randn(*shape) * 2 + offset).astype(dtype)
    g = r.randn(*shape).astype(dtype)
    gamma, beta = (r.rand(c) + 0.5).astype("float32"), r.randn(c).astype("float32")
    mm, mv = (r.randn(c) + offset).astype("float32"), (r.rand(c) + 0.5).astype("float32")
    pdt = "float32" if dtype == "float16" else dtype
    X = mx.nd.array(x, dtype=dtype)
    G, B, MM, MV = (mx.nd.array(a, dtype=pdt) for a in (gamma, beta, mm, mv))
    for a in (X, G, B):
        a.attach_grad()
    with autograd.record(train_mode=train):
        y = mx.nd.BatchNorm(X, G, B, MM, MV, eps=1e-3, momentum=0.75, fix_gamma=fix_gamma,
                            use_global_stats=ugs, axis=ax)
    y.backward(mx.nd.array(g, dtype=dtype))
    out, dx, dgamma, dbeta, mean, var = _bn_reference(x, gamma, beta, mm, mv, g, 1e-3, fix_gamma, ugs,
                                                      ax % len(shape), train)
    assert y.dtype == np.dtype(dtype) and X.grad.dtype == np.dtype(dtype)
    tol = {"float16": 1e-2, "float32": 1e-4, "float64": 1e-10}[dtype]
    for got, want in ((y, out), (X.grad, dx), (G.grad, dgamma), (B.grad, dbeta)):
        err = np.abs(got.asnumpy().astype(np.float64) - want).max() / (1 + np.abs(want).max())
        assert err < tol
    if train and not ugs:
        for got, old, batch in ((MM, mm, mean), (MV, mv, var)):
            np.testing.assert_allclose(got.asnumpy(), 0.75 * old.astype(np.float64) + 0.25 * batch,
                                       rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(MM.asnumpy(), mm)


def test_batchnorm_ill_conditioned_variance():
    # a mean 10^4 standard deviations away: one-pass E[x^2] - E[x]^2 in float32 would lose every digit
    r = np.random.RandomState(1)
    x = (r.randn(16, 2, 8, 8) * 0.1 + 1000.0).astype("float32")
    with autograd.train_mode():
        y, _, invstd = mx.nd.BatchNorm(mx.nd.array(x), mx.nd.ones(2), mx.nd.zeros(2), mx.nd.zeros(2),
                                       mx.nd.ones(2), eps=1e-8, output_mean_var=True)
    want = 1 / np.sqrt(x.astype(np.float64).var(axis=(0, 2, 3)) + 1e-8)
    np.testing.assert_allclose(invstd.asnumpy(), want, rtol=1e-4)
    np.testing.assert_allclose(y.asnumpy().std(axis=(0, 2, 3)), [1, 1], rtol=1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "softrelu"])
def test_activation_gradient_is_the_formula(dtype, act):
    r = np.random.RandomState(2)
    x, g = r.randn(5, 7).astype(dtype), r.randn(5, 7).astype(dtype)
    X = mx.nd.array(x, dtype=dtype)
    X.attach_grad()
    with autograd.record():
        y = mx.nd.Activation(X, act_type=act)
    y.backward(mx.nd.array(g, dtype=dtype))
    yy = y.asnumpy()
    want = {"relu": lambda: g * (yy > 0), "sigmoid": lambda: g * yy * (1 - yy),
            "tanh": lambda: g * (1 - yy * yy), "softrelu": lambda: -g * np.expm1(-yy)}[act]()
    assert X.grad.dtype == want.dtype
    np.testing.assert_array_equal(X.grad.asnumpy(), want)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("op,axis", [("softmax", -1), ("softmax", 0), ("log_softmax", -1),
                                     ("log_softmax", 1)])
def test_softmax_forward_backward_is_the_formula(dtype, op, axis):
    r = np.random.RandomState(3)
    x, g = (r.randn(4, 6, 5) * 3).astype(dtype), r.randn(4, 6, 5).astype(dtype)
    X = mx.nd.array(x, dtype=dtype)
    X.attach_grad()
    with autograd.record():
        y = getattr(mx.nd, op)(X, axis=axis)
    y.backward(mx.nd.array(g, dtype=dtype))
    z = x - x.max(axis=axis, keepdims=True)
    if op == "log_softmax":
        want = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
        dwant = g - np.exp(want) * g.sum(axis=axis, keepdims=True)
    else:
        e = np.exp(z)
        want = e / e.sum(axis=axis, keepdims=True)
        gy = g * want
        dwant = gy - want * gy.sum(axis=axis, keepdims=True)
    np.testing.assert_array_equal(y.asnumpy(), want)
    np.testing.assert_array_equal(X.grad.asnumpy(), dwant)


def test_parse_attrs_cache():
    op = get_op("Convolution")
    a = op.parse_attrs({"kernel": (3, 3), "num_filter": 4, "pad": (1, 1)})
    assert op.parse_attrs({"kernel": (3, 3), "num_filter": 4, "pad": (1, 1)}) is a
    assert a.kernel == (3, 3) and a.num_filter == 4 and a.pad == (1, 1)
    # unhashable values are parsed every time
    b = op.parse_attrs({"kernel": [3, 3], "num_filter": 4})
    assert b.kernel == (3, 3) and b is not op.parse_attrs({"kernel": [3, 3], "num_filter": 4})
    # errors are not cached: the same bad value raises again
    for _ in range(2):
        with pytest.raises(MXNetError, match="num_filter"):
            op.parse_attrs({"kernel": (3, 3)})
    # equal values of different types are different keys
    d = get_op("Cast")
    assert d.parse_attrs({"dtype": "float32"}).dtype == np.float32
    assert d.parse_attrs({"dtype": np.float16}).dtype == np.float16


def test_plan_grad_need_mask():
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=5, name="fc1"),
                                                  act_type="tanh"), num_hidden=3, name="fc2")
    plan = GraphPlan(mx.sym.sum(net))
    r = np.random.RandomState(4)
    shapes = {"data": (4, 6), "fc1_weight": (5, 6), "fc1_bias": (5,), "fc2_weight": (3, 5), "fc2_bias": (3,)}
    args = [r.randn(*shapes[n]).astype("float32") for n in plan.arg_names]
    outs, saved = plan.run(args, is_train=True)
    head = [np.ones_like(outs[0])]
    full = plan.grad(saved, head)
    need = [n != "data" for n in plan.arg_names]
    part = plan.grad(saved, head, need=need)
    for name, f, p in zip(plan.arg_names, full, part):
        if name == "data":
            assert p is None and f is not None and f.shape == (4, 6)
        else:
            np.testing.assert_array_equal(f, p)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("mom,wd,clip", [(0.0, 0.0, -1.0), (0.0, 0.3, 0.05), (0.9, 0.0, -1.0),
                                         (0.9, 1e-4, 0.05)])
def test_sgd_inplace_is_the_operator(dtype, mom, wd, clip):
    r = np.random.RandomState(5)
    w, g, m = (r.randn(7, 5).astype(dtype) for _ in range(3))
    W, G, M = (mx.nd.array(a, dtype=dtype) for a in (w, g, m))
    kw = dict(lrs=(0.013,), wds=(wd,), rescale_grad=1 / 128, num_weights=1)
    if clip >= 0:
        kw["clip_gradient"] = clip
    if mom:
        mx.nd.multi_sgd_mom_update(W, G, M, out=[W], momentum=mom, **kw)
    else:
        mx.nd.multi_sgd_update(W, G, out=[W], **kw)
    _sgd_inplace(w, g, m if mom else None, 0.013, wd, mom, 1 / 128, clip)
    np.testing.assert_array_equal(W.asnumpy(), w)
    np.testing.assert_array_equal(M.asnumpy(), m)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("wd,clip", [(0.0, -1.0), (1e-2, 0.1)])
def test_adam_inplace_is_the_operator(dtype, wd, clip):
    r = np.random.RandomState(6)
    w, g, m = (r.randn(6, 5).astype(dtype) for _ in range(3))
    v = r.rand(6, 5).astype(dtype)
    W, G, M, V = (mx.nd.array(a, dtype=dtype) for a in (w, g, m, v))
    kw = dict(lr=0.003, wd=wd, beta1=0.9, beta2=0.999, epsilon=1e-8, rescale_grad=0.5)
    if clip >= 0:
        kw["clip_gradient"] = clip
    mx.nd.adam_update(W, G, M, V, out=W, **kw)
    _adam_inplace(np, w, g, m, v, 0.003, wd, 0.9, 0.999, 1e-8, 0.5, clip)
    for got, want in ((W, w), (M, m), (V, v)):
        np.testing.assert_array_equal(got.asnumpy(), want)


@pytest.mark.parametrize("opt", [("sgd", {"momentum": 0.9, "wd": 1e-3}), ("adam", {"wd": 1e-3})])
def test_updater_single_index_matches_list_call(opt):
    r = np.random.RandomState(7)
    w0, g = r.randn(4, 3).astype("float32"), r.randn(4, 3).astype("float32")
    res = []
    for as_list in (False, True):
        upd = mx.optimizer.get_updater(mx.optimizer.create(opt[0], learning_rate=0.1, **opt[1]))
        w = mx.nd.array(w0)
        for _ in range(3):
            if as_list:
                upd([0], [mx.nd.array(g)], [w])
            else:
                upd(0, mx.nd.array(g), w)
        res.append(w.asnumpy())
    np.testing.assert_array_equal(res[0], res[1])
    assert not np.array_equal(res[0], w0)
