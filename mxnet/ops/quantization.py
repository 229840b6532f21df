"""Operator family quantization: ``_contrib_quantize`` and ``_contrib_dequantize``, MXNet's
symmetric 8-bit codes of a float32 tensor given its range ``[min_range, max_range]``.

int8 codes ``x * 127 / r`` (``r = max(|min_range|, |max_range|)``), rounded half away from zero
and clipped to [-128, 127], with the range reported back as ``[-r, r]``; uint8 codes ``x * 255 / r``
clipped to [0, 255], the range passed through.  Dequantizing multiplies by ``r / 127.5`` (int8)
or ``r / 255.5`` (uint8), the scales MXNet 1.9.1 uses.  Neither operator has a gradient (MXNet
gives zeros)."""
import numpy as np

from ..base import MXNetError
from .registry import register, Param

_F32 = np.float32


def _range(opname, lo, hi):
    if lo.size != 1 or hi.size != 1:
        raise MXNetError(f"Operator {opname}: min_range and max_range must hold one value each, got "
                         f"shapes {tuple(lo.shape)} and {tuple(hi.shape)}")
    return _F32(max(abs(float(lo.reshape(-1)[0])), abs(float(hi.reshape(-1)[0]))))


def _quantize_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data, lo, hi = ins
    for name, a in zip(("data", "min_range", "max_range"), ins):
        if a.dtype != _F32:
            raise MXNetError(f"Operator _contrib_quantize: {name} must be float32, got {a.dtype}")
    r = _range("_contrib_quantize", lo, hi)
    if attrs.out_type == "int8":
        scale = _F32(127) / r
        q = xp.trunc(xp.abs(data) * scale + _F32(0.5))
        codes = xp.where(data < 0, -xp.minimum(q, _F32(128)), xp.minimum(q, _F32(127))).astype(np.int8)
        return codes, xp.full((1,), -r, dtype=_F32), xp.full((1,), r, dtype=_F32)
    scale = _F32(255) / r
    q = xp.minimum(xp.maximum(data, _F32(0)) * scale + _F32(0.5), _F32(255))
    return xp.trunc(q).astype(np.uint8), lo.reshape(1).copy(), hi.reshape(1).copy()


def _dequantize_fwd(attrs, ins, ctx):
    data, lo, hi = ins
    if data.dtype not in (np.int8, np.uint8):
        raise MXNetError(f"Operator _contrib_dequantize: data must be int8 or uint8, got {data.dtype}")
    r = _range("_contrib_dequantize", lo, hi)
    half = _F32(127.5) if data.dtype == np.int8 else _F32(255.5)
    return data.astype(_F32) * (r / half)


def _no_grad(attrs, og, ins, outs, ctx, state):
    return [ctx.xp.zeros(a.shape, dtype=a.dtype) for a in ins]


_T32 = np.dtype(_F32)


def _quantize_type(attrs, types):
    return [_T32] * 3, [np.dtype(attrs.out_type), _T32, _T32]


register("_contrib_quantize", _quantize_fwd, inputs=("data", "min_range", "max_range"), params=(
    Param("out_type", "str", "uint8", "type of the codes", choices=("int8", "uint8")),),
    num_outputs=3, backward=_no_grad,
    infer_shape=lambda a, s: (s, [s[0], (1,), (1,)]), infer_type=_quantize_type,
    doc="8-bit codes of float32 data in [min_range, max_range], with the range the codes stand for.")
register("_contrib_dequantize", _dequantize_fwd, inputs=("data", "min_range", "max_range"), params=(
    Param("out_type", "str", "float32", "type of the result", choices=("float32",)),),
    backward=_no_grad, infer_shape=lambda a, s: (s, [s[0]]),
    infer_type=lambda a, t: ([t[0], _T32, _T32], [_T32]),
    doc="float32 values of int8/uint8 codes made for the range [min_range, max_range].")
