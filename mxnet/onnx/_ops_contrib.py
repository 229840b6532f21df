"""ONNX converters of the contrib operators that models use: the fused attention products of
GluonNLP's BERT and transformer, ROIAlign of two-stage detectors, and the box decoding and
non-maximum suppression of GluonCV's and MXNet's single-stage detectors."""
import numpy as np

from ..base import MXNetError
from ._registry import converter

_BIG = 2 ** 62      # an end index past any axis


def _heads_first(g, x, heads, parts, index):
    """From (T, N, heads * parts * d) interleaved as (T, N, heads, parts, d), part ``index``
    as (N, heads, T, d)."""
    x = g.add("Reshape", [x, g.ints([0, 0, heads, parts, -1])])
    x = g.squeeze(g.slice(x, [index], [index + 1], [3]), [3])
    return g.add("Transpose", [x], perm=[1, 2, 0, 3])


def _scaled(g, q, ref, heads, parts):
    d = g.concrete_shape(ref)[2] // (heads * parts)
    return g.add("Div", [q, g.scalar(np.sqrt(d), ref)])


def _merge_heads(g, node, att, ins):
    """(N, heads, Tq, Tk) scores as MXNet's (N * heads, Tq, Tk)."""
    return g.add("Reshape", [att, g.shape_tensor(g.out_shapes[0], ins, allow_infer=True)])


def _split_heads(g, att, heads):
    """(N * heads, Tq, Tk) attention weights as (N, heads, Tq, Tk)."""
    tail = g.slice(g.add("Shape", [att]), [1], [3], [0])
    return g.add("Reshape", [att, g.add("Concat", [g.ints([-1, heads]), tail], axis=0)])


def _to_time_major(g, y):
    """(N, heads, T, d) -> (T, N, heads * d)."""
    y = g.add("Transpose", [y], perm=[2, 0, 1, 3])
    return g.add("Reshape", [y, g.ints([0, 0, -1])])


def _scores(g, node, ins, q, k):
    """Scores of (N, heads, Tq, d) queries against (N, heads, Tk, d) keys, as MXNet's
    (N * heads, Tq, Tk)."""
    return _merge_heads(g, node, g.add("MatMul", [q, g.add("Transpose", [k], perm=[0, 1, 3, 2])]), ins)


@converter("_contrib_interleaved_matmul_selfatt_qk")
def _selfatt_qk(g, node, ins, a):
    qkv = ins[0]
    q = _scaled(g, _heads_first(g, qkv, a.heads, 3, 0), qkv, a.heads, 3)
    return _scores(g, node, ins, q, _heads_first(g, qkv, a.heads, 3, 1))


@converter("_contrib_interleaved_matmul_encdec_qk")
def _encdec_qk(g, node, ins, a):
    queries, kv = ins
    q = g.add("Reshape", [queries, g.ints([0, 0, a.heads, -1])])
    q = _scaled(g, g.add("Transpose", [q], perm=[1, 2, 0, 3]), queries, a.heads, 1)
    return _scores(g, node, ins, q, _heads_first(g, kv, a.heads, 2, 0))


@converter("_contrib_interleaved_matmul_selfatt_valatt", "_contrib_interleaved_matmul_encdec_valatt")
def _valatt(g, node, ins, a):
    """Attention weights times each head's values: the last of the 3 (self-attention) or 2
    (encoder-decoder keys and values) packed parts."""
    x, att = ins
    parts = 3 if node.op.name == "_contrib_interleaved_matmul_selfatt_valatt" else 2
    v = _heads_first(g, x, a.heads, parts, parts - 1)
    return _to_time_major(g, g.add("MatMul", [_split_heads(g, att, a.heads), v]))


@converter("_contrib_ROIAlign")
def _roi_align(g, node, ins, a):
    x, rois = ins
    if a.position_sensitive:
        raise MXNetError(f"ONNX export: _contrib_ROIAlign '{node.name}': position_sensitive has no ONNX form")
    if g.opset < 16 and a.aligned:
        raise MXNetError(f"ONNX export: _contrib_ROIAlign '{node.name}': aligned=True needs opset 16")
    idx = g.cast(g.squeeze(g.slice(rois, [0], [1], [1]), [1]), np.int64)
    boxes = g.slice(rois, [1], [5], [1])
    kw = dict(output_height=a.pooled_size[0], output_width=a.pooled_size[1],
              spatial_scale=float(a.spatial_scale), sampling_ratio=max(a.sample_ratio, 0), mode="avg")
    if g.opset >= 16:
        kw["coordinate_transformation_mode"] = "half_pixel" if a.aligned else "output_half_pixel"
    return g.add("RoiAlign", [x, boxes, idx], **kw)


