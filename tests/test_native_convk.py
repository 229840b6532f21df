"""The direct KxK stride-1 convolution kernels (mxnet/ops/_native_convk.c, K = 1..7, any padding)
against a float64 direct sum and the NumPy (im2col + GEMM) paths: forward, data gradient (direct
and GEMM + col2im), weight gradient, over LeNet's shapes and odd ones (batch 1, widths not a
multiple of 8, padding 1/2/asymmetric, K = 1, 3, 5, 7, channel counts 1..64), bias, NaN/inf
propagation, the dispatch (``forward``/``backward``) refusing what it should, and the dispatch
wired into ``_conv_kernels`` through a test-only wrapper."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.ops import _accel, _conv_kernels as K

from kernels_off import numpy_path


@pytest.fixture
def ck(native):
    from mxnet.ops import _native_convk
    if _native_convk._kernels() is None:
        pytest.skip("the direct KxK kernels are not in the library")
    return _native_convk


def _geom(k, pad):
    return (k, k), (1, 1), (1, 1), tuple(pad)


def ref_forward(x, w, pad, b=None):
    x, w = x.astype(np.float64), w.astype(np.float64)
    k = w.shape[2]
    xp = np.pad(x, [(0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])])
    oh, ow = xp.shape[2] - k + 1, xp.shape[3] - k + 1
    y = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for kh in range(k):
        for kw in range(k):
            y += np.einsum("fc,nchw->nfhw", w[:, :, kh, kw], xp[:, :, kh:kh + oh, kw:kw + ow])
    if b is not None:
        y += b.astype(np.float64).reshape(-1, 1, 1)
    return y


def ref_grads(x, w, dy, pad):
    """(dx, dw) in float64."""
    x, w, dy = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    k = w.shape[2]
    h, wd = x.shape[2:]
    oh, ow = dy.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])])
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for kh in range(k):
        for kw in range(k):
            dxp[:, :, kh:kh + oh, kw:kw + ow] += np.einsum("fc,nfhw->nchw", w[:, :, kh, kw], dy)
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dy, xp[:, :, kh:kh + oh, kw:kw + ow])
    return dxp[:, :, pad[0]:pad[0] + h, pad[1]:pad[1] + wd], dw


def _close(got, ref, rtol=3e-5):
    assert got.dtype == np.float32 and got.shape == ref.shape and got.flags.c_contiguous
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol * max(np.abs(ref).max(), 1e-30))


SHAPES = [  # n, c_in, c_out, h, w, k, pad
    (4, 1, 20, 28, 28, 5, (0, 0)), (4, 20, 50, 12, 12, 5, (0, 0)),   # LeNet's (smaller batch)
    (1, 1, 20, 28, 28, 5, (0, 0)), (1, 20, 50, 12, 12, 5, (0, 0)),   # batch 1
    (2, 3, 5, 9, 11, 3, (1, 1)), (1, 7, 9, 13, 10, 7, (2, 3)), (2, 4, 3, 6, 5, 1, (0, 0)),
    (2, 5, 6, 20, 19, 2, (1, 0)), (3, 16, 16, 16, 16, 5, (2, 2)), (2, 64, 8, 8, 8, 3, (1, 1)),
    (2, 2, 64, 7, 13, 5, (1, 2)), (1, 1, 1, 5, 5, 5, (0, 0)), (2, 9, 17, 6, 4, 5, (4, 4)),
    (2, 12, 10, 10, 30, 7, (3, 3)), (3, 8, 12, 1, 1, 1, (0, 0)), (2, 6, 7, 11, 9, 4, (2, 1)),
    (2, 6, 7, 11, 9, 6, (0, 2)), (2, 3, 33, 17, 17, 3, (0, 0)),
]


@pytest.mark.parametrize("n,c,f,h,wd,k,pad", SHAPES)
@pytest.mark.parametrize("bias", [False, True])
def test_kernels_match_float64(ck, n, c, f, h, wd, k, pad, bias):
    rng = np.random.default_rng(n * 1000 + c * 10 + wd + k)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, k, k)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32) if bias else None
    y = ck.conv_forward(x, w, b, pad)
    _close(y, ref_forward(x, w, pad, b))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    rdx, rdw = ref_grads(x, w, dy, pad)
    _close(ck.weight_grad(x, dy, k, pad), rdw)
    _close(ck.data_grad_gemm(dy, w, pad, x.shape), rdx)
    if pad[0] <= k - 1 and pad[1] <= k - 1:
        _close(ck.data_grad(dy, w, pad, x.shape), rdx)


@pytest.mark.parametrize("n,c,f,h,wd,k,pad", [(9, 1, 20, 28, 28, 5, (0, 0)), (7, 20, 50, 12, 12, 5, (0, 0)),
                                             (5, 6, 13, 11, 9, 5, (2, 1)), (3, 3, 33, 17, 17, 3, (0, 0))])
def test_threads_split_without_changing_bits(ck, monkeypatch, n, c, f, h, wd, k, pad):
    """Images (forward, data gradient) or blocks of output channels (weight gradient) go to one
    thread each: 1, 2 and 3 threads give the same bits, padded or not."""
    from mxnet.ops import _native_conv
    rng = np.random.default_rng(n + c + k)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, k, k)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    monkeypatch.setattr(_native_conv, "MIN_THREAD_MACS", 1)
    runs = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(_native_conv, "THREADS", threads)
        y = ck.conv_forward(x, w, b, pad)
        dy = np.cos(y)
        runs.append([y, ck.weight_grad(x, dy, k, pad), ck.data_grad(dy, w, pad, x.shape)])
    for run in runs[1:]:
        for a, r in zip(run, runs[0]):
            np.testing.assert_array_equal(a.view(np.uint32), r.view(np.uint32))
    _close(runs[2][0], ref_forward(x, w, pad, b))
    rdx, rdw = ref_grads(x, w, np.cos(runs[2][0]), pad)
    _close(runs[2][1], rdw)
    _close(runs[2][2], rdx)


@pytest.mark.parametrize("n,c,f,h,wd,k,pad", SHAPES)
def test_dispatch_matches_numpy_path(ck, n, c, f, h, wd, k, pad):
    rng = np.random.default_rng(7 + n + c + f + k)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, k, k)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    g = _geom(k, pad)
    ref_y, state = numpy_path(K.conv_forward, np, x, w, b, *g, 1)
    dy = rng.standard_normal(ref_y.shape).astype(np.float32)
    res = _forward(ck, np, x, w, b, *g, 1)
    if res is not None:
        assert res[1] == (False, None)
        _close(res[0], ref_y.astype(np.float64), rtol=1e-4)
    for need_dx in (False, True):
        ref = numpy_path(K.conv_backward, np, dy, x, w, state, *g, 1, True, need_dx)
        got = ck.backward(np, dy, x, w, *g, 1, True, need_dx)
        if got is None:
            continue
        assert (got[0] is None) == (not need_dx)
        for a, r in zip(got, ref):
            if r is not None:
                _close(a, r.astype(np.float64), rtol=1e-4)


def test_lenet_shapes_dispatched(ck):
    """LeNet's layers (batch 128 training, batch 1 inference) take the direct kernels (the
    weight gradient not at batch 1 for the second layer)."""
    for n in (1, 128):
        for c, f, h in ((1, 20, 28), (20, 50, 12)):
            x = np.ones((n, c, h, h), np.float32)
            w = np.ones((f, c, 5, 5), np.float32)
            y, state = _forward(ck, np, x, w, None, *_geom(5, (0, 0)), 1)
            assert y.shape == (n, f, h - 4, h - 4) and state == (False, None)
            res = ck.backward(np, np.ones_like(y), x, w, *_geom(5, (0, 0)), 1, True, c > 1)
            if n == 1 and c == 20:  # 8 pixel vectors per register block: the GEMM is faster
                assert res is None
                continue
            dx, dw, db = res
            assert dw.shape == w.shape and db.shape == (f,) and (dx is None) == (c == 1)


def test_batch_of_128_matches_numpy_path(ck):
    """The weight gradient sums over several chunks of images."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((128, 20, 12, 12)).astype(np.float32)
    w = rng.standard_normal((50, 20, 5, 5)).astype(np.float32)
    dy = rng.standard_normal((128, 50, 8, 8)).astype(np.float32)
    g = _geom(5, (0, 0))
    ref = numpy_path(K.conv_backward, np, dy, x, w, None, *g, 1, True, True)
    got = ck.backward(np, dy, x, w, *g, 1, True, True)
    for a, r in zip(got, ref):
        _close(a, r.astype(np.float64), rtol=1e-4)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("k,pad,wd", [(5, (0, 0), 12), (3, (1, 1), 11), (5, (2, 2), 10)])
