"""The direct convolution kernels (mxnet/ops/_native_conv.c: 3x3 pad 1 and 1x1 pad 0, stride 1
or 2) against a float64 direct sum and the NumPy (im2col + GEMM / shifted) paths: forward, data
gradient, weight gradient, over ResNet's shapes and odd ones (widths not a multiple of 8, odd
sizes under stride 2, channel counts not a multiple of the register blocks, batch 1, 1x1 and 2x2
images), bias, NaN/inf propagation, threads, the default thread count, and the dispatch in
_conv_kernels."""

import numpy as np
import pytest

import mxnet as mx
from mxnet.ops import _conv_kernels as K

from kernels_off import numpy_path

GEOM = ((3, 3), (1, 1), (1, 1), (1, 1))


@pytest.fixture
def nc(native):
    from mxnet.ops import _native_conv
    if not _native_conv.AVAILABLE:
        pytest.skip("the direct convolution kernels are not in the library")
    return _native_conv


def ref_forward(x, w, b=None):
    x, w = x.astype(np.float64), w.astype(np.float64)
    n, c, h, wd = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    y = np.zeros((n, w.shape[0], h, wd))
    for kh in range(3):
        for kw in range(3):
            y += np.einsum("fc,nchw->nfhw", w[:, :, kh, kw], xp[:, :, kh:kh + h, kw:kw + wd])
    if b is not None:
        y += b.astype(np.float64).reshape(-1, 1, 1)
    return y


def ref_grads(x, w, dy):
    """(dx, dw) in float64."""
    x, w, dy = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    n, c, h, wd = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for kh in range(3):
        for kw in range(3):
            dxp[:, :, kh:kh + h, kw:kw + wd] += np.einsum("fc,nfhw->nchw", w[:, :, kh, kw], dy)
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dy, xp[:, :, kh:kh + h, kw:kw + wd])
    return dxp[:, :, 1:-1, 1:-1], dw


def _close(got, ref, rtol=2e-5):
    assert got.dtype == np.float32 and got.shape == ref.shape and got.flags.c_contiguous
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol * max(np.abs(ref).max(), 1e-30))


SHAPES = [  # n, c_in, c_out, h, w
    (4, 16, 16, 32, 32), (4, 32, 32, 16, 16), (4, 64, 64, 8, 8),   # ResNet-20's (smaller batch)
    (3, 3, 16, 32, 32),                                              # its first layer
    (1, 16, 16, 32, 32),                                             # batch 1
    (2, 5, 13, 7, 9), (2, 13, 5, 12, 12), (3, 8, 12, 13, 30),       # odd channels and widths
    (2, 9, 7, 5, 33), (1, 1, 1, 1, 1), (2, 4, 3, 2, 2), (3, 7, 10, 3, 17),
    (5, 20, 24, 6, 40),
]


@pytest.mark.parametrize("n,c,f,h,wd", SHAPES)
@pytest.mark.parametrize("bias", [False, True])
def test_kernels_match_float64(nc, n, c, f, h, wd, bias):
    rng = np.random.default_rng(n * 1000 + c * 10 + wd)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, 3, 3)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32) if bias else None
    dy = rng.standard_normal((n, f, h, wd)).astype(np.float32)
    _close(nc.forward(x, w, b), ref_forward(x, w, b))
    dx, dw = ref_grads(x, w, dy)
    _close(nc.data_grad(dy, w, dy.shape[2:]), dx)
    _close(nc.weight_grad(x, dy), dw, rtol=5e-5)


