"""Operator family rnn_op: the fused multi-layer ``RNN`` operator (rnn_relu, rnn_tanh, lstm, gru).

Time runs as a Python loop (it is sequential); each step is one batched GEMM.  The parameters
come as one flat vector in MXNet's (cuDNN's) order: every layer's and direction's i2h then h2h
weight first, then every layer's and direction's i2h then h2h bias.  Gates are stacked as
(input, forget, cell, output) for LSTM and (reset, update, new) for GRU.
"""
import numpy as np

from ..base import MXNetError
from . import _accel
from .matrix import _concat_bwd, _concat_fwd, _concat_shape
from .registry import register, Param

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _sigmoid(xp, x):
    return 1 / (1 + xp.exp(-x))


def _dims(attrs):
    return attrs.state_size, attrs.num_layers, 2 if attrs.bidirectional else 1, _GATES[attrs.mode]


def _out_size(attrs):
    """Size of the recurrent state h and of each direction's output: the projection size of an
    LSTMP, else the hidden size."""
    return attrs.projection_size or attrs.state_size


def _param_count(attrs, C):
    H, L, D, G = _dims(attrs)
    P = _out_size(attrs)
    n = 0
    for layer in range(L):
        cin = C if layer == 0 else D * P
        n += D * (G * H * (cin + P + 2) + (P * H if attrs.projection_size else 0))
    return n


def _unpack(attrs, flat, C):
    """Views ``[wi, wh, bi, bh]`` (and the projection ``wr`` for an LSTMP) into ``flat``, indexed
    by layer * D + direction: every layer's and direction's weights (i2h, h2h, h2r), then their
    biases (i2h, h2h)."""
    H, L, D, G = _dims(attrs)
    P = _out_size(attrs)
    off = 0
    ws, wrs = [], []
    for layer in range(L):
        cin = C if layer == 0 else D * P
        for _ in range(D):
            wi = flat[off:off + G * H * cin].reshape(G * H, cin)
            off += G * H * cin
            wh = flat[off:off + G * H * P].reshape(G * H, P)
            off += G * H * P
            ws.append([wi, wh])
            if attrs.projection_size:
                wrs.append(flat[off:off + P * H].reshape(P, H))
                off += P * H
    for k in range(L * D):
        ws[k].append(flat[off:off + G * H])
        ws[k].append(flat[off + G * H:off + 2 * G * H])
        off += 2 * G * H
        if wrs:
            ws[k].append(wrs[k])
    return ws


def _input_filter(attrs, names):
    keep = ["data", "parameters", "state"]
    if attrs.mode == "lstm":
        keep.append("state_cell")
    if attrs.use_sequence_length:
        keep.append("sequence_length")
    return [n for n in names if n in keep]


def _num_outputs(attrs):
    if not attrs.state_outputs:
        return 1
    return 3 if attrs.mode == "lstm" else 2


def _check(attrs):
    if attrs.projection_size is not None and attrs.mode != "lstm":
        raise MXNetError("Operator RNN: projection_size is only supported in LSTM mode")
    if attrs.projection_size is not None and not 0 < attrs.projection_size < attrs.state_size:
        raise MXNetError(f"Operator RNN: projection_size must lie in (0, state_size={attrs.state_size}), "
                         f"got {attrs.projection_size}")
    if (attrs.lstm_state_clip_min is None) != (attrs.lstm_state_clip_max is None):
        raise MXNetError("Operator RNN: lstm_state_clip_min and lstm_state_clip_max must be given together")
    if attrs.lstm_state_clip_nan and attrs.lstm_state_clip_min is not None:
        # without a clipping range MXNet ignores it (as here); with one, NaN cell states would
        # be clipped too, which these kernels do not do
        raise MXNetError("Operator RNN: lstm_state_clip_nan with a clipping range is not supported")
    if attrs.state_size <= 0 or attrs.num_layers <= 0:
        raise MXNetError(f"Operator RNN: state_size and num_layers must be positive, got "
                         f"{attrs.state_size} and {attrs.num_layers}")
    if not 0 <= attrs.p < 1:
        raise MXNetError(f"Operator RNN: p must lie in [0, 1), got {attrs.p}")


