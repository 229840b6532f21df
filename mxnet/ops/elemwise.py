"""Elementwise operators: unary math, binary (same-shape and broadcasting) and scalar forms.

Gradients are expressions ``grad(F, ...)`` over a math namespace ``F`` so that
one expression serves the raw backward (``F`` over NumPy/CuPy arrays) and the
recorded, differentiable backward used for higher-order gradients (``F`` over
NDArrays).

Integer inputs follow MXNet: the math runs in floating point and the result is
cast back to the input's integer type (truncating; NaN/inf become INT_MIN).
"""
import math

import numpy as np

from ..base import MXNetError
from . import _util as U
from ._util import (math_for, broadcast_shape_partial, check_same_shape, check_same_dtype,
                    merge_shapes)
from .registry import register, Param, get_op


def _nd_math():
    from ..ndarray import ndmath
    return ndmath


def _keep_dtype(y, x):
    return y if y.dtype == x.dtype else y.astype(x.dtype)


def _same_shape(attrs, shapes):
    s = merge_shapes(shapes)
    return [s] * len(shapes), [s]


def _same_shape_back(attrs, shapes, outs):
    return [merge_shapes(shapes + outs[:1])] * len(shapes)


_SAME_SHAPE = {"infer_shape": _same_shape, "infer_shape_back": _same_shape_back}


def _zero_grad(F, x, y, g):
    return F.zeros_like(x)


# -- unary ----------------------------------------------------------------------
def unary(name, fwd, grad=None, aliases=(), doc="", quiet=True, graph=True):
    """Register ``name(data)``; ``fwd(xp, x)``, ``grad(F, x, y, og) -> dx``.

    ``quiet`` silences NumPy's floating-point warnings (MXNet has none: log(0) is
    just -inf); the hot ops that cannot warn skip that cost.  ``graph=False``
    when the gradient needs a function that is not an operator (no higher order).
    """
    if quiet:
        def forward(attrs, ins, ctx):
            x = ins[0]
            with np.errstate(all="ignore"):
                y = fwd(ctx.xp, x)
                return y if y.dtype == x.dtype else y.astype(x.dtype)
    else:
        def forward(attrs, ins, ctx):
            x = ins[0]
            y = fwd(ctx.xp, x)
            return y if y.dtype == x.dtype else y.astype(x.dtype)

    def backward(attrs, og, ins, outs, ctx, state):
        if og[0] is None:
            return [None]
        with np.errstate(all="ignore"):
            return [_keep_dtype(grad(math_for(ctx.xp), ins[0], outs[0], og[0]), ins[0])]

    def backward_graph(attrs, og, ins, outs):
        return [grad(_nd_math(), ins[0], outs[0], og[0])]

    register(name, forward, inputs=("data",), backward=backward if grad else None,
             backward_graph=backward_graph if grad and graph else None,
             **_SAME_SHAPE, aliases=aliases, doc=doc, zero_grad=grad is _zero_grad)


def _float(xp, x):
    # integer inputs compute in float64 (cast back by the caller)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _sigmoid(xp, x):
    y = xp.negative(_float(xp, x))
    if x.ndim == 0:
        # NumPy gives a scalar for a 0-d input; the in-place steps need an array
        y = xp.asarray(y)
    xp.exp(y, out=y)
    y += 1
    return xp.reciprocal(y, out=y)


def _round_half_away(xp, x):
    t = xp.trunc(x)
    return xp.where(xp.abs(x - t) >= 0.5, t + xp.sign(x), t)


def _rint(xp, x):
    # MXNet's rint: floor unless the fraction exceeds one half (so -2.5 -> -3, 2.5 -> 2)
    f = xp.floor(x)
    return xp.where(x - f <= 0.5, f, f + 1)


_LN10, _LN2 = math.log(10.0), math.log(2.0)
_DEG = 180.0 / math.pi
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0

unary("negative", lambda xp, x: -x, lambda F, x, y, g: -g, quiet=False,
      doc="Numerical negative, elementwise.")
unary("abs", lambda xp, x: xp.abs(x), lambda F, x, y, g: g * F.sign(x), quiet=False,
      doc="Absolute value.")
unary("sign", lambda xp, x: xp.sign(x), _zero_grad, doc="Sign of each element (-1, 0 or 1).")
def _exp(xp, x):
    # NumPy's SIMD float32 exp is an ulp off for about a third of inputs (exp(1) among them);
    # MXNet's (libm's expf) rounds correctly: compute in float64 and round once (~1.3x the time)
    return xp.exp(x, dtype=np.float64) if x.dtype.kind == "f" and x.itemsize < 8 else xp.exp(x)


