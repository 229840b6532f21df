"""Goldens for the elementwise family: unary math, binary, scalar, clip, where, add_n, losses."""
import numpy as np

from harness import Goldens

g = Goldens("elemwise")
R = g.rng
SHAPE = (3, 4)


def u(lo, hi, shape=SHAPE, dtype=np.float32):
    return R.uniform(lo, hi, size=shape).astype(dtype)


DOMAIN = {"log": (0.2, 3), "log10": (0.2, 3), "log2": (0.2, 3), "log1p": (-0.5, 3), "sqrt": (0.2, 3),
          "rsqrt": (0.2, 3), "gammaln": (0.2, 4), "gamma": (0.2, 4), "arcsin": (-0.9, 0.9),
          "arccos": (-0.9, 0.9), "arctanh": (-0.9, 0.9), "erfinv": (-0.95, 0.95), "arccosh": (1.1, 3),
          "reciprocal": (0.5, 2), "rcbrt": (0.3, 2), "cbrt": (0.3, 2)}
UNARY = ["abs", "sign", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt",
         "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
         "arcsinh", "arccosh", "arctanh", "degrees", "radians", "floor", "ceil", "round", "rint", "trunc",
         "fix", "erf", "erfinv", "gamma", "gammaln", "sigmoid", "hard_sigmoid", "relu", "softsign",
         "logical_not", "negative", "identity", "_internal._copy", "zeros_like", "ones_like", "BlockGrad",
         "stop_gradient", "make_loss", "size_array", "shape_array"]
for name in UNARY:
    lo, hi = DOMAIN.get(name.split(".")[-1], (-2.5, 2.5))
    grad = name not in ("size_array", "shape_array")
    g.case(f"{name}_f32", name, [u(lo, hi)], grad=grad)
    g.case(f"{name}_f64", name, [u(lo, hi, (2, 3), np.float64)], grad=grad)
    if name not in ("hard_sigmoid", "erfinv"):   # MXNet gives erfinv(int) = 0 outside [-1, 1]
        g.case(f"{name}_i32", name, [R.randint(-4, 6, size=SHAPE).astype(np.int32)], grad=False)
for name in ("exp", "sigmoid", "tanh", "relu", "sin", "log", "sqrt", "erf", "gammaln", "round", "rint"):
    lo, hi = DOMAIN.get(name, (-2.5, 2.5))
    g.case(f"{name}_f16", name, [u(lo, hi, dtype=np.float16)], rtol=1e-2, atol=1e-2)
halves = np.array([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 3.5, -3.5], [0.49, -0.51, 1.2, -1.7]], np.float32)
for name in ("round", "rint", "fix", "floor", "ceil", "trunc"):
    g.case(f"{name}_halves", name, [halves])
g.case("gamma_neg", "gamma", [np.array([-2.5, -1.3, -0.7, 0.3, 5.5], np.float64)])
g.case("gammaln_neg", "gammaln", [np.array([-2.5, -1.3, -0.7, 0.3, 25.5], np.float64)])
g.case("erf_wide", "erf", [np.linspace(-4, 4, 17)])
g.case("erfinv_tail", "erfinv", [np.array([-0.999999, -0.9, 0.0, 0.5, 0.99999], np.float64)])
g.case("hard_sigmoid_ab", "hard_sigmoid", [u(-3, 3)], {"alpha": 0.3, "beta": 0.4})
x = u(-1, 3, (4, 3))
for kw in ({}, {"grad_scale": 3.0}, {"normalization": "batch"}, {"normalization": "valid"},
           {"normalization": "valid", "valid_thresh": 1.5}):
    g.case("MakeLoss_" + "_".join(f"{k}{v}" for k, v in kw.items()), "MakeLoss", [x], kw)

# binary
BIN = {"add": (-2, 2), "sub": (-2, 2), "mul": (-2, 2), "div": (0.5, 2), "mod": (0.5, 3), "power": (0.5, 2),
       "maximum": (-2, 2), "minimum": (-2, 2), "hypot": (-2, 2), "equal": (-2, 2), "not_equal": (-2, 2),
       "greater": (-2, 2), "greater_equal": (-2, 2), "lesser": (-2, 2), "lesser_equal": (-2, 2),
       "logical_and": (-1, 1), "logical_or": (-1, 1), "logical_xor": (-1, 1), "plus": (-2, 2),
       "minus": (-2, 2)}
