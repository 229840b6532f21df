"""ONNX converter of MXNet's fused ``RNN`` operator (LSTM, GRU, vanilla RNN).

ONNX's recurrent operators run one layer each, with weights per direction and gates in
another order; the flat MXNet parameter vector (a constant at export time) is cut and
reordered here, and layers are chained.
"""
import numpy as np

from ..base import MXNetError
from ..ops.rnn_op import _param_count, _unpack
from ._registry import converter

# MXNet's gate blocks in ONNX's order: LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h
_ORDER = {"lstm": [0, 3, 1, 2], "gru": [1, 0, 2], "rnn_tanh": [0], "rnn_relu": [0]}


def _reorder(w, order, H):
    return np.concatenate([w[k * H:(k + 1) * H] for k in order], axis=0)


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
    if flat.size != _param_count(a, C):
        raise MXNetError(f"ONNX export: RNN parameters hold {flat.size} values, expected "
                         f"{_param_count(a, C)}")
    ws = _unpack(a, flat.reshape(-1), C)    # per layer and direction: [W, R, Wb, Rb]
    order = _ORDER[mode]
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
