"""Fused multi-head attention products of transformer models (``_contrib_interleaved_matmul_*``).

The projections arrive time-major, ``(seq_len, batch, heads * parts * head_dim)``, with each head's
query, key and value (``parts`` = 3 for self-attention, 2 for the keys and values of
encoder-decoder attention) side by side, i.e. laid out as ``(seq_len, batch, heads, parts,
head_dim)``.  Attention scores are ``(batch * heads, query_len, key_len)`` and the attended values
come back time-major as ``(query_len, batch, heads * head_dim)``.
"""
import numpy as np

from ..base import MXNetError
from .registry import Param, register

_HEADS = (Param("heads", "int", doc="number of attention heads"),)


def _check_proj(opname, argname, x, heads, parts):
    """``x``'s head size, after checking that it is a time-major packed projection."""
    if x.ndim != 3:
        raise MXNetError(f"Operator {opname}: input {argname} should be 3D in "
                         f"seq_length-batch-proj_dim, currently is: {x.ndim}D")
    if heads <= 0 or x.shape[2] % (heads * parts):
        raise MXNetError(f"Operator {opname}: the last dimension of {argname} ({x.shape[2]}) must "
                         f"be a multiple of heads * {parts} (heads={heads})")
    return x.shape[2] // (heads * parts)


def _heads(x, heads, parts, part):
    """Part ``part`` of packed projections as ``(batch * heads, seq_len, head_dim)``."""
    seq, batch = x.shape[:2]
    v = x.reshape(seq, batch, heads, parts, -1)[:, :, :, part, :]
    return v.transpose(1, 2, 0, 3).reshape(batch * heads, seq, -1)


