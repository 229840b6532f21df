"""The LSTM language model's fast paths against their general forms.

The fused RNN operator's plain-LSTM path (preallocated buffers, whole-sequence weight-gradient
GEMMs, an optional C backward step) against the general per-step path; gluon LSTM layers,
which run the fused operator eagerly too, against an unrolled LSTMCell; the fused sparse softmax
cross-entropy of SoftmaxCrossEntropyLoss against log_softmax + pick; the Embedding weight
gradient against np.add.at.
"""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.ops import rnn_op
from mxnet.ops.registry import get_op


def _lstm_case(dt, T=6, N=3, C=5, H=4, seed=0):
    r = np.random.RandomState(seed)
    x = r.normal(size=(T, N, C)).astype(dt)
    w = [r.normal(size=(4 * H, C)).astype(dt), r.normal(size=(4 * H, H)).astype(dt),
         r.normal(size=4 * H).astype(dt), r.normal(size=4 * H).astype(dt)]
    h0, c0 = r.normal(size=(N, H)).astype(dt), r.normal(size=(N, H)).astype(dt)
    dout = r.normal(size=(T, N, H)).astype(dt)
    dh, dc = r.normal(size=(N, H)).astype(dt), r.normal(size=(N, H)).astype(dt)
    return x, w, h0, c0, dout, dh, dc


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_plain_lstm_matches_general_path(kernels, dt):
    x, w, h0, c0, dout, dh, dc = _lstm_case(dt)
    attrs = get_op("RNN").parse_attrs(dict(state_size=4, num_layers=1, mode="lstm"))
    ref = rnn_op._dir_forward(attrs, np, x, w, h0, c0, None)
    got = rnn_op._lstm_forward(np, x, w, h0, c0)
    for a, b in zip(ref[:3], got[:3]):
        assert b.dtype == dt
        if kernels == "native" and dt == np.float32:    # the C time loop: its own sums and exp
            np.testing.assert_allclose(b, a, rtol=2e-6, atol=2e-7)
        else:
            np.testing.assert_array_equal(b, a)     # the same float operations in the same order
    gref = rnn_op._dir_backward(attrs, np, x, w, h0, None, ref[3], dout, dh.copy(), dc.copy())
    ggot = rnn_op._lstm_backward(np, x, w, got[3], dout, dh.copy(), dc.copy())
    tol = 1e-5 if dt == np.float32 else 1e-12
    for a, b in zip([gref[0], *gref[1], gref[2], gref[3]], [ggot[0], *ggot[1], ggot[2], ggot[3]]):
        assert b.dtype == dt
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol * np.abs(a).max())


def test_lstm_backward_kernel_equals_numpy_path(native):
    """The float64 C backward step (float32 takes the C time loop, tested in
    test_native_lstm.py) gives the NumPy path's bits."""
    from mxnet.ops import _accel
    x, w, h0, c0, dout, dh, dc = _lstm_case(np.float64, T=9, N=4, C=3, H=6, seed=1)
    saved = rnn_op._lstm_forward(np, x, w, h0, c0)[3]
    res = []
    before = _accel.set_jit(False)
    try:
        for on in (False, True):
            _accel.set_jit(on)
            res.append(rnn_op._lstm_backward(np, x, w, saved, dout, dh.copy(), dc.copy()))
    finally:
        _accel.set_jit(before)
    (dx0, g0, dh0, dc0), (dx1, g1, dh1, dc1) = res
    for a, b in zip([dx0, *g0, dh0, dc0], [dx1, *g1, dh1, dc1]):
        np.testing.assert_array_equal(b, a)


def _rnn_grads(ins, **kw):
    arrs = [mx.nd.array(a, dtype=a.dtype) for a in ins]
    for a in arrs:
        a.attach_grad()
    with autograd.record():
        outs = mx.nd.RNN(*arrs, **kw)
    heads = [mx.nd.array(np.random.RandomState(7 + i).normal(size=o.shape)) for i, o in enumerate(outs)]
    autograd.backward(list(outs), heads)
    return [o.asnumpy() for o in outs], [a.grad.asnumpy() for a in arrs]


@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_operator_lstm_matches_general_path(kernels, monkeypatch, bidirectional):
    """Two stacked layers with final-state gradients, fast path against the general one."""
    T, N, C, H, L = 5, 3, 4, 6, 2
    D = 2 if bidirectional else 1
    r = np.random.RandomState(3)
    n = sum(D * 4 * H * ((C if k == 0 else D * H) + H + 2) for k in range(L))
    ins = [r.normal(size=(T, N, C)).astype(np.float32), (r.normal(size=(n,)) * 0.5).astype(np.float32),
           r.normal(size=(L * D, N, H)).astype(np.float32), r.normal(size=(L * D, N, H)).astype(np.float32)]
    kw = dict(state_size=H, num_layers=L, bidirectional=bidirectional, mode="lstm", state_outputs=True)
    fast = _rnn_grads(ins, **kw)
    monkeypatch.setattr(rnn_op, "_plain_lstm", lambda attrs, mask: False)
    general = _rnn_grads(ins, **kw)
    if kernels == "numpy":      # the same float operations (the C time loop rounds its own way)
        np.testing.assert_array_equal(fast[0][0], general[0][0])
    for a, b in zip(general[0] + general[1], fast[0] + fast[1]):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5 * np.abs(a).max())