def _rnn_shape(attrs, shapes):
    H, L, D, G = _dims(attrs)
    d = shapes[0]
    if d is None or len(d) != 3:
        return shapes, [None] * _num_outputs(attrs)
    T, N, C = d
    P = _out_size(attrs)
    shapes[1] = (_param_count(attrs, C),)
    shapes[2] = (L * D, N, P)
    if attrs.mode == "lstm":
        shapes[3] = (L * D, N, H)
    if attrs.use_sequence_length:
        shapes[-1] = (N,)
    outs = [(T, N, D * P), (L * D, N, P), (L * D, N, H)][:_num_outputs(attrs)]
    return shapes, outs


# -- one layer, one direction ------------------------------------------------------------------
def _dir_forward(attrs, xp, x, w, h0, c0, mask):
    """Run one direction over ``x`` (T, N, Cin) in its own time order; returns outputs and cache."""
    mode = attrs.mode
    wi, wh, bi, bh = w[:4]
    wr = w[4] if len(w) > 4 else None     # an LSTMP's projection of h
    T, N, cin = x.shape
    H = wi.shape[0] // _GATES[mode]
    xw = (x.reshape(T * N, cin) @ wi.T).reshape(T, N, -1) + bi
    if mode != "gru":
        xw += bh
    hs = xp.empty((T, N, wh.shape[1]), dtype=x.dtype)       # the carried state after each step
    cache = {"act": [], "craw": []}     # per step: activations; pre-clip cell states (clipping only)
    h, c = h0, c0
    lo, hi = attrs.lstm_state_clip_min, attrs.lstm_state_clip_max
    for t in range(T):
        gh = h @ wh.T
        if mode == "rnn_tanh":
            hn = xp.tanh(xw[t] + gh)
            cache["act"].append(hn)
        elif mode == "rnn_relu":
            a = xw[t] + gh
            hn = xp.maximum(a, 0)
            cache["act"].append(a > 0)
        elif mode == "lstm":
            g = xw[t] + gh
            i = _sigmoid(xp, g[:, :H])
            f = _sigmoid(xp, g[:, H:2 * H])
            gg = xp.tanh(g[:, 2 * H:3 * H])
            o = _sigmoid(xp, g[:, 3 * H:])
            cn = f * c + i * gg
            if lo is not None:
                cache["craw"].append(cn)
                cn = xp.clip(cn, x.dtype.type(lo), x.dtype.type(hi))
            tc = xp.tanh(cn)
            hn = o * tc
            cache["act"].append((i, f, gg, o, tc, c, hn))
            if wr is not None:
                hn = hn @ wr.T
        else:
            ghb = gh + bh
            r = _sigmoid(xp, xw[t][:, :H] + ghb[:, :H])
            z = _sigmoid(xp, xw[t][:, H:2 * H] + ghb[:, H:2 * H])
            n = xp.tanh(xw[t][:, 2 * H:] + r * ghb[:, 2 * H:])
            hn = (1 - z) * n + z * h
            cache["act"].append((r, z, n, ghb[:, 2 * H:]))
        if mask is not None:
            hn = xp.where(mask[t], hn, h)
            if mode == "lstm":
                cn = xp.where(mask[t], cn, c)
        h = hn
        if mode == "lstm":
            c = cn
        hs[t] = h
    out = hs if mask is None else hs * mask
    return out, h, c, (hs, cache)


