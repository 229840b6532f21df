"""Operator family contrib_ops: the ``mx.nd.contrib`` (``_contrib_*``) operators of GluonCV-era code:
arange_like, div_sqrt_dim, index_copy, index_array, quadratic, allclose, getnnz, box_iou, box_nms,
bipartite_matching, AdaptiveAvgPooling2D, BilinearResize2D, ROIAlign."""
import numpy as np

from ..base import MXNetError
from ._util import check_alloc_size, norm_axis
from .registry import register, Param


def _zeros_like_inputs(attrs, og, ins, outs, ctx, state):
    return [ctx.xp.zeros(a.shape, dtype=a.dtype) for a in ins]


# -- small elementwise / index helpers ---------------------------------------------------------
def _arange_like_fwd(attrs, ins, ctx):
    x = ins[0]
    if attrs.axis is None:
        shape = x.shape
    else:
        shape = (x.shape[norm_axis(attrs.axis, x.ndim, "_contrib_arange_like")],)
    n = int(np.prod(shape))
    i = ctx.xp.arange(n, dtype=np.float64) // max(attrs.repeat, 1)
    return (attrs.start + attrs.step * i).astype(x.dtype).reshape(shape)


register("_contrib_arange_like", _arange_like_fwd, params=(
    Param("start", "float", 0.0, "first value"),
    Param("step", "float", 1.0, "spacing of the values"),
    Param("repeat", "int", 1, "times each value is repeated"),
    Param("ctx", "str", "", "accepted for compatibility (the output follows data)"),
    Param("axis", "int", None, "take the length of this axis only (else the whole shape)")),
    backward=_zeros_like_inputs,
    doc="A range shaped like data (or like one of its axes), in data's dtype.")


def _div_sqrt_fwd(attrs, ins, ctx):
    x = ins[0]
    return x / x.dtype.type(np.sqrt(x.shape[-1]))


register("_contrib_div_sqrt_dim", _div_sqrt_fwd,
         backward=lambda a, og, ins, outs, ctx, st: [og[0] / ins[0].dtype.type(np.sqrt(ins[0].shape[-1]))],
         doc="data divided by the square root of its last dimension.")


def _quad_fwd(attrs, ins, ctx):
    x = ins[0]
    t = x.dtype.type
    return t(attrs.a) * x * x + t(attrs.b) * x + t(attrs.c)


register("_contrib_quadratic", _quad_fwd, params=(
    Param("a", "float", 0.0, "coefficient of x^2"),
    Param("b", "float", 0.0, "coefficient of x"),
    Param("c", "float", 0.0, "constant term")),
    backward=lambda a, og, ins, outs, ctx, st: [og[0] * (ins[0].dtype.type(2 * a.a) * ins[0]
                                                          + ins[0].dtype.type(a.b))],
    doc="a * data**2 + b * data + c, elementwise.")


def _allclose_fwd(attrs, ins, ctx):
    a, b = ins
    ok = ctx.xp.allclose(a, b, rtol=attrs.rtol, atol=attrs.atol, equal_nan=attrs.equal_nan)
    return ctx.xp.asarray(ok, dtype=np.uint8).reshape(())


register("_contrib_allclose", _allclose_fwd, inputs=("a", "b"), fgradient=False, params=(
    Param("rtol", "float", 1e-5, "relative tolerance"),
    Param("atol", "float", 1e-8, "absolute tolerance"),
    Param("equal_nan", "bool", True, "count NaNs in the same places as equal")),
    infer_type=lambda a, t: (t, [np.dtype(np.uint8)]),
    doc="1 (uint8 scalar) if |a - b| <= atol + rtol * |b| everywhere, else 0.")


def _index_copy_fwd(attrs, ins, ctx):
    old, idx, new = ins
    if idx.ndim != 1 or new.shape != (idx.shape[0],) + old.shape[1:]:
        raise MXNetError(f"Operator _contrib_index_copy: expected index_vector (k,) and new_tensor "
                         f"(k,) + old_tensor.shape[1:], got {tuple(idx.shape)} and {tuple(new.shape)} "
                         f"for old_tensor {tuple(old.shape)}")
    out = old.copy()
    out[idx.astype(np.int64)] = new
    return out


