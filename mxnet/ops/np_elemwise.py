"""NumPy-interface elementwise operators (``_npi_*``): unary math, binary ops with NumPy
broadcasting and MXNet 1.9.1's type promotion, and the scalar forms ``mx.np`` emits.

Unary math reuses the legacy definitions (MXNet 1.9.1 keeps an integer input's dtype there
too); binary ops promote mixed operands as MXNet does: float beats int/bool, the wider
float or int wins, and int8 with uint8 gives int32.
"""
import numpy as np

from ..base import MXNetError
from ._util import math_for, broadcast_shape
from .registry import register, get_op, Param


def clone(new, old, doc=None):
    """Register ``new`` with the compute, gradient and inference of operator ``old``."""
    src = get_op(old)
    return register(new, src.forward, inputs=src.inputs, params=src.params, backward=src.backward,
                    backward_graph=src.backward_graph, infer_shape=src.infer_shape_fn,
                    infer_shape_back=src.infer_shape_back,
                    infer_type=src.infer_type_fn, num_outputs=src._num_outputs,
                    num_visible_outputs=src._num_visible, output_names=src.output_names,
                    mutate_inputs=src.mutate_inputs, variadic=src.variadic, save_state=src.save_state,
                    differentiable=src.differentiable, doc=doc or src.doc, attr_check=src.attr_check,
                    needs_rng=src.needs_rng, uses_train=src.uses_train)


_UNARY = ("negative", "abs", "sign", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "cbrt",
          "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
          "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians", "floor", "ceil", "rint",
          "trunc", "fix")
for _n in _UNARY:
    clone(f"_npi_{_n}", _n)
clone("_npi_absolute", "abs")
clone("_npx_relu", "relu")
clone("_npx_sigmoid", "sigmoid")
clone("_npx_erf", "erf")
clone("_npx_erfinv", "erfinv")
clone("_npx_gamma", "gamma")
clone("_npx_gammaln", "gammaln")


def _logical_not(attrs, ins, ctx):
    return ctx.xp.logical_not(ins[0])


register("_npi_logical_not", _logical_not, doc="Logical NOT, a boolean array.")


def _pred(fn):
    def fwd(attrs, ins, ctx):
        return fn(ctx.xp, ins[0])
    return fwd


for _n in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
    register(f"_npi_{_n}", _pred(lambda xp, x, f=_n: getattr(xp, f)(x)), doc=f"Elementwise {_n}.")


def promote(a, b):
    """MXNet 1.9.1's result dtype for a binary op on arrays of dtypes ``a`` and ``b``."""
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    fa, fb = a.kind == "f", b.kind == "f"
    if fa != fb:
        return a if fa else b
    if {a, b} == {np.dtype(np.int8), np.dtype(np.uint8)}:
        return np.dtype(np.int32)
    return np.result_type(a, b)


def _bshape(name):
    def infer(attrs, shapes):
        a, b = shapes
        if a is None or b is None:
            return shapes, [None]
        return shapes, [broadcast_shape(name, a, b)]
    return infer


def _btype(attrs, types):
    a, b = types
    if a is None or b is None:
        return types, [a or b]
    return types, [promote(a, b)]


_MIXED = ("add", "subtract", "multiply", "true_divide", "mod", "power")