def test_nonfinite_propagate_like_gemm(ck, value, k, pad, wd):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 4, 9, wd)).astype(np.float32)
    w = rng.standard_normal((6, 4, k, k)).astype(np.float32)
    x[1, 2, 4, wd - 1] = value
    x[0, 0, 0, 0] = value
    g = _geom(k, pad)
    ref_y, state = numpy_path(K.conv_forward, np, x, w, None, *g, 1)
    y = ck.conv_forward(x, w, None, pad)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ref_y))
    np.testing.assert_array_equal(np.isinf(y), np.isinf(ref_y))
    fin = np.isfinite(ref_y)
    np.testing.assert_allclose(y[fin], ref_y[fin], rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(ref_y.shape).astype(np.float32)
    dy[1, 3, 2, ref_y.shape[3] - 1] = value
    xf = np.where(np.isfinite(x), x, 0).astype(np.float32)
    ref = numpy_path(K.conv_backward, np, dy, xf, w, None, *g, 1, False, True)
    dw = ck.weight_grad(x, dy, k, pad)
    ref_dw = numpy_path(K.conv_backward, np, dy, x, w, None, *g, 1, False, False)[1]
    np.testing.assert_array_equal(np.isnan(dw), np.isnan(ref_dw))
    np.testing.assert_array_equal(np.isinf(dw), np.isinf(ref_dw))
    for dx in (ck.data_grad(dy, w, pad, x.shape), ck.data_grad_gemm(dy, w, pad, x.shape)):
        np.testing.assert_array_equal(np.isnan(dx), np.isnan(ref[0]))
        np.testing.assert_array_equal(np.isinf(dx), np.isinf(ref[0]))


def test_dispatch_refuses(ck, monkeypatch):
    x = np.ones((8, 4, 12, 12), np.float32)
    w = np.ones((6, 4, 5, 5), np.float32)
    dy = np.ones((8, 6, 8, 8), np.float32)
    g = _geom(5, (0, 0))
    assert _forward(ck, np, x, w, None, *g, 1) is not None
    assert ck.backward(np, dy, x, w, *g, 1, False, True) is not None
    refused = [
        (np, x.astype(np.float64), w.astype(np.float64), g, 1),        # float64
        (np, x, w.astype(np.float64), g, 1),                              # mixed
        (np, x, w, ((5, 5), (2, 2), (1, 1), (0, 0)), 1),                  # stride 2
        (np, x, w, ((5, 5), (1, 1), (2, 2), (0, 0)), 1),                  # dilation 2
        (np, x, np.ones((6, 2, 5, 5), np.float32), g, 2),                 # groups
        (np, x, np.ones((6, 4, 5, 3), np.float32), ((5, 3), (1, 1), (1, 1), (0, 0)), 1),
        (np, np.ones((2, 4, 20, 20), np.float32), np.ones((6, 4, 9, 9), np.float32),
         ((9, 9), (1, 1), (1, 1), (0, 0)), 1),                            # K = 9
        (object(), x, w, g, 1),                                           # not NumPy
        (np, np.ones((2, 4, 12, 12, 12), np.float32), np.ones((6, 4, 5, 5, 5), np.float32),
         ((5, 5, 5), (1, 1, 1), (1, 1, 1), (0, 0, 0)), 1),                # 3-D
        (np, np.ones((2, 4, 8, 8), np.float32), w, g, 1),                 # 4x4 outputs: half the lanes
    ]
    for xp, xx, ww, gg, groups in refused:
        assert _forward(ck, xp, xx, ww, None, *gg, groups) is None
        assert ck.backward(xp, dy, xx, ww, *gg, groups, False, True) is None
    assert ck.backward(np, dy.astype(np.float64), x, w, *g, 1, False, True) is None
    before = _accel.set_jit(False)
    try:
        assert _forward(ck, np, x, w, None, *g, 1) is None
        assert ck.backward(np, dy, x, w, *g, 1, False, True) is None
    finally:
        _accel.set_jit(before)
    monkeypatch.setattr(ck, "_FWD", None)
    assert _forward(ck, np, x, w, None, *g, 1) is None
    assert ck.backward(np, dy, x, w, *g, 1, False, True) is None


def test_noncontiguous_inputs(ck):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((8, 12, 12, 6)).astype(np.float32).transpose(0, 3, 1, 2)
    w = rng.standard_normal((8, 6, 5, 5)).astype(np.float32)[:, :, ::-1]
    b = rng.standard_normal(16).astype(np.float32)[::2]
    g = _geom(5, (0, 0))
    y, _ = _forward(ck, np, x, w, b, *g, 1)
    _close(y, ref_forward(x, w, (0, 0), b))
    dy = rng.standard_normal((8, 8, 16, 8)).astype(np.float32)[:, :, ::2]
    dx, dw, db = ck.backward(np, dy, x, w, *g, 1, True, True)
    rdx, rdw = ref_grads(x, w, dy, (0, 0))
    _close(dx, rdx)
    _close(dw, rdw)
    _close(db, dy.astype(np.float64).sum(axis=(0, 2, 3)))


def _forward(ck, xp, x, w, b, *geometry):
    """``(y, state)`` as ``_conv_kernels.conv_forward`` gives them when the direct kernel takes
    the convolution, else None."""
    run = ck.bind_forward(xp, x, w, *geometry)
    return None if run is None else (run(x, w, b), (False, None))


def _spied(monkeypatch, ck, calls):
    """Count the convolutions ``_conv_kernels`` hands to the direct dispatch and it takes."""
    fwd, bwd = ck.bind_forward, ck.backward

    def forward(*args):
        r = fwd(*args)
        if r is not None:
            calls.append("forward")
        return r

    def backward(*args):
        r = bwd(*args)
        if r is not None:
            calls.append("backward")
        return r

    monkeypatch.setattr(ck, "bind_forward", forward)
    monkeypatch.setattr(ck, "backward", backward)


def _lenet_grads(hybrid):
    from mxnet import autograd, gluon
    from mxnet.gluon import nn
    mx.random.seed(0)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, 5, activation="tanh"), nn.MaxPool2D(2, 2),
            nn.Conv2D(50, 5, activation="tanh"), nn.MaxPool2D(2, 2), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    if hybrid:
        net.hybridize()
    x = mx.nd.array(np.random.RandomState(0).normal(size=(8, 1, 28, 28)).astype(np.float32))
    y = mx.nd.array(np.arange(8) % 10)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    with autograd.record():
        loss = loss_fn(net(x), y)
    loss.backward()
    params = net.collect_params()
    return ([p.grad().asnumpy() for p in params.values()],
            net(mx.nd.array(np.ones((1, 1, 28, 28), np.float32))).asnumpy())


@pytest.mark.parametrize("hybrid", [False, True])
def test_wired_into_conv_kernels(ck, monkeypatch, hybrid):
    ref_grads_, ref_out = numpy_path(_lenet_grads, hybrid)
    calls = []
    _spied(monkeypatch, ck, calls)
    grads, out = _lenet_grads(hybrid)
    assert calls.count("forward") >= 4 and calls.count("backward") == 2
    np.testing.assert_allclose(out, ref_out, rtol=1e-4, atol=1e-5)
    for g, r in zip(grads, ref_grads_):
        np.testing.assert_allclose(g, r, rtol=1e-3, atol=1e-5 * max(np.abs(r).max(), 1e-30))