unary("exp", _exp, lambda F, x, y, g: g * y, doc="Exponential, elementwise.")
unary("expm1", lambda xp, x: xp.expm1(x), lambda F, x, y, g: g * (y + 1), doc="exp(x) - 1, elementwise.")
unary("log", lambda xp, x: xp.log(x), lambda F, x, y, g: g / x, doc="Natural logarithm.")
unary("log10", lambda xp, x: xp.log10(x), lambda F, x, y, g: g / (x * _LN10), doc="Base-10 logarithm.")
unary("log2", lambda xp, x: xp.log2(x), lambda F, x, y, g: g / (x * _LN2), doc="Base-2 logarithm.")
unary("log1p", lambda xp, x: xp.log1p(x), lambda F, x, y, g: g / (x + 1), doc="log(1 + x), elementwise.")
unary("sqrt", lambda xp, x: xp.sqrt(x), lambda F, x, y, g: g / (y * 2), doc="Square root.")
unary("rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda F, x, y, g: g * (y * y * y) * -0.5,
      doc="Reciprocal square root 1 / sqrt(x).")
unary("cbrt", lambda xp, x: xp.cbrt(x), lambda F, x, y, g: g / (y * y * 3), doc="Cube root.")
unary("rcbrt", lambda xp, x: 1 / xp.cbrt(x), lambda F, x, y, g: g * F.square(F.square(y)) * (-1 / 3),
      doc="Reciprocal cube root 1 / cbrt(x).")
unary("square", lambda xp, x: x * x, lambda F, x, y, g: g * x * 2, quiet=False, doc="Square, elementwise.")
unary("reciprocal", lambda xp, x: 1 / _float(xp, x), lambda F, x, y, g: -g * y * y,
      doc="Reciprocal 1 / x.")
unary("sin", lambda xp, x: xp.sin(x), lambda F, x, y, g: g * F.cos(x), doc="Sine, elementwise.")
unary("cos", lambda xp, x: xp.cos(x), lambda F, x, y, g: -g * F.sin(x), doc="Cosine, elementwise.")
unary("tan", lambda xp, x: xp.tan(x), lambda F, x, y, g: g * (y * y + 1), doc="Tangent, elementwise.")
unary("arcsin", lambda xp, x: xp.arcsin(x), lambda F, x, y, g: g / F.sqrt(1 - x * x), doc="Inverse sine.")
unary("arccos", lambda xp, x: xp.arccos(x), lambda F, x, y, g: -g / F.sqrt(1 - x * x),
      doc="Inverse cosine.")
unary("arctan", lambda xp, x: xp.arctan(x), lambda F, x, y, g: g / (x * x + 1), doc="Inverse tangent.")
unary("sinh", lambda xp, x: xp.sinh(x), lambda F, x, y, g: g * F.cosh(x), doc="Hyperbolic sine.")
unary("cosh", lambda xp, x: xp.cosh(x), lambda F, x, y, g: g * F.sinh(x), doc="Hyperbolic cosine.")
unary("tanh", lambda xp, x: xp.tanh(x), lambda F, x, y, g: g * (1 - y * y), doc="Hyperbolic tangent.")
unary("arcsinh", lambda xp, x: xp.arcsinh(x), lambda F, x, y, g: g / F.sqrt(x * x + 1),
      doc="Inverse hyperbolic sine.")
unary("arccosh", lambda xp, x: xp.arccosh(x), lambda F, x, y, g: g / F.sqrt(x * x - 1),
      doc="Inverse hyperbolic cosine.")
unary("arctanh", lambda xp, x: xp.arctanh(x), lambda F, x, y, g: g / (1 - x * x),
      doc="Inverse hyperbolic tangent.")
unary("degrees", lambda xp, x: _float(xp, x) * _DEG, lambda F, x, y, g: g * _DEG,
      doc="Radians to degrees.")
unary("radians", lambda xp, x: _float(xp, x) / _DEG, lambda F, x, y, g: g / _DEG,
      doc="Degrees to radians.")
