"""The convolution and pooling fast paths of mxnet/ops/_conv_kernels.py against the general
paths, a float64 direct sum and (goldens) real MXNet."""
import itertools

import numpy as np
import pytest

from golden import load_cases, run_case, case_ids
from mxnet.ops import _accel, _conv_kernels as K

CASES = load_cases("conv_fast")


@pytest.fixture
def shift_counter(monkeypatch):
    """Make every eligible convolution take the shifted path, and count its calls."""
    calls = []
    real = K.shifted_conv

    def counted(*args, **kwargs):
        calls.append(args[1].shape)
        return real(*args, **kwargs)
    monkeypatch.setattr(K, "KEEP_COLS_BYTES", 0)
    monkeypatch.setattr(K, "shifted_conv", counted)
    return calls


@pytest.fixture
def numpy_only():
    """The NumPy paths only (the C kernels are checked in test_native_kernels.py and
    test_native_conv.py)."""
    before = _accel.set_jit(False)
    yield
    _accel.set_jit(before)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_conv_fast_golden(case, shift_counter, kernels):
    run_case(case)
    if case["op"] == "Convolution":
        assert len(shift_counter) == 2  # forward and data gradient


def direct_conv(x, w, b, dilate, pad):
    """Stride-1 convolution by a float64 sum over kernel offsets."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    nd = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    out = tuple(s + 2 * p - d * (k - 1) for s, p, d, k in zip(x.shape[2:], pad, dilate, w.shape[2:]))
    y = np.zeros((x.shape[0], w.shape[0]) + out)
    for offs in itertools.product(*(range(k) for k in w.shape[2:])):
        sl = tuple(slice(o * d, o * d + n) for o, d, n in zip(offs, dilate, out))
        y += np.einsum("fc,nc...->nf...", w[(slice(None), slice(None)) + offs], xp[(Ellipsis,) + sl])
    if b is not None:
        y += b.reshape((-1,) + (1,) * nd)
    return y


SHAPES = [  # data, weight, dilate, pad
    ((2, 8, 7, 9), (5, 8, 3, 3), (1, 1), (1, 1)),
    ((3, 16, 6), (16, 16, 3), (2,), (2,)),
    ((2, 9, 5, 6, 4), (9, 9, 2, 3, 1), (1, 2, 1), (1, 2, 0)),
    ((4, 12, 10, 10), (16, 12, 3, 2), (2, 1), (2, 1)),
    ((1, 8, 4, 4), (3, 8, 3, 3), (1, 1), (0, 0)),
    ((5, 16, 3, 33), (16, 16, 3, 3), (1, 1), (1, 1)),
]


@pytest.mark.parametrize("xs,ws,dilate,pad", SHAPES)
@pytest.mark.parametrize("bias", [False, True])
def test_shifted_conv_is_the_convolution(xs, ws, dilate, pad, bias):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32) if bias else None
    y = K.shifted_conv(np, x, w, b, ws[2:], dilate, pad, pad)
    ref = direct_conv(x, w, b, dilate, pad)
    assert y.dtype == np.float32 and y.shape == ref.shape and y.flags.c_contiguous
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())


@pytest.mark.parametrize("xs,ws,dilate,pad", SHAPES)
def test_shifted_paths_match_im2col(xs, ws, dilate, pad, monkeypatch):
    """conv_forward/backward with the shifted paths (threshold lowered) equal the im2col ones."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32)
    nd = len(ws) - 2
    geom = (ws[2:], (1,) * nd, dilate, pad)
    y0, s0 = K.conv_forward(np, x, w, b, *geom, 1)
    dy = rng.standard_normal(y0.shape).astype(np.float32)
    g0 = K.conv_backward(np, dy, x, w, s0, *geom, 1, True)
    monkeypatch.setattr(K, "shift_fits", lambda *a: False)
    y1, s1 = K.conv_forward(np, x, w, b, *geom, 1)
    g1 = K.conv_backward(np, dy, x, w, s1, *geom, 1, True)
    monkeypatch.undo()
    monkeypatch.setattr(K, "KEEP_COLS_BYTES", 0)
    y2, s2 = K.conv_forward(np, x, w, b, *geom, 1)
    g2 = K.conv_backward(np, dy, x, w, s2, *geom, 1, True)
    for fast, slow in zip((y0, y2) + g0 + g2, (y1, y1) + g1 + g1):
        assert fast.dtype == np.float32 and fast.shape == slow.shape
        np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=2e-6 * np.abs(slow).max())