@pytest.mark.parametrize("hybrid", [False, True])
def test_gluon_lstm_layer_matches_unrolled_cells(hybrid):
    """The layer (fused operator, eager or hybridized) against the same weights in LSTMCells."""
    T, N, C, H = 5, 2, 3, 4
    layer = gluon.rnn.LSTM(H, num_layers=2, layout="NTC", input_size=C)
    layer.initialize(mx.init.Uniform(0.5))
    if hybrid:
        layer.hybridize()
    cells = gluon.rnn.SequentialRNNCell()
    cells.add(gluon.rnn.LSTMCell(H, input_size=C))
    cells.add(gluon.rnn.LSTMCell(H, input_size=H))
    cells.initialize()
    for k, cell in enumerate(cells._children.values()):
        for g in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"):
            getattr(cell, g).set_data(getattr(layer, f"l{k}_{g}").data())
    x = np.random.RandomState(5).normal(size=(N, T, C)).astype(np.float32)
    head = np.random.RandomState(6).normal(size=(N, T, H)).astype(np.float32)
    results = []
    for run in (lambda a: layer(a), lambda a: cells.unroll(T, a, layout="NTC", merge_outputs=True)[0]):
        xa = mx.nd.array(x)
        xa.attach_grad()
        with autograd.record():
            y = run(xa)
        y.backward(mx.nd.array(head))
        results.append((y.asnumpy(), xa.grad.asnumpy()))
    for a, b in zip(results[1], results[0]):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    wgrad = layer.l0_h2h_weight.grad().asnumpy()
    cgrad = list(cells._children.values())[0].h2h_weight.grad().asnumpy()
    np.testing.assert_allclose(wgrad, cgrad, rtol=1e-5, atol=1e-6)


def _composite_ce(x, label, axis, weight=None):
    lp = mx.nd.log_softmax(x, axis=axis)
    loss = -mx.nd.pick(lp, label, axis=axis, keepdims=True)
    if weight is not None:
        loss = mx.nd.broadcast_mul(loss, weight)
    return mx.nd.mean(loss, axis=0, exclude=True)


@pytest.mark.parametrize("shape,axis,lshape", [((6, 5), -1, (6,)), ((3, 4, 7), -1, (3, 4)),
                                               ((3, 5, 4), 1, (3, 4)), ((4, 6), -1, (4, 1))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hybrid", [False, True])
def test_softmax_ce_loss_matches_log_softmax_pick(shape, axis, lshape, dtype, hybrid):
    r = np.random.RandomState(2)
    x = mx.nd.array(r.normal(size=shape) * 4, dtype=dtype)
    # labels out of range are clipped, as pick clips them; fractional ones truncate
    lab = mx.nd.array(r.randint(-2, shape[axis] + 2, size=lshape) + 0.25, dtype=dtype)
    sw = mx.nd.array(r.uniform(0.5, 2, size=lshape[:1] + (1,) * (len(shape) - 1)), dtype=dtype)
    head = mx.nd.array(r.normal(size=shape[:1]), dtype=dtype)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss(axis=axis)
    if hybrid:
        loss_fn.hybridize()
    res = []
    for f in (lambda a: loss_fn(a, lab, sw), lambda a: _composite_ce(a, lab, axis, sw)):
        xa = x.copy()
        xa.attach_grad()
        with autograd.record():
            loss = f(xa)
        loss.backward(head)
        res.append((loss.asnumpy(), xa.grad.asnumpy()))
    assert res[0][0].dtype == np.dtype(dtype) and res[0][1].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(res[0][0], res[1][0])   # the same float operations
    tol = 1e-6 if dtype == "float32" else 1e-14
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=tol * 10, atol=tol)


def test_softmax_ce_loss_reference_values():
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]], dtype=np.float32)
    lab = np.array([2, 0], dtype=np.float32)
    xa = mx.nd.array(x)
    xa.attach_grad()
    with autograd.record():
        loss = gluon.loss.SoftmaxCrossEntropyLoss()(xa, mx.nd.array(lab))
    loss.backward()
    p = np.exp(x - x.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(loss.asnumpy(), -np.log(p[[0, 1], [2, 0]]), rtol=1e-6)
    onehot = np.eye(3, dtype=np.float32)[[2, 0]]
    np.testing.assert_allclose(xa.grad.asnumpy(), p - onehot, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("ids", [[3, 1, 3, 0, 3, 9], [4, 4, 4], [0, 1, 2], [[7, 2], [2, 7]]])
def test_embedding_weight_gradient_sums_repeated_rows(ids):
    data = np.array(ids, dtype=np.float32)
    w = mx.nd.array(np.random.RandomState(0).normal(size=(10, 3)))
    w.attach_grad()
    head = np.random.RandomState(1).normal(size=data.shape + (3,)).astype(np.float32)
    with autograd.record():
        y = mx.nd.Embedding(mx.nd.array(data), w, input_dim=10, output_dim=3)
    y.backward(mx.nd.array(head))
    ref = np.zeros((10, 3), np.float32)
    np.add.at(ref, data.astype(np.int64).reshape(-1), head.reshape(-1, 3))
    np.testing.assert_array_equal(w.grad.asnumpy(), ref)