@pytest.mark.parametrize("n,c,f,h,wd", [(4, 16, 16, 32, 32), (5, 64, 64, 8, 8), (3, 8, 12, 13, 30)])
def test_kernels_match_numpy_paths(nc, n, c, f, h, wd):
    """Against conv_forward/conv_backward on the NumPy paths (im2col GEMM, shifted GEMMs)."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, 3, 3)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    y0, st = numpy_path(K.conv_forward, np, x, w, b, *GEOM, 1)
    dy = rng.standard_normal(y0.shape).astype(np.float32)
    dx0, dw0, db0 = numpy_path(K.conv_backward, np, dy, x, w, st, *GEOM, 1, True)
    _close(nc.forward(x, w, b), y0)
    _close(nc.data_grad(dy, w, dy.shape[2:]), dx0)
    _close(nc.weight_grad(x, dy), dw0, rtol=5e-5)


def test_non_contiguous_and_float64_inputs_are_converted(nc):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 8, 16, 24)).astype(np.float32)[:, :, :, ::2]   # width 12, strided
    w = rng.standard_normal((6, 8, 3, 3))
    _close(nc.forward(x, w), ref_forward(x, w))
    dy = rng.standard_normal((2, 6, 16, 12)).astype(np.float32).transpose(0, 1, 3, 2).copy().transpose(0, 1, 3, 2)
    dx, dw = ref_grads(x, w, dy)
    _close(nc.data_grad(dy, w, dy.shape[2:]), dx)
    _close(nc.weight_grad(x, dy), dw, rtol=5e-5)


@pytest.mark.parametrize("n,c,f,h,wd", [(6, 16, 16, 32, 32), (9, 64, 64, 8, 8), (5, 8, 12, 13, 30)])
def test_threads_give_the_same_bits(nc, monkeypatch, n, c, f, h, wd):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, 3, 3)).astype(np.float32)
    dy = rng.standard_normal((n, f, h, wd)).astype(np.float32)
    monkeypatch.setattr(nc, "THREADS", 1)
    one = nc.forward(x, w), nc.data_grad(dy, w, dy.shape[2:]), nc.weight_grad(x, dy)
    monkeypatch.setattr(nc, "THREADS", 3)
    monkeypatch.setattr(nc, "MIN_THREAD_MACS", 1)
    three = nc.forward(x, w), nc.data_grad(dy, w, dy.shape[2:]), nc.weight_grad(x, dy)
    for a, b in zip(one, three):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("pixels,cache", [(8, 1), (64, 1 << 30), (1 << 20, 1 << 30), (300, 50_000)])
def test_weight_grad_work_items(nc, monkeypatch, pixels, cache):
    """Any split into items (bands of rows, chunks of images) gives the weight gradient."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((7, 6, 11, 16)).astype(np.float32)
    dy = rng.standard_normal((7, 10, 11, 16)).astype(np.float32)
    monkeypatch.setattr(nc, "DW_PIXELS", pixels)
    monkeypatch.setattr(nc, "DW_CACHE", cache)
    _close(nc.weight_grad(x, dy), ref_grads(x, np.zeros((10, 6, 3, 3), np.float32), dy)[1], rtol=5e-5)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("wd", [16, 13])
def test_nan_and_inf_propagate_like_the_gemm_path(nc, wd):
    """A NaN/inf makes exactly the outputs NaN/inf that the GEMM path makes so: those whose
    window (or, for the weight gradient, whose sum) reads it.  With width 13 the padded rows
    are computed past the image: an inf at the last column must not leak into the sums of the
    weight gradient through the padding (0 * inf)."""
    rng = np.random.default_rng(5)
    n, c, f, h = 2, 8, 8, 6
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, 3, 3)).astype(np.float32)
    dy = rng.standard_normal((n, f, h, wd)).astype(np.float32)
    x[0, 2, 3, wd - 1] = np.inf
    x[1, 5, 0, 4] = np.nan
    dy[1, 3, h - 1, wd - 1] = -np.inf
    dy[0, 6, 2, 0] = np.nan
    y0, st = numpy_path(K.conv_forward, np, x, w, None, *GEOM, 1)
    dx0, dw0, _ = numpy_path(K.conv_backward, np, dy, x, w, st, *GEOM, 1, False)
    for got, ref in ((nc.forward(x, w), y0), (nc.data_grad(dy, w, dy.shape[2:]), dx0), (nc.weight_grad(x, dy), dw0)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(ref))
        ok = np.isfinite(ref)
        np.testing.assert_allclose(got[ok], ref[ok], rtol=2e-5, atol=2e-5 * np.abs(ref[ok]).max())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_inf_weight_times_padding_is_nan_like_the_gemm_path(nc):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 8, 8)).astype(np.float32)
    w = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    w[1, 2, 0, 0] = np.inf
    y0, _ = numpy_path(K.conv_forward, np, x, w, None, *GEOM, 1)
    y1 = nc.forward(x, w)
    np.testing.assert_array_equal(np.isnan(y1), np.isnan(y0))
    assert np.isnan(y1[:, 1, 0, :]).all()   # the top row's window reads the zero padding