def test_shift_fits_policy():
    assert K.shift_fits(16, 16, (3, 3), (1, 1))
    assert not K.shift_fits(16, 16, (3, 3), (2, 2))   # strided
    assert not K.shift_fits(3, 16, (3, 3), (1, 1))    # first layer
    assert not K.shift_fits(64, 64, (3, 3), (1, 1))   # im2col GEMM already efficient
    assert not K.shift_fits(16, 16, (1, 1), (1, 1))   # 1x1: a plain GEMM either way


@pytest.mark.parametrize("shape,kernel", [
    ((2, 3, 8, 8), (2, 2)), ((2, 3, 9, 7), (2, 3)), ((1, 2, 6), (3,)), ((2, 2, 4, 6, 6), (2, 1, 3)),
    ((2, 2, 5, 5), (1, 1)), ((3, 4, 12, 12), (2, 2))])
def test_tiled_max_pool_matches_general(shape, kernel, numpy_only):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(np.float32)
    x.flat[::7] = np.nan
    x.flat[1::11] = x.flat[2::11][:x.flat[1::11].size]  # ties
    out = tuple(s // k for s, k in zip(shape[2:], kernel))
    fast, idx = K.max_pool_forward(np, x, kernel, kernel, (0,) * len(kernel), out)
    slow, _ = K._max_pool_general(np, x, kernel, kernel, (0,) * len(kernel), out)
    assert idx is None and fast.dtype == np.float32 and fast.flags.c_contiguous
    # both skip NaN as MXNet does, a window of NaN alone giving the lowest float32
    np.testing.assert_array_equal(fast, slow)
    win = K._window_view(x, kernel, out)
    axes = tuple(range(3, 3 + 2 * len(kernel), 2))
    np.testing.assert_array_equal(fast, np.fmax(np.fmax.reduce(win, axis=axes), np.finfo(np.float32).min))


@pytest.mark.parametrize("xs,ws,stride,pad", [
    ((9, 6, 5, 7), (4, 6, 1, 1), (1, 1), (0, 0)),   # columns are the data
    ((9, 6, 16, 14), (5, 6, 1, 1), (2, 2), (0, 0)),  # per-image layout despite 7 output columns
    ((9, 6, 16, 14), (5, 6, 3, 3), (2, 2), (1, 1)),  # batch-inner layout
    ((2, 3, 5), (4, 3, 1), (1,), (0,))])
def test_im2col_layouts_against_direct_sum(xs, ws, stride, pad, kernels):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32)
    nd = len(ws) - 2
    geom = (ws[2:], stride, (1,) * nd, pad)
    y, state = K.conv_forward(np, x, w, b, *geom, 1)
    full = direct_conv(x, w, b, (1,) * nd, pad)
    ref = full[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)]
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())
    # gradients: of sum(y * dy), by the float64 adjoint of the direct sum
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx, dw, db = K.conv_backward(np, dy, x, w, state, *geom, 1, True)
    eps = 1e-3
    for arr, grad in ((x, dx), (w, dw)):
        flat = arr.reshape(-1)
        for i in rng.choice(flat.size, 5, replace=False):
            keep = flat[i]
            flat[i] = keep + eps
            up = (direct_conv(x, w, b, (1,) * nd, pad)[(slice(None), slice(None)) + tuple(
                slice(None, None, s) for s in stride)] * dy).sum()
            flat[i] = keep - eps
            down = (direct_conv(x, w, b, (1,) * nd, pad)[(slice(None), slice(None)) + tuple(
                slice(None, None, s) for s in stride)] * dy).sum()
            flat[i] = keep
            np.testing.assert_allclose(grad.reshape(-1)[i], (up - down) / (2 * eps), rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(db, dy.sum(axis=(0,) + tuple(range(2, dy.ndim))), rtol=1e-5, atol=1e-5)