def _column(g, x, i):
    """x[..., i] of a rank-3 tensor, as (B, N)."""
    return g.squeeze(g.slice(x, [i], [i + 1], [2]), [2])


@converter("_contrib_box_decode")
def _box_decode(g, node, ins, a):
    data, anchors = ins
    c = [_column(g, anchors, i) for i in range(4)]
    if a.format == "corner":
        aw, ah = g.add("Sub", [c[2], c[0]]), g.add("Sub", [c[3], c[1]])
        half = g.scalar(0.5, data)
        ax = g.add("Add", [c[0], g.add("Mul", [aw, half])])
        ay = g.add("Add", [c[1], g.add("Mul", [ah, half])])
    else:
        ax, ay, aw, ah = c
    d = [_column(g, data, i) for i in range(4)]

    def scaled(t, std):
        return g.add("Mul", [t, g.scalar(std, data)])
    x = g.add("Add", [g.add("Mul", [scaled(d[0], a.std0), aw]), ax])
    y = g.add("Add", [g.add("Mul", [scaled(d[1], a.std1), ah]), ay])
    dw, dh = scaled(d[2], a.std2), scaled(d[3], a.std3)
    if a.clip > 0:
        dw = g.add("Min", [dw, g.scalar(a.clip, data)])
        dh = g.add("Min", [dh, g.scalar(a.clip, data)])
    half = g.scalar(0.5, data)
    hw = g.add("Mul", [g.add("Mul", [g.add("Exp", [dw]), aw]), half])
    hh = g.add("Mul", [g.add("Mul", [g.add("Exp", [dh]), ah]), half])
    cols = [g.add("Sub", [x, hw]), g.add("Sub", [y, hh]), g.add("Add", [x, hw]), g.add("Add", [y, hh])]
    return g.add("Concat", [g.unsqueeze(t, [2]) for t in cols], axis=2)


def _rows(g, x, idx, K):
    """Rows ``idx`` (B, k) of x (B, N, K) -> (B, k, K)."""
    shape = g.add("Concat", [g.add("Shape", [idx]), g.ints([K])], axis=0)
    return g.add("GatherElements", [x, g.add("Expand", [g.unsqueeze(idx, [2]), shape])], axis=1)