unary("floor", lambda xp, x: xp.floor(x), _zero_grad, doc="Largest integer <= x.")
unary("ceil", lambda xp, x: xp.ceil(x), _zero_grad, doc="Smallest integer >= x.")
unary("round", _round_half_away, _zero_grad, doc="Round to nearest, halves away from zero.")
unary("rint", _rint, _zero_grad, doc="Round to nearest integer (MXNet's rule: halves go down).")
unary("trunc", lambda xp, x: xp.trunc(x), _zero_grad, doc="Round toward zero.")
unary("fix", lambda xp, x: xp.trunc(x), _zero_grad, doc="Round toward zero.")
unary("erf", lambda xp, x: U.erf(xp, x),
      lambda F, x, y, g: g * F.exp(-x * x) * _TWO_OVER_SQRT_PI, doc="Gauss error function.")
unary("erfinv", lambda xp, x: U.erfinv(xp, x),
      lambda F, x, y, g: g * F.exp(y * y) * _SQRT_PI_OVER_TWO, doc="Inverse error function.")
# digamma is no operator in MXNet 1.9, so these two have no recorded (higher-order) gradient
unary("gamma", lambda xp, x: U.gamma(xp, x), lambda F, x, y, g: g * y * F.digamma(x), graph=False,
      doc="Gamma function.")
unary("gammaln", lambda xp, x: U.gammaln(xp, x), lambda F, x, y, g: g * F.digamma(x), graph=False,
      doc="Logarithm of the absolute value of the gamma function.")
unary("sigmoid", _sigmoid, lambda F, x, y, g: g * y * (1 - y), doc="Logistic sigmoid 1 / (1 + exp(-x)).")
# the sign of the output (>= 0 or NaN) is relu's step: MXNet's gradient is NaN where x is NaN
unary("relu", lambda xp, x: xp.maximum(x, 0), lambda F, x, y, g: g * F.sign(y), quiet=False,
      doc="Rectified linear unit max(x, 0).")
unary("softsign", lambda xp, x: x / (xp.abs(x) + 1),
      lambda F, x, y, g: g / F.square(F.abs(x) + 1), doc="x / (1 + |x|), elementwise.")
unary("logical_not", lambda xp, x: x == 0, _zero_grad, doc="Logical NOT (1 where x == 0, else 0).")
unary("_copy", lambda xp, x: x.copy(), lambda F, x, y, g: g, aliases=("identity",), quiet=False,
      doc="Returns a copy of the input.")
unary("zeros_like", lambda xp, x: xp.zeros_like(x), _zero_grad, quiet=False,
      doc="An array of zeros with the input's shape and type.")
unary("ones_like", lambda xp, x: xp.ones_like(x), _zero_grad, quiet=False,
      doc="An array of ones with the input's shape and type.")
unary("BlockGrad", lambda xp, x: x.copy(), _zero_grad, aliases=("stop_gradient",), quiet=False,
      doc="Passes the input through and stops the gradient (it is zero).")
unary("make_loss", lambda xp, x: x.copy(), lambda F, x, y, g: F.ones_like(x), quiet=False,
      doc="Marks the input as a loss: its gradient is one whatever the head gradient.")


# -- unary with parameters or other output types ----------------------------------
def _hs_mask(x, attrs):
    z = x * attrs["alpha"] + attrs["beta"]
    return (z > 0) * (z < 1)


def _hard_sigmoid_fwd(attrs, ins, ctx):
    x = ins[0]
    if x.dtype.kind != "f":
        raise MXNetError(f"Operator hard_sigmoid: data must be a floating-point array, got {x.dtype}")
    y = x * attrs.alpha + attrs.beta
    return ctx.xp.clip(y, 0, 1, out=y)


def _hard_sigmoid_bwd(attrs, og, ins, outs, ctx, state):
    return [None if og[0] is None else og[0] * _hs_mask(ins[0], attrs) * attrs.alpha]


register("hard_sigmoid", _hard_sigmoid_fwd, params=(
    Param("alpha", "float", 0.2, "slope"), Param("beta", "float", 0.5, "intercept")),
    backward=_hard_sigmoid_bwd, **_SAME_SHAPE,
    backward_graph=lambda attrs, og, ins, outs: [og[0] * _hs_mask(ins[0], attrs) * attrs["alpha"]],
    doc="Hard sigmoid max(0, min(1, alpha * x + beta)).")


def _make_loss_scale(attrs, x):
    norm = attrs.normalization
    if norm == "batch":
        n = x.shape[0] if x.ndim else 1
    elif norm == "valid":
        n = max(int((x > attrs.valid_thresh).sum()), 1)
    else:
        n = 1
    return attrs.grad_scale / n