def test_direct_fits_policy(nc):
    assert K.direct_fits(16, 16, 32) and K.direct_fits(32, 32, 16) and K.direct_fits(64, 64, 8)
    assert K.direct_fits(3, 16, 32)          # ResNet's first layer
    assert K.direct_fits(16, 16, 7) and K.direct_fits(16, 16, 12) and K.direct_fits(16, 16, 30)
    assert not K.direct_fits(16, 16, 4)      # half of each row vector wasted
    assert not K.direct_fits(16, 16, 6)
    assert not K.direct_fits(16, 16, 9)      # 16 lanes for 9 pixels
    assert not K.direct_fits(16, 256, 16)    # more channels than measured
    for k in (nc.K3S2, nc.K1S2):             # ResNet's strided convolutions (1x1: pixels per image)
        assert K.direct_fits(16, 32, 16 if k == nc.K3S2 else 256, k)
        assert K.direct_fits(32, 64, 8 if k == nc.K3S2 else 64, k, backward=True)
    assert not K.direct_fits(64, 128, 4, nc.K3S2)
    assert not K.direct_fits(16, 32, 256, nc.K1S1)   # the 1x1 stride-1 forward is a plain GEMM
    assert K.direct_fits(16, 32, 256, nc.K1S1, backward=True)


@pytest.fixture
def direct_calls(nc, monkeypatch):
    calls = []
    for name in ("forward", "data_grad", "weight_grad"):
        def counted(*args, _real=getattr(nc, name), _name=name):
            calls.append(_name)
            return _real(*args)
        monkeypatch.setattr(nc, name, counted)
    return calls