def _dir_backward(attrs, xp, x, w, h0, mask, saved, dout, dh, dc):
    """Backpropagate one direction; returns dx, [dwi, dwh, dbi, dbh] (and dwr for an LSTMP),
    dh0, dc0."""
    mode = attrs.mode
    wi, wh, bi, bh = w[:4]
    wr = w[4] if len(w) > 4 else None
    hs, cache = saved
    T, N, cin = x.shape
    H = wi.shape[0] // _GATES[mode]
    dt = x.dtype
    dxw = xp.empty((T, N, wi.shape[0]), dtype=dt)
    dwh = xp.zeros(wh.shape, dtype=dt)
    dwr = None if wr is None else xp.zeros(wr.shape, dtype=dt)
    dbh = xp.zeros(bh.shape, dtype=dt) if mode == "gru" else None
    dh = xp.zeros((N, wh.shape[1]), dtype=dt) if dh is None else dh
    if mode == "lstm":
        dc = xp.zeros((N, H), dtype=dt) if dc is None else dc
    lo, hi = attrs.lstm_state_clip_min, attrs.lstm_state_clip_max
    for t in range(T - 1, -1, -1):
        hprev = h0 if t == 0 else hs[t - 1]
        m = None if mask is None else mask[t].astype(dt)
        dht = dh + (dout[t] if m is None else dout[t] * m)
        dcell, carry = (dht, 0) if m is None else (dht * m, dht * (1 - m))
        if mode == "rnn_tanh":
            hn = cache["act"][t]
            dg = dcell * (1 - hn * hn)
        elif mode == "rnn_relu":
            dg = dcell * cache["act"][t]
        elif mode == "lstm":
            i, f, gg, o, tc, cprev, hid = cache["act"][t]
            if wr is not None:      # through the projection r = hid @ wr.T
                dwr += dcell.T @ hid
                dcell = dcell @ wr
            dct = dc if m is None else dc * m
            dct = dct + dcell * o * (1 - tc * tc)
            if lo is not None:
                craw = cache["craw"][t]
                dct = dct * ((craw >= lo) & (craw <= hi))
            dg = xp.concatenate([dct * gg * i * (1 - i), dct * cprev * f * (1 - f),
                                 dct * i * (1 - gg * gg), dcell * tc * o * (1 - o)], axis=1)
            dc = dct * f + (0 if m is None else dc * (1 - m))
        else:
            r, z, n, ghn = cache["act"][t]
            dn = dcell * (1 - z) * (1 - n * n)
            dar = dn * ghn * r * (1 - r)
            daz = dcell * (hprev - n) * z * (1 - z)
            dxw[t] = xp.concatenate([dar, daz, dn], axis=1)
            dgh = xp.concatenate([dar, daz, dn * r], axis=1)
            dbh += dgh.sum(axis=0)
            dwh += dgh.T @ hprev
            dh = dgh @ wh + dcell * z + carry
            continue
        dxw[t] = dg
        dwh += dg.T @ hprev
        dh = dg @ wh + carry
    flat = dxw.reshape(T * N, -1)
    dx = (flat @ wi).reshape(T, N, cin)
    dwi = flat.T @ x.reshape(T * N, cin)
    dbi = flat.sum(axis=0)
    grads = [dwi, dwh, dbi, dbi.copy() if dbh is None else dbh]
    return dx, grads if dwr is None else grads + [dwr], dh, dc


# -- LSTM without clipping or masks: whole-sequence buffers and weight-gradient GEMMs ----------
def _lstm_forward(xp, x, w, h0, c0):
    """``_dir_forward`` for a plain LSTM, with the same float operations (or, for float32 with
    the C kernels, the C time loop): each step writes into whole-sequence buffers, which form
    the cache: the gate activations (T, N, 4, H) as (i, f, tanh g, o), the states h and c (T+1,
    N, H, the initial ones first) and tanh of each c."""
    wi, wh, bi, bh = w
    T, N, cin = x.shape
    H = wh.shape[1]
    dt = x.dtype
    acts = (x.reshape(T * N, cin) @ wi.T).reshape(T, N, 4, H)   # pre-activations, then gates
    flat = acts.reshape(T, N, 4 * H)
    flat += bi
    flat += bh
    hs = xp.empty((T + 1, N, H), dtype=dt)
    cs = xp.empty((T + 1, N, H), dtype=dt)
    tcs = xp.empty((T, N, H), dtype=dt)
    hs[0] = h0
    cs[0] = c0
    seq = _lstm_seq(xp, dt)
    if seq is not None:
        seq.forward(acts, wh, hs, cs, tcs)
        return hs[1:], hs[T], cs[T], (hs, (acts, cs, tcs))
    whT = xp.ascontiguousarray(wh.T)    # a row-major right operand runs the small GEMM faster
    gh = xp.empty((N, 4 * H), dtype=dt)
    tmp = xp.empty((N, H), dtype=dt)
    with np.errstate(over="ignore"):    # exp(-x) of the cell-gate slot may overflow; it is discarded
        for t in range(T):
            g = flat[t]
            xp.matmul(hs[t], whT, out=gh)
            g += gh
            xp.tanh(acts[t, :, 2], out=tmp)
            xp.negative(g, out=g)           # sigmoid 1 / (1 + exp(-g)) over all four gates
            xp.exp(g, out=g)
            g += 1
            xp.reciprocal(g, out=g)
            acts[t, :, 2] = tmp
            i, f, gg, o = acts[t, :, 0], acts[t, :, 1], acts[t, :, 2], acts[t, :, 3]
            xp.multiply(f, cs[t], out=cs[t + 1])
            xp.multiply(i, gg, out=tmp)
            cs[t + 1] += tmp
            xp.tanh(cs[t + 1], out=tcs[t])
            xp.multiply(o, tcs[t], out=hs[t + 1])
    return hs[1:], hs[T], cs[T], (hs, (acts, cs, tcs))


