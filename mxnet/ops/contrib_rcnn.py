"""Operator family contrib_rcnn: region operators of two-stage detectors (R-FCN, rotated R-CNN).

``_contrib_PSROIPooling``: position-sensitive average pooling; output channel ``c`` of pooled
cell ``(i, j)`` averages input channel ``(c * group + gi) * group + gj`` over the cell's pixels.
``_contrib_RROIAlign``: ROIAlign over rotated boxes ``[batch, cx, cy, w, h, angle_degrees]``
(forward only: MXNet registers no gradient).
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import register, Param


def _round_half_away(v):
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


# -- PSROIPooling -------------------------------------------------------------------------------
def _ps_check(attrs, data, rois):
    name = "_contrib_PSROIPooling"
    if data.ndim != 4 or rois.ndim != 2 or rois.shape[1] != 5:
        raise MXNetError(f"Operator {name}: expected data (N, C, H, W) and rois (R, 5), got "
                         f"{tuple(data.shape)} and {tuple(rois.shape)}")
    p = attrs.pooled_size
    g = attrs.group_size or p
    if p < 1 or attrs.output_dim < 1:
        raise MXNetError(f"Operator {name}: pooled_size and output_dim must be positive, got "
                         f"{p} and {attrs.output_dim}")
    if data.shape[1] != attrs.output_dim * g * g:
        raise MXNetError(f"Operator {name}: data needs output_dim * group_size^2 = "
                         f"{attrs.output_dim * g * g} channels, got {data.shape[1]}")
    return p, g


def _ps_cells(attrs, rois, H, W):
    # rois: a NumPy array (the coordinates decide slices, read on the host)
    """Per roi: its batch index and, per pooled cell, (gi, gj, h0, h1, w0, w1) of its pixels."""
    p, g = attrs.pooled_size, attrs.group_size or attrs.pooled_size
    s = attrs.spatial_scale
    for r in rois.astype(np.float64):
        x1, y1 = _round_half_away(r[1]) * s, _round_half_away(r[2]) * s
        x2, y2 = (_round_half_away(r[3]) + 1) * s, (_round_half_away(r[4]) + 1) * s
        bh, bw = max(y2 - y1, 0.1) / p, max(x2 - x1, 0.1) / p
        cells = []
        for i in range(p):
            h0 = min(max(math.floor(i * bh + y1), 0), H)
            h1 = min(max(math.ceil((i + 1) * bh + y1), 0), H)
            gi = min(max(i * g // p, 0), g - 1)
            for j in range(p):
                w0 = min(max(math.floor(j * bw + x1), 0), W)
                w1 = min(max(math.ceil((j + 1) * bw + x1), 0), W)
                gj = min(max(j * g // p, 0), g - 1)
                cells.append((i, j, gi, gj, h0, h1, w0, w1))
        yield int(r[0]), cells


def _ps_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data, rois = ins
    p, g = _ps_check(attrs, data, rois)
    N, _, H, W = data.shape
    out = xp.zeros((rois.shape[0], attrs.output_dim, p, p), dtype=data.dtype)
    base = xp.arange(attrs.output_dim) * g * g
    for k, (b, cells) in enumerate(_ps_cells(attrs, ctx.backend.to_numpy(rois), H, W)):
        if not 0 <= b < N:
            continue
        for i, j, gi, gj, h0, h1, w0, w1 in cells:
            if h1 > h0 and w1 > w0:
                region = data[b, base + gi * g + gj, h0:h1, w0:w1]
                out[k, :, i, j] = region.sum(axis=(1, 2)) / data.dtype.type((h1 - h0) * (w1 - w0))
    return out


def _ps_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    data, rois = ins
    p, g = _ps_check(attrs, data, rois)
    N, _, H, W = data.shape
    gd = xp.zeros(data.shape, dtype=data.dtype)
    base = xp.arange(attrs.output_dim) * g * g
    for k, (b, cells) in enumerate(_ps_cells(attrs, ctx.backend.to_numpy(rois), H, W)):
        if not 0 <= b < N:
            continue
        for i, j, gi, gj, h0, h1, w0, w1 in cells:
            if h1 > h0 and w1 > w0:
                share = og[0][k, :, i, j] / data.dtype.type((h1 - h0) * (w1 - w0))
                gd[b, base + gi * g + gj, h0:h1, w0:w1] += share[:, None, None]
    return [gd, xp.zeros(rois.shape, dtype=rois.dtype)]


def _ps_shape(attrs, shapes):
    d, r = shapes
    if r is None:
        return shapes, [None]
    return shapes, [(r[0], attrs.output_dim, attrs.pooled_size, attrs.pooled_size)]


register("_contrib_PSROIPooling", _ps_fwd, inputs=("data", "rois"), params=(
    Param("spatial_scale", "float", doc="scale from the rois' image coordinates to the feature map"),
    Param("output_dim", "int", doc="channels of the output"),
    Param("pooled_size", "int", doc="side of the pooled grid"),
    Param("group_size", "int", 0, "side of the position-sensitive channel grid (0: pooled_size)")),
    backward=_ps_bwd, infer_shape=_ps_shape,
    doc="Position-sensitive average pooling of each region of interest (rows of [batch_index, x1, "
        "y1, x2, y2]) into a pooled_size grid, each cell read from its own channel group (R-FCN).")


# -- RROIAlign ------------------------------------------------------------------------------------
def _bilinear(plane, H, W, y, x):
    """Bilinear samples of ``plane`` (C, H, W) at float32 points ``y``/``x``; zero for points
    beyond one pixel outside the map."""
    f = np.float32
    out_of = (y < -1) | (y > H) | (x < -1) | (x > W)
    y, x = np.maximum(y, f(0)), np.maximum(x, f(0))
    yl, xl = y.astype(np.int64), x.astype(np.int64)
    ytop, xtop = yl >= H - 1, xl >= W - 1
    yl, xl = np.where(ytop, H - 1, yl), np.where(xtop, W - 1, xl)
    yh, xh = np.where(ytop, H - 1, yl + 1), np.where(xtop, W - 1, xl + 1)
    y, x = np.where(ytop, yl.astype(f), y), np.where(xtop, xl.astype(f), x)
    ly, lx = y - yl.astype(f), x - xl.astype(f)
    hy, hx = f(1) - ly, f(1) - lx
    v = (hy * hx * plane[:, yl, xl] + hy * lx * plane[:, yl, xh] + ly * hx * plane[:, yh, xl]
         + ly * lx * plane[:, yh, xh])
    return np.where(out_of, f(0), v)


def _rroi_fwd(attrs, ins, ctx):
    data, rois = ins
    name = "_contrib_RROIAlign"
    if data.ndim != 4 or rois.ndim != 2 or rois.shape[1] != 6:
        raise MXNetError(f"Operator {name}: expected data (N, C, H, W) and rois (R, 6), got "
                         f"{tuple(data.shape)} and {tuple(rois.shape)}")
    ph, pw = attrs.pooled_size
    N, C, H, W = data.shape
    f = np.float32
    host = ctx.backend.to_numpy(data).astype(f, copy=False)
    out = np.zeros((rois.shape[0], C, ph, pw), dtype=f)
    for k, r in enumerate(ctx.backend.to_numpy(rois).astype(f, copy=False)):
        b = int(r[0])
        if not 0 <= b < N:
            continue
        cx, cy, w, h = r[1:5] * f(attrs.spatial_scale)
        theta = f(r[5] * f(np.pi) / f(180.0))
        w, h = max(w, f(1)), max(h, f(1))
        bh, bw = h / f(ph), w / f(pw)
        if attrs.sampling_ratio > 0:
            gh = gw = attrs.sampling_ratio
        else:
            gh, gw = int(np.ceil(h / f(ph))), int(np.ceil(w / f(pw)))
        iy = (np.arange(gh, dtype=f) + f(0.5)) * bh / f(gh)
        ix = (np.arange(gw, dtype=f) + f(0.5)) * bw / f(gw)
        yy = (-h / f(2) + np.arange(ph, dtype=f) * bh)[:, None, None, None] + iy[None, None, :, None]
        xx = (-w / f(2) + np.arange(pw, dtype=f) * bw)[None, :, None, None] + ix[None, None, None, :]
        cos, sin = np.cos(theta, dtype=f), np.sin(theta, dtype=f)
        x = xx * cos + yy * sin + cx
        y = yy * cos - xx * sin + cy
        y, x = np.broadcast_arrays(y, x)
        v = _bilinear(host[b], H, W, y, x)                       # (C, ph, pw, gh, gw)
        out[k] = v.sum(axis=(3, 4)) / f(gh * gw)
    return ctx.xp.asarray(out.astype(data.dtype, copy=False))


register("_contrib_RROIAlign", _rroi_fwd, inputs=("data", "rois"), params=(
    Param("pooled_size", "shape", doc="(h, w) of each pooled region"),
    Param("spatial_scale", "float", doc="scale from the rois' image coordinates to the feature map"),
    Param("sampling_ratio", "int", -1, "bilinear samples per bin side (adaptive when <= 0)")),
    fgradient=False,
    infer_shape=lambda a, s: (s, [None if s[0] is None or s[1] is None else
                                  (s[1][0], s[0][1]) + tuple(a.pooled_size)]),
    doc="Average of bilinear samples over each cell of each rotated region of interest (rows of "
        "[batch_index, center_x, center_y, width, height, angle in degrees]).")
