"""MXNet's ``_image_*`` operators, for ``mx.sym.image`` (graphs and their gradients).

``mx.nd.image`` and ``mx.npx.image`` compute the same functions eagerly (numpy_extension/image.py).
Images are HxWxC, or NxHxWxC for a batch.
"""
import numpy as np

from ..base import MXNetError
from .registry import register, Param


def _crop_box(attrs, shape):
    """The (y, x, height, width) box of ``_image_crop``, checked against an image ``shape``."""
    if len(shape) not in (3, 4):
        raise MXNetError(f"Operator _image_crop: expected an image of shape (H, W, C) or (N, H, W, C), "
                         f"got {tuple(shape)}")
    x, y, w, h = attrs.x, attrs.y, attrs.width, attrs.height
    if h <= 0 or w <= 0:
        raise MXNetError("Operator _image_crop: Input height and width must be greater than 0")
    if x < 0 or y < 0:
        raise MXNetError(f"Operator _image_crop: x ({x}) and y ({y}) must not be negative")
    if x + w > shape[-2]:
        raise MXNetError("Operator _image_crop: x + width should not be greater than input width")
    if y + h > shape[-3]:
        raise MXNetError("Operator _image_crop: y + height should not be greater than input height")
    return y, x, h, w


def _crop_fwd(attrs, ins, ctx):
    y, x, h, w = _crop_box(attrs, ins[0].shape)
    return ins[0][..., y:y + h, x:x + w, :].copy()


def _crop_bwd(attrs, og, ins, outs, ctx, state):
    y, x, h, w = _crop_box(attrs, ins[0].shape)
    g = ctx.xp.zeros_like(ins[0])
    g[..., y:y + h, x:x + w, :] = og[0]
    return [g]


def _crop_shape(attrs, shapes):
    s = shapes[0]
    if s is None or not all(s):
        return shapes, [None]
    y, x, h, w = _crop_box(attrs, s)
    return shapes, [tuple(s[:-3]) + (h, w, s[-1])]


register("_image_crop", _crop_fwd, inputs=("data",),
         params=(Param("x", "int", doc="left edge of the box"), Param("y", "int", doc="top edge of the box"),
                 Param("width", "int", doc="width of the box"), Param("height", "int", doc="height of the box")),
         backward=_crop_bwd, infer_shape=_crop_shape,
         doc="The width x height box at column x, row y of an HxWxC (NxHxWxC) image.")


def _channel_values(attrs, x):
    """mean and std shaped (C, 1, 1) for a CxHxW (NxCxHxW) tensor: one value or one per channel."""
    if x.ndim not in (3, 4):
        raise MXNetError(f"Operator _image_normalize: expected a tensor of shape (C, H, W) or "
                         f"(N, C, H, W), got {tuple(x.shape)}")
    c = x.shape[-3]
    out = []
    for v, what in ((attrs.mean, "mean"), (attrs.std, "std")):
        v = np.atleast_1d(np.asarray(v, np.float64))
        if v.size not in (1, c) and v.size < c:
            raise MXNetError(f"Operator _image_normalize: {what} needs 1 or {c} values, got {v.size}")
        out.append(np.broadcast_to(v[:c], (c,)).reshape(c, 1, 1).astype(x.dtype))
    return out


def _normalize_fwd(attrs, ins, ctx):
    x = ins[0]
    mean, std = (ctx.xp.asarray(v) for v in _channel_values(attrs, x))
    return (x - mean) / std


def _normalize_bwd(attrs, og, ins, outs, ctx, state):
    if og[0] is None:
        return [None]
    return [og[0] / ctx.xp.asarray(_channel_values(attrs, ins[0])[1])]


register("_image_normalize", _normalize_fwd, inputs=("data",),
         params=(Param("mean", "floats", (0.0, 0.0, 0.0, 0.0), "per-channel mean (one value, or one per channel)"),
                 Param("std", "floats", (1.0, 1.0, 1.0, 1.0), "per-channel standard deviation")),
         backward=_normalize_bwd, infer_shape=lambda attrs, shapes: (shapes, [shapes[0]]),
         doc="(x - mean[c]) / std[c] over the channels of a CxHxW (NxCxHxW) float tensor.")