def _lstm_backward(xp, x, w, saved, dout, dh, dc):
    """``_dir_backward`` for ``_lstm_forward``'s cache.  The time loop keeps only what is
    recurrent (float32 with the C kernels: the C time loop; float64: the C step; else NumPy on
    factors computed for all steps at once) and the dh GEMM; the weight gradients are then one
    GEMM each over the whole sequence."""
    wi, wh, bi, bh = w
    hs, (acts, cs, tcs) = saved
    T, N, cin = x.shape
    H = wh.shape[1]
    dt = x.dtype
    dgates = xp.empty((T, N, 4, H), dtype=dt)
    dh = xp.zeros((N, H), dtype=dt) if dh is None else dh
    dc = xp.zeros((N, H), dtype=dt) if dc is None else dc
    seq = _lstm_seq(xp, dt)
    kern = _jit_rnn() if xp is np and dt in (np.float32, np.float64) else None
    if seq is not None:
        dh, dc = (np.ascontiguousarray(a, dt) for a in (dh, dc))
        seq.backward(acts, wh, cs, tcs, dout, dh, dc, dgates)
    elif kern is not None:
        for t in range(T - 1, -1, -1):
            kern.lstm_bwd_step(dh, dout[t], dc, acts[t], cs[t], tcs[t], dgates[t], dt.type(1))
            dh = dgates[t].reshape(N, 4 * H) @ wh
    else:
        i, f, gg, o = acts[:, :, 0], acts[:, :, 1], acts[:, :, 2], acts[:, :, 3]
        one = dt.type(1)
        # d(cell)/d(h) through o * tanh(c), and each gate pre-activation's factor, for all steps
        dcdh = o * (one - tcs * tcs)
        fac = xp.empty((T, N, 3, H), dtype=dt)
        xp.multiply(gg, i * (one - i), out=fac[:, :, 0])
        xp.multiply(cs[:-1], f * (one - f), out=fac[:, :, 1])
        xp.multiply(i, one - gg * gg, out=fac[:, :, 2])
        fac_o = tcs * o * (one - o)
        dht = xp.empty((N, H), dtype=dt)
        dct = xp.empty((N, H), dtype=dt)
        for t in range(T - 1, -1, -1):
            xp.add(dh, dout[t], out=dht)
            xp.multiply(dht, dcdh[t], out=dct)
            dct += dc
            xp.multiply(dct[:, None, :], fac[t], out=dgates[t, :, :3])
            xp.multiply(dht, fac_o[t], out=dgates[t, :, 3])
            dc = dct * f[t]
            dh = dgates[t].reshape(N, 4 * H) @ wh
    flat = dgates.reshape(T * N, 4 * H)
    dx = (flat @ wi).reshape(T, N, cin)
    dwi = flat.T @ x.reshape(T * N, cin)
    dwh = flat.T @ hs[:-1].reshape(T * N, H)
    dbi = flat.sum(axis=0)
    return dx, [dwi, dwh, dbi, dbi], dh, dc


def _jit_rnn():
    """The C kernels (``_accel.jit``), or None (no compiler, or switched off)."""
    return _accel.jit()


_seq = None


def _lstm_seq(xp, dt):
    """The C time loop (``_native_lstm``) for float32 NumPy arrays when the kernels are on, else
    None."""
    global _seq
    if xp is not np or dt != np.float32 or _jit_rnn() is None:
        return None
    if _seq is None:    # imported once the kernels are known to be on: importing it loads them
        from . import _native_lstm
        _seq = _native_lstm
    return _seq if _seq.AVAILABLE else None


def _plain_lstm(attrs, mask):
    return (attrs.mode == "lstm" and mask is None and attrs.lstm_state_clip_min is None
            and not attrs.projection_size)


