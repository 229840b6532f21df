"""BatchNorm's NumPy path and its C kernels against a float64 reference of MXNet's formulas."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.ops import nn_norm

# (shape, axis): rows of >= 16 elements per (outer, channel) reach the C kernels, shorter
# ones stay on the NumPy path either way
CASES = [((4, 3, 5, 6), 1), ((3, 4, 20), 1), ((2, 20, 3), -1), ((6, 5), 1), ((2, 3, 4, 17), 3)]


def _ref(x, gamma, beta, mm, mv, head, axis, eps, momentum, fix_gamma, train=True, global_stats=False):
    """MXNet 1.9.1's BatchNorm in float64: output, its mean/invstd outputs, the gradients of data,
    gamma and beta for the head ``head``, and the moving statistics after the backward."""
    x, head = x.astype(np.float64), head.astype(np.float64)
    ax = axis % x.ndim
    red = tuple(i for i in range(x.ndim) if i != ax)
    bs = [1] * x.ndim
    bs[ax] = -1
    gam = np.ones_like(gamma, np.float64) if fix_gamma else gamma.astype(np.float64)
    batch = train and not global_stats
    mean = x.mean(red) if batch else mm.astype(np.float64)
    var = x.var(red) if batch else mv.astype(np.float64)
    invstd = 1 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(bs)) * invstd.reshape(bs)
    out = xhat * gam.reshape(bs) + beta.reshape(bs)
    dbeta = head.sum(red)
    dgamma = np.zeros_like(dbeta) if fix_gamma else (head * xhat).sum(red)
    if global_stats:
        dx = head * (gam * invstd).reshape(bs)
    else:
        dxhat_sum = (head * xhat).mean(red)
        dx = (gam * invstd).reshape(bs) * (head - head.mean(red).reshape(bs) - xhat * dxhat_sum.reshape(bs))
    if batch:
        mm = mm * momentum + mean * (1 - momentum)
        mv = mv * momentum + var * (1 - momentum)
    return out, mean, invstd, dx, dgamma, dbeta, mm, mv


def _run(x, gamma, beta, mm, mv, head, train=True, **kw):
    """mx.nd.BatchNorm forward and backward: (out, mean, invstd, dx, dgamma, dbeta, mm, mv)."""
    arrs = [mx.nd.array(a, dtype=a.dtype) for a in (x, gamma, beta, mm, mv)]
    for a in arrs[:3]:
        a.attach_grad()
    with mx.autograd.record(train_mode=train):
        outs = mx.nd.BatchNorm(*arrs, output_mean_var=True, **kw)
    outs[0].backward(mx.nd.array(head, dtype=head.dtype))
    res = [o.asnumpy() for o in outs] + [a.grad.asnumpy() for a in arrs[:3]]
    return res + [arrs[3].asnumpy(), arrs[4].asnumpy()]


def _inputs(shape, axis, dtype, offset=0.5, seed=0):
    rs = np.random.RandomState(seed)
    c = shape[axis]
    x = (rs.randn(*shape) * 1.7 + offset).astype(dtype)
    head = rs.randn(*shape).astype(dtype)
    pdt = np.float32 if dtype == np.float16 else dtype
    gamma = (rs.rand(c) + 0.5).astype(pdt)
    beta = rs.randn(c).astype(pdt)
    mm = (rs.randn(c) * 0.1).astype(pdt)
    mv = (rs.rand(c) + 0.5).astype(pdt)
    return x, gamma, beta, mm, mv, head


def _tol(dtype):
    return {np.float16: (2e-2, 2e-2), np.float32: (2e-5, 2e-5), np.float64: (1e-10, 1e-12)}[dtype]


def _uses_kernels(shape, axis):
    ax = axis % len(shape)
    return int(np.prod(shape[ax + 1:])) >= nn_norm._JIT_INNER


@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("fix_gamma", [False, True])
def test_train_matches_reference(kernels, shape, axis, dtype, fix_gamma):
    x, gamma, beta, mm, mv, head = _inputs(shape, axis, dtype)
    kw = dict(axis=axis, eps=1e-5, momentum=0.8, fix_gamma=fix_gamma)
    got = _run(x, gamma, beta, mm, mv, head, **kw)
    want = _ref(x, gamma, beta, mm, mv, head, axis, 1e-5, 0.8, fix_gamma)
    rtol, atol = _tol(dtype)
    names = ["out", "mean", "invstd", "dx", "dgamma", "dbeta", "moving_mean", "moving_var"]
    for name, g, w in zip(names, got, want):
        scale = max(1.0, float(np.abs(w).max()))
        np.testing.assert_allclose(g.astype(np.float64), w, rtol=rtol, atol=atol * scale, err_msg=name)
    assert got[0].dtype == dtype and got[3].dtype == dtype
    assert got[1].dtype == gamma.dtype and got[4].dtype == gamma.dtype


@pytest.mark.parametrize("shape,axis", CASES[:3])
@pytest.mark.parametrize("train,global_stats", [(False, False), (True, True), (False, True)])
def test_moving_statistics_paths(kernels, shape, axis, train, global_stats):
    # inference-mode forward (still differentiated through the statistics, as in MXNet) and
    # use_global_stats (the moving statistics, no update, no gradient through them)
    x, gamma, beta, mm, mv, head = _inputs(shape, axis, np.float32, seed=1)
    kw = dict(axis=axis, eps=1e-3, momentum=0.9, fix_gamma=False, use_global_stats=global_stats)
    got = _run(x, gamma, beta, mm, mv, head, train=train, **kw)
    want = _ref(x, gamma, beta, mm, mv, head, axis, 1e-3, 0.9, False, train=train,
                global_stats=global_stats)
    if not global_stats:
        # MXNet's inference-mode gradient treats the moving statistics as batch statistics
        ax = axis % x.ndim
        red = tuple(i for i in range(x.ndim) if i != ax)
        bs = [-1 if i == ax else 1 for i in range(x.ndim)]
        xhat = (x.astype(np.float64) - mm.reshape(bs)) / np.sqrt(mv.astype(np.float64) + 1e-3).reshape(bs)
        h = head.astype(np.float64)
        n = x.size // x.shape[ax]
        gs = (gamma / np.sqrt(mv.astype(np.float64) + 1e-3)).reshape(bs)
        want = list(want)
        want[3] = gs * (h - h.sum(red).reshape(bs) / n - xhat * (h * xhat).sum(red).reshape(bs) / n)
    for name, g, w in zip(["out", "mean", "invstd", "dx", "dgamma", "dbeta", "mm", "mv"], got, want):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5 * max(1.0, float(np.abs(w).max())),
                                   err_msg=name)
    np.testing.assert_array_equal(got[6], mm)
    np.testing.assert_array_equal(got[7], mv)


@pytest.mark.parametrize("shape,axis", CASES[:2])
def test_badly_conditioned_variance(kernels, shape, axis):
    # a mean 1000 standard deviations away: E[x^2] - mean^2 alone would lose every digit in float32
    x, gamma, beta, mm, mv, head = _inputs(shape, axis, np.float32, offset=3000.0, seed=2)
    got = _run(x, gamma, beta, mm, mv, head, axis=axis, eps=1e-5, fix_gamma=False)
    want = _ref(x, gamma, beta, mm, mv, head, axis, 1e-5, 0.9, False)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-4)                # invstd
    np.testing.assert_allclose(got[0], want[0], rtol=1e-3, atol=1e-3)     # out
    np.testing.assert_allclose(got[3], want[3], rtol=1e-3, atol=1e-4 * np.abs(want[3]).max())
    np.testing.assert_allclose(got[4], want[4], rtol=1e-3, atol=1e-3)     # dgamma


@pytest.mark.parametrize("shape,axis", [c for c in CASES if _uses_kernels(*c)])
def test_kernels_match_numpy_path(native, shape, axis):
    from mxnet.ops import _accel
    x, gamma, beta, mm, mv, head = _inputs(shape, axis, np.float32, seed=3)
    kw = dict(axis=axis, eps=1e-5, momentum=0.9, fix_gamma=False)
    before = _accel.set_jit(False)
    try:
        ref = _run(x, gamma, beta, mm, mv, head, **kw)
        _accel.set_jit(True)
        x3 = nn_norm._bn_view(np, x, axis % x.ndim)
        assert nn_norm._bn_jit(np, x3) is not None
        got = _run(x, gamma, beta, mm, mv, head, **kw)
    finally:
        _accel.set_jit(before)
    for r, g in zip(ref, got):
        assert g.dtype == r.dtype
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-6 * max(1.0, float(np.abs(r).max())))


def test_gluon_resnet_block_step(kernels):
    # a hybridized conv + BatchNorm + relu stack at a ResNet-20 stage-3 shape, both kernel sets
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Conv2D(8, 3, padding=1, use_bias=False, in_channels=4),
            mx.gluon.nn.BatchNorm(in_channels=8), mx.gluon.nn.Activation("relu"))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = mx.nd.array(np.random.RandomState(4).randn(4, 4, 8, 8))
    with mx.autograd.record():
        y = net(x)
    y.backward()
    bn = net[1]
    xc = net[0](x).asnumpy().astype(np.float64)
    mean, var = xc.mean((0, 2, 3)), xc.var((0, 2, 3))
    want = np.maximum((xc - mean[:, None, None]) / np.sqrt(var + 1e-5)[:, None, None], 0)
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.running_mean.data().asnumpy(), 0.1 * mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(bn.running_var.data().asnumpy(), 0.9 + 0.1 * var, rtol=1e-5)
    np.testing.assert_allclose(bn.beta.grad().asnumpy(), (want > 0).sum((0, 2, 3)), rtol=1e-6)


def test_kernel_variance_second_pass(native):
    # at a mean 6e5 standard deviations out even float64 one-pass moments lose the variance
    # (relative error ~1e-3 here): the kernel must take the centred second pass
    x, gamma, beta, _, _, _ = _inputs((8, 3, 40), 1, np.float32, offset=1e6, seed=5)
    out, mean, var, invstd, shifted = native.train_forward(x, gamma, beta, 1e-5, False, nn_norm._ILL)
    xd = x.astype(np.float64)
    assert shifted
    np.testing.assert_allclose(mean, xd.mean((0, 2)), rtol=1e-15)
    np.testing.assert_allclose(var, xd.var((0, 2)), rtol=1e-9)
    np.testing.assert_allclose(invstd, 1 / np.sqrt(xd.var((0, 2)) + 1e-5), rtol=1e-9)