def _dispatched(direct_calls, seed, xs, ws, geom, bias, expect):
    """conv_forward/backward through ``_conv_kernels``: the direct kernels named in ``expect``
    are called, and the results are the NumPy paths'.  Returns (x, w, dy, state, db)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32) if bias else None
    y, st = K.conv_forward(np, x, w, b, *geom, 1)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx, dw, db = K.conv_backward(np, dy, x, w, st, *geom, 1, bias)
    assert direct_calls == expect
    y0, st0 = numpy_path(K.conv_forward, np, x, w, b, *geom, 1)
    dx0, dw0, db0 = numpy_path(K.conv_backward, np, dy, x, w, st0, *geom, 1, bias)
    _close(y, y0)
    _close(dx, dx0)
    _close(dw, dw0, rtol=5e-5)
    if bias:
        np.testing.assert_allclose(db, db0, rtol=1e-5)
    return x, w, dy, st, db


@pytest.mark.parametrize("xs,ws,bias", [((3, 16, 16, 16), (16, 16, 3, 3), False),
                                         ((2, 3, 8, 8), (8, 3, 3, 3), True)])
def test_conv_kernels_dispatch(direct_calls, xs, ws, bias):
    x, w, dy, st, db = _dispatched(direct_calls, 9, xs, ws, GEOM, bias,
                                   ["forward", "data_grad", "weight_grad"])
    assert st == (False, None)   # no columns kept
    assert (db is None) == (not bias)
    # no data gradient asked for: none computed
    direct_calls.clear()
    assert K.conv_backward(np, dy, x, w, st, *GEOM, 1, False, need_dx=False)[0] is None
    assert direct_calls == ["weight_grad"]


@pytest.mark.parametrize("xs,ws,geom,groups", [
    ((2, 8, 8, 8), (8, 8, 3, 3), ((3, 3), (2, 2), (1, 1), (1, 1)), 1),   # strided, 4 wide out
    ((2, 8, 16, 16), (8, 8, 3, 3), ((3, 3), (3, 3), (1, 1), (1, 1)), 1), # stride 3
    ((2, 8, 16, 16), (8, 8, 3, 3), ((3, 3), (1, 2), (1, 1), (1, 1)), 1), # unequal strides
    ((2, 8, 8, 8), (8, 8, 3, 3), ((3, 3), (1, 1), (2, 2), (2, 2)), 1),   # dilated
    ((2, 8, 8, 8), (8, 8, 3, 3), ((3, 3), (1, 1), (1, 1), (0, 0)), 1),   # no padding
    ((2, 8, 16, 16), (8, 8, 3, 3), ((3, 3), (2, 2), (1, 1), (0, 0)), 1), # strided, no padding
    ((2, 8, 8, 8), (8, 4, 3, 3), GEOM, 2),                                # grouped
    ((2, 8, 4, 4), (8, 8, 3, 3), GEOM, 1),                                # too narrow
    ((2, 8, 8, 8), (8, 8, 1, 1), ((1, 1), (1, 1), (1, 1), (1, 1)), 1),   # 1x1 padded
    ((2, 8, 6, 6), (8, 8, 1, 1), ((1, 1), (2, 2), (1, 1), (0, 0)), 1),   # 1x1 s2, 9 pixels out
    ((2, 8, 8, 8), (8, 8, 5, 5), ((5, 5), (1, 1), (1, 1), (2, 2)), 1),   # 5x5
    ((2, 8, 8, 8), (8, 8, 3, 1), ((3, 1), (1, 1), (1, 1), (1, 0)), 1),   # not square
    ((2, 300, 8, 8), (8, 300, 3, 3), GEOM, 1),                            # too many channels
])
def test_conv_kernels_refuse(direct_calls, xs, ws, geom, groups):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    y, st = K.conv_forward(np, x, w, None, *geom, groups)
    K.conv_backward(np, np.ones_like(y), x, w, st, *geom, groups, False)
    assert direct_calls == []


def test_float64_and_switched_off_take_the_numpy_paths(direct_calls):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 8, 8, 8))
    w = rng.standard_normal((8, 8, 3, 3))
    K.conv_forward(np, x, w, None, *GEOM, 1)
    numpy_path(K.conv_forward, np, x.astype(np.float32), w.astype(np.float32), None, *GEOM, 1)
    assert direct_calls == []


def test_operator_gradients_match_the_numpy_paths(nc):
    """Through mx.nd.Convolution and autograd, with bias, on and off the C kernels."""
    rng = np.random.default_rng(13)
    xs = rng.standard_normal((3, 8, 16, 16)).astype(np.float32)
    ws = rng.standard_normal((12, 8, 3, 3)).astype(np.float32)
    bs = rng.standard_normal(12).astype(np.float32)
    head = rng.standard_normal((3, 12, 16, 16)).astype(np.float32)

    def run():
        x, w, b = mx.nd.array(xs), mx.nd.array(ws), mx.nd.array(bs)
        for a in (x, w, b):
            a.attach_grad()
        with mx.autograd.record():
            y = mx.nd.Convolution(x, w, b, kernel=(3, 3), pad=(1, 1), num_filter=12)
        y.backward(mx.nd.array(head))
        return [a.asnumpy() for a in (y, x.grad, w.grad, b.grad)]

    for got, ref in zip(run(), numpy_path(run)):
        np.testing.assert_allclose(got, ref, rtol=5e-5, atol=5e-5 * np.abs(ref).max())


# -- 3x3 stride 2 and 1x1 stride 1 and 2 ----------------------------------------------------------
def ref_strided(x, w, b, stride, dy):
    """(y, dx, dw) in float64 of the convolution with pad (k - 1) / 2."""
    x, w, dy = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    n, c, h, wd = x.shape
    k, p, s = w.shape[2], w.shape[2] // 2, stride
    ho, wo = (h + 2 * p - k) // s + 1, (wd + 2 * p - k) // s + 1
    xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)])
    y = np.zeros((n, w.shape[0], ho, wo))
    dxp, dw = np.zeros_like(xp), np.zeros(w.shape)
    for kh in range(k):
        for kw in range(k):
            sl = (slice(None), slice(None), slice(kh, kh + s * (ho - 1) + 1, s), slice(kw, kw + s * (wo - 1) + 1, s))
            y += np.einsum("fc,nchw->nfhw", w[:, :, kh, kw], xp[sl])
            dxp[sl] += np.einsum("fc,nfhw->nchw", w[:, :, kh, kw], dy)
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dy, xp[sl])
    if b is not None:
        y += b.astype(np.float64).reshape(-1, 1, 1)
    return y, dxp[:, :, p:p + h, p:p + wd], dw


KS = [(3, 2), (1, 1), (1, 2)]   # (kernel, stride)
STRIDED_SHAPES = [  # n, c_in, c_out, h, w
    (3, 16, 32, 32, 32), (3, 32, 64, 16, 16), (2, 64, 128, 8, 8),   # ResNet's (smaller batch)
    (1, 16, 32, 32, 32),                                             # batch 1
    (2, 5, 13, 7, 9), (2, 13, 5, 12, 12), (3, 8, 12, 13, 30),       # odd sizes, channels
    (2, 9, 7, 5, 33), (1, 1, 1, 1, 1), (2, 4, 3, 2, 2), (3, 7, 10, 3, 17), (2, 6, 9, 17, 15),
    (1, 3, 8, 31, 31),
]


def _rand(seed, n, c, f, h, wd, k, stride, nc):
    rng = np.random.default_rng(seed)
    kd = nc.kind(np.empty((1, 1, 1, 1), np.float32), np.empty((1, 1, k, k), np.float32), (k, k),
                 (stride, stride), (1, 1), (k // 2, k // 2), 1)
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((f, c, k, k)).astype(np.float32)
    dy = rng.standard_normal((n, f) + nc.out_size(kd, (h, wd))).astype(np.float32)
    return kd, x, w, dy


@pytest.mark.parametrize("k,stride", KS)
@pytest.mark.parametrize("n,c,f,h,wd", STRIDED_SHAPES)
def test_strided_and_1x1_kernels_match_float64(nc, k, stride, n, c, f, h, wd):
    kd, x, w, dy = _rand(n * 1000 + c * 10 + wd, n, c, f, h, wd, k, stride, nc)
    b = np.linspace(-1, 1, f).astype(np.float32)
    y0, dx0, dw0 = ref_strided(x, w, b, stride, dy)
    assert dy.shape == y0.shape   # out_size: floor((H + 2p - k) / s) + 1
    _close(nc.forward(x, w, b, kd), y0)
    _close(nc.data_grad(dy, w, (h, wd), kd), dx0)
    _close(nc.weight_grad(x, dy, kd), dw0, rtol=5e-5)


@pytest.mark.parametrize("k,stride", KS)
@pytest.mark.parametrize("n,c,f,h,wd", [(4, 16, 32, 32, 32), (3, 32, 64, 15, 15), (2, 8, 12, 13, 30)])
def test_strided_and_1x1_kernels_match_numpy_paths(nc, k, stride, n, c, f, h, wd):
    kd, x, w, dy = _rand(21, n, c, f, h, wd, k, stride, nc)
    b = np.linspace(-1, 1, f).astype(np.float32)
    geom = ((k, k), (stride, stride), (1, 1), (k // 2, k // 2))
    y0, st = numpy_path(K.conv_forward, np, x, w, b, *geom, 1)
    dx0, dw0, _ = numpy_path(K.conv_backward, np, dy, x, w, st, *geom, 1, True)
    _close(nc.forward(x, w, b, kd), y0)
    _close(nc.data_grad(dy, w, (h, wd), kd), dx0)
    _close(nc.weight_grad(x, dy, kd), dw0, rtol=5e-5)


@pytest.mark.parametrize("k,stride", KS)
@pytest.mark.parametrize("n,c,f,h,wd", [(6, 16, 32, 32, 32), (9, 64, 64, 16, 16), (5, 8, 12, 13, 30)])
def test_strided_and_1x1_threads_give_the_same_bits(nc, monkeypatch, k, stride, n, c, f, h, wd):
    kd, x, w, dy = _rand(4, n, c, f, h, wd, k, stride, nc)
    monkeypatch.setattr(nc, "THREADS", 1)
    one = nc.forward(x, w, None, kd), nc.data_grad(dy, w, (h, wd), kd), nc.weight_grad(x, dy, kd)
    monkeypatch.setattr(nc, "THREADS", 3)
    monkeypatch.setattr(nc, "MIN_THREAD_MACS", 1)
    three = nc.forward(x, w, None, kd), nc.data_grad(dy, w, (h, wd), kd), nc.weight_grad(x, dy, kd)
    for a, b in zip(one, three):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("k,stride", KS)
@pytest.mark.parametrize("pixels,cache", [(8, 1), (64, 1 << 30), (300, 50_000)])
def test_strided_and_1x1_weight_grad_work_items(nc, monkeypatch, k, stride, pixels, cache):
    kd, x, w, dy = _rand(8, 7, 6, 10, 11, 16, k, stride, nc)
    monkeypatch.setattr(nc, "DW_PIXELS", pixels)
    monkeypatch.setattr(nc, "DW_CACHE", cache)
    _close(nc.weight_grad(x, dy, kd), ref_strided(x, w, None, stride, dy)[2], rtol=5e-5)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("k,stride", KS)
@pytest.mark.parametrize("h,wd", [(8, 32), (7, 13)])
def test_strided_and_1x1_nan_and_inf_propagate_like_the_gemm_path(nc, k, stride, h, wd):
    """As for 3x3 stride 1: with odd sizes the rows (and phases) are computed past the image, and
    an inf in the last column or row must not leak into the sums through the padding."""
    kd, x, w, dy = _rand(5, 2, 8, 8, h, wd, k, stride, nc)
    ho, wo = dy.shape[2:]
    x[0, 2, h - 1, wd - 1] = np.inf
    x[1, 5, 0, 4] = np.nan
    x[1, 1, 2, 2] = -np.inf
    dy[1, 3, ho - 1, wo - 1] = -np.inf
    dy[0, 6, 1, 0] = np.nan
    geom = ((k, k), (stride, stride), (1, 1), (k // 2, k // 2))
    y0, st = numpy_path(K.conv_forward, np, x, w, None, *geom, 1)
    dx0, dw0, _ = numpy_path(K.conv_backward, np, dy, x, w, st, *geom, 1, False)
    got = nc.forward(x, w, None, kd), nc.data_grad(dy, w, (h, wd), kd), nc.weight_grad(x, dy, kd)
    for g, ref in zip(got, (y0, dx0, dw0)):
        np.testing.assert_array_equal(np.isnan(g), np.isnan(ref))
        np.testing.assert_array_equal(np.isinf(g), np.isinf(ref))
        ok = np.isfinite(ref)
        np.testing.assert_allclose(g[ok], ref[ok], rtol=2e-5, atol=2e-5 * np.abs(ref[ok]).max())


@pytest.mark.parametrize("xs,ws,geom,bias,expect", [
    ((3, 16, 32, 32), (32, 16, 3, 3), ((3, 3), (2, 2), (1, 1), (1, 1)), False,
     ["forward", "data_grad", "weight_grad"]),
    ((2, 16, 15, 13), (8, 16, 3, 3), ((3, 3), (2, 2), (1, 1), (1, 1)), True,
     ["forward", "data_grad", "weight_grad"]),
    ((3, 16, 32, 32), (32, 16, 1, 1), ((1, 1), (2, 2), (1, 1), (0, 0)), False,
     ["forward", "data_grad", "weight_grad"]),
    ((3, 16, 16, 16), (32, 16, 1, 1), ((1, 1), (1, 1), (1, 1), (0, 0)), True,
     ["data_grad", "weight_grad"]),   # the forward stays a GEMM on the data
])
def test_strided_and_1x1_dispatch(direct_calls, xs, ws, geom, bias, expect):
    _dispatched(direct_calls, 14, xs, ws, geom, bias, expect)


def test_default_threads(nc, monkeypatch):
    """$MXNEXT_CONV_THREADS, else the threads of all the C kernels (``_native.THREADS``)."""
    from mxnet.ops import _native
    monkeypatch.setenv("MXNEXT_CONV_THREADS", "3")
    assert nc._default_threads() == 3
    monkeypatch.setenv("MXNEXT_CONV_THREADS", "x")   # unreadable: as if unset
    monkeypatch.setattr(_native, "THREADS", 2)
    assert nc._default_threads() == 2
    monkeypatch.delenv("MXNEXT_CONV_THREADS")
    assert nc._default_threads() == 2