# -- the operator ------------------------------------------------------------------------------
def _reverse_index(xp, T, N, lengths):
    """Time index that reverses each sequence within its length (an involution)."""
    t = xp.arange(T)[:, None]
    if lengths is None:
        return xp.broadcast_to(T - 1 - t, (T, N))
    return xp.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)


def _prepare(attrs, ins, xp):
    data, params = ins[0], ins[1]
    H, L, D, G = _dims(attrs)
    if data.ndim != 3:
        raise MXNetError(f"Operator RNN: data must be 3-D (seq_len, batch, input_size), got shape "
                         f"{tuple(data.shape)}")
    T, N, C = data.shape
    names = ("data", "parameters", "state", "state_cell")
    for k in range(1, 4 if attrs.mode == "lstm" else 3):
        if ins[k].dtype != data.dtype:   # as MXNet: one dtype throughout
            raise MXNetError(f"Operator RNN: this layer requires uniform type: expected "
                             f"'{data.dtype}' (data), got '{ins[k].dtype}' at '{names[k]}'")
    want = _param_count(attrs, C)
    if params.shape != (want,):
        raise MXNetError(f"Operator RNN: parameters must have shape ({want},) for mode={attrs.mode}, "
                         f"input_size={C}, state_size={H}, num_layers={L}, bidirectional="
                         f"{bool(attrs.bidirectional)}; got {tuple(params.shape)}")
    for k in range(2, 4 if attrs.mode == "lstm" else 3):
        want = (L * D, N, _out_size(attrs) if k == 2 else H)
        if ins[k].shape != want:
            raise MXNetError(f"Operator RNN: {'state' if k == 2 else 'state_cell'} must have shape "
                             f"{want}, got {tuple(ins[k].shape)}")
    lengths = mask = None
    if attrs.use_sequence_length:
        lengths = ins[-1].astype(np.int64)
        if lengths.shape != (N,) or (lengths.size and (lengths.min() < 1 or lengths.max() > T)):
            raise MXNetError(f"Operator RNN: sequence_length must have shape ({N},) with values in "
                             f"[1, {T}]")
        mask = (xp.arange(T)[:, None] < lengths[None, :])[:, :, None]
    rev = _reverse_index(xp, T, N, lengths)
    return _unpack(attrs, params, C), lengths, mask, rev


def _rnn_fwd(attrs, ins, ctx):
    xp = ctx.xp
    H, L, D, G = _dims(attrs)
    ws, lengths, mask, rev = _prepare(attrs, ins, xp)
    x = ins[0]
    T, N, _ = x.shape
    cols = xp.arange(N)[None, :]
    state = ins[2]
    cell = ins[3] if attrs.mode == "lstm" else None
    hy, cy, saved, drop = [], [], [], []
    for layer in range(L):
        outs, lsaved = [], []
        for d in range(D):
            k = layer * D + d
            xin = x if d == 0 else x[rev, cols]
            c0 = None if cell is None else cell[k]
            if _plain_lstm(attrs, mask):
                o, h, c, sv = _lstm_forward(xp, xin, ws[k], state[k], c0)
            else:
                o, h, c, sv = _dir_forward(attrs, xp, xin, ws[k], state[k], c0, mask)
            outs.append(o if d == 0 else o[rev, cols])
            lsaved.append((xin, sv))
            hy.append(h)
            cy.append(c)
        saved.append(lsaved)
        x = outs[0] if D == 1 else xp.concatenate(outs, axis=2)
        if attrs.p > 0 and ctx.is_train and layer < L - 1:
            keep = ctx.rng.random(x.shape) >= attrs.p
            m = xp.asarray(keep).astype(x.dtype) * x.dtype.type(1 / (1 - attrs.p))
            drop.append(m)
            x = x * m
        else:
            drop.append(None)
    res = [x]
    if attrs.state_outputs:
        res.append(xp.stack(hy))
        if attrs.mode == "lstm":
            res.append(xp.stack(cy))
    return tuple(res), (saved, drop, ws, mask, rev)


