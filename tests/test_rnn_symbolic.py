"""Recurrent cells building Symbols (gluon cells on Symbols, the legacy mx.rnn API) and the
shape inference they rely on: zero states of unknown batch size, RNN parameter concatenation."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon


@pytest.mark.parametrize("cls", [gluon.rnn.RNNCell, gluon.rnn.LSTMCell, gluon.rnn.GRUCell])
def test_gluon_cell_unroll_on_symbols(cls):
    cell = cls(8, prefix="rnn_")
    inputs = [mx.sym.var(f"x{i}") for i in range(3)]
    outputs, states = cell.unroll(3, inputs)
    group = mx.sym.Group(outputs)
    assert group.list_outputs() == ["rnn_t0_out_output", "rnn_t1_out_output", "rnn_t2_out_output"]
    _, outs, _ = group.infer_shape(x0=(4, 5), x1=(4, 5), x2=(4, 5))
    assert outs == [(4, 8)] * 3
    # the zero begin states take the batch size found by inference when the graph runs
    args = {f"x{i}": mx.nd.ones((4, 5)) for i in range(3)}
    for name, shape in zip(group.list_arguments(), group.infer_shape(x0=(4, 5), x1=(4, 5), x2=(4, 5))[0]):
        args.setdefault(name, mx.nd.zeros(shape))
    res = group.eval(**args)
    assert res[2].shape == (4, 8)


def test_residual_bidirectional_symbols_eval():
    cell = gluon.rnn.ResidualCell(gluon.rnn.BidirectionalCell(gluon.rnn.GRUCell(3, prefix="l_"),
                                                              gluon.rnn.GRUCell(3, prefix="r_")))
    outputs, _ = cell.unroll(2, [mx.sym.var("a"), mx.sym.var("b")], merge_outputs=False)
    weights = {f"{d}_{g}_{t}": mx.nd.zeros((9, 6) if (g, t) == ("i2h", "weight") else
                                           (9, 3) if t == "weight" else (9,))
               for d in "lr" for g in ("i2h", "h2h") for t in ("weight", "bias")}
    out = mx.sym.Group(outputs).eval(a=mx.nd.ones((2, 6)) + 5, b=mx.nd.ones((2, 6)) + 5, **weights)
    # zero weights: each GRU keeps its zero state, so the output is the residual input
    np.testing.assert_array_equal(out[0].asnumpy(), np.full((2, 6), 6.0))


def test_hybridized_unroll_follows_batch_size():
    class Net(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.cell = gluon.rnn.LSTMCell(4)

        def hybrid_forward(self, F, seq):
            return self.cell.unroll(2, seq, merge_outputs=True)[0]

    net = Net()
    net.initialize(mx.init.One())
    net.hybridize()
    for batch in (1, 3):
        out = net(mx.nd.ones((batch, 2, 5)))
        assert out.shape == (batch, 2, 4)
    ref = Net()
    ref.initialize(mx.init.One())
    np.testing.assert_allclose(out.asnumpy(), ref(mx.nd.ones((3, 2, 5))).asnumpy(), rtol=1e-6)


def test_bidirectional_layer_shapes_inferred_in_hybridized_parent():
    net = gluon.nn.HybridSequential()
    net.add(gluon.rnn.LSTM(10, bidirectional=True))
    net.add(gluon.nn.Dense(3))
    net.hybridize()
    net.initialize()
    assert net(mx.nd.ones((2, 3, 10))).shape == (2, 3)
    assert net[0].r0_i2h_weight.shape == (40, 10)


def test_rnn_param_concat_shares_unknown_size():
    a, b, c = mx.sym.var("a", shape=(0,)), mx.sym.var("b", shape=(0,)), mx.sym.var("c", shape=(4,))
    flat = mx.sym._internal._rnn_param_concat(a, b, c, dim=0, num_args=3)
    rnn = mx.sym.RNN(mx.sym.var("x"), flat, mx.sym.var("h"), state_size=2, num_layers=1,
                     mode="rnn_tanh", bidirectional=True)
    args, outs, _ = rnn.infer_shape(x=(3, 4, 6))
    assert args == [(3, 4, 6), (18,), (18,), (4,), (2, 4, 2)]
    assert outs == [(3, 4, 4)]


def test_reshape_infers_unknown_input_dim():
    w = mx.sym.var("w", shape=(4, 0))
    out = mx.sym.FullyConnected(mx.sym.var("x"), mx.sym.reshape(w, shape=(4, -1)), num_hidden=4,
                                no_bias=True)
    args, _, _ = out.infer_shape(x=(2, 7))
    assert args[1] == (4, 7)


def test_lstm_unfuse_matches_fused():
    x = mx.nd.ones((2, 2, 2))
    model = gluon.rnn.LSTM(2, num_layers=6, bidirectional=True)
    cells = model._unfuse()
    model.initialize(mx.init.One())
    expected = np.array([[[0.72045636, 0.72045636, 0.95215213, 0.95215213]] * 2,
                         [[0.95215213, 0.95215213, 0.72045636, 0.72045636]] * 2])
    np.testing.assert_allclose(model(x).asnumpy(), expected, rtol=1e-5)
    out = cells.unroll(2, x, layout="TNC", merge_outputs=True)[0]
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-5)


def test_legacy_lstm_forget_bias_initialised_by_module():
    stack = mx.rnn.SequentialRNNCell()
    stack.add(mx.rnn.LSTMCell(4, forget_bias=2.0, prefix="l0_"))
    sym, _ = stack.unroll(1, mx.sym.var("data"), merge_outputs=True)
    mod = mx.mod.Module(sym, label_names=None, context=mx.cpu())
    mod.bind(data_shapes=[("data", (3, 1, 5))], label_shapes=None)
    mod.init_params()
    np.testing.assert_array_equal(mod.get_params()[0]["l0_i2h_bias"].asnumpy(),
                                  np.repeat([0.0, 2.0, 0.0, 0.0], 4))


def test_legacy_cells_names_and_shapes():
    cell = mx.rnn.FusedRNNCell(6, num_layers=2, mode="gru", prefix="f_", bidirectional=True).unfuse()
    outputs, _ = cell.unroll(2, [mx.sym.var("a"), mx.sym.var("b")])
    group = mx.sym.Group(outputs)
    assert group.list_outputs() == ["f_bi_l1_t0_output", "f_bi_l1_t1_output"]
    assert group.infer_shape(a=(3, 5), b=(3, 5))[1] == [(3, 12), (3, 12)]
    conv = mx.rnn.ConvLSTMCell(input_shape=(1, 3, 8, 6), num_hidden=4, prefix="c_")
    out, _ = conv.unroll(2, [mx.sym.var("a"), mx.sym.var("b")])
    assert mx.sym.Group(out).infer_shape(a=(1, 3, 8, 6), b=(1, 3, 8, 6))[1] == [(1, 4, 8, 6)] * 2


def test_legacy_pack_unpack_weights_round_trip():
    cell = mx.rnn.LSTMCell(3, prefix="l_")
    args = {"l_i2h_weight": mx.nd.arange(24).reshape((12, 2)), "l_i2h_bias": mx.nd.arange(12),
            "l_h2h_weight": mx.nd.arange(36).reshape((12, 3)), "l_h2h_bias": mx.nd.arange(12)}
    unpacked = cell.unpack_weights(args)
    np.testing.assert_array_equal(unpacked["l_i2h_f_bias"].asnumpy(), [3, 4, 5])
    packed = cell.pack_weights(unpacked)
    for k, v in args.items():
        np.testing.assert_array_equal(packed[k].asnumpy(), v.asnumpy())


def test_encode_sentences():
    res, vocab = mx.rnn.encode_sentences([["a", "b"], ["b", "z"]], vocab={"a": 1, "b": 2},
                                         unknown_token="UNK", start_label=0)
    assert res == [[1, 2], [2, 0]] and vocab == {"a": 1, "b": 2, "UNK": 0}
    res, vocab = mx.rnn.encode_sentences([["x", "y", "x"]], invalid_label=0)
    assert res == [[1, 2, 1]] and vocab == {"\n": 0, "x": 1, "y": 2}


def _lstmp_reference(x, wi, wh, wr, bi, bh, h, c):
    """One direction of an LSTM with projection, in NumPy (float64)."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    H = wi.shape[0] // 4
    outs = []
    for t in range(x.shape[0]):
        g = x[t] @ wi.T + bi + h @ wh.T + bh
        i, f, gg, o = sig(g[:, :H]), sig(g[:, H:2 * H]), np.tanh(g[:, 2 * H:3 * H]), sig(g[:, 3 * H:])
        c = f * c + i * gg
        h = (o * np.tanh(c)) @ wr.T
        outs.append(h)
    return np.stack(outs), h, c