def _pack(xp, shape, dtype, heads, parts, values):
    """Packed projections of ``shape`` holding ``values[part]`` (``(batch * heads, seq_len,
    head_dim)`` or None for zeros) in each part: the inverse of ``_heads``."""
    seq, batch = shape[:2]
    out = xp.zeros((seq, batch, heads, parts, shape[2] // (heads * parts)), dtype=dtype)
    for part, v in enumerate(values):
        if v is not None:
            out[:, :, :, part, :] = v.reshape(batch, heads, seq, -1).transpose(2, 0, 1, 3)
    return out.reshape(shape)


def _merge_heads(x, heads):
    """``(batch * heads, seq_len, head_dim)`` back to time-major ``(seq_len, batch, heads *
    head_dim)``."""
    bh, seq, dim = x.shape
    return x.reshape(bh // heads, heads, seq, dim).transpose(2, 0, 1, 3).reshape(seq, bh // heads,
                                                                                 heads * dim)


def _check_att(opname, att, batch, heads, qlen, klen):
    """Check the attention weights' shape (any query length where ``qlen`` is None)."""
    if att.ndim != 3:
        raise MXNetError(f"Operator {opname}: input attention should be 3D in "
                         f"batch-seq_length-seq_length, currently is: {att.ndim}D")
    want = (batch * heads, att.shape[1] if qlen is None else qlen, klen)
    if tuple(att.shape) != want:
        raise MXNetError(f"Operator {opname}: attention must be {want} for these projections, "
                         f"got {tuple(att.shape)}")


def _scale(dim, dtype):
    return np.dtype(dtype).type(1.0 / np.sqrt(dim))


def _valatt_fwd(opname, argname, x, att, heads, parts, qlen, xp):
    """Attention weights times each head's values, the last of the ``parts`` packed in ``x``."""
    _check_proj(opname, argname, x, heads, parts)
    _check_att(opname, att, x.shape[1], heads, qlen, x.shape[0])
    v = _heads(x, heads, parts, parts - 1)
    return _merge_heads(xp.matmul(att.astype(x.dtype, copy=False), v), heads)


def _valatt_bwd(x, att, og, heads, parts, xp):
    """Gradients of ``_valatt_fwd``: ``[d x (values part only), d att]``."""
    g = _heads(og.astype(x.dtype, copy=False), heads, 1, 0)
    v = _heads(x, heads, parts, parts - 1)
    d_att = xp.matmul(g, v.transpose(0, 2, 1)).astype(att.dtype, copy=False)
    d_v = xp.matmul(att.transpose(0, 2, 1).astype(x.dtype, copy=False), g)
    return [_pack(xp, x.shape, x.dtype, heads, parts, (None,) * (parts - 1) + (d_v,)), d_att]


# -- self-attention ---------------------------------------------------------------------------------
def _selfatt_qk_fwd(attrs, ins, ctx):
    qkv, = ins
    dim = _check_proj("_contrib_interleaved_matmul_selfatt_qk", "queries_keys_values", qkv,
                      attrs.heads, 3)
    q = _heads(qkv, attrs.heads, 3, 0) * _scale(dim, qkv.dtype)
    return ctx.xp.matmul(q, _heads(qkv, attrs.heads, 3, 1).transpose(0, 2, 1))


def _selfatt_qk_bwd(attrs, og, ins, outs, ctx, state=None):
    qkv, = ins
    h = attrs.heads
    s = _scale(qkv.shape[2] // (3 * h), qkv.dtype)
    g = og[0].astype(qkv.dtype, copy=False) * s
    q, k = _heads(qkv, h, 3, 0), _heads(qkv, h, 3, 1)
    xp = ctx.xp
    return [_pack(xp, qkv.shape, qkv.dtype, h, 3,
                  (xp.matmul(g, k), xp.matmul(g.transpose(0, 2, 1), q), None))]


def _selfatt_qk_shape(attrs, shapes):
    s = shapes[0]
    if s is None or len(s) != 3:
        return shapes, [None]
    return shapes, [(s[1] * attrs.heads, s[0], s[0])]


register("_contrib_interleaved_matmul_selfatt_qk", _selfatt_qk_fwd, inputs=("queries_keys_values",),
         params=_HEADS, backward=_selfatt_qk_bwd, infer_shape=_selfatt_qk_shape,
         doc="Self-attention scores: each head's queries (scaled by 1/sqrt(head_dim)) times its "
             "keys, from time-major packed query/key/value projections; gives "
             "(batch * heads, seq_len, seq_len).")


def _selfatt_valatt_fwd(attrs, ins, ctx):
    qkv, att = ins
    return _valatt_fwd("_contrib_interleaved_matmul_selfatt_valatt", "queries_keys_values", qkv,
                       att, attrs.heads, 3, qkv.shape[0], ctx.xp)


def _selfatt_valatt_bwd(attrs, og, ins, outs, ctx, state=None):
    return _valatt_bwd(ins[0], ins[1], og[0], attrs.heads, 3, ctx.xp)


def _selfatt_valatt_shape(attrs, shapes):
    s = shapes[0]
    if s is None or len(s) != 3:
        return shapes, [None]
    return shapes, [(s[0], s[1], s[2] // 3)]


register("_contrib_interleaved_matmul_selfatt_valatt", _selfatt_valatt_fwd,
         inputs=("queries_keys_values", "attention"), params=_HEADS, backward=_selfatt_valatt_bwd,
         infer_shape=_selfatt_valatt_shape,
         doc="Self-attention output: attention weights (batch * heads, seq_len, seq_len) times each "
             "head's values from time-major packed projections; gives (seq_len, batch, "
             "heads * head_dim).")


# -- encoder-decoder attention ----------------------------------------------------------------------
def _encdec_qk_fwd(attrs, ins, ctx):
    q_in, kv = ins
    name = "_contrib_interleaved_matmul_encdec_qk"
    dim = _check_proj(name, "queries", q_in, attrs.heads, 1)
    if _check_proj(name, "keys_values", kv, attrs.heads, 2) != dim or kv.shape[1] != q_in.shape[1]:
        raise MXNetError(f"Operator {name}: keys_values {tuple(kv.shape)} must hold two heads' "
                         f"worth of the queries' {tuple(q_in.shape)} units per head, same batch")
    q = _heads(q_in, attrs.heads, 1, 0) * _scale(dim, q_in.dtype)
    return ctx.xp.matmul(q, _heads(kv, attrs.heads, 2, 0).astype(q.dtype, copy=False).transpose(0, 2, 1))


def _encdec_qk_bwd(attrs, og, ins, outs, ctx, state=None):
    q_in, kv = ins
    h = attrs.heads
    xp = ctx.xp
    s = _scale(q_in.shape[2] // h, q_in.dtype)
    g = og[0].astype(q_in.dtype, copy=False) * s
    q, k = _heads(q_in, h, 1, 0), _heads(kv, h, 2, 0)
    d_q = _pack(xp, q_in.shape, q_in.dtype, h, 1, (xp.matmul(g, k),))
    d_k = xp.matmul(g.transpose(0, 2, 1), q).astype(kv.dtype, copy=False)
    return [d_q, _pack(xp, kv.shape, kv.dtype, h, 2, (d_k, None))]


def _encdec_qk_shape(attrs, shapes):
    q, kv = shapes
    if q is None or kv is None or len(q) != 3 or len(kv) != 3:
        return shapes, [None]
    return shapes, [(q[1] * attrs.heads, q[0], kv[0])]


register("_contrib_interleaved_matmul_encdec_qk", _encdec_qk_fwd, inputs=("queries", "keys_values"),
         params=_HEADS, backward=_encdec_qk_bwd, infer_shape=_encdec_qk_shape,
         doc="Encoder-decoder attention scores: each head's queries (scaled by 1/sqrt(head_dim)) "
             "times its keys from time-major packed key/value projections; gives "
             "(batch * heads, query_len, key_len).")


def _encdec_valatt_fwd(attrs, ins, ctx):
    kv, att = ins
    return _valatt_fwd("_contrib_interleaved_matmul_encdec_valatt", "keys_values", kv, att,
                       attrs.heads, 2, None, ctx.xp)


def _encdec_valatt_bwd(attrs, og, ins, outs, ctx, state=None):
    return _valatt_bwd(ins[0], ins[1], og[0], attrs.heads, 2, ctx.xp)


def _encdec_valatt_shape(attrs, shapes):
    kv, att = shapes
    if kv is None or att is None or len(kv) != 3 or len(att) != 3:
        return shapes, [None]
    return shapes, [(att[1], kv[1], kv[2] // 2)]


register("_contrib_interleaved_matmul_encdec_valatt", _encdec_valatt_fwd,
         inputs=("keys_values", "attention"), params=_HEADS, backward=_encdec_valatt_bwd,
         infer_shape=_encdec_valatt_shape,
         doc="Encoder-decoder attention output: attention weights (batch * heads, query_len, "
             "key_len) times each head's values from time-major packed key/value projections; "
             "gives (query_len, batch, heads * head_dim).")