def _make_loss_fwd(attrs, ins, ctx):
    return ins[0].copy()


def _make_loss_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    return [ctx.xp.full_like(x, _make_loss_scale(attrs, x))]


def _make_loss_graph(attrs, og, ins, outs):
    x = ins[0]
    return [_nd_math().ones_like(x) * _make_loss_scale(attrs, x.asnumpy())]


register("MakeLoss", _make_loss_fwd, params=(
    Param("grad_scale", "float", 1.0, "scale of the gradient"),
    Param("valid_thresh", "float", 0.0, "elements above this count as valid ('valid' normalization)"),
    Param("normalization", "str", "null", "how the gradient is normalised",
          choices=("null", "batch", "valid"))),
    backward=_make_loss_bwd, backward_graph=_make_loss_graph, **_SAME_SHAPE,
    doc="Marks the input as a loss: its gradient is grad_scale (normalised), whatever the head gradient.")


def _int64_type(attrs, types):
    return types, [np.dtype(np.int64)]


def _shape_op(name, fwd, out_shape, doc):
    def forward(attrs, ins, ctx):
        return ctx.xp.asarray(fwd(ins[0]), dtype=np.int64)

    def backward(attrs, og, ins, outs, ctx, state):
        return [ctx.xp.zeros_like(ins[0])]

    def shape(attrs, shapes):
        s = shapes[0]
        return shapes, [None if s is None else out_shape(s)]
    register(name, forward, backward=backward, infer_shape=shape, infer_type=_int64_type, doc=doc)


_shape_op("size_array", lambda x: [x.size], lambda s: (1,),
          "The number of elements, as a 1-element int64 array.")
_shape_op("shape_array", lambda x: list(x.shape), lambda s: (len(s),), "The shape, as a 1-D int64 array.")


# -- binary -----------------------------------------------------------------------
def _binary_defs(name, fwd, grad, quiet):
    def forward_b(attrs, ins, ctx):
        a, b = ins
        if a.dtype != b.dtype:
            raise MXNetError(f"Operator {name}: incompatible dtypes {a.dtype} and {b.dtype} (operands "
                             "must have the same dtype; use astype)")
        if quiet:
            with np.errstate(all="ignore"):
                return fwd(ctx.xp, a, b).astype(a.dtype, copy=False)
        return fwd(ctx.xp, a, b).astype(a.dtype, copy=False)

    if grad is None:
        return forward_b, None, None

    def backward(attrs, og, ins, outs, ctx, state):
        g = og[0]
        if g is None:
            return [None, None]
        F = math_for(ctx.xp)
        a, b = ins
        with np.errstate(all="ignore"):
            ga, gb = grad(F, a, b, outs[0], g)
        return [None if ga is None else F.sum_to(ga, a.shape).astype(a.dtype, copy=False),
                None if gb is None else F.sum_to(gb, b.shape).astype(b.dtype, copy=False)]

    def backward_graph(attrs, og, ins, outs):
        F = _nd_math()
        a, b = ins
        ga, gb = grad(F, a, b, outs[0], og[0])
        return [None if ga is None else F.sum_to(ga, a.shape),
                None if gb is None else F.sum_to(gb, b.shape)]
    return forward_b, backward, backward_graph


def _same_type(name):
    """Type inference for operands that must share one dtype (MXNet's ElemwiseType)."""
    def infer(attrs, types):
        known = {np.dtype(t) for t in types if t is not None}
        if len(known) > 1:
            a, b = (np.dtype(t).name for t in types)
            raise MXNetError(f"Operator {name}: incompatible dtypes {a} and {b} (operands must have "
                             "the same dtype; use astype)")
        t = known.pop() if known else None
        return [t, t], [t]
    return infer


def binary(name, fwd, grad=None, elemwise_name=None, aliases=(), elemwise_aliases=(), doc="", quiet=True):
    """Register ``name`` (broadcasting) and ``elemwise_name`` (same shapes) from one definition."""
    forward_b, backward, backward_graph = _binary_defs(name, fwd, grad, quiet)

    def shape_b(attrs, shapes):
        a, b = shapes
        if a is None or b is None:
            return shapes, [None]
        return shapes, [broadcast_shape_partial(name, a, b)]

    register(name, forward_b, inputs=("lhs", "rhs"), backward=backward, backward_graph=backward_graph,
             infer_shape=shape_b, infer_type=_same_type(name), aliases=aliases, doc=doc,
             zero_grad=grad is _zero_grads)
    if elemwise_name:
        def forward_e(attrs, ins, ctx):
            check_same_shape(elemwise_name, ("lhs", "rhs"), ins)
            return forward_b(attrs, ins, ctx)

        register(elemwise_name, forward_e, inputs=("lhs", "rhs"), backward=backward,
                 backward_graph=backward_graph, **_SAME_SHAPE, infer_type=_same_type(elemwise_name),
                 aliases=elemwise_aliases, doc=doc, zero_grad=grad is _zero_grads)


