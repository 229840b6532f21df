"""ONNX converters of the contrib operators that models use: the fused attention products of
GluonNLP's BERT and transformer, and ROIAlign of GluonCV's two-stage detectors."""
import numpy as np

from ..base import MXNetError
from ._registry import converter


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


@converter("_contrib_interleaved_matmul_selfatt_qk")
def _selfatt_qk(g, node, ins, a):
    qkv = ins[0]
    q = _scaled(g, _heads_first(g, qkv, a.heads, 3, 0), qkv, a.heads, 3)
    k = _heads_first(g, qkv, a.heads, 3, 1)
    att = g.add("MatMul", [q, g.add("Transpose", [k], perm=[0, 1, 3, 2])])
    return _merge_heads(g, node, att, ins)


@converter("_contrib_interleaved_matmul_selfatt_valatt")
def _selfatt_valatt(g, node, ins, a):
    qkv, att = ins
    v = _heads_first(g, qkv, a.heads, 3, 2)
    return _to_time_major(g, g.add("MatMul", [_split_heads(g, att, a.heads), v]))


@converter("_contrib_interleaved_matmul_encdec_qk")
def _encdec_qk(g, node, ins, a):
    queries, kv = ins
    q = g.add("Reshape", [queries, g.ints([0, 0, a.heads, -1])])
    q = _scaled(g, g.add("Transpose", [q], perm=[1, 2, 0, 3]), queries, a.heads, 1)
    k = _heads_first(g, kv, a.heads, 2, 0)
    att = g.add("MatMul", [q, g.add("Transpose", [k], perm=[0, 1, 3, 2])])
    return _merge_heads(g, node, att, ins)


@converter("_contrib_interleaved_matmul_encdec_valatt")
def _encdec_valatt(g, node, ins, a):
    kv, att = ins
    v = _heads_first(g, kv, a.heads, 2, 1)
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