def binary(name, fn, grad=None, out_dtype=None, doc="", int_grad=True):
    """Register ``_npi_<name>(x1, x2)``: ``fn(xp, a, b)`` on promoted operands;
    ``grad(F, a, b, y, g) -> (ga, gb)``; ``out_dtype(dt)`` overrides the result dtype;
    ``int_grad=False`` gives integer operands zero gradients (MXNet's mod).
    As in MXNet 1.9.1, only the arithmetic ops accept operands of different dtypes."""
    opname = f"_npi_{name}"
    mixed = name in _MIXED

    def forward(attrs, ins, ctx):
        a, b = ins
        broadcast_shape(opname, a.shape, b.shape)
        if not mixed and a.dtype != b.dtype:
            raise MXNetError(f"Operator {opname}: operands must have the same dtype, got {a.dtype} "
                             f"and {b.dtype}")
        dt = promote(a.dtype, b.dtype)
        a2 = a if a.dtype == dt else a.astype(dt)
        b2 = b if b.dtype == dt else b.astype(dt)
        with np.errstate(all="ignore"):
            y = fn(ctx.xp, a2, b2)
        odt = out_dtype(dt) if out_dtype else dt
        return y if y.dtype == odt else y.astype(odt)

    def backward(attrs, og, ins, outs, ctx, state):
        g = og[0]
        if g is None:
            return [None, None]
        F = math_for(ctx.xp)
        a, b = ins
        dt = outs[0].dtype if outs[0].dtype.kind == "f" else promote(a.dtype, b.dtype)
        if not int_grad and dt.kind in "iub":
            return [ctx.xp.zeros_like(a), ctx.xp.zeros_like(b)]
        with np.errstate(all="ignore"):
            ga, gb = grad(F, a.astype(dt, copy=False), b.astype(dt, copy=False), outs[0], g)
        return [F.sum_to(ga, a.shape).astype(a.dtype, copy=False),
                F.sum_to(gb, b.shape).astype(b.dtype, copy=False)]

    def itype(attrs, types):
        ins, outs = _btype(attrs, types)
        if out_dtype and outs[0] is not None:
            outs = [out_dtype(outs[0])]
        return ins, outs

    register(opname, forward, inputs=("lhs", "rhs"), backward=backward if grad else None,
             infer_shape=_bshape(opname), infer_type=itype, doc=doc)


def _float32_if_int(dt):
    return dt if dt.kind == "f" else np.dtype(np.float32)


def _bool(dt):
    return np.dtype(np.bool_)


def _mod(xp, a, b):
    r = xp.mod(a, b)
    return xp.where(b == 0, 0, r).astype(r.dtype, copy=False)


def _tdiv(xp, a, b):
    if a.dtype.kind != "f":
        a, b = a.astype(np.float32), b.astype(np.float32)
    return a / b


def _pow(xp, a, b):
    return xp.power(a, b)


def _pow_grad(F, a, b, y, g):
    return g * b * F.power(a, b - 1), g * y * F.log(F.where(a > 0, a, 1)) * (a > 0)


def _cmp_grad(F, a, b, y, g):
    return F.zeros_like(a), F.zeros_like(b)


binary("add", lambda xp, a, b: a + b, lambda F, a, b, y, g: (g, g), doc="x1 + x2 with broadcasting.")
binary("subtract", lambda xp, a, b: a - b, lambda F, a, b, y, g: (g, -g), doc="x1 - x2.")
binary("multiply", lambda xp, a, b: a * b, lambda F, a, b, y, g: (g * b, g * a), doc="x1 * x2.")
binary("true_divide", _tdiv, lambda F, a, b, y, g: (g / b, -g * a / (b * b)),
       out_dtype=_float32_if_int, doc="x1 / x2 (integers divide in float32).")
binary("ldexp", lambda xp, a, b: a * xp.exp2(b), lambda F, a, b, y, g: (g * 2.0 ** b, g * y * np.log(2)),
       doc="x1 * 2 ** x2 (integer operands give integers, as in MXNet).")
binary("mod", _mod, lambda F, a, b, y, g: (g, -g * F.floor(a / b)), doc="Remainder with the divisor's sign.",
       int_grad=False)
binary("power", _pow, _pow_grad, doc="x1 ** x2.")
binary("maximum", lambda xp, a, b: xp.maximum(a, b),
       lambda F, a, b, y, g: (g * (a >= b), g * (a < b)), doc="Elementwise maximum.")
binary("minimum", lambda xp, a, b: xp.minimum(a, b),
       lambda F, a, b, y, g: (g * (a <= b), g * (a > b)), doc="Elementwise minimum.")
binary("hypot", lambda xp, a, b: xp.hypot(a, b), lambda F, a, b, y, g: (g * a / y, g * b / y),
       doc="sqrt(x1**2 + x2**2).")
