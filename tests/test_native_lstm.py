"""The C time loop of the plain float32 LSTM (``mxnet/ops/_native_lstm.c``) against the NumPy
loop of ``rnn_op._lstm_forward``/``_lstm_backward``: shapes that leave partial register tiles
(hidden sizes not a multiple of 8, batches not a multiple of the row block), saturated gates,
NaN, and the same bits whatever the number of threads."""
import numpy as np
import pytest

from mxnet.ops import _accel, _native, rnn_op


@pytest.fixture
def seq(native):
    from mxnet.ops import _native_lstm
    if not _native_lstm.AVAILABLE:
        pytest.skip("the library has no LSTM time loop")
    return _native_lstm


def _case(T, N, C, H, in_scale=0.3, seed=0):
    r = np.random.RandomState(seed)
    f = np.float32
    x = r.normal(size=(T, N, C)).astype(f)
    w = [(r.normal(size=(4 * H, C)) * in_scale).astype(f), (r.normal(size=(4 * H, H)) * 0.3).astype(f),
         r.normal(size=4 * H).astype(f), r.normal(size=4 * H).astype(f)]
    h0, c0 = r.normal(size=(N, H)).astype(f), r.normal(size=(N, H)).astype(f)
    dout = r.normal(size=(T, N, H)).astype(f)
    dh, dc = r.normal(size=(N, H)).astype(f), r.normal(size=(N, H)).astype(f)
    return x, w, h0, c0, dout, dh, dc


def _run(case, jit):
    """Outputs (y, hT, cT) and gradients (dx, dwi, dwh, dbi, dbh, dh0, dc0) on one path."""
    x, w, h0, c0, dout, dh, dc = case
    before = _accel.set_jit(jit)
    try:
        y, h, c, saved = rnn_op._lstm_forward(np, x, w, h0, c0)
        dx, grads, dh0, dc0 = rnn_op._lstm_backward(np, x, w, saved, dout, dh.copy(), dc.copy())
    finally:
        _accel.set_jit(before)
    return [y, h, c], [dx, *grads, dh0, dc0]


def _close(got, want, rtol):
    for b, a in zip(got, want):
        assert b.dtype == np.float32 and b.shape == a.shape
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol * np.nanmax(np.abs(a)))


@pytest.mark.parametrize("T,N,C,H", [(1, 1, 2, 1), (6, 3, 5, 4), (9, 4, 3, 6), (7, 7, 5, 13),
                                     (5, 11, 9, 17), (4, 6, 8, 40), (3, 23, 16, 72)])
def test_matches_numpy_loop(seq, T, N, C, H):
    case = _case(T, N, C, H)
    (out_c, grad_c), (out_n, grad_n) = _run(case, True), _run(case, False)
    _close(out_c, out_n, 2e-6)
    _close(grad_c, grad_n, 1e-5)


def test_saturated_gates(seq):
    """Pre-activations of +-100 and more (from the input weights, so that both paths add the same
    large terms): sigmoid and tanh reach 0 and 1 without overflow."""
    case = _case(5, 3, 6, 12, in_scale=40.0, seed=2)
    (out_c, grad_c), (out_n, grad_n) = _run(case, True), _run(case, False)
    assert np.abs(case[1][0] @ case[0][0].T).max() > 100
    for a in out_c + grad_c:
        assert np.isfinite(a).all()
    _close(out_c, out_n, 2e-6)
    _close(grad_c, grad_n, 1e-5)


def test_nan_propagates(seq):
    case = _case(4, 3, 5, 9, seed=3)
    case[0][1, 2, 3] = np.nan
    (out_c, grad_c), (out_n, grad_n) = _run(case, True), _run(case, False)
    for b, a in zip(out_c + grad_c, out_n + grad_n):
        np.testing.assert_array_equal(np.isnan(b), np.isnan(a))
    assert np.isnan(out_c[0][1:, 2]).all() and not np.isnan(out_c[0][:, :2]).any()


def test_bits_do_not_depend_on_threads(seq, monkeypatch):
    case = _case(6, 9, 10, 100, seed=4)     # 9 x 100 x 400 multiply-adds a step: threaded
    assert 9 * 100 * 400 >= seq.MIN_THREAD_MACS
    runs = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(_native, "THREADS", threads)
        runs.append(_run(case, True))
    for outs, grads in runs[1:]:
        for b, a in zip(outs + grads, runs[0][0] + runs[0][1]):
            np.testing.assert_array_equal(b, a)