def _index_copy_bwd(attrs, og, ins, outs, ctx, state):
    old, idx, new = ins
    i = idx.astype(np.int64)
    dold = og[0].copy()
    dold[i] = 0
    return [dold, None, og[0][i].astype(new.dtype)]


register("_contrib_index_copy", _index_copy_fwd, inputs=("old_tensor", "index_vector", "new_tensor"),
         backward=_index_copy_bwd,
         doc="Copy of old_tensor with rows index_vector replaced by the rows of new_tensor.")


def _index_array_fwd(attrs, ins, ctx):
    x = ins[0]
    axes = range(x.ndim) if attrs.axes is None else [norm_axis(a, x.ndim, "_contrib_index_array", "axes")
                                                     for a in attrs.axes]
    grids = ctx.xp.indices(x.shape, dtype=np.int64)
    return ctx.xp.stack([grids[a] for a in axes], axis=-1) if x.ndim else ctx.xp.zeros((0,), np.int64)


register("_contrib_index_array", _index_array_fwd, params=(
    Param("axes", "shape", None, "axes whose indices to return (default all)"),),
    backward=_zeros_like_inputs, infer_type=lambda a, t: (t, [np.dtype(np.int64)]),
    doc="For every element of data, its index along the chosen axes (int64, on a new last axis).")


def _getnnz_fwd(attrs, ins, ctx):
    raise MXNetError("Operator _contrib_getnnz: needs a CSR input, and only dense (default) storage "
                     "exists here; MXNet 1.9.1 rejects dense inputs too")


register("_contrib_getnnz", _getnnz_fwd, params=(
    Param("axis", "int", None, "axis to count along (None: all)"),),
    doc="Number of stored values of a CSR matrix (CSR storage is not available: always raises).")


# -- boxes -------------------------------------------------------------------------------------
def _corners(xp, b, fmt):
    if fmt == "corner":
        return b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    x, y, w, h = b[..., 0], b[..., 1], b[..., 2] / 2, b[..., 3] / 2
    return x - w, y - h, x + w, y + h