def _int_div(xp, a, b):
    if a.dtype.kind in "iu":
        # C-style integer division truncates toward zero
        q = a // b
        return q + ((q < 0) & (q * b != a))
    return a / b


def _power(xp, a, b):
    if a.dtype.kind != "f":
        return xp.power(a.astype(np.float64), b.astype(np.float64) if hasattr(b, "astype") else b)
    return xp.power(a, b)


def _mod(xp, a, b):
    # NumPy's sign-of-divisor remainder; MXNet gives 0 where the divisor is 0
    r = xp.mod(a, b)
    return xp.where(b == 0, 0, r).astype(r.dtype, copy=False)


def _zero_grads(F, a, b, y, g):
    return F.zeros_like(a), F.zeros_like(b)


binary("broadcast_add", lambda xp, a, b: a + b, lambda F, a, b, y, g: (g, g),
       "elemwise_add", aliases=("broadcast_plus",), elemwise_aliases=("_add", "_plus", "_Plus"),
       doc="Sum of two arrays.", quiet=False)
binary("broadcast_sub", lambda xp, a, b: a - b, lambda F, a, b, y, g: (g, -g),
       "elemwise_sub", aliases=("broadcast_minus",), elemwise_aliases=("_sub", "_minus", "_Minus"),
       doc="Difference of two arrays.", quiet=False)
binary("broadcast_mul", lambda xp, a, b: a * b, lambda F, a, b, y, g: (g * b, g * a),
       "elemwise_mul", elemwise_aliases=("_mul", "_Mul"), doc="Product of two arrays.", quiet=False)
binary("broadcast_div", _int_div, lambda F, a, b, y, g: (g / b, -g * a / (b * b)),
       "elemwise_div", elemwise_aliases=("_div", "_Div"),
       doc="Quotient of two arrays (integer division truncates).")
binary("broadcast_power", _power,
       lambda F, a, b, y, g: (g * b * F.power(a, b - 1), g * y * F.log(a)),
       "_power", elemwise_aliases=("_Power",), doc="First array raised to powers from the second.")
def _mod_grads(F, a, b, y, g):
    if np.dtype(a.dtype).kind != "f":   # MXNet's integer remainder has zero gradients
        return F.zeros_like(a), F.zeros_like(b)
    return g, -g * F.floor(a / b)


binary("broadcast_mod", _mod, _mod_grads, "_mod", elemwise_aliases=("_Mod",),
       doc="Remainder of division (sign of the divisor; 0 where the divisor is 0).")
binary("broadcast_maximum", lambda xp, a, b: xp.maximum(a, b),
       lambda F, a, b, y, g: (g * (a >= b), g * (a < b)), "_maximum", elemwise_aliases=("_Maximum",),
       doc="Elementwise maximum (ties send the gradient to the first input).")
binary("broadcast_minimum", lambda xp, a, b: xp.minimum(a, b),
       lambda F, a, b, y, g: (g * (a <= b), g * (a > b)), "_minimum", elemwise_aliases=("_Minimum",),
       doc="Elementwise minimum (ties send the gradient to the first input).")
binary("broadcast_hypot", lambda xp, a, b: xp.hypot(a, b),
       lambda F, a, b, y, g: (g * a / y, g * b / y), "_hypot", elemwise_aliases=("_Hypot",),
       doc="sqrt(lhs^2 + rhs^2), elementwise.")


def _cmp(name, fn, elemwise_name, elemwise_alias, what):
    binary(name, fn, _zero_grads, elemwise_name, elemwise_aliases=(elemwise_alias,),
           doc=f"Elementwise {what} (1 or 0, in the input type).")


