"""Goldens for the shape/layout family (mxnet/ops/matrix.py)."""
import numpy as np

from harness import Goldens

g = Goldens("matrix")
r = g.rng


def u(*shape, dtype=np.float32):
    return r.uniform(-1, 1, size=shape).astype(dtype)


x = u(2, 3, 4)
x64 = u(2, 3, 4, dtype=np.float64)
xi = r.randint(-5, 5, size=(2, 3, 4)).astype(np.int32)
for i, kw in enumerate([{"shape": (-4, 1, 2, -2)}, {"shape": (-3, -2)}, {"shape": (0, -4, -1, 1, 0)},
                        {"shape": (2, -2)}, {"shape": (-1,)}, {"shape": (-1, 0), "reverse": True},
                        {"shape": (-3, 0), "reverse": True}, {"shape": (0, 0, -1)},
                        {"target_shape": (0, 4)}]):
    g.case(f"reshape{i}", "reshape", [x], kw)
g.case("reshape_i", "Reshape", [xi], {"shape": (4, -1)})
g.case("reshape_like", "reshape_like", [x, u(4, 6)])
g.case("reshape_like_r", "reshape_like", [x, u(2, 12)], {"lhs_begin": 1, "rhs_begin": 1})
g.case("reshape_like_r2", "reshape_like", [u(30, 7), u(15, 2, 4)],
       {"lhs_begin": 0, "lhs_end": 1, "rhs_begin": 0, "rhs_end": 2})
g.case("flatten", "Flatten", [x])
g.case("flatten1", "flatten", [u(3)])
g.case("transpose", "transpose", [x])
g.case("transpose_ax", "transpose", [x64], {"axes": (1, 0, 2)})
g.case("swapaxes", "swapaxes", [x], {"dim1": 0, "dim2": -1})
g.case("SwapAxis", "SwapAxis", [xi], {"dim1": 1, "dim2": 2})
g.case("expand_dims", "expand_dims", [x], {"axis": -1})
g.case("expand_dims0", "expand_dims", [x], {"axis": -4})
g.case("squeeze", "squeeze", [u(1, 3, 1)])
g.case("squeeze_ax", "squeeze", [u(1, 3, 1)], {"axis": (0,)})
g.case("squeeze_all", "squeeze", [u(1, 1)])
g.case("concat", "concat", [x, u(2, 2, 4)], {"dim": 1})
g.case("Concat3", "Concat", [x, x64.astype(np.float32), u(2, 3, 1)], {"dim": -1})
g.case("concat_i", "concat", [xi, xi], {"dim": 0})
g.case("stack", "stack", [x, x], {"axis": -1})
g.case("stack0", "stack", [u(2, 3), u(2, 3), u(2, 3)])
g.case("split", "split", [x], {"num_outputs": 3})
g.case("split_sq", "SliceChannel", [x], {"num_outputs": 2, "axis": 0, "squeeze_axis": True})
g.case("split_v2", "_internal._split_v2", [x], {"indices": (0, 1, 3), "axis": 2})
g.case("split_v2_sec", "_internal._split_v2", [x], {"indices": (), "sections": 2, "axis": -1})
g.case("slice", "slice", [x], {"begin": (None, 1), "end": (None, None), "step": (None, -1)})
g.case("slice2", "slice", [x], {"begin": (1, -1), "end": (None, 0), "step": (1, -1)})
g.case("slice3", "slice", [x], {"begin": (0, 0, 1), "end": (2, 3, 4), "step": (1, 2, 2)})
g.case("slice_clip", "slice", [x], {"begin": (-5,), "end": (10,)})
g.case("crop", "crop", [x64], {"begin": (1,), "end": (2,)})
g.case("slice_axis", "slice_axis", [x], {"axis": 2, "begin": 1, "end": None})
g.case("slice_axis_neg", "slice_axis", [x], {"axis": -1, "begin": -3, "end": -1})
g.case("slice_like", "slice_like", [x, u(1, 2, 3)], {"axes": (0, -1)})
g.case("slice_like_all", "slice_like", [x, u(1, 2, 3)])
g.case("slice_assign", "_internal._slice_assign", [u(3, 4), u(1, 2)], {"begin": (1, 1), "end": (2, 3)},
       grad=False)
