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


def _ps_bins(attrs, data, rois, ctx):
    """The non-empty pooled cells of the rois inside the batch, as ``(roi, batch index, input
    channels, row, col, pixel rows, pixel cols, pixel count)``; the input channels are one per
    output channel."""
    _, g = _ps_check(attrs, data, rois)
    N, _, H, W = data.shape
    base = ctx.xp.arange(attrs.output_dim) * g * g
    for k, (b, cells) in enumerate(_ps_cells(attrs, ctx.backend.to_numpy(rois), H, W)):
        if not 0 <= b < N:
            continue
        for i, j, gi, gj, h0, h1, w0, w1 in cells:
            if h1 > h0 and w1 > w0:
                yield (k, b, base + gi * g + gj, i, j, slice(h0, h1), slice(w0, w1),
                       data.dtype.type((h1 - h0) * (w1 - w0)))


def _ps_fwd(attrs, ins, ctx):
    data, rois = ins
    p, _ = _ps_check(attrs, data, rois)
    out = ctx.xp.zeros((rois.shape[0], attrs.output_dim, p, p), dtype=data.dtype)
    for k, b, chans, i, j, rows, cols, count in _ps_bins(attrs, data, rois, ctx):
        out[k, :, i, j] = data[b, chans, rows, cols].sum(axis=(1, 2)) / count
    return out


def _ps_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    data, rois = ins
    gd = xp.zeros(data.shape, dtype=data.dtype)
    for k, b, chans, i, j, rows, cols, count in _ps_bins(attrs, data, rois, ctx):
        gd[b, chans, rows, cols] += (og[0][k, :, i, j] / count)[:, None, None]
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


# -- Proposal / MultiProposal -----------------------------------------------------------------------
def _base_anchors(stride, scales, ratios):
    """(A, 4) anchors around the first cell [0, 0, stride-1, stride-1]: for each ratio, each scale
    (py-faster-rcnn's enumeration, in float32 as MXNet computes it)."""
    f = np.float32
    w = h = f(stride)
    cx, cy = f(0.5 * (w - 1)), f(0.5 * (h - 1))
    out = []
    for ratio in ratios:
        size_ratio = f(math.floor(f(w * h) / f(ratio)))
        for scale in scales:
            nw = f(math.floor(math.sqrt(size_ratio) + 0.5)) * f(scale)
            nh = f(math.floor(f(nw / f(scale) * f(ratio)) + 0.5)) * f(scale)
            out.append([cx - f(0.5 * (nw - 1)), cy - f(0.5 * (nh - 1)), cx + f(0.5 * (nw - 1)),
                        cy + f(0.5 * (nh - 1))])
    return np.array(out, dtype=f)


def _nms_keep(boxes, thresh, limit):
    """Greedy NMS over score-sorted ``boxes`` (n, 4), MXNet's +1 pixel areas; up to ``limit`` kept
    indices."""
    x1, y1, x2, y2 = boxes.T
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    suppressed = np.zeros(len(boxes), dtype=bool)
    keep = []
    for i in range(len(boxes)):
        if len(keep) >= limit:
            break
        if suppressed[i]:
            continue
        keep.append(i)
        w = np.maximum(0, np.minimum(x2[i], x2[i + 1:]) - np.maximum(x1[i], x1[i + 1:]) + 1)
        h = np.maximum(0, np.minimum(y2[i], y2[i + 1:]) - np.maximum(y1[i], y1[i + 1:]) + 1)
        inter = w * h
        suppressed[i + 1:] |= inter / (area[i] + area[i + 1:] - inter) > thresh
    return keep


