"""Goldens for the reduction family: sum, mean, prod, max, min, nansum, nanprod, norm, argmax/argmin."""
import numpy as np

from harness import Goldens

g = Goldens("reduce")
R = g.rng
AXES = [{}, {"axis": ()}, {"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": (0, 2)},
        {"axis": (0, 2), "exclude": True}, {"axis": 1, "exclude": True, "keepdims": True},
        {"axis": (0, 1, 2), "exclude": True}, {"axis": None, "exclude": True}]


def tag(kw):
    return "_".join(f"{k}{v}" for k, v in kw.items()).replace(" ", "") or "all"


x = R.uniform(0.5, 1.5, (2, 3, 4)).astype(np.float32)
for op in ("sum", "mean", "prod", "max", "min", "nansum", "nanprod", "sum_axis", "max_axis", "min_axis"):
    for kw in AXES:
        g.case(f"{op}_{tag(kw)}", op, [x], kw)
    g.case(f"{op}_f64", op, [x.astype(np.float64)], {"axis": 1})
    g.case(f"{op}_f16", op, [x.astype(np.float16)], {"axis": 2}, rtol=1e-2, atol=1e-2)
    g.case(f"{op}_i32", op, [R.randint(-5, 6, (3, 4)).astype(np.int32)], {"axis": 0}, grad=False)
ties = np.array([[1, 3, 3], [2, -1, 2]], np.float32)
g.case("max_ties", "max", [ties], {"axis": 1})
g.case("min_ties", "min", [ties], {"axis": 0})
g.case("max_ties_all", "max", [ties])
withnan = np.array([[1.5, np.nan, 2.0], [np.nan, 0.5, 3.0]], np.float32)
g.case("nansum_nan", "nansum", [withnan], {"axis": 1})
g.case("nanprod_nan", "nanprod", [withnan], {"axis": 0})
g.case("mean_u8", "mean", [np.array([[200, 100]], np.uint8)], grad=False)
g.case("sum_u8", "sum", [np.array([[200, 100]], np.uint8)], grad=False)
y = R.uniform(-2, 2, (2, 3, 4)).astype(np.float32)
for kw in ({}, {"ord": 1}, {"axis": 1}, {"axis": (0, 2)}, {"axis": (0, 2), "ord": 1},
           {"axis": -1, "keepdims": True}, {"axis": None, "keepdims": True}, {"out_dtype": "float32"}):
    g.case(f"norm_{tag(kw)}", "norm", [y], kw)
g.case("norm_f64", "norm", [y.astype(np.float64)], {"axis": 2})
g.case("norm_f16", "norm", [y.astype(np.float16)], {"axis": 2}, rtol=1e-2, atol=1e-2)
g.case("norm_i32", "norm", [np.array([[1, -4, 2], [4, 3, -4]], np.int32)], {"axis": 1}, grad=False)
g.case("norm_i32_all", "norm", [np.array([[1, -2], [3, 4]], np.int32)], grad=False)
z = np.array([[[1, 5, 5, 0], [2, 2, 9, 1], [3, 0, 1, 4]], [[7, 7, 1, 0], [2, 3, 3, 3], [0, 0, 8, 1]]],
             np.float32)
for op in ("argmax", "argmin"):
    for kw in ({}, {"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": None, "keepdims": True}):
        g.case(f"{op}_{tag(kw)}", op, [z], kw, grad=False)
    g.case(f"{op}_i32", op, [z.astype(np.int32)], {"axis": 2}, grad=False)
    g.case(f"{op}_f64", op, [z.astype(np.float64)], {"axis": 0}, grad=False)
g.case("argmax_nan", "argmax", [np.array([1, np.nan, 3], np.float32)], {"axis": 0}, grad=False)
g.case("argmax_channel", "argmax_channel", [z], grad=False)
g.save()