g.case("slice_assign_s", "_internal._slice_assign_scalar", [u(3, 4)],
       {"scalar": 5, "begin": (None, 1), "end": (None, 3), "step": (2, None)}, grad=False)
g.case("tile", "tile", [u(2, 3)], {"reps": (2,)})
g.case("tile2", "tile", [u(2, 3)], {"reps": (2, 1, 3)})
g.case("repeat", "repeat", [u(2, 2)], {"repeats": 2})
g.case("repeat_ax", "repeat", [x], {"repeats": 3, "axis": -1})
g.case("repeat_i", "repeat", [xi], {"repeats": 2, "axis": 0})
img = u(1, 2, 3, 4)
g.case("pad_const", "pad", [img], {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1),
                                   "constant_value": 1.5})
g.case("pad_edge", "Pad", [img], {"mode": "edge", "pad_width": (0, 0, 0, 0, 2, 1, 3, 2)})
g.case("pad_reflect", "pad", [img], {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 3)})
g.case("pad5_edge", "pad", [u(1, 1, 2, 2, 3)], {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 0, 0, 1, 1, 2)})
g.case("flip", "flip", [x], {"axis": (0, 2)})
g.case("reverse", "reverse", [x], {"axis": 1})
g.case("broadcast_to", "broadcast_to", [u(1, 2, 1)], {"shape": (3, 0, 2)})
g.case("broadcast_like", "broadcast_like", [u(1, 2, 1), u(5, 2, 7)])
g.case("broadcast_like_ax", "broadcast_like", [u(1, 2, 1), u(5, 6, 7)], {"lhs_axes": (0,), "rhs_axes": (2,)})
g.case("broadcast_axis", "broadcast_axis", [u(1, 2, 1)], {"axis": (0, 2), "size": (2, 3)})
g.case("broadcast_axes", "broadcast_axes", [u(2, 1)], {"axis": 1, "size": 4})
g.case("diag1", "diag", [u(3)], {"k": 1})
g.case("diag2", "diag", [u(3, 4)], {"k": -1})
g.case("diag3", "diag", [x], {"k": 1, "axis1": 1, "axis2": 2})
g.case("diag3b", "diag", [x], {"axis1": 2, "axis2": 0})
g.case("diag4", "diag", [u(2, 3, 4, 5)], {"k": -1, "axis1": -1, "axis2": 1})
g.case("d2s", "depth_to_space", [u(2, 8, 2, 3)], {"block_size": 2})
g.case("s2d", "space_to_depth", [u(2, 2, 4, 6)], {"block_size": 2})
seq = u(4, 3, 2)
lens = np.array([1, 4, 2], dtype=np.float32)
g.case("smask", "SequenceMask", [seq, lens], {"use_sequence_length": True, "value": -1.0})
g.case("smask1", "SequenceMask", [u(3, 4, 2), lens], {"use_sequence_length": True, "axis": 1})
g.case("smask_off", "SequenceMask", [seq])
g.case("slast", "SequenceLast", [seq, lens], {"use_sequence_length": True})
g.case("slast1", "SequenceLast", [u(3, 4), lens], {"use_sequence_length": True, "axis": 1})
g.case("slast_off", "SequenceLast", [seq], grad=False)  # MXNet 1.9.1 returns a zero gradient here
g.case("srev", "SequenceReverse", [seq, lens], {"use_sequence_length": True})
g.case("srev_off", "SequenceReverse", [seq])
g.case("cast", "Cast", [x], {"dtype": "float64"})
g.save()