def _proposals_one(attrs, anchors, scores, deltas, info):
    """Proposals of one image: scores (A, H, W), deltas (4A, H, W), info [height, width, scale]."""
    f = np.float32
    A, H, W = scores.shape
    s = attrs.feature_stride
    # anchor of cell (y, x), shape index a: flat index (y * W + x) * A + a
    shift = np.stack(np.meshgrid(np.arange(W, dtype=f) * s, np.arange(H, dtype=f) * s), axis=-1)
    boxes = anchors[None, None] + np.tile(shift, 2)[:, :, None, :]       # (H, W, A, 4)
    d = deltas.reshape(A, 4, H, W).transpose(2, 3, 0, 1)                 # (H, W, A, 4)
    im_h, im_w = float(info[0]), float(info[1])
    bw = boxes[..., 2] - boxes[..., 0] + f(1)
    bh = boxes[..., 3] - boxes[..., 1] + f(1)
    if attrs.iou_loss:
        pred = boxes + d
    else:
        cx = (boxes[..., 0] + 0.5 * (bw - 1.0)).astype(f)
        cy = (boxes[..., 1] + 0.5 * (bh - 1.0)).astype(f)
        px, py = d[..., 0] * bw + cx, d[..., 1] * bh + cy
        pw = np.exp(d[..., 2], dtype=np.float64).astype(f) * bw
        ph = np.exp(d[..., 3], dtype=np.float64).astype(f) * bh
        pred = np.stack([px - 0.5 * (pw - 1.0), py - 0.5 * (ph - 1.0),
                         px + 0.5 * (pw - 1.0), py + 0.5 * (ph - 1.0)], axis=-1)
    pred = np.stack([np.clip(pred[..., 0], 0, im_w - 1), np.clip(pred[..., 1], 0, im_h - 1),
                     np.clip(pred[..., 2], 0, im_w - 1), np.clip(pred[..., 3], 0, im_h - 1)],
                    axis=-1).astype(f)
    score = scores.transpose(1, 2, 0).astype(f, copy=True)
    # cells beyond the image's own extent (a padded batch) never win
    score[int(im_h / s):] = -1
    score[:, int(im_w / s):] = -1
    # boxes smaller than rpn_min_size (in image pixels) are grown by it and scored -1
    min_size = f(attrs.rpn_min_size * float(info[2]))
    small = ((pred[..., 2] - pred[..., 0] + 1) < min_size) | ((pred[..., 3] - pred[..., 1] + 1) < min_size)
    half = min_size / f(2)
    pred[small] += np.array([-half, -half, half, half], dtype=f)
    score[small] = -1
    pred, score = pred.reshape(-1, 4), score.reshape(-1)
    order = np.argsort(-score, kind="stable")[:min(attrs.rpn_pre_nms_top_n, score.size)]
    pred, score = pred[order], score[order]
    keep = _nms_keep(pred, attrs.threshold, attrs.rpn_post_nms_top_n)
    n = attrs.rpn_post_nms_top_n
    # fewer survivors than rpn_post_nms_top_n: the list repeats from its start
    idx = np.array([keep[i % len(keep)] for i in range(n)], dtype=np.int64)
    return pred[idx], score[idx]


def _proposal_compute(name, attrs, ins, ctx, multi):
    cls_prob, bbox_pred, im_info = (ctx.backend.to_numpy(a) for a in ins)
    anchors = _base_anchors(attrs.feature_stride, attrs.scales, attrs.ratios)
    A = len(anchors)
    B = cls_prob.shape[0]
    if cls_prob.ndim != 4 or cls_prob.shape[1] != 2 * A or bbox_pred.shape != (B, 4 * A) + cls_prob.shape[2:] \
            or im_info.shape != (B, 3):
        raise MXNetError(f"Operator {name}: expected cls_prob (N, {2 * A}, H, W), bbox_pred (N, {4 * A}, H, W) "
                         f"and im_info (N, 3) for {A} anchors, got {tuple(cls_prob.shape)}, "
                         f"{tuple(bbox_pred.shape)} and {tuple(im_info.shape)}")
    if not multi and B != 1:
        raise MXNetError(f"Operator {name}: handles one image (batch size 1), got {B}; use MultiProposal")
    rois, scores = [], []
    for b in range(B):
        boxes, sc = _proposals_one(attrs, anchors, cls_prob[b, A:], bbox_pred[b], im_info[b])
        rois.append(np.concatenate([np.full((len(boxes), 1), b, np.float32), boxes], axis=1))
        scores.append(sc[:, None])
    xp = ctx.xp
    return xp.asarray(np.concatenate(rois)), xp.asarray(np.concatenate(scores))


def _proposal_zero_grads(attrs, og, ins, outs, ctx, state):
    return [ctx.xp.zeros(a.shape, dtype=a.dtype) for a in ins]


def _proposal_shape(multi):
    def infer(attrs, shapes):
        c = shapes[0]
        if c is None:
            return shapes, [None, None]
        n = attrs.rpn_post_nms_top_n * (c[0] if multi else 1)
        return shapes, [(n, 5), (n, 1)]
    return infer


_proposal_params = (
    Param("rpn_pre_nms_top_n", "int", 6000, "best-scored boxes kept before NMS"),
    Param("rpn_post_nms_top_n", "int", 300, "boxes output per image after NMS"),
    Param("threshold", "float", 0.7, "IoU above which NMS suppresses a box"),
    Param("rpn_min_size", "int", 16, "smallest box side, in image pixels before im_info's scale"),
    Param("scales", "floats", (4.0, 8.0, 16.0, 32.0), "anchor scales"),
    Param("ratios", "floats", (0.5, 1.0, 2.0), "anchor aspect ratios"),
    Param("feature_stride", "int", 16, "image pixels per feature-map cell"),
    Param("output_score", "bool", False, "also output the scores"),
    Param("iou_loss", "bool", False, "bbox_pred holds corner offsets (else centre/size deltas)"))
for _name, _multi in (("_contrib_Proposal", False), ("_contrib_MultiProposal", True)):
    register(_name, lambda attrs, ins, ctx, n=_name, m=_multi: _proposal_compute(n, attrs, ins, ctx, m),
             inputs=("cls_prob", "bbox_pred", "im_info"), params=_proposal_params, num_outputs=2,
             num_visible_outputs=lambda a: 2 if a.output_score else 1,
             backward=_proposal_zero_grads, infer_shape=_proposal_shape(_multi),
             doc="Region proposals of a region proposal network: anchors moved by bbox_pred, clipped "
                 "to the image, the best rpn_pre_nms_top_n by foreground score kept through NMS; rows "
                 "of [batch_index, x1, y1, x2, y2]" + (" for a batch of images." if _multi else "."))