_cmp("broadcast_equal", lambda xp, a, b: a == b, "_equal", "_Equal", "lhs == rhs")
_cmp("broadcast_not_equal", lambda xp, a, b: a != b, "_not_equal", "_Not_Equal", "lhs != rhs")
_cmp("broadcast_greater", lambda xp, a, b: a > b, "_greater", "_Greater", "lhs > rhs")
_cmp("broadcast_greater_equal", lambda xp, a, b: a >= b, "_greater_equal", "_Greater_Equal", "lhs >= rhs")
_cmp("broadcast_lesser", lambda xp, a, b: a < b, "_lesser", "_Lesser", "lhs < rhs")
_cmp("broadcast_lesser_equal", lambda xp, a, b: a <= b, "_lesser_equal", "_Lesser_Equal", "lhs <= rhs")
_cmp("broadcast_logical_and", lambda xp, a, b: xp.logical_and(a, b), "_logical_and", "_Logical_And",
     "logical AND")
_cmp("broadcast_logical_or", lambda xp, a, b: xp.logical_or(a, b), "_logical_or", "_Logical_Or",
     "logical OR")
_cmp("broadcast_logical_xor", lambda xp, a, b: xp.logical_xor(a, b), "_logical_xor", "_Logical_Xor",
     "logical XOR")


def _grad_add_fwd(attrs, ins, ctx):
    check_same_shape("_grad_add", ("lhs", "rhs"), ins)
    check_same_dtype("_grad_add", ("lhs", "rhs"), ins)
    return ins[0] + ins[1]


register("_grad_add", _grad_add_fwd, inputs=("lhs", "rhs"), **_SAME_SHAPE, fgradient=False,
         doc="Sum of two same-shape arrays, without a gradient (used to accumulate gradients).")


def _iwalr_bwd(attrs, og, ins, outs, ctx, state):
    return [og[0], ctx.xp.zeros_like(ins[1])]


register("_identity_with_attr_like_rhs", lambda attrs, ins, ctx: ins[0].copy(), inputs=("lhs", "rhs"),
         backward=_iwalr_bwd,
         backward_graph=lambda attrs, og, ins, outs: [og[0], _nd_math().zeros_like(ins[1])],
         **_SAME_SHAPE, doc="Returns lhs unchanged (rhs only lends its attributes).")


# -- scalar ---------------------------------------------------------------------
_SCALAR_PARAMS = (Param("scalar", "float", 1.0, "scalar input value"),
                  Param("is_int", "bool", True, "whether the scalar is an integer"))


def _scalar_of(attrs, x):
    # MXNet casts the scalar to the array's dtype before computing
    s = attrs["scalar"]
    if x.dtype.kind in "iu":
        # out-of-range integers wrap to the array's dtype (uint8 + 300 adds 44)
        return np.array(int(s)).astype(x.dtype)[()]
    if x.dtype.kind == "b":
        return int(s)
    return s


def _zero_grad_s(F, x, y, g, s):
    return F.zeros_like(x)


def scalar(name, fwd, grad=None, aliases=(), doc="", quiet=True):
    """Register ``name(data, scalar)``; ``fwd(xp, x, s)``, ``grad(F, x, y, g, s) -> dx``."""
    def forward(attrs, ins, ctx):
        x = ins[0]
        if quiet:
            with np.errstate(all="ignore"):
                return _keep_dtype(fwd(ctx.xp, x, _scalar_of(attrs, x)), x)
        return _keep_dtype(fwd(ctx.xp, x, _scalar_of(attrs, x)), x)

    def backward(attrs, og, ins, outs, ctx, state):
        if og[0] is None:
            return [None]
        x = ins[0]
        with np.errstate(all="ignore"):
            return [_keep_dtype(grad(math_for(ctx.xp), x, outs[0], og[0], _scalar_of(attrs, x)), x)]

    def backward_graph(attrs, og, ins, outs):
        return [grad(_nd_math(), ins[0], outs[0], og[0], attrs["scalar"])]

    register(name, forward, inputs=("data",), params=_SCALAR_PARAMS, backward=backward if grad else None,
             backward_graph=backward_graph if grad else None, **_SAME_SHAPE, aliases=aliases,
             doc=doc, zero_grad=grad is _zero_grad_s)


def _log_scalar(s):
    with np.errstate(all="ignore"):
        return float(np.log(np.float64(s)))


scalar("_plus_scalar", lambda xp, x, s: x + s, lambda F, x, y, g, s: g, aliases=("_PlusScalar",),
       doc="data + scalar.", quiet=False)