def test_rnn_op_lstm_projection():
    T, N, C, H, P = 4, 2, 3, 5, 2
    rng = np.random.RandomState(1)
    sizes = [(4 * H, C), (4 * H, P), (P, H), (4 * H,), (4 * H,)]
    ws = [rng.uniform(-0.5, 0.5, s) for s in sizes]
    flat = np.concatenate([w.ravel() for w in ws])
    x, h0, c0 = rng.uniform(-1, 1, (T, N, C)), rng.uniform(-1, 1, (1, N, P)), rng.uniform(-1, 1, (1, N, H))
    out = mx.nd.RNN(mx.nd.array(x, dtype="float64"), mx.nd.array(flat, dtype="float64"),
                    mx.nd.array(h0, dtype="float64"), mx.nd.array(c0, dtype="float64"), state_size=H,
                    num_layers=1, mode="lstm", projection_size=P, state_outputs=True)
    ref = _lstmp_reference(x, *ws, h0[0], c0[0])
    for got, want in zip(out, ref):
        np.testing.assert_allclose(got.asnumpy().reshape(want.shape), want, rtol=1e-10)
    # MXNet's parameter count for 2 bidirectional layers (input 4, hidden 5, projection 3)
    sym = mx.sym.RNN(mx.sym.var("x"), mx.sym.var("p"), mx.sym.var("h"), mx.sym.var("c"), state_size=5,
                     num_layers=2, bidirectional=True, mode="lstm", projection_size=3, state_outputs=True)
    args, outs, _ = sym.infer_shape(x=(3, 2, 4))
    assert args == [(3, 2, 4), (860,), (4, 2, 3), (4, 2, 5)]
    assert outs == [(3, 2, 6), (4, 2, 3), (4, 2, 5)]


