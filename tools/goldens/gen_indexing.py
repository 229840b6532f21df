"""Goldens for the indexing family (mxnet/ops/indexing.py)."""
import numpy as np

from harness import Goldens

g = Goldens("indexing")
r = g.rng


def u(*shape, dtype=np.float32):
    return r.uniform(-1, 1, size=shape).astype(dtype)


def f(a):
    return np.array(a, dtype=np.float32)


x = u(3, 4)
x3 = u(2, 3, 4)
g.case("take", "take", [x, f([[0, 5], [-1, 1]])])
g.case("take_dup", "take", [x, f([0, 2, 0, 1, 2])])
g.case("take_wrap", "take", [x, f([0, 5, -1, 1])], {"axis": 1, "mode": "wrap"})
g.case("take_raise", "take", [x3, f([0, 2, 1, 2])], {"axis": -1, "mode": "raise"})
g.case("take_frac", "take", [x, f([0.7, 1.5, 2.9])])
g.case("take_ax1", "take", [x3, f([[2, 0], [1, 1]])], {"axis": 1})
g.case("take_64", "take", [x.astype(np.float64), np.array([2, 0], np.int64)])
g.case("take_int", "take", [np.arange(5, dtype=np.int32), np.array([1, 2, 9], np.int32)])
g.case("batch_take", "batch_take", [x, np.array([0, 5, -1], np.int32)], grad=False)
g.case("pick", "pick", [x, f([0, 5, -1])])
g.case("pick_wrap", "pick", [x, f([0, 5, -1])], {"mode": "wrap", "keepdims": True})
g.case("pick0", "pick", [x, f([[0, 2, 1, 1]])], {"axis": 0})
g.case("pick3", "pick", [x3, f([[0, 1, 3], [2, 2, 1]])], {"axis": 2})
g.case("pick3_1", "pick", [x3, f([[0, 1, 2, 2], [2, 2, 1, 0]])], {"axis": 1, "keepdims": True})
g.case("gather_nd", "gather_nd", [x, f([[0, 2, 0], [1, 3, 1]])])
g.case("gather_nd_slices", "gather_nd", [x3, f([[1, 0, 1], [1, 2, 2]])])
# MXNet 1.9.1 wraps negative indices forward but mishandles them in the backward
g.case("gather_nd_neg", "gather_nd", [x3, f([[1, 0, 1], [-1, 2, 2]])], grad=False)
g.case("gather_nd_i", "gather_nd", [x3.astype(np.float64), np.array([[0, 1]], np.int32)])
g.case("scatter_nd", "scatter_nd", [f([1, 2]), f([[0, 1], [1, 0]])], {"shape": (2, 2)})
g.case("scatter_nd_rows", "scatter_nd", [u(2, 3), f([[2, 0]])], {"shape": (4, 3)})
g.case("one_hot", "one_hot", [f([0, 2, -1, 5])], {"depth": 3}, grad=False)
g.case("one_hot_i", "one_hot", [f([[0, 2]])], {"depth": 3, "on_value": 2, "off_value": -1, "dtype": "int32"},
       grad=False)
g.case("one_hot_64", "one_hot", [np.array([1, 0], np.int32)], {"depth": 4, "dtype": "float64"}, grad=False)
# MXNet 1.9.1 fails in the backward of sort (bad axis attribute), so no gradients here
g.case("sort", "sort", [x], grad=False)
g.case("sort_desc", "sort", [x3], {"axis": 1, "is_ascend": False}, grad=False)
g.case("sort_none", "sort", [x], {"axis": None}, grad=False)
g.case("sort_i", "sort", [np.array([[3, 1, 2], [0, 5, 4]], np.int32)], {"is_ascend": False}, grad=False)
g.case("argsort", "argsort", [x3], {"axis": 0}, grad=False)
g.case("argsort_tie", "argsort", [f([1, 1, 0, 1])], {"is_ascend": False}, grad=False)
g.case("argsort_tie_asc", "argsort", [f([1, 1, 0, 1])], grad=False)
g.case("argsort_i", "argsort", [x], {"dtype": "int32", "axis": None}, grad=False)
g.case("topk", "topk", [x3], {"k": 2})
g.case("topk_both", "topk", [x3], {"k": 2, "ret_typ": "both", "is_ascend": True, "axis": 1})
g.case("topk_mask", "topk", [x], {"k": 2, "ret_typ": "mask"})
g.case("topk_value0", "topk", [x], {"k": 1, "ret_typ": "value", "axis": 0})
g.case("topk_none", "topk", [x], {"k": 3, "ret_typ": "value", "axis": None}, grad=False)
g.case("topk_none_i", "topk", [x], {"k": 3, "axis": None, "dtype": "int64"}, grad=False)
g.case("topk_all", "topk", [x], {"k": 0, "ret_typ": "value"})
g.case("topk_tie", "topk", [f([1, 1, 0, 1])], {"k": 3})
g.case("topk_int", "topk", [np.array([1, 3, 2], np.int32)], {"k": 2, "ret_typ": "both", "dtype": "int32"})
g.case("boolean_mask", "contrib.boolean_mask", [x, f([0, 1, 1])])
g.save()
