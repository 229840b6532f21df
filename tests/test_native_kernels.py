"""The C kernels (mxnet/ops/_native.c) against the NumPy paths they replace: same values, same
first-max choice, same gradients, including padding, strides, dilation, ties and NaN; the
optimizer updates bit for bit.  The whole-operator goldens also run on both (the ``kernels``
fixture); the loader has its own tests (test_native_loader.py)."""
import numpy as np
import pytest

from mxnet.ops import _accel, _conv_kernels as K

from kernels_off import numpy_path
from mxnet.optimizer.adaptive import _adam_inplace
from mxnet.optimizer.sgd import _sgd_inplace


@pytest.fixture
def jk(native):
    return native


POOLS = [  # shape, kernel, stride, pad, convention
    ((3, 4, 8, 8), (2, 2), (2, 2), (0, 0), "valid"),
    ((2, 3, 9, 7), (2, 2), (2, 2), (0, 0), "valid"),   # last row/column uncovered
    ((2, 3, 9, 7), (3, 3), (2, 2), (1, 1), "valid"),
    ((2, 3, 7, 7), (3, 2), (2, 1), (1, 0), "full"),
    ((1, 2, 5, 6), (3, 3), (1, 1), (2, 2), "full"),    # windows reaching into the padding only
]


@pytest.mark.parametrize("shape,kernel,stride,pad,conv", POOLS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_matches_numpy(jk, shape, kernel, stride, pad, conv, dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(dtype)
    x.flat[::5] = x.flat[1::5][:x.flat[::5].size]   # ties: the first max must win
    x.flat[3::13] = np.nan
    out = tuple(K.pool_out_len(s, k, st, p, conv) for s, k, st, p in zip(shape[2:], kernel, stride, pad))
    y, state = K.max_pool_forward(np, x, kernel, stride, pad, out)
    assert isinstance(state, K.FlatArgmax) and y.dtype == dtype
    # reference: every window by hand as MXNet takes it (from the lowest finite value, only
    # greater elements replacing it: NaN and -inf skipped), first max in row-major order; a
    # window of nothing else gives the lowest value, its gradient on the first element inside
    low = np.finfo(dtype).min
    lo, hi = K.pool_pads(shape, kernel, stride, pad, out)
    xp = K.pad_spatial(np, x, lo, hi, value=-np.inf)
    dy = rng.standard_normal(y.shape).astype(dtype)
    want = np.empty(y.shape, dtype)
    dxp = np.zeros(xp.shape, dtype)
    for n, c, i, j in np.ndindex(*y.shape):
        win = xp[n, c, i * stride[0]:i * stride[0] + kernel[0], j * stride[1]:j * stride[1] + kernel[1]]
        m = np.fmax(np.fmax.reduce(win, axis=None), low)
        want[n, c, i, j] = m
        hits = np.argwhere(win == m) if m > low else np.argwhere(~np.isneginf(win))
        r, s = hits[0]
        dxp[n, c, i * stride[0] + r, j * stride[1] + s] += dy[n, c, i, j]
    np.testing.assert_array_equal(y, want)
    dx = K.max_pool_backward(np, dy, state, shape, kernel, stride, pad, out, x, y)
    np.testing.assert_allclose(dx, dxp[:, :, lo[0]:lo[0] + shape[2], lo[1]:lo[1] + shape[3]], rtol=1e-6)
    # the same state scattered by NumPy (the kernels switched off between forward and backward)
    np.testing.assert_allclose(numpy_path(state.scatter, np, dy, shape), dx, rtol=1e-6)


@pytest.mark.parametrize("act", [1, 2, 3, 4])
def test_fused_activation_scatter(jk, act):
    """The pooling scatter times an activation's derivative at its (pooled) output."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    y, state = K.max_pool_forward(np, x, (2, 2), (2, 2), (0, 0), (3, 3))
    t = {1: np.maximum(y, 0), 2: 1 / (1 + np.exp(-y)), 3: np.tanh(y), 4: np.log1p(np.exp(y))}[act]
    dy = rng.standard_normal(y.shape).astype(np.float32)
    got = state.scatter(np, dy, x.shape, act, t)
    plain = state.scatter(np, dy * K.ACT_GRADS[act](t), x.shape)
    np.testing.assert_allclose(got, plain, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(numpy_path(state.scatter, np, dy, x.shape, act, t), got, rtol=1e-6, atol=1e-7)


CONVS = [  # data shape, weight shape, stride, dilate, pad
    ((3, 2, 9, 8), (4, 2, 3, 3), (1, 1), (1, 1), (1, 1)),
    ((3, 2, 9, 8), (4, 2, 3, 2), (2, 3), (1, 2), (2, 1)),
    ((2, 1, 12, 12), (5, 1, 5, 5), (1, 1), (1, 1), (0, 0)),
    ((16, 3, 10, 10), (4, 3, 3, 3), (2, 2), (1, 1), (1, 1)),  # batch-inner layout
    ((12, 2, 11, 11), (3, 2, 3, 3), (1, 2), (2, 1), (2, 0)),  # batch-inner, dilated, uneven pad
]


@pytest.mark.parametrize("xs,ws,stride,dilate,pad", CONVS)
def test_conv_matches_numpy(jk, xs, ws, stride, dilate, pad):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    geom = (ws[2:], stride, dilate, pad)
    y, state = K.conv_forward(np, x, w, None, *geom, 1)
    y0, state0 = numpy_path(K.conv_forward, np, x, w, None, *geom, 1)
    np.testing.assert_allclose(y, y0, rtol=1e-5, atol=1e-5)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    got = K.conv_backward(np, dy, x, w, state, *geom, 1, False)
    want = numpy_path(K.conv_backward, np, dy, x, w, state0, *geom, 1, False)
    for g, g0 in zip(got[:2], want[:2]):
        np.testing.assert_allclose(g, g0, rtol=1e-5, atol=1e-4)


def test_columns_and_sums_are_exact(jk):
    """im2col is a copy and col2im sums in NumPy's order: both bit-identical to NumPy."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 7, 9)).astype(np.float32)
    geom = ((3, 2), (2, 1), (1, 2), (1, 1))
    out = tuple(K.conv_out_len(s, k, st, d, p) for s, k, st, d, p in zip(x.shape[2:], *geom))
    cols = jk.im2col_image(x, *geom[0], *geom[1], *geom[2], *geom[3], *out)
    np.testing.assert_array_equal(cols, K.im2col_image(np, K.pad_spatial(np, x, geom[3], geom[3]),
                                                       geom[0], geom[1], geom[2], out))
    cols = rng.standard_normal(cols.shape).astype(np.float32)
    padded = tuple(s + 2 * p for s, p in zip(x.shape[2:], geom[3]))
    img = K.col2im_image(np, cols, padded, geom[0], geom[1], geom[2], out)[:, :, 1:8, 1:10]
    np.testing.assert_array_equal(jk.col2im_image(cols, *x.shape[2:], *geom[1], *geom[2], *geom[3]), img)
    inner = np.ascontiguousarray(cols.transpose(1, 2, 3, 4, 5, 0))
    img2 = K.col2im_inner(np, inner, padded, geom[0], geom[1], geom[2], out)[:, 1:8, 1:10]
    want = np.ascontiguousarray(img2.transpose(3, 0, 1, 2))
    np.testing.assert_array_equal(jk.col2im_inner(inner, *x.shape[2:], *geom[1], *geom[2], *geom[3]), want)



def test_switch_off():
    before = _accel.set_jit(False)
    try:
        assert _accel.jit() is None
        assert K._jk(np, np.zeros((1, 1, 2, 2), np.float32)) is None
    finally:
        _accel.set_jit(before)
    assert (_accel.jit() is not None) == before


@pytest.mark.parametrize("with_bias", [False, True])
def test_rows_to_nchw(jk, with_bias):
    rng = np.random.default_rng(8)
    y = rng.standard_normal((5, 6, 9)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32) if with_bias else np.empty(0, np.float32)
    want = y.transpose(2, 0, 1) + (b.reshape(5, 1) if with_bias else 0)
    np.testing.assert_array_equal(jk.rows_to_nchw(y, b), want)


# -- optimizer updates: the kernel against the NumPy code of _sgd_inplace / _adam_inplace ------
def _opt_data(dtype, n=4099, seed=11):
    """Weights, gradients and states with zeros of both signs, huge, tiny, inf and NaN values."""
    rng = np.random.default_rng(seed)
    w, g, s1, s2 = (rng.standard_normal(n).astype(dtype) for _ in range(4))
    s2 = np.abs(s2)
    g[::17] = 0.0
    g[1::17] = -0.0
    g[2::31] = np.inf
    g[3::31] = -np.inf
    g[4::37] = np.nan
    g[5::41] = rng.standard_normal(g[5::41].size) * 1e30
    g[6::43] = rng.standard_normal(g[6::43].size) * 1e-30
    w[7::47] = 0.0
    w[8::53] = np.nan
    return w, g, s1, s2


def _same_bits(a, b):
    """Equal bit patterns; NaNs only need to be NaN in both (their payload is the CPU's)."""
    nan = np.isnan(a)
    np.testing.assert_array_equal(nan, np.isnan(b))
    ints = {4: np.uint32, 8: np.uint64}[a.itemsize]
    np.testing.assert_array_equal(a[~nan].view(ints), b[~nan].view(ints))


def _both(update, arrays, *args):
    """Run ``update`` on copies of ``arrays`` with the kernels on and off."""
    out = []
    for on in (True, False):
        copies = [None if a is None else a.copy() for a in arrays]
        before = _accel.set_jit(on)
        try:
            with np.errstate(all="ignore"):  # inf - inf and friends are part of the test
                update(*copies, *args)
        finally:
            _accel.set_jit(before)
        out.append(copies)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("wd", [0.0, 1e-4])
@pytest.mark.parametrize("clip", [-1.0, 0.5, 0.0])
def test_sgd_kernel_bit_identical(native, dtype, momentum, wd, clip):
    w, g, mom, _ = _opt_data(dtype)
    mom = mom if momentum else None
    for lr, rescale in [(0.1, 1 / 128), (0.0123, 1.0)]:
        got, want = _both(_sgd_inplace, [w, g, mom], lr, wd, momentum, rescale, clip)
        for a, b in zip(got, want):
            if a is not None:
                _same_bits(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("wd", [0.0, 1e-4])
@pytest.mark.parametrize("clip", [-1.0, 0.5])
def test_adam_kernel_bit_identical(native, dtype, wd, clip):
    w, g, mean, var = _opt_data(dtype)
    lr = 0.001 * np.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3)
    got, want = _both(lambda *a: _adam_inplace(np, *a), [w, g, mean, var],
                      lr, wd, 0.9, 0.999, 1e-8, 1 / 64, clip)
    for a, b in zip(got, want):
        _same_bits(a, b)


def test_update_kernels_decline_unsuitable_arrays(native):
    w = np.ones(8, np.float32)
    g = np.full(8, 0.5, np.float32)
    assert native.sgd_update(w, g, None, 0.1, 0.0, 0.0, 1.0, -1.0)
    np.testing.assert_array_equal(w, np.full(8, 0.95, np.float32))
    cases = [(w.astype(np.float16), g.astype(np.float16)), (w, g.astype(np.float64)),
             (w[::2], g[::2]), (w, g[:4]), (w.reshape(2, 4), g)]
    for ww, gg in cases:
        before = ww.copy()
        assert not native.sgd_update(ww, gg, None, 0.1, 0.0, 0.0, 1.0, -1.0)
        np.testing.assert_array_equal(ww, before)
    assert not native.adam_update(w, g, np.zeros(8, np.float32), np.zeros(8), 0.1, 0, 0.9, 0.999,
                                  1e-8, 1.0, -1.0)


def _special(rng, shape, dtype):
    a = rng.standard_normal(shape).astype(dtype)
    a.flat[:6] = [np.nan, -0.0, 0.0, np.inf, -np.inf, 1e-30]
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("act", [0, 1])
def test_bias_act_bit_identical(native, dtype, with_bias, act):
    """The dense layer's bias add and relu in one pass: NumPy's ``y += b`` then ``maximum``."""
    rng = np.random.default_rng(8)
    y = _special(rng, (7, 13), dtype)
    b = _special(rng, (13,), dtype)[::-1].copy() if with_bias else None
    want = y.copy()
    if with_bias:
        want += b
    if act:
        np.maximum(want, dtype(0), out=want)
    got = y.copy()
    native.bias_act(got, b, act)
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_grad_colsum(native, dtype):
    rng = np.random.default_rng(9)
    y = np.maximum(_special(rng, (300, 17), dtype), 0)
    g = _special(rng, (300, 17), dtype)[::-1].copy()
    db = np.empty(17, dtype)
    with np.errstate(invalid="ignore"):
        want = np.multiply(g, np.heaviside(y, dtype(0)))
        d = native.relu_grad_colsum(g, y, db)
    np.testing.assert_array_equal(d.view(np.uint8), want.view(np.uint8))
    ref = want.astype(np.float64).sum(axis=0)
    np.testing.assert_allclose(db, ref, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-4)


@pytest.mark.parametrize("special", [False, True])
def test_softmax_cross_entropy_rows(native, special):
    """The fused loss's C forward against its NumPy path: the loss, and the gradient computed
    from the saved exp/sum; NaN or +inf in a row make that row's loss and gradient NaN on both."""
    from mxnet.ops.registry import Attrs, OpContext, get_op
    from mxnet.backend import NUMPY_BACKEND
    op = get_op("_softmax_cross_entropy_pick")
    rng = np.random.default_rng(10)
    x = (rng.standard_normal((6, 4, 37)) * 8).astype(np.float32)
    lab = rng.integers(-2, 40, size=(6, 4)).astype(np.float32)   # out of range: clipped
    if special:
        x[0, 0, 3], x[1, 2, 5], x[2, 1, :] = np.nan, np.inf, -np.inf
        x[3, 3, 7] = -1e30
    g = rng.standard_normal((6, 4, 1)).astype(np.float32)
    ctx = OpContext(NUMPY_BACKEND, True)
    attrs = Attrs(axis=-1)

    def run():
        with np.errstate(invalid="ignore", over="ignore"):
            out, state = op.forward(attrs, [x, lab], ctx)
            return out, op.backward(attrs, [g], [x, lab], [out], ctx, state)[0]
    got, gotg = run()
    want, wantg = numpy_path(run)
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(gotg, wantg, rtol=2e-5, atol=1e-7)
    if special:
        assert np.isnan(got[:3]).sum() == 3 and np.isnan(gotg[[0, 1], [0, 2]]).all()


def test_softmax_cross_entropy_grad_rows_are_numpys_bits(native):
    """The C backward of the fused loss does NumPy's operations: e * (g / s), less g at the label;
    NaN in a row's sum or head gradient stays NaN."""
    rng = np.random.default_rng(12)
    e = rng.random((9, 53)).astype(np.float32)
    s = e.sum(axis=1, dtype=np.float32)
    g = rng.standard_normal(9).astype(np.float32)
    lab = rng.integers(0, 53, 9).astype(np.int64)
    s[2], g[5] = np.nan, np.nan
    want = np.multiply(e, (g / s)[:, None])
    want[np.arange(9), lab] -= g
    got = native.softmax_ce_rows_grad(e, s, g, lab)
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))
    assert np.isnan(got[[2, 5]]).all() and not np.isnan(np.delete(got, [2, 5], axis=0)).any()