@converter("_contrib_box_nms")
def _box_nms(g, node, ins, a):
    """MXNet's box_nms: valid boxes (score above valid_thresh, not the background class), the
    best ``topk`` of them, greedy suppression (per class unless force_suppress), kept rows first
    in score order and -1 rows after.  Per-class suppression uses ONNX's single-class
    NonMaxSuppression on boxes shifted apart by class id."""
    if a.in_format != a.out_format:
        raise MXNetError(f"ONNX export: _contrib_box_nms '{node.name}': in_format and out_format must agree")
    x = ins[0]
    shape = g.concrete_shape(x)
    N, K = shape[-2], shape[-1]
    if g.shape(x)[-2] is None:
        raise MXNetError(f"ONNX export: _contrib_box_nms '{node.name}' needs a static number of boxes")
    if len(shape) != 3:
        x = g.add("Reshape", [x, g.ints([-1, N, K])])
    score = _column(g, x, a.score_index)
    valid = g.add("Greater", [score, g.scalar(a.valid_thresh, ins[0])])
    classed = a.id_index >= 0
    if classed:
        ids = _column(g, x, a.id_index)
        valid = g.add("And", [valid, g.add("Not", [g.add("Equal", [ids, g.scalar(a.background_id, ins[0])])])])
    key = g.add("Where", [valid, score, g.scalar(-np.inf, ins[0])])
    k = min(a.topk, N) if a.topk > 0 else N
    vals, idx = g.add("TopK", [key, g.ints([k])], outputs=2, axis=1, largest=1, sorted=1)
    rows = _rows(g, x, idx, K)
    boxes = g.slice(rows, [a.coord_start], [a.coord_start + 4], [2])
    if classed and not a.force_suppress:
        # classes never overlap once each is moved by more than every box's extent
        span = g.add("Add", [g.add("Mul", [g.reduce("ReduceMax", g.add("Abs", [boxes]), None, False),
                                           g.scalar(2, ins[0])]), g.scalar(1, ins[0])])
        off = g.unsqueeze(g.add("Mul", [_column(g, rows, a.id_index), span]), [2])
        mask = [1, 1, 0, 0] if a.in_format == "center" else [1, 1, 1, 1]
        boxes = g.add("Add", [boxes, g.add("Mul", [off, g.const(np.array(mask, dtype=g.dtype(ins[0])))])])
    boxes = g.cast(boxes, np.float32)
    scores = g.cast(g.unsqueeze(vals, [1]), np.float32)
    sel = g.add("NonMaxSuppression", [boxes, scores, g.ints([k]), g.const(np.float32(a.overlap_thresh)),
                                      g.const(np.float32(np.finfo(np.float32).min))],
                center_point_box=1 if a.in_format == "center" else 0)
    # kept[b, i] = 1 for the selected candidates
    where = g.add("Gather", [sel, g.ints([0, 2])], axis=1)
    ones_t = g.helper.make_tensor("value", g.onnx_dtype(np.float32), [1], [1.0])
    ones = g.add("ConstantOfShape", [g.slice(g.add("Shape", [sel]), [0], [1], [0])], value=ones_t)
    zeros = g.add("ConstantOfShape", [g.add("Shape", [vals])],
                  value=g.helper.make_tensor("value", g.onnx_dtype(np.float32), [1], [0.0]))
    kept = g.add("ScatterND", [zeros, where, ones])
    # kept candidates first, each group in score (= candidate) order
    rank = g.const(np.arange(k, 0, -1, dtype=np.float32))
    order_key = g.add("Add", [g.add("Mul", [kept, g.const(np.float32(k + 1))]), rank])
    _, order = g.add("TopK", [order_key, g.ints([k])], outputs=2, axis=1, largest=1, sorted=1)
    out = _rows(g, rows, order, K)
    kept_sorted = g.add("GatherElements", [kept, order], axis=1)
    out = g.add("Where", [g.unsqueeze(g.add("Greater", [kept_sorted, g.const(np.float32(0.5))]), [2]), out,
                          g.scalar(-1, ins[0])])
    if k < N:
        out = g.add("Pad", [out, g.ints([0, 0, 0, 0, N - k, 0]), g.scalar(-1, ins[0])], mode="constant")
    if len(shape) != 3:
        out = g.add("Reshape", [out, g.shape_tensor(g.out_shapes[0], ins, allow_infer=True)])
    return out