binary("arctan2", lambda xp, a, b: xp.arctan2(a, b),
       lambda F, a, b, y, g: (g * b / (a * a + b * b), -g * a / (a * a + b * b)), doc="arctan(x1 / x2).")
binary("copysign", lambda xp, a, b: xp.copysign(a, b),
       lambda F, a, b, y, g: (g * F.where(a * b >= 0, 1, -1), F.zeros_like(b)), doc="Copy the sign of x2.")
# comparisons are differentiable with zero gradients (MXNet records them); the logical ops are not
_COMPARISONS = ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal")
for _n in _COMPARISONS + ("logical_and", "logical_or", "logical_xor"):
    binary(_n, lambda xp, a, b, f=_n: getattr(xp, f)(a, b), _cmp_grad if _n in _COMPARISONS else None,
           out_dtype=_bool, doc=f"Elementwise {_n}.")
for _n in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    binary(_n, lambda xp, a, b, f=_n: getattr(xp, f)(a, b), None, doc=f"Elementwise {_n}.")
binary("lcm", lambda xp, a, b: xp.lcm(a, b), None, doc="Lowest common multiple.")


# -- scalar forms -----------------------------------------------------------------------
_SCALAR_PARAMS = (Param("scalar", "float", 1.0, "the scalar operand"),
                  Param("is_int", "bool", True, "whether the scalar is an integer"))


def scalar(name, fn, grad=None, out_dtype=None, doc=""):
    """Register ``_npi_<name>_scalar(data, scalar)``: ``fn(xp, x, s)``; the result keeps the
    array's dtype (bool arrays compute as int64), as MXNet 1.9.1 does; ``grad(F, x, y, g, s)``."""
    opname = f"_npi_{name}_scalar"

    def prep(attrs, x):
        if x.dtype == np.bool_:
            x = x.astype(np.int64)
        s = attrs.scalar
        if x.dtype.kind in "iu":
            # an out-of-range integer wraps to the array's dtype, as MXNet's C++ cast does
            s = np.array(int(s)).astype(x.dtype)[()]
        elif x.dtype.kind == "f":
            s = x.dtype.type(s)
        return x, s

    def forward(attrs, ins, ctx):
        x, s = prep(attrs, ins[0])
        with np.errstate(all="ignore"):
            y = fn(ctx.xp, x, s)
        odt = out_dtype(x.dtype) if out_dtype else x.dtype
        return y if y.dtype == odt else y.astype(odt)

    def backward(attrs, og, ins, outs, ctx, state):
        if og[0] is None:
            return [None]
        x, s = prep(attrs, ins[0])
        with np.errstate(all="ignore"):
            return [grad(math_for(ctx.xp), x, outs[0], og[0], s).astype(ins[0].dtype, copy=False)]

    def itype(attrs, types):
        t = types[0]
        if t is None:
            return types, [None]
        t = np.dtype(np.int64) if t == np.bool_ else t
        return types, [out_dtype(t) if out_dtype else t]

    register(opname, forward, inputs=("data",), params=_SCALAR_PARAMS, backward=backward if grad else None,
             infer_shape=lambda attrs, s: (s, [s[0]]), infer_type=itype, doc=doc)


def _full(xp, x, s):
    return xp.full(x.shape, s, dtype=x.dtype)


scalar("add", lambda xp, x, s: x + s, lambda F, x, y, g, s: g, doc="x + scalar.")
scalar("subtract", lambda xp, x, s: x - s, lambda F, x, y, g, s: g, doc="x - scalar.")
scalar("rsubtract", lambda xp, x, s: s - x, lambda F, x, y, g, s: -g, doc="scalar - x.")
scalar("multiply", lambda xp, x, s: x * s, lambda F, x, y, g, s: g * s, doc="x * scalar.")
scalar("true_divide", lambda xp, x, s: _tdiv(xp, x, _full(xp, x, s)), lambda F, x, y, g, s: g / s,
       out_dtype=_float32_if_int, doc="x / scalar.")