def _rnn_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    H, L, D, G = _dims(attrs)
    saved, drop, ws, mask, rev = state
    x, params = ins[0], ins[1]
    T, N, C = x.shape
    cols = xp.arange(N)[None, :]
    dt = x.dtype
    dout = og[0] if og[0] is not None else xp.zeros(outs[0].shape, dtype=dt)
    dhy = og[1] if len(og) > 1 else None
    dcy = og[2] if len(og) > 2 else None
    dparams = xp.empty(params.shape, dtype=dt)     # every weight and bias slice is written below
    dws = _unpack(attrs, dparams, C)
    dstate = xp.zeros(ins[2].shape, dtype=dt)
    dcell = xp.zeros(ins[3].shape, dtype=dt) if attrs.mode == "lstm" else None
    P = _out_size(attrs)
    for layer in range(L - 1, -1, -1):
        if drop[layer] is not None:
            dout = dout * drop[layer]
        dx = 0
        for d in range(D):
            k = layer * D + d
            xin, sv = saved[layer][d]
            g = dout[:, :, d * P:(d + 1) * P]
            if d == 1:
                g = g[rev, cols]
            dhk = None if dhy is None else dhy[k].copy()
            dck = None if dcy is None else dcy[k].copy()
            if _plain_lstm(attrs, mask):
                dxi, grads, dh0, dc0 = _lstm_backward(xp, xin, ws[k], sv, g, dhk, dck)
            else:
                dxi, grads, dh0, dc0 = _dir_backward(attrs, xp, xin, ws[k], ins[2][k], mask, sv, g,
                                                     dhk, dck)
            for dst, src in zip(dws[k], grads):
                dst[...] = src
            dstate[k] = dh0
            if dcell is not None:
                dcell[k] = dc0
            dx = dx + (dxi if d == 0 else dxi[rev, cols])
        dout = dx
    res = [dout, dparams, dstate]
    if dcell is not None:
        res.append(dcell)
    if attrs.use_sequence_length:
        res.append(None)
    return res


register("RNN", _rnn_fwd, inputs=("data", "parameters", "state", "state_cell", "sequence_length"),
         params=(
             Param("state_size", "int", doc="size of each layer's hidden state"),
             Param("num_layers", "int", doc="number of stacked layers"),
             Param("bidirectional", "bool", False, "run a reverse-time direction too"),
             Param("mode", "str", doc="the recurrent cell", choices=("gru", "lstm", "rnn_relu", "rnn_tanh")),
             Param("p", "float", 0.0, "dropout rate on each layer's output except the last (training)"),
             Param("state_outputs", "bool", False, "also return the final states"),
             Param("projection_size", "int", None, "LSTMP: size the hidden state is projected to"),
             Param("lstm_state_clip_min", "float", None, "lower clip bound of the LSTM cell state"),
             Param("lstm_state_clip_max", "float", None, "upper clip bound of the LSTM cell state"),
             Param("lstm_state_clip_nan", "bool", False, "map NaN cell states to the clip bounds"),
             Param("use_sequence_length", "bool", False, "take per-sample valid lengths as the last input")),
         backward=_rnn_bwd, save_state=True, num_outputs=_num_outputs, input_filter=_input_filter,
         output_names=("output", "state", "state_cell"), infer_shape=_rnn_shape, attr_check=_check,
         needs_rng=True, uses_train=True,
         doc="Fused multi-layer (optionally bidirectional) RNN, LSTM or GRU over data of layout "
             "(seq_len, batch, input_size) with all weights in one flat parameter vector.")


def _param_concat_shape_back(attrs, shapes, outs):
    """Like Concat's, but the size the known inputs leave is shared equally by all the unknown
    ones: the i2h weights of a bidirectional layer's two directions, whose input size only the
    RNN operator's parameter count reveals."""
    o = outs[0]
    if o is None or len(o) != 1 or not o[0] or any(s is not None and len(s) != 1 for s in shapes):
        return shapes
    sizes = [s[0] if s is not None else 0 for s in shapes]
    missing = [i for i, n in enumerate(sizes) if not n]
    rest = o[0] - sum(sizes)
    if not missing or rest <= 0 or rest % len(missing):
        return shapes
    return [(rest // len(missing),) if not n else (n,) for n in sizes]


register("_rnn_param_concat", _concat_fwd, inputs=("data",), variadic="num_args", params=(
    Param("num_args", "int", doc="number of inputs"),
    Param("dim", "int", 1, "the axis to join along")),
    backward=_concat_bwd, infer_shape=_concat_shape, infer_shape_back=_param_concat_shape_back,
    doc="Concat of the flattened parameters of an RNN layer, for the fused RNN operator.")