for name, (lo, hi) in BIN.items():
    a, b = u(lo, hi), u(lo, hi, (1, 4))
    if name in ("equal", "not_equal", "greater_equal", "lesser_equal", "maximum", "minimum",
                "logical_and", "logical_or", "logical_xor"):
        a[0, :2] = b[0, :2]       # ties
        a[1, 0] = 0
    g.case(f"broadcast_{name}", f"broadcast_{name}", [a, b])
    g.case(f"broadcast_{name}_f64", f"broadcast_{name}",
           [a[:2].astype(np.float64), u(lo, hi, (2, 1), np.float64)])
    ai = R.randint(-7, 8, size=SHAPE).astype(np.int32)
    bi = R.choice([-3, -2, 2, 3, 5], size=(1, 4)).astype(np.int32)
    g.case(f"broadcast_{name}_i32", f"broadcast_{name}", [ai, bi], grad=False)
for name in ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "_internal._maximum",
             "_internal._minimum", "_internal._hypot", "_internal._power", "_internal._mod",
             "_internal._equal", "_internal._logical_and", "_internal._grad_add",
             "_internal._identity_with_attr_like_rhs"):
    g.case(name, name, [u(0.5, 2), u(0.5, 2)], grad="grad_add" not in name)
g.case("mod_zero", "broadcast_mod", [u(-3, 3), np.array([[0, 1.5, -1.5, 2]], np.float32)], grad=False)

# scalar
SC = ["_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar",
      "_mod_scalar", "_rmod_scalar", "_power_scalar", "_rpower_scalar", "_maximum_scalar", "_minimum_scalar",
      "_hypot_scalar", "_equal_scalar", "_not_equal_scalar", "_greater_scalar", "_greater_equal_scalar",
      "_lesser_scalar", "_lesser_equal_scalar", "_logical_and_scalar", "_logical_or_scalar",
      "_logical_xor_scalar"]
for name in SC:
    x = u(0.5, 3)
    x[0, 0] = 1.5
    g.case(f"{name}", f"_internal.{name}", [x], {"scalar": 1.5})
    s = 3.0 if "power" in name else -2.0
    g.case(f"{name}_neg", f"_internal.{name}", [u(0.5, 3, dtype=np.float64)], {"scalar": s})
    g.case(f"{name}_i32", f"_internal.{name}", [R.randint(-7, 8, size=SHAPE).astype(np.int32)],
           {"scalar": 2.5 if "mod" not in name and "rdiv" not in name else 3.0}, grad=False)
g.case("_div_scalar_f16", "_internal._div_scalar", [u(-3, 3, dtype=np.float16)], {"scalar": 3.0},
       rtol=1e-2, atol=1e-2)

# clip, where, add_n
g.case("clip", "clip", [u(-3, 3)], {"a_min": -1.0, "a_max": 1.5})
g.case("clip_f64", "clip", [u(-3, 3, dtype=np.float64)], {"a_min": 0.0, "a_max": 1.0})
g.case("clip_i32", "clip", [R.randint(-5, 5, size=SHAPE).astype(np.int32)], {"a_min": -1.5, "a_max": 2.5},
       grad=False)
g.case("clip_crossed", "clip", [u(-3, 3)], {"a_min": 1.0, "a_max": -1.0})
cond = (R.rand(*SHAPE) > 0.5).astype(np.float32)
g.case("where", "where", [cond, u(-2, 2), u(-2, 2)])
g.case("where_rows", "where", [np.array([1, 0, 1], np.float32), u(-2, 2), u(-2, 2)])
g.case("where_intcond", "where", [cond.astype(np.int32), u(-2, 2), u(-2, 2)])
g.case("add_n3", "add_n", [u(-2, 2), u(-2, 2), u(-2, 2)])
g.case("add_n1", "add_n", [u(-2, 2)])
g.case("ElementWiseSum", "ElementWiseSum", [u(-2, 2), u(-2, 2)])
g.save()