scalar("rtrue_divide", lambda xp, x, s: _tdiv(xp, _full(xp, x, s), x), lambda F, x, y, g, s: -g * y / x,
       out_dtype=_float32_if_int, doc="scalar / x.")
scalar("mod", lambda xp, x, s: _mod(xp, x, _full(xp, x, s)), lambda F, x, y, g, s: g, doc="x % scalar.")
scalar("ldexp", lambda xp, x, s: x * xp.exp2(s), lambda F, x, y, g, s: g * 2.0 ** s, doc="x * 2 ** scalar.")
scalar("rldexp", lambda xp, x, s: s * xp.exp2(x), lambda F, x, y, g, s: g * y * np.log(2), doc="scalar * 2 ** x.")
scalar("rmod", lambda xp, x, s: _mod(xp, _full(xp, x, s), x),
       lambda F, x, y, g, s: -g * F.floor(s / x), doc="scalar % x.")
scalar("power", lambda xp, x, s: xp.power(x, s), lambda F, x, y, g, s: g * s * F.power(x, s - 1),
       doc="x ** scalar.")
scalar("rpower", lambda xp, x, s: xp.power(_full(xp, x, s), x), lambda F, x, y, g, s: g * y * np.log(s),
       doc="scalar ** x.")
scalar("maximum", lambda xp, x, s: xp.maximum(x, s), lambda F, x, y, g, s: g * (x >= s), doc="max(x, s).")
scalar("minimum", lambda xp, x, s: xp.minimum(x, s), lambda F, x, y, g, s: g * (x <= s), doc="min(x, s).")
scalar("hypot", lambda xp, x, s: xp.hypot(x, s), lambda F, x, y, g, s: g * x / y, doc="hypot(x, s).")
scalar("arctan2", lambda xp, x, s: xp.arctan2(x, s), lambda F, x, y, g, s: g * s / (x * x + s * s),
       doc="arctan2(x, s).")
scalar("rarctan2", lambda xp, x, s: xp.arctan2(_full(xp, x, s), x),
       lambda F, x, y, g, s: -g * s / (x * x + s * s), doc="arctan2(s, x).")
scalar("copysign", lambda xp, x, s: xp.copysign(x, s), lambda F, x, y, g, s: g * F.where(x * s >= 0, 1, -1),
       doc="copysign(x, s).")
scalar("rcopysign", lambda xp, x, s: xp.copysign(_full(xp, x, s), x), lambda F, x, y, g, s: F.zeros_like(x),
       doc="copysign(s, x).")
for _n in _COMPARISONS + ("logical_and", "logical_or", "logical_xor"):
    scalar(_n, lambda xp, x, s, f=_n: getattr(xp, f)(x, s),
           (lambda F, x, y, g, s: F.zeros_like(x)) if _n in _COMPARISONS else None,
           out_dtype=_bool, doc=f"Elementwise {_n} with a scalar.")
for _n in ("bitwise_and", "bitwise_or", "bitwise_xor", "lcm"):
    scalar(_n, lambda xp, x, s, f=_n: getattr(xp, f)(x, s), doc=f"Elementwise {_n} with a scalar.")


def _bitwise_not(attrs, ins, ctx):
    x = ins[0]
    if x.dtype.kind == "f":
        raise MXNetError("Operator _npi_bitwise_not: floating-point input is not supported")
    return ctx.xp.invert(x)


register("_npi_bitwise_not", _bitwise_not, doc="Bitwise NOT.")


def _around(attrs, ins, ctx):
    x = ins[0]
    # past +-400 decimals every float64 rounds the same (10**400 overflows), and NumPy's time
    # grows with the count (seconds near 2**31)
    decimals = max(-400, min(attrs.decimals, 400))
    if x.dtype.kind != "f":
        return ctx.xp.around(x, decimals)
    return ctx.xp.around(x, decimals).astype(x.dtype, copy=False)


register("_npi_around", _around, inputs=("x",), params=(Param("decimals", "int", 0),),
         doc="Round to the given number of decimals (halves to even).")
clone("_npi_cast", "Cast")
clone("_np_copy", "_copy")
