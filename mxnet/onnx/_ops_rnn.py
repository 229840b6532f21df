"""ONNX converter of MXNet's fused ``RNN`` operator (LSTM, GRU, vanilla RNN).

ONNX's recurrent operators run one layer each, with weights per direction and gates in
another order; the flat MXNet parameter vector (a constant at export time) is cut and
reordered here, and layers are chained.
"""
import numpy as np

from ..base import MXNetError
from ._registry import converter

# MXNet's gate blocks in ONNX's order: LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h
_GATES = {"lstm": (4, [0, 3, 1, 2]), "gru": (3, [1, 0, 2]), "rnn_tanh": (1, [0]), "rnn_relu": (1, [0])}


def _reorder(w, order, H):
    return np.concatenate([w[k * H:(k + 1) * H] for k in order], axis=0)


def _unpack(flat, mode, H, L, D, C):
    """Per layer and direction: (W, R, Wb, Rb) in MXNet's packing order."""
    G = _GATES[mode][0]
    off, ws = 0, []
    for layer in range(L):
        cin = C if layer == 0 else D * H
        for _ in range(D):
            wi = flat[off:off + G * H * cin].reshape(G * H, cin)
            off += G * H * cin
            wh = flat[off:off + G * H * H].reshape(G * H, H)
            off += G * H * H
            ws.append([wi, wh])
    for k in range(L * D):
        ws[k] += [flat[off:off + G * H], flat[off + G * H:off + 2 * G * H]]
        off += 2 * G * H
    if off != flat.size:
        raise MXNetError(f"ONNX export: RNN parameters hold {flat.size} values, expected {off}")
    return ws


def _layer_state(g, state, layer, D):
    """The initial state of one layer ("" where the state is implicit zeros)."""
    if not state:
        return ""
    return g.slice(state, [layer * D], [(layer + 1) * D], [0])


@converter("RNN")
def _rnn(g, node, ins, a):
    mode, H, L = a.mode, a.state_size, a.num_layers
    D = 2 if a.bidirectional else 1
    if a.projection_size or a.lstm_state_clip_min is not None or a.lstm_state_clip_max is not None:
        raise MXNetError(f"ONNX export: RNN '{node.name}': projection and state clipping have no ONNX form")
    flat = g.value(ins[1])
    if flat is None:
        raise MXNetError(f"ONNX export: RNN '{node.name}': the parameters must be constants")
    x = ins[0]
    C = g.concrete_shape(x)[2]
    ws = _unpack(flat.reshape(-1), mode, H, L, D, C)
    order = _GATES[mode][1]
    seq_len = ""
    if a.use_sequence_length:
        seq_len = g.cast(ins[-1], np.int32)
    op_type = {"lstm": "LSTM", "gru": "GRU"}.get(mode, "RNN")
    kw = {"hidden_size": H, "direction": "bidirectional" if D == 2 else "forward"}
    if mode == "gru":
        kw["linear_before_reset"] = 1       # MXNet applies the reset gate after the h2h product
    if mode == "rnn_relu":
        kw["activations"] = ["Relu"] * D
    h_states, c_states = [], []
    for layer in range(L):
        ks = range(layer * D, (layer + 1) * D)
        W = g.const(np.stack([_reorder(ws[k][0], order, H) for k in ks]))
        R = g.const(np.stack([_reorder(ws[k][1], order, H) for k in ks]))
        B = g.const(np.stack([np.concatenate([_reorder(ws[k][2], order, H), _reorder(ws[k][3], order, H)])
                              for k in ks]))
        args = [x, W, R, B, seq_len, _layer_state(g, ins[2], layer, D)]
        if mode == "lstm":
            args.append(_layer_state(g, ins[3], layer, D))
        outs = g.add(op_type, args, outputs=3 if mode == "lstm" else 2, **kw)
        y = outs[0]                                  # (T, D, N, H)
        h_states.append(outs[1])
        if mode == "lstm":
            c_states.append(outs[2])
        y = g.add("Transpose", [y], perm=[0, 2, 1, 3])
        x = g.add("Reshape", [y, g.ints([0, 0, -1])])
    if not a.state_outputs:
        return x
    res = [x, h_states[0] if L == 1 else g.add("Concat", h_states, axis=0)]
    if mode == "lstm":
        res.append(c_states[0] if L == 1 else g.add("Concat", c_states, axis=0))
    return res