def test_lstm_layer_projection_matches_cells():
    layer = gluon.rnn.LSTM(6, projection_size=3, num_layers=2, bidirectional=True, prefix="lstm0_")
    stack = gluon.rnn.HybridSequentialRNNCell(prefix="lstm0_")
    with stack.name_scope():
        for i in range(2):
            stack.add(gluon.rnn.BidirectionalCell(gluon.contrib.rnn.LSTMPCell(6, 3, prefix=f"l{i}_"),
                                                  gluon.contrib.rnn.LSTMPCell(6, 3, prefix=f"r{i}_")))
    layer.initialize()
    stack.initialize()
    x = mx.nd.random.uniform(shape=(4, 2, 5))
    layer.infer_shape(x)
    stack_params = stack.collect_params()
    for name, p in layer.collect_params().items():
        w = mx.nd.random.uniform(-0.5, 0.5, shape=p.shape)
        p.set_data(w)
        stack_params[name].set_data(w)
    out, states = layer(x, layer.begin_state(2))
    ref, ref_states = stack.unroll(4, x, layout="TNC", merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-4, atol=1e-5)
    assert states[0].shape == (4, 2, 3) and states[1].shape == (4, 2, 6)
    np.testing.assert_allclose(states[1][3].asnumpy(), ref_states[7].asnumpy(), rtol=1e-4, atol=1e-5)


def test_lstm_layer_state_clipping():
    layer = gluon.rnn.LSTM(4, state_clip_min=-0.05, state_clip_max=0.05)
    layer.initialize(mx.init.One())
    _, (h, c) = layer(mx.nd.ones((3, 2, 5)), layer.begin_state(2))
    np.testing.assert_allclose(c.asnumpy(), 0.05)
    # h = o * tanh(c) with the output gate o close to 1
    assert (h.asnumpy() < np.tanh(0.05)).all() and (h.asnumpy() > 0.99 * np.tanh(0.05)).all()