scalar("_minus_scalar", lambda xp, x, s: x - s, lambda F, x, y, g, s: g, aliases=("_MinusScalar",),
       doc="data - scalar.", quiet=False)
scalar("_rminus_scalar", lambda xp, x, s: s - x, lambda F, x, y, g, s: -g, aliases=("_RMinusScalar",),
       doc="scalar - data.", quiet=False)
scalar("_mul_scalar", lambda xp, x, s: x * s, lambda F, x, y, g, s: g * s, aliases=("_MulScalar",),
       doc="data * scalar.", quiet=False)
scalar("_div_scalar", lambda xp, x, s: _int_div(xp, x, s), lambda F, x, y, g, s: g / s,
       aliases=("_DivScalar",), doc="data / scalar.")
scalar("_rdiv_scalar", lambda xp, x, s: _int_div(xp, xp.full_like(x, s), x), lambda F, x, y, g, s: -g * y / x,
       aliases=("_RDivScalar",), doc="scalar / data.")
# the scatter forms apply the scalar to a sparse array's stored values only (ndarray/sparse_ops.py);
# on dense arrays they are the plain operators
scalar("_scatter_plus_scalar", lambda xp, x, s: x + s, lambda F, x, y, g, s: g,
       doc="data + scalar; on a sparse array, the stored values only.", quiet=False)
scalar("_scatter_minus_scalar", lambda xp, x, s: x - s, lambda F, x, y, g, s: g,
       doc="data - scalar; on a sparse array, the stored values only.", quiet=False)
_div_op = get_op("elemwise_div")
register("_scatter_elemwise_div", _div_op.forward, inputs=("lhs", "rhs"), backward=_div_op.backward,
         backward_graph=_div_op.backward_graph, **_SAME_SHAPE, infer_type=_same_type("_scatter_elemwise_div"),
         doc="lhs / rhs; on a sparse lhs, at its stored entries only.")
scalar("_mod_scalar", lambda xp, x, s: _mod(xp, x, s),
       lambda F, x, y, g, s: g if np.dtype(x.dtype).kind == "f" else F.zeros_like(x), aliases=("_ModScalar",),
       doc="data mod scalar.")
scalar("_rmod_scalar", lambda xp, x, s: _mod(xp, xp.full_like(x, s), x),
       lambda F, x, y, g, s: -g * F.floor(s / x) if np.dtype(x.dtype).kind == "f" else F.zeros_like(x),
       aliases=("_RModScalar",), doc="scalar mod data.")
scalar("_power_scalar", lambda xp, x, s: _power(xp, x, s), lambda F, x, y, g, s: g * s * F.power(x, s - 1),
       aliases=("_PowerScalar",), doc="data ** scalar.")
scalar("_rpower_scalar", lambda xp, x, s: _power(xp, xp.full_like(x, s), x),
       lambda F, x, y, g, s: g * y * _log_scalar(s), aliases=("_RPowerScalar",), doc="scalar ** data.")
scalar("_maximum_scalar", lambda xp, x, s: xp.maximum(x, s), lambda F, x, y, g, s: g * (x >= s),
       aliases=("_MaximumScalar",), doc="max(data, scalar).")
scalar("_minimum_scalar", lambda xp, x, s: xp.minimum(x, s), lambda F, x, y, g, s: g * (x <= s),
       aliases=("_MinimumScalar",), doc="min(data, scalar).")
scalar("_hypot_scalar", lambda xp, x, s: xp.hypot(x, s), lambda F, x, y, g, s: g * x / y,
       aliases=("_HypotScalar",), doc="sqrt(data^2 + scalar^2).")


for _n, _alias, _f, _what in (
        ("_equal_scalar", "_EqualScalar", lambda xp, x, s: x == s, "=="),
        ("_not_equal_scalar", "_NotEqualScalar", lambda xp, x, s: x != s, "!="),
        ("_greater_scalar", "_GreaterScalar", lambda xp, x, s: x > s, ">"),
        ("_greater_equal_scalar", "_GreaterEqualScalar", lambda xp, x, s: x >= s, ">="),
        ("_lesser_scalar", "_LesserScalar", lambda xp, x, s: x < s, "<"),
        ("_lesser_equal_scalar", "_LesserEqualScalar", lambda xp, x, s: x <= s, "<="),
        ("_logical_and_scalar", "_LogicalAndScalar", lambda xp, x, s: xp.logical_and(x, s), "and"),
        ("_logical_or_scalar", "_LogicalOrScalar", lambda xp, x, s: xp.logical_or(x, s), "or"),
        ("_logical_xor_scalar", "_LogicalXorScalar", lambda xp, x, s: xp.logical_xor(x, s), "xor")):
    scalar(_n, _f, _zero_grad_s, aliases=(_alias,), doc=f"data {_what} scalar (1 or 0, in the input type).")