def test_threaded_passes_give_the_same_bits(native, monkeypatch):
    """SGD, bias+relu, the softmax loss (forward and backward), col2im, im2col, max pooling
    (forward and backward) and BatchNorm (forward and backward) split their rows, planes,
    channels or elements over threads; every split writes its own part, so 1 and 3 threads give
    the same bits."""
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((300, 1000)) * 4).astype(np.float32)
    lab = rng.integers(0, 1000, 300).astype(np.int64)
    b = rng.standard_normal(1000).astype(np.float32)
    g = rng.standard_normal(300_000).astype(np.float32)

    def run():
        w, mom = np.linspace(-1, 1, 300_000, dtype=np.float32), np.zeros(300_000, np.float32)
        assert native.sgd_update(w, g, mom, 0.1, 1e-4, 0.9, 0.5, 1.0)
        y = x.copy()
        native.bias_act(y, b, 1)
        loss, e, s = native.softmax_ce_rows(x, lab)
        img = native.col2im_image(x.reshape(-1)[:120_000].reshape(30, 4, 2, 5, 10, 10), 11, 10, 1, 1,
                                   1, 1, 0, 2)
        bn = []
        for ill in (1e4, 1.0):    # 1.0: every channel's variance recomputed on the centred data
            out, mean, var, invstd, shifted = native.train_forward(x3, gamma, beta, 1e-5, False, ill)
            assert shifted == (ill == 1.0)
            bn += [out, mean, var, invstd, *native.train_backward(g3, x3, mean, invstd, gamma, False)]
        planes = x.reshape(-1)[:240_000].reshape(600, 20, 20)
        pooled, pidx, _ = native.max_pool2d(planes, 3, 3, 2, 2, 1, 1, 10, 10)
        pgrad = native.max_pool2d_grad(np.cos(pooled), pidx, pooled, 3, 20, 20)
        cols = native.im2col_image(planes.reshape(30, 20, 20, 20), 3, 3, 2, 2, 1, 1, 1, 1, 10, 10)
        return [w, mom, y, loss, e, s, native.softmax_ce_rows_grad(e, s, g[:300], lab), img, *bn,
                pooled, pidx, pgrad, cols]
    x3 = (x.reshape(6, 10, 5000) + np.arange(10, dtype=np.float32)[:, None]).astype(np.float32)
    g3 = g.reshape(6, 10, 5000)
    gamma, beta = rng.standard_normal(10), rng.standard_normal(10)
    for name in ("MIN_THREAD_ELEMS", "MIN_THREAD_ELEMS_LIGHT", "MIN_THREAD_ELEMS_BN"):
        monkeypatch.setattr(native, name, 1 << 10)
    monkeypatch.setattr(native, "THREADS", 1)
    one = run()
    monkeypatch.setattr(native, "THREADS", 3)
    for a, c in zip(one, run()):
        np.testing.assert_array_equal(a.view(np.uint32), c.view(np.uint32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_passes_are_numpys_bits(native, dtype):
    """Activation relu through the C passes: maximum(x, 0) (NaN kept, -0 -> 0) and
    g * heaviside(y, 0) (inf * 0 = NaN, -g * 0 = -0, NaN where y is NaN), bit for bit as NumPy;
    in place too."""
    from mxnet.ops.nn_activation import activate
    rng = np.random.default_rng(13)
    x = rng.standard_normal(5000).astype(dtype)
    g = rng.standard_normal(5000).astype(dtype)
    x[:6] = [np.nan, -0.0, 0.0, np.inf, -np.inf, 1e-40]
    g[6:9] = [np.inf, -np.inf, np.nan]
    want = np.maximum(x, dtype(0))
    got = native.relu(x)
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))
    np.testing.assert_array_equal(native.relu_grad(g, want).view(np.uint8),
                                  np.multiply(g, np.heaviside(want, dtype(0))).view(np.uint8))
    y = x.copy()
    assert activate(np, "relu", y, out=y) is y
    np.testing.assert_array_equal(y.view(np.uint8), want.view(np.uint8))
    strided = x[::2]   # not contiguous: NumPy's own maximum
    np.testing.assert_array_equal(activate(np, "relu", strided).view(np.uint8),
                                  np.ascontiguousarray(want[::2]).view(np.uint8))


def test_empty_inputs_run_no_blocks(native):
    """Zero planes (an empty batch, as mx.np allows): the threaded passes return empty results
    (a zero block size used to divide by zero)."""
    x = np.zeros((0, 9, 9), np.float32)
    y, idx, _ = native.max_pool2d(x, 3, 3, 2, 2, 1, 1, 5, 5)
    assert y.shape == idx.shape == (0, 5, 5)
    assert native.max_pool2d_grad(y, idx, y, 0, 9, 9).shape == (0, 9, 9)
    cols = native.im2col_image(np.zeros((0, 3, 9, 9), np.float32), 3, 3, 2, 2, 1, 1, 1, 1, 5, 5)
    assert cols.shape == (0, 3, 3, 3, 5, 5)
    assert native.col2im_image(cols, 9, 9, 2, 2, 1, 1, 1, 1).shape == (0, 3, 9, 9)