def _pair_iou(xp, a, b, fmt):
    """IoU of boxes a (..., n, 4) with boxes b (..., m, 4), same leading dims: (..., n, m)."""
    l = [v[..., :, None] for v in _corners(xp, a, fmt)]
    r = [v[..., None, :] for v in _corners(xp, b, fmt)]
    iw = xp.maximum(xp.minimum(l[2], r[2]) - xp.maximum(l[0], r[0]), 0)
    ih = xp.maximum(xp.minimum(l[3], r[3]) - xp.maximum(l[1], r[1]), 0)
    inter = iw * ih
    union = (l[2] - l[0]) * (l[3] - l[1]) + (r[2] - r[0]) * (r[3] - r[1]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.where(union > 0, inter / union, 0)


def _iou(xp, lhs, rhs, fmt):
    """IoU of every lhs box with every rhs box: shape lhs.shape[:-1] + rhs.shape[:-1]."""
    iou = _pair_iou(xp, lhs.reshape(-1, 4), rhs.reshape(-1, 4), fmt)
    return iou.astype(lhs.dtype).reshape(lhs.shape[:-1] + rhs.shape[:-1])


def _box_iou_fwd(attrs, ins, ctx):
    lhs, rhs = ins
    if lhs.shape[-1] != 4 or rhs.shape[-1] != 4:
        raise MXNetError(f"Operator _contrib_box_iou: boxes need 4 values on the last axis, got shapes "
                         f"{tuple(lhs.shape)} and {tuple(rhs.shape)}")
    return _iou(ctx.xp, lhs, rhs, attrs.format)


register("_contrib_box_iou", _box_iou_fwd, inputs=("lhs", "rhs"), params=(
    Param("format", "str", "corner", "corner: (xmin, ymin, xmax, ymax); center: (x, y, w, h)",
          choices=("center", "corner")),),
    backward=_zeros_like_inputs,
    doc="Intersection-over-union of every lhs box with every rhs box.")


def _bipartite_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    if x.ndim < 2:
        raise MXNetError(f"Operator _contrib_bipartite_matching: data must be at least 2-D, got shape "
                         f"{tuple(x.shape)}")
    N, M = x.shape[-2:]
    s = x.reshape(-1, N * M).astype(np.float64)
    B = s.shape[0]
    s = -s if attrs.is_ascend else s
    thr = -attrs.threshold if attrs.is_ascend else attrs.threshold
    rows = xp.full((B, N), -1.0)
    cols = xp.full((B, M), -1.0)
    free = xp.ones((B, N * M), dtype=bool)
    # MXNet stops only once the match count exceeds a positive topk: it keeps topk + 1 matches
    limit = min(N, M) if attrs.topk <= 0 else min(N, M, attrs.topk + 1)
    b = xp.arange(B)
    # greedy: repeatedly take the best free pair of every batch item, one match per round
    for _ in range(limit):
        cand = xp.where(free, s, -np.inf)
        k = cand.argmax(axis=1)
        best = cand[b, k]
        ok = best > thr
        if not ok.any():
            break
        r, c = k // M, k % M
        rows[b[ok], r[ok]] = c[ok]
        cols[b[ok], c[ok]] = r[ok]
        taken = ((xp.arange(N * M)[None] // M == r[:, None]) | (xp.arange(N * M)[None] % M == c[:, None]))
        free &= ~(taken & ok[:, None])
    return rows.astype(x.dtype).reshape(x.shape[:-1]), cols.astype(x.dtype).reshape(x.shape[:-2] + (M,))


register("_contrib_bipartite_matching", _bipartite_fwd, params=(
    Param("is_ascend", "bool", False, "match the smallest scores first"),
    Param("threshold", "float", doc="scores must exceed it (or lie below it when ascending)"),
    Param("topk", "int", -1, "stop after topk + 1 matches (as MXNet does) when positive")),
    num_outputs=2, backward=_zeros_like_inputs,
    doc="Greedy bipartite matching of a (..., N, M) score matrix: the column matched to each row and "
        "the row matched to each column (-1 where none).")


# -- AdaptiveAvgPooling2D / BilinearResize2D (separable: out = Ry @ x @ Rx^T) ------------------
def _separable(xp, x, ry, rx):
    return xp.einsum("oh,nchw,pw->ncop", ry, x, rx, optimize=True)


def _separable_bwd(xp, g, ry, rx):
    return xp.einsum("oh,ncop,pw->nchw", ry, g, rx, optimize=True)


def _adaptive_matrix(xp, n, o, dtype):
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    j = np.arange(n)
    m = ((j[None] >= start[:, None]) & (j[None] < end[:, None])) / (end - start)[:, None]
    return xp.asarray(m.astype(dtype))


def _checked_hw(opname, x, h, w):
    """An output height and width, refused before the (o, n) interpolation matrices and the
    output are allocated when past MXNet's size limit."""
    if h < 0 or w < 0:
        raise MXNetError(f"Operator {opname}: the output size ({h}, {w}) must not be negative")
    check_alloc_size(opname, tuple(x.shape[:2]) + (h, w))
    check_alloc_size(opname, (h, x.shape[2]))
    check_alloc_size(opname, (w, x.shape[3]))
    return h, w


def _adaptive_size(attrs, x):
    if x.ndim != 4:
        raise MXNetError(f"Operator _contrib_AdaptiveAvgPooling2D: data must be 4-D (N, C, H, W), got "
                         f"{tuple(x.shape)}")
    s = attrs.output_size
    if not s:
        return 1, 1
    h, w = (s[0], s[0]) if len(s) == 1 else (s[0], s[1])
    return _checked_hw("_contrib_AdaptiveAvgPooling2D", x, h, w)


def _adaptive_mats(attrs, x, xp):
    oh, ow = _adaptive_size(attrs, x)
    return _adaptive_matrix(xp, x.shape[2], oh, x.dtype), _adaptive_matrix(xp, x.shape[3], ow, x.dtype)


register("_contrib_AdaptiveAvgPooling2D",
         lambda attrs, ins, ctx: _separable(ctx.xp, ins[0], *_adaptive_mats(attrs, ins[0], ctx.xp)),
         params=(Param("output_size", "shape", (), "(h, w) or (size,) of the output; default 1"),),
         backward=lambda a, og, ins, outs, ctx, st: [_separable_bwd(ctx.xp, og[0], *_adaptive_mats(a, ins[0], ctx.xp))],
         doc="Average pooling of NCHW data to a fixed output size, bins as evenly spread as possible.")


def _resize_out(attrs, ins):
    h, w = _resize_hw(attrs, ins)
    return _checked_hw("_contrib_BilinearResize2D", ins[0], h, w)


def _resize_hw(attrs, ins):
    x = ins[0]
    if x.ndim != 4:
        raise MXNetError(f"Operator _contrib_BilinearResize2D: data must be 4-D (N, C, H, W), got "
                         f"{tuple(x.shape)}")
    H, W = x.shape[2:]
    mode = attrs.mode
    if mode == "like":
        if len(ins) < 2:
            raise MXNetError("Operator _contrib_BilinearResize2D: mode 'like' needs the input 'like'")
        return tuple(ins[1].shape[2:4])
    if mode == "size":
        h = int(H * attrs.scale_height) if attrs.scale_height is not None else attrs.height
        w = int(W * attrs.scale_width) if attrs.scale_width is not None else attrs.width
        return h, w
    if mode == "odd_scale":
        if attrs.scale_height is None or attrs.scale_width is None:
            raise MXNetError("Operator _contrib_BilinearResize2D: mode 'odd_scale' needs scale_height and "
                             "scale_width")
        return tuple(int((n - 1) * s) + 1 if n % 2 else int(n * s)
                     for n, s in ((H, attrs.scale_height), (W, attrs.scale_width)))
    want_odd = mode.startswith("to_odd")
    step = 1 if mode.endswith("up") else -1
    return tuple(n if (n % 2 == 1) == want_odd else n + step for n in (H, W))


def _resize_matrix(n, o, align, dtype):
    i = np.arange(o, dtype=np.float64)
    if align:
        src = i * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
    else:
        src = np.maximum((i + 0.5) * (n / o) - 0.5, 0)
    lo = np.minimum(np.floor(src).astype(np.int64), n - 1)
    hi = np.minimum(lo + 1, n - 1)
    f = src - lo
    m = np.zeros((o, n))
    np.add.at(m, (np.arange(o), lo), 1 - f)
    np.add.at(m, (np.arange(o), hi), f)
    return m.astype(dtype)


def _resize_mats(attrs, ins, xp):
    oh, ow = _resize_out(attrs, ins)
    if oh <= 0 or ow <= 0:
        raise MXNetError(f"Operator _contrib_BilinearResize2D: output size must be positive, got {(oh, ow)}")
    x = ins[0]
    return (xp.asarray(_resize_matrix(x.shape[2], oh, attrs.align_corners, x.dtype)),
            xp.asarray(_resize_matrix(x.shape[3], ow, attrs.align_corners, x.dtype)))


def _resize_bwd(attrs, og, ins, outs, ctx, state):
    res = [_separable_bwd(ctx.xp, og[0], *_resize_mats(attrs, ins, ctx.xp))]
    return res + [ctx.xp.zeros(a.shape, dtype=a.dtype) for a in ins[1:]]


register("_contrib_BilinearResize2D",
         lambda attrs, ins, ctx: _separable(ctx.xp, ins[0], *_resize_mats(attrs, ins, ctx.xp)),
         inputs=("data", "like"), params=(
             Param("height", "int", 1, "output height (mode 'size' without scale_height)"),
             Param("width", "int", 1, "output width (mode 'size' without scale_width)"),
             Param("scale_height", "float", None, "output height as a multiple of the input's"),
             Param("scale_width", "float", None, "output width as a multiple of the input's"),
             Param("mode", "str", "size", "how the output size is chosen",
                   choices=("like", "odd_scale", "size", "to_even_down", "to_even_up", "to_odd_down",
                            "to_odd_up")),
             Param("align_corners", "bool", True, "map corner pixels onto corner pixels")),
         backward=_resize_bwd, input_filter=lambda a, n: n if a.mode == "like" else ["data"],
         doc="Bilinear resize of NCHW data to a size given by height/width, scales, a mode, or the "
             "'like' input.")


# -- box_nms -----------------------------------------------------------------------------------
def _nms_check(attrs, x):
    K = x.shape[-1] if x.ndim else 0
    if x.ndim < 2 or attrs.coord_start + 4 > K or attrs.score_index >= K or attrs.id_index >= K:
        raise MXNetError(f"Operator _contrib_box_nms: data must be (..., num_boxes, k) holding the score at "
                         f"score_index={attrs.score_index}, the class at id_index={attrs.id_index} and 4 "
                         f"coordinates from coord_start={attrs.coord_start}; got shape {tuple(x.shape)}")


def _nms_keep(xp, boxes, cls, thresh, fmt):
    """Greedy NMS over candidates already in descending score order: the kept positions.

    ``cls`` (or None) limits suppression to boxes of the same class. Memory stays O(K * block)
    rather than O(K^2), since detection heads hand over tens of thousands of candidates."""
    K = boxes.shape[0]
    alive = np.ones(K, dtype=bool)
    block = 256
    for start in range(0, K, block):
        stop = min(start + block, K)
        # suppression among this block's leaders and everything after them
        iou = _pair_iou(xp, boxes[start:stop], boxes[start:], fmt)
        over = iou > thresh
        if cls is not None:
            over &= cls[start:stop, None] == cls[None, start:]
        over = over.get() if hasattr(over, "get") else np.asarray(over)
        for i in range(stop - start):
            if alive[start + i]:
                row = over[i, i + 1:]
                alive[start + i + 1:] &= ~row
    return np.nonzero(alive)[0]


def _nms_order(attrs, xp, x):
    """(B, N) source row of each output row (-1 for the rows padded with -1)."""
    B, N = int(np.prod(x.shape[:-2])), x.shape[-2]
    d = x.reshape(B, N, x.shape[-1])
    score = d[:, :, attrs.score_index]
    valid = score > attrs.valid_thresh
    classed = attrs.id_index >= 0
    if classed:     # boxes of the background class drop out (by default those of class -1)
        valid &= d[:, :, attrs.id_index] != attrs.background_id
    order = xp.argsort(xp.where(valid, -score, np.inf), axis=1, kind="stable")
    counts = valid.sum(axis=1)
    counts = counts.get() if hasattr(counts, "get") else np.asarray(counts)
    src = np.full((B, N), -1, dtype=np.int64)
    for b in range(B):
        k = int(counts[b]) if attrs.topk <= 0 else min(int(counts[b]), attrs.topk)
        cand = order[b, :k]
        boxes = d[b, cand, attrs.coord_start:attrs.coord_start + 4]
        cls = d[b, cand, attrs.id_index] if classed and not attrs.force_suppress else None
        kept = _nms_keep(xp, boxes, cls, attrs.overlap_thresh, attrs.in_format)
        cand = cand.get() if hasattr(cand, "get") else np.asarray(cand)
        src[b, :len(kept)] = cand[kept]
    return xp.asarray(src)


def _nms_convert(attrs, xp, out):
    if attrs.in_format == attrs.out_format:
        return out
    s = attrs.coord_start
    a, b, c, e = (out[..., s + i].copy() for i in range(4))
    if attrs.out_format == "center":
        out[..., s:s + 4] = xp.stack([(a + c) / 2, (b + e) / 2, c - a, e - b], axis=-1)
    else:
        out[..., s:s + 4] = xp.stack([a - c / 2, b - e / 2, a + c / 2, b + e / 2], axis=-1)
    return out


def _nms_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    _nms_check(attrs, x)
    B, N, K = int(np.prod(x.shape[:-2])), x.shape[-2], x.shape[-1]
    src = _nms_order(attrs, xp, x)
    d = x.reshape(B, N, K)
    out = d[xp.arange(B)[:, None], xp.maximum(src, 0)]
    out = _nms_convert(attrs, xp, out)
    out[src < 0] = -1
    return out.reshape(x.shape), src


def _nms_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x = ins[0]
    B, N, K = int(np.prod(x.shape[:-2])), x.shape[-2], x.shape[-1]
    src = state
    g = og[0].reshape(B, N, K)
    dx = xp.zeros((B, N, K), dtype=x.dtype)
    keep = src >= 0
    bi = xp.broadcast_to(xp.arange(B)[:, None], src.shape)
    dx[bi[keep], src[keep]] = g[keep]
    return [dx.reshape(x.shape)]


register("_contrib_box_nms", _nms_fwd, params=(
    Param("overlap_thresh", "float", 0.5, "IoU above which the lower-scored box is removed"),
    Param("valid_thresh", "float", 0.0, "boxes must score above it"),
    Param("topk", "int", -1, "keep only the topk best-scored candidates (all if -1)"),
    Param("coord_start", "int", 2, "index of the first of the 4 coordinates"),
    Param("score_index", "int", 1, "index of the score"),
    Param("id_index", "int", -1, "index of the class id (-1: no classes, every box competes)"),
    Param("background_id", "int", -1, "class id dropped as background (-1: none)"),
    Param("force_suppress", "bool", False, "suppress across classes too"),
    Param("in_format", "str", "corner", "box format of the input", choices=("center", "corner")),
    Param("out_format", "str", "corner", "box format of the output", choices=("center", "corner"))),
    backward=_nms_bwd, save_state=True, aliases=("_contrib_box_non_maximum_suppression",),
    doc="Greedy non-maximum suppression: the kept boxes sorted by descending score, the other rows "
        "set to -1; gradients flow back to the kept boxes' rows.")


# -- ROIAlign (separable: each pooled cell averages bilinear samples along y times along x) -----
def _align_axis(xp, start, size, n_bins, ratio, extent):
    """(R, n_bins, extent) weights: the mean over a bin's samples of their bilinear weights."""
    R = start.shape[0]
    bin_sz = size / n_bins
    grid = xp.full(R, float(ratio)) if ratio > 0 else xp.maximum(xp.ceil(size / n_bins), 1)
    G = int(grid.max()) if R else 1
    i = xp.arange(n_bins)[None, :, None]
    k = xp.arange(G)[None, None, :]
    pos = start[:, None, None] + i * bin_sz[:, None, None] + (k + 0.5) * (bin_sz / grid)[:, None, None]
    use = (k < grid[:, None, None]) & (pos >= -1) & (pos <= extent)
    pos = xp.maximum(pos, 0)
    low = xp.floor(pos).astype(np.int64)
    top = low >= extent - 1
    low = xp.where(top, extent - 1, low)
    high = xp.where(top, extent - 1, low + 1)
    frac = xp.where(top, 0.0, pos - low)
    cells = xp.arange(extent)[None, None, None, :]
    w = (((low[..., None] == cells) * (1 - frac)[..., None] + (high[..., None] == cells) * frac[..., None])
         * use[..., None])
    return w.sum(axis=2) / grid[:, None, None]


def _align_setup(attrs, xp, data, rois):
    if data.ndim != 4 or rois.ndim != 2 or rois.shape[1] != 5:
        raise MXNetError(f"Operator _contrib_ROIAlign: expected data (N, C, H, W) and rois (R, 5), got "
                         f"{tuple(data.shape)} and {tuple(rois.shape)}")
    ph, pw = attrs.pooled_size
    N, C, H, W = data.shape
    if attrs.position_sensitive and C % (ph * pw):
        raise MXNetError(f"Operator _contrib_ROIAlign: position_sensitive needs channels ({C}) divisible by "
                         f"pooled_h * pooled_w ({ph * pw})")
    r = rois.astype(np.float64)
    off = 0.5 if attrs.aligned else 0.0
    x1, y1, x2, y2 = (r[:, i] * attrs.spatial_scale - off for i in range(1, 5))
    rw, rh = x2 - x1, y2 - y1
    if not attrs.aligned:
        rw, rh = xp.maximum(rw, 1.0), xp.maximum(rh, 1.0)
    ay = _align_axis(xp, y1, rh, ph, attrs.sample_ratio, H).astype(data.dtype)
    ax = _align_axis(xp, x1, rw, pw, attrs.sample_ratio, W).astype(data.dtype)
    bidx = r[:, 0].astype(np.int64)
    # rois with a negative batch index give zeros
    ok = ((bidx >= 0) & (bidx < N)).astype(data.dtype)
    return ay * ok[:, None, None], ax, xp.clip(bidx, 0, N - 1)


def _ps_index(xp, attrs, C):
    ph, pw = attrs.pooled_size
    co = C // (ph * pw)
    return (xp.arange(co)[:, None, None] * ph * pw + xp.arange(ph)[None, :, None] * pw
            + xp.arange(pw)[None, None, :])


def _align_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data, rois = ins
    ay, ax, bidx = _align_setup(attrs, xp, data, rois)
    full = xp.einsum("rih,rchw,rjw->rcij", ay, data[bidx], ax, optimize=True)
    if not attrs.position_sensitive:
        return full
    ph, pw = attrs.pooled_size
    idx = _ps_index(xp, attrs, data.shape[1])
    return full[:, idx, xp.arange(ph)[None, :, None], xp.arange(pw)[None, None, :]]


def _align_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    data, rois = ins
    ay, ax, bidx = _align_setup(attrs, xp, data, rois)
    g = og[0]
    if attrs.position_sensitive:
        ph, pw = attrs.pooled_size
        gf = xp.zeros((g.shape[0], data.shape[1], ph, pw), dtype=g.dtype)
        gf[:, _ps_index(xp, attrs, data.shape[1]), xp.arange(ph)[None, :, None], xp.arange(pw)[None, None, :]] = g
        g = gf
    per_roi = xp.einsum("rih,rcij,rjw->rchw", ay, g, ax, optimize=True)
    ddata = xp.zeros(data.shape, dtype=data.dtype)
    xp.add.at(ddata, bidx, per_roi)
    return [ddata, xp.zeros(rois.shape, dtype=rois.dtype)]


def _align_shape(attrs, shapes):
    d, r = shapes
    if d is None or r is None:
        return shapes, [None]
    ph, pw = attrs.pooled_size
    c = d[1] // (ph * pw) if attrs.position_sensitive else d[1]
    return shapes, [(r[0], c, ph, pw)]


register("_contrib_ROIAlign", _align_fwd, inputs=("data", "rois"), params=(
    Param("pooled_size", "shape", doc="(h, w) of each pooled region"),
    Param("spatial_scale", "float", doc="scale from the rois' image coordinates to the feature map"),
    Param("sample_ratio", "int", -1, "bilinear samples per bin side (adaptive when <= 0)"),
    Param("position_sensitive", "bool", False, "take each pooled cell from its own channel group"),
    Param("aligned", "bool", False, "shift the rois by half a pixel (pixel-centre model)")),
    backward=_align_bwd, infer_shape=_align_shape,
    doc="Average of bilinear samples over each cell of each region of interest (rows of "
        "[batch_index, x1, y1, x2, y2]) on a pooled_size grid.")