@converter("_contrib_MultiBoxDetection")
def _multibox_detection(g, node, ins, a):
    """MXNet's MultiBoxDetection: anchors decoded with the variances, the best foreground class
    per anchor, rows at or above ``threshold``; the best ``nms_topk`` of them in score order with
    suppressed rows' class set to -1, then the other valid rows in anchor order with class -1,
    then rows of -1."""
    cls_prob, loc, anchor = ins
    N = g.concrete_shape(cls_prob)[2]
    if g.shape(cls_prob)[1:] != g.concrete_shape(cls_prob)[1:]:
        raise MXNetError(f"ONNX export: _contrib_MultiBoxDetection '{node.name}' needs static classes and anchors")
    dt = g.dtype(cls_prob)
    c = [_column(g, anchor, i) for i in range(4)]
    aw, ah = g.add("Sub", [c[2], c[0]]), g.add("Sub", [c[3], c[1]])
    half = g.scalar(0.5, cls_prob)
    ax = g.add("Mul", [g.add("Add", [c[0], c[2]]), half])
    ay = g.add("Mul", [g.add("Add", [c[1], c[3]]), half])
    p = g.add("Reshape", [loc, g.ints([0, N, 4])])
    d = [g.add("Mul", [_column(g, p, i), g.scalar(v, cls_prob)]) for i, v in enumerate(a.variances)]
    ox = g.add("Add", [g.add("Mul", [d[0], aw]), ax])
    oy = g.add("Add", [g.add("Mul", [d[1], ah]), ay])
    hw = g.add("Mul", [g.add("Mul", [g.add("Exp", [d[2]]), aw]), half])
    hh = g.add("Mul", [g.add("Mul", [g.add("Exp", [d[3]]), ah]), half])
    cols = [g.add("Sub", [ox, hw]), g.add("Sub", [oy, hh]), g.add("Add", [ox, hw]), g.add("Add", [oy, hh])]
    if a.clip:
        cols = [g.add("Clip", [t, g.scalar(0, cls_prob), g.scalar(1, cls_prob)]) for t in cols]
    # class 0 is the background (MXNet 1.9 ignores background_id here)
    fg = g.slice(cls_prob, [1], [_BIG], [1])
    cid = g.cast(g.add("ArgMax", [fg], axis=1, keepdims=0), dt)
    score = g.reduce("ReduceMax", fg, [1], False)
    rows = g.add("Concat", [g.unsqueeze(t, [2]) for t in [cid, score] + cols], axis=2)      # (B, N, 6)
    valid = g.add("GreaterOrEqual", [score, g.scalar(a.threshold, cls_prob)])
    pos = g.const(np.arange(N, dtype=np.float32).reshape(1, N))
    nvalid = g.reduce("ReduceSum", g.cast(valid, np.float32), [1], True)                    # (B, 1)
    # valid rows in anchor order, then the rest
    _, in_order = g.add("TopK", [g.add("Where", [valid, g.add("Neg", [pos]), g.add("Sub", [g.add("Neg", [pos]),
                                                                                             g.const(np.float32(N))])]),
                                 g.ints([N])], outputs=2, axis=1, largest=1, sorted=1)
    ordered = _rows(g, rows, in_order, 6)
    if not 0 < a.nms_threshold <= 1:
        return g.add("Where", [g.unsqueeze(g.add("Less", [pos, nvalid]), [2]), ordered, g.scalar(-1, cls_prob)])
    key = g.add("Where", [valid, score, g.scalar(-np.inf, cls_prob)])
    _, by_score = g.add("TopK", [key, g.ints([N])], outputs=2, axis=1, largest=1, sorted=1)
    best = _rows(g, rows, by_score, 6)
    nkeep = nvalid if a.nms_topk <= 0 else g.add("Min", [nvalid, g.const(np.float32(a.nms_topk))])
    head = g.add("Less", [pos, nkeep])                                                        # (B, N)
    boxes = g.slice(best, [2], [6], [2])
    if not a.force_suppress:
        span = g.add("Add", [g.add("Mul", [g.reduce("ReduceMax", g.add("Abs", [boxes]), None, False),
                                           g.scalar(2, cls_prob)]), g.scalar(1, cls_prob)])
        boxes = g.add("Add", [boxes, g.unsqueeze(g.add("Mul", [_column(g, best, 0), span]), [2])])
    scores = g.add("Where", [head, _column(g, best, 1), g.scalar(-np.inf, cls_prob)])
    sel = g.add("NonMaxSuppression", [g.cast(boxes, np.float32), g.cast(g.unsqueeze(scores, [1]), np.float32),
                                      g.ints([N]), g.const(np.float32(a.nms_threshold)),
                                      g.const(np.float32(np.finfo(np.float32).min))])
    zeros = g.add("ConstantOfShape", [g.add("Shape", [scores])],
                  value=g.helper.make_tensor("value", g.onnx_dtype(np.float32), [1], [0.0]))
    ones = g.add("ConstantOfShape", [g.slice(g.add("Shape", [sel]), [0], [1], [0])],
                 value=g.helper.make_tensor("value", g.onnx_dtype(np.float32), [1], [1.0]))
    kept = g.add("Greater", [g.add("ScatterND", [zeros, g.add("Gather", [sel, g.ints([0, 2])], axis=1), ones]),
                             g.const(np.float32(0.5))])
    best = g.add("Where", [g.unsqueeze(kept, [2]), best, _set_class(g, best, dt)])
    # the valid rows past nms_topk stay in anchor order, with class -1
    rest = g.add("Where", [g.unsqueeze(g.add("Less", [pos, nvalid]), [2]), _set_class(g, ordered, dt),
                           g.scalar(-1, cls_prob)])
    return g.add("Where", [g.unsqueeze(head, [2]), best, rest])



def _set_class(g, rows, dtype):
    """rows (B, N, 6) with column 0 (the class) set to -1."""
    keep = g.const(np.array([0, 1, 1, 1, 1, 1], dtype=dtype))
    return g.add("Add", [g.add("Mul", [rows, keep]), g.const(np.array([-1, 0, 0, 0, 0, 0], dtype=dtype))])
