"""Operator family contrib_detection: the SSD operators ``_contrib_MultiBoxPrior``,
``_contrib_MultiBoxTarget`` and ``_contrib_MultiBoxDetection`` (anchor generation, training-target
assignment and box decoding with NMS).  Boxes are ``(xmin, ymin, xmax, ymax)`` in [0, 1] units."""

import numpy as np

from ..base import MXNetError
from .registry import register, Param


def _zero_grads(attrs, og, ins, outs, ctx, state):
    return [ctx.xp.zeros(a.shape, dtype=a.dtype) for a in ins]


# -- MultiBoxPrior ------------------------------------------------------------------------------
def _prior_fwd(attrs, ins, ctx):
    x = ins[0]
    if x.ndim != 4:
        raise MXNetError(
            f"Operator _contrib_MultiBoxPrior: data must be 4-D (N, C, H, W), got shape {x.shape}"
        )
    h, w = x.shape[2], x.shape[3]
    sizes, ratios = list(attrs.sizes), list(attrs.ratios)
    if not sizes or not ratios:
        raise MXNetError("Operator _contrib_MultiBoxPrior: sizes and ratios must not be empty")
    step_y, step_x = attrs.steps
    step_y = 1.0 / h if step_y <= 0 else step_y
    step_x = 1.0 / w if step_x <= 0 else step_x
    off_y, off_x = attrs.offsets
    f32 = np.float32
    # per-anchor half widths/heights: every size with the first ratio, then the first size with
    # the other ratios (MXNet's order), computed in float32 as the reference kernel does
    sr = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    s = np.array([p[0] for p in sr], f32)
    r = np.sqrt(np.array([p[1] for p in sr], f32))
    half_w = s * f32(h) / f32(w) * r / f32(2)
    half_h = s / r / f32(2)
    cy = ((np.arange(h, dtype=f32) + f32(off_y)) * f32(step_y))[:, None, None]
    cx = ((np.arange(w, dtype=f32) + f32(off_x)) * f32(step_x))[None, :, None]
    cy, cx = np.broadcast_arrays(cy, cx)
    cy = np.broadcast_to(cy, (h, w, len(sr)))
    cx = np.broadcast_to(cx, (h, w, len(sr)))
    out = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=-1).reshape(1, -1, 4)
    if attrs.clip:
        out = np.clip(out, 0, 1)
    return ctx.xp.asarray(out.astype(x.dtype))


register(
    "_contrib_MultiBoxPrior",
    _prior_fwd,
    params=(
        Param("sizes", "floats", (1.0,), "anchor sizes relative to the image"),
        Param("ratios", "floats", (1.0,), "anchor width/height ratios"),
        Param("clip", "bool", False, "clip the boxes to [0, 1]"),
        Param("steps", "floats", (-1.0, -1.0), "(y, x) step between centres; -1 means 1 / feature size"),
        Param("offsets", "floats", (0.5, 0.5), "(y, x) offset of the first centre, in steps"),
    ),
    backward=_zero_grads,
    doc="Anchor boxes for every position of data's feature map, shape (1, H*W*A, 4).",
)