# -- clip, where, add_n -----------------------------------------------------------------
def _clip_fwd(attrs, ins, ctx):
    x = ins[0]
    xp = ctx.xp
    lo, hi = _scalar_of({"scalar": attrs.a_min}, x), _scalar_of({"scalar": attrs.a_max}, x)
    if lo <= hi:
        return xp.clip(x, lo, hi)
    # MXNet tests the upper bound first, which matters only for crossed bounds
    return _keep_dtype(xp.where(x > hi, hi, xp.maximum(x, lo)), x)


def _clip_grad(x, g, attrs):
    return g * ((x >= attrs["a_min"]) * (x <= attrs["a_max"]))


register("clip", _clip_fwd, params=(Param("a_min", "float", doc="lower bound"),
                                    Param("a_max", "float", doc="upper bound")),
         backward=lambda attrs, og, ins, outs, ctx, state:
             [None if og[0] is None else _keep_dtype(_clip_grad(ins[0], og[0], attrs), ins[0])],
         backward_graph=lambda attrs, og, ins, outs: [_clip_grad(ins[0], og[0], attrs)],
         **_SAME_SHAPE, doc="Limits the values to [a_min, a_max]; the gradient passes inside.")


def _where_mask(cond, x):
    """``cond != 0`` shaped to broadcast against ``x`` (a 1-D condition selects rows)."""
    m = cond != 0
    if cond.ndim == 1 and x.ndim > 1:
        m = m.reshape((cond.shape[0],) + (1,) * (x.ndim - 1))
    return m


def _where_fwd(attrs, ins, ctx):
    c, x, y = ins
    check_same_shape("where", ("x", "y"), (x, y))
    check_same_dtype("where", ("x", "y"), (x, y))
    if c.shape != x.shape and not (c.ndim == 1 and x.ndim >= 1 and c.shape[0] == x.shape[0]):
        raise MXNetError(f"Operator where: condition of shape {tuple(c.shape)} must have the shape of x "
                         f"{tuple(x.shape)} or be 1-D of length x.shape[0]")
    return ctx.xp.where(_where_mask(c, x), x, y)


def _where_grads(F, c, x, g):
    gx = g * F.cast_like(_where_mask(c, x), g)
    return [F.zeros_like(c), gx, g - gx]


def _where_shape(attrs, shapes):
    c, x, y = shapes
    if c is None or not all(c):
        # as in MXNet, nothing is decided before the condition's shape is fully known
        return shapes, [None]
    out = merge_shapes([x, y])
    if out is not None and len(c) == len(out):
        out = merge_shapes([c, out])
    return [c, out, out], [out]


register("where", _where_fwd, inputs=("condition", "x", "y"),
         backward=lambda attrs, og, ins, outs, ctx, state:
             [None] * 3 if og[0] is None else _where_grads(math_for(ctx.xp), ins[0], ins[1], og[0]),
         backward_graph=lambda attrs, og, ins, outs: _where_grads(_nd_math(), ins[0], ins[1], og[0]),
         infer_shape=_where_shape,
         infer_type=lambda attrs, types: (types, [types[1] if types[1] is not None else types[2]]),
         doc="Elements of x where condition is nonzero, else of y.")


def _add_n_fwd(attrs, ins, ctx):
    if not ins:
        raise MXNetError("Operator add_n: needs at least one input")
    names = [f"args[{i}]" for i in range(len(ins))]
    check_same_shape("add_n", names, ins)
    check_same_dtype("add_n", names, ins)
    if len(ins) == 1:
        return ins[0].copy()
    out = ins[0] + ins[1]
    for x in ins[2:]:
        out += x
    return out


register("add_n", _add_n_fwd, inputs=("args",), variadic="num_args",
         params=(Param("num_args", "int", doc="number of inputs"),),
         backward=lambda attrs, og, ins, outs, ctx, state: [og[0]] * len(ins),
         backward_graph=lambda attrs, og, ins, outs: [og[0]] * len(ins),
         **_SAME_SHAPE, aliases=("ElementWiseSum",), doc="Sum of any number of same-shape arrays.")