# -- shared box helpers -------------------------------------------------------------------------
def _iou(a, b):
    """IoU matrix between boxes a (N, 4) and b (M, 4)."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0)


# -- MultiBoxTarget -----------------------------------------------------------------------------
def _match(anchors, gts, cls_pred, attrs):
    """Anchor flags (1 positive, 0 negative, -1 ignored) and the matched ground truth of each."""
    n = anchors.shape[0]
    flags = -np.ones(n, np.int64)
    best_iou = -np.ones(n, np.float64)
    best_gt = -np.ones(n, np.int64)
    if gts.shape[0] == 0:
        return flags, best_gt
    ov = _iou(anchors, gts)
    # greedy bipartite matching: each ground truth takes its best still-free anchor, best pair first
    free = ov.copy()
    for _ in range(gts.shape[0]):
        j, k = np.unravel_index(np.argmax(free), free.shape)
        if free[j, k] <= 1e-6:
            break
        flags[j], best_iou[j], best_gt[j] = 1, free[j, k], k
        free[j, :] = -1
        free[:, k] = -1
    num_pos = int((flags == 1).sum())
    rest = flags != 1
    if attrs.overlap_threshold > 0:
        k = np.argmax(ov, axis=1)
        m = ov[np.arange(n), k]
        better = rest & (m > best_iou)
        best_iou = np.where(better, m, best_iou)
        best_gt = np.where(better, k, best_gt)
        good = rest & (best_iou > attrs.overlap_threshold)
        flags[good] = 1
        num_pos += int(good.sum())
    if attrs.negative_mining_ratio > 0:
        num_neg = int(num_pos * attrs.negative_mining_ratio)
        num_neg = max(num_neg, attrs.minimum_negative_samples)
        num_neg = min(num_neg, n - num_pos)
        if num_neg > 0:
            cand = np.nonzero((flags != 1) & (best_iou < attrs.negative_mining_thresh))[0]
            logits = cls_pred[:, cand].astype(np.float32)
            e = np.exp(logits - logits.max(axis=0))
            bg_prob = e[0] / e.sum(axis=0)
            # hardest negatives first: lowest background probability
            order = cand[np.argsort(bg_prob, kind="stable")]
            flags[order[:num_neg]] = 0
    else:
        flags[flags != 1] = 0
    return flags, best_gt


def _target_fwd(attrs, ins, ctx):
    anchor, label, cls_pred = (np.asarray(a) for a in ins)
    if anchor.ndim != 3 or label.ndim != 3 or cls_pred.ndim != 3 or label.shape[2] < 5:
        raise MXNetError(
            "Operator _contrib_MultiBoxTarget: expected anchor (1, N, 4), label (B, M, >=5) "
            f"and cls_pred (B, C, N), got {anchor.shape}, {label.shape}, {cls_pred.shape}"
        )
    anchors = anchor.reshape(-1, 4).astype(np.float32)
    n = anchors.shape[0]
    b = label.shape[0]
    vx, vy, vw, vh = (np.float32(v) for v in attrs.variances)
    loc_t = np.zeros((b, n, 4), np.float32)
    loc_m = np.zeros((b, n, 4), np.float32)
    cls_t = np.full((b, n), attrs.ignore_label, np.float32)
    aw = anchors[:, 2] - anchors[:, 0]
    ah = anchors[:, 3] - anchors[:, 1]
    ax = (anchors[:, 0] + anchors[:, 2]) / 2
    ay = (anchors[:, 1] + anchors[:, 3]) / 2
    for i in range(b):  # per image: the greedy matching is sequential in the ground truths
        lab = label[i].astype(np.float32)
        invalid = np.nonzero(lab[:, 0] == -1)[0]
        lab = lab[: invalid[0]] if invalid.size else lab
        flags, gt = _match(anchors, lab[:, 1:5], cls_pred[i], attrs)
        pos = flags == 1
        g = lab[gt[pos], 1:5]
        gw = g[:, 2] - g[:, 0]
        gh = g[:, 3] - g[:, 1]
        gx = (g[:, 0] + g[:, 2]) / 2
        gy = (g[:, 1] + g[:, 3]) / 2
        loc_t[i, pos] = np.stack(
            [
                (gx - ax[pos]) / aw[pos] / vx,
                (gy - ay[pos]) / ah[pos] / vy,
                np.log(gw / aw[pos]) / vw,
                np.log(gh / ah[pos]) / vh,
            ],
            axis=1,
        )
        loc_m[i, pos] = 1
        cls_t[i, pos] = lab[gt[pos], 0] + 1
        cls_t[i, flags == 0] = 0
    dt = cls_pred.dtype
    xp = ctx.xp
    return (
        xp.asarray(loc_t.reshape(b, -1).astype(dt)),
        xp.asarray(loc_m.reshape(b, -1).astype(dt)),
        xp.asarray(cls_t.astype(dt)),
    )


register(
    "_contrib_MultiBoxTarget",
    _target_fwd,
    inputs=("anchor", "label", "cls_pred"),
    params=(
        Param("overlap_threshold", "float", 0.5, "IoU above which an anchor is matched"),
        Param("ignore_label", "float", -1.0, "class target of ignored anchors"),
        Param("negative_mining_ratio", "float", -1.0, "negatives per positive (<= 0: no mining)"),
        Param("negative_mining_thresh", "float", 0.5, "IoU below which an anchor may be a negative"),
        Param("minimum_negative_samples", "int", 0, "least number of negatives"),
        Param("variances", "floats", (0.1, 0.1, 0.2, 0.2), "box encoding variances"),
    ),
    num_outputs=3,
    output_names=("loc_target", "loc_mask", "cls_target"),
    backward=_zero_grads,
    differentiable=False,
    doc="SSD training targets: (loc_target (B, 4N), loc_mask (B, 4N), cls_target (B, N)).",
)


# -- MultiBoxDetection --------------------------------------------------------------------------
def _nms(rows, nkeep, thresh, force):
    """Suppress (id := -1) boxes of rows[:nkeep] overlapping a better kept box of the same class."""
    if nkeep < 2:
        return
    ov = _iou(rows[:nkeep, 2:6], rows[:nkeep, 2:6])
    same = np.ones((nkeep, nkeep), bool) if force else rows[:nkeep, 0][:, None] == rows[:nkeep, 0][None, :]
    hit = (ov >= thresh) & same
    for i in range(nkeep):  # sequential by score: a suppressed box suppresses nothing
        if rows[i, 0] < 0:
            continue
        kill = hit[i, i + 1 :] & (rows[i + 1 : nkeep, 0] >= 0)
        rows[i + 1 : nkeep, 0][kill] = -1


def _detect_fwd(attrs, ins, ctx):
    cls_prob, loc_pred, anchor = (np.asarray(a) for a in ins)
    if cls_prob.ndim != 3 or loc_pred.ndim != 2 or anchor.ndim != 3:
        raise MXNetError(
            "Operator _contrib_MultiBoxDetection: expected cls_prob (B, C, N), loc_pred (B, 4N) "
            f"and anchor (1, N, 4), got {cls_prob.shape}, {loc_pred.shape}, {anchor.shape}"
        )
    b, c, n = cls_prob.shape
    if loc_pred.shape[1] != 4 * n or anchor.size != 4 * n:
        raise MXNetError(
            f"Operator _contrib_MultiBoxDetection: {n} anchors need loc_pred (B, {4 * n}) and "
            f"anchor (1, {n}, 4), got {loc_pred.shape} and {anchor.shape}"
        )
    f32 = np.float32
    a = anchor.reshape(n, 4).astype(f32)
    aw, ah = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    ax, ay = (a[:, 0] + a[:, 2]) / 2, (a[:, 1] + a[:, 3]) / 2
    vx, vy, vw, vh = (f32(v) for v in attrs.variances)
    p = loc_pred.reshape(b, n, 4).astype(f32)
    ox = p[..., 0] * vx * aw + ax
    oy = p[..., 1] * vy * ah + ay
    ow = np.exp(p[..., 2] * vw) * aw / 2
    oh = np.exp(p[..., 3] * vh) * ah / 2
    boxes = np.stack([ox - ow, oy - oh, ox + ow, oy + oh], axis=-1)
    if attrs.clip:
        boxes = np.clip(boxes, 0, 1)
    # class 0 is always the background here (MXNet 1.9 ignores background_id in this kernel)
    fg = cls_prob[:, 1:, :].astype(f32)
    cid = np.argmax(fg, axis=1)
    score = np.take_along_axis(fg, cid[:, None, :], axis=1)[:, 0]
    out = np.full((b, n, 6), -1, f32)
    for i in range(b):
        valid = np.nonzero(score[i] >= attrs.threshold)[0]
        k = valid.size
        rows = np.concatenate(
            [cid[i, valid, None].astype(f32), score[i, valid, None], boxes[i, valid]], axis=1
        )
        out[i, :k] = rows
        if k < 1 or attrs.nms_threshold <= 0 or attrs.nms_threshold > 1:
            continue
        order = np.argsort(-rows[:, 1], kind="stable")
        nkeep = attrs.nms_topk if 0 < attrs.nms_topk < k else k
        out[i, :nkeep] = rows[order[:nkeep]]
        out[i, nkeep:k, 0] = -1  # beyond nms_topk: dropped, other fields left as they were
        _nms(out[i], nkeep, attrs.nms_threshold, attrs.force_suppress)
    return ctx.xp.asarray(out.astype(cls_prob.dtype))


register(
    "_contrib_MultiBoxDetection",
    _detect_fwd,
    inputs=("cls_prob", "loc_pred", "anchor"),
    params=(
        Param("clip", "bool", True, "clip the boxes to [0, 1]"),
        Param("threshold", "float", 0.01, "least score of a detection"),
        Param("background_id", "int", 0, "accepted; class 0 is the background, as in MXNet 1.9"),
        Param("nms_threshold", "float", 0.5, "IoU at which NMS suppresses a box"),
        Param("force_suppress", "bool", False, "suppress across classes too"),
        Param("variances", "floats", (0.1, 0.1, 0.2, 0.2), "box decoding variances"),
        Param("nms_topk", "int", -1, "keep this many best boxes before NMS (-1: all)"),
    ),
    backward=_zero_grads,
    differentiable=False,
    doc="Decode SSD predictions into (B, N, 6) rows [class, score, xmin, ymin, xmax, ymax]; -1 marks none.",
)
