"""Elementwise operators: unary math, binary (same-shape and broadcasting) and scalar forms.

Gradients are expressions ``grad(F, ...)`` over a math namespace ``F`` so that
one expression serves the raw backward (``F`` over NumPy/CuPy arrays) and the
recorded, differentiable backward used for higher-order gradients (``F`` over
NDArrays).
"""
import numpy as np

from ..base import MXNetError
from ._util import math_for, broadcast_shape, check_same_shape
from .registry import register, Param


def _nd_math():
    from ..ndarray import ndmath
    return ndmath


def _keep_dtype(y, x):
    return y if y.dtype == x.dtype else y.astype(x.dtype)


# -- unary ----------------------------------------------------------------------
def unary(name, fwd, grad=None, aliases=(), doc=""):
    """Register ``name(data)``; ``fwd(xp, x)``, ``grad(F, x, y, og) -> dx``."""
    def forward(attrs, ins, ctx):
        x = ins[0]
        return _keep_dtype(fwd(ctx.xp, x), x)

    backward = backward_graph = None
    if grad is not None:
        def backward(attrs, og, ins, outs, ctx, state):
            if og[0] is None:
                return [None]
            return [_keep_dtype(grad(math_for(ctx.xp), ins[0], outs[0], og[0]), ins[0])]

        def backward_graph(attrs, og, ins, outs):
            return [grad(_nd_math(), ins[0], outs[0], og[0])]
    register(name, forward, inputs=("data",), backward=backward, backward_graph=backward_graph,
             aliases=aliases, doc=doc)


unary("negative", lambda xp, x: -x, lambda F, x, y, g: -g, doc="Numerical negative, elementwise.")
unary("abs", lambda xp, x: xp.abs(x), lambda F, x, y, g: g * F.sign(x), doc="Absolute value.")
unary("sign", lambda xp, x: xp.sign(x), lambda F, x, y, g: F.zeros_like(g), doc="Sign of each element.")
unary("exp", lambda xp, x: xp.exp(x), lambda F, x, y, g: g * y, doc="Exponential, elementwise.")
unary("log", lambda xp, x: xp.log(x), lambda F, x, y, g: g / x, doc="Natural logarithm.")
unary("sin", lambda xp, x: xp.sin(x), lambda F, x, y, g: g * F.cos(x), doc="Sine, elementwise.")
unary("cos", lambda xp, x: xp.cos(x), lambda F, x, y, g: -g * F.sin(x), doc="Cosine, elementwise.")
unary("tanh", lambda xp, x: xp.tanh(x), lambda F, x, y, g: g * (1 - y * y),
      doc="Hyperbolic tangent.")
unary("sqrt", lambda xp, x: xp.sqrt(x), lambda F, x, y, g: g / (2 * y), doc="Square root.")
unary("square", lambda xp, x: x * x, lambda F, x, y, g: 2 * x * g, doc="Square, elementwise.")
unary("sigmoid", lambda xp, x: math_for(xp).sigmoid(x), lambda F, x, y, g: g * y * (1 - y),
      doc="Logistic sigmoid 1 / (1 + exp(-x)).")
unary("relu", lambda xp, x: xp.maximum(x, 0), lambda F, x, y, g: g * (x > 0),
      doc="Rectified linear unit max(x, 0).")
unary("_copy", lambda xp, x: x.copy(), lambda F, x, y, g: g, aliases=("identity",),
      doc="Returns a copy of the input.")


# -- binary -----------------------------------------------------------------------
def _binary_defs(fwd, grad):
    def forward_b(attrs, ins, ctx):
        a, b = ins
        if a.dtype != b.dtype:
            raise MXNetError(f"incompatible dtypes {a.dtype} and {b.dtype} (operands must have the "
                             "same dtype; use astype)")
        return fwd(ctx.xp, a, b).astype(a.dtype, copy=False)

    def backward(attrs, og, ins, outs, ctx, state):
        g = og[0]
        if g is None:
            return [None, None]
        F = math_for(ctx.xp)
        a, b = ins
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


def binary(name, fwd, grad=None, elemwise_name=None, aliases=(), elemwise_aliases=(), doc=""):
    """Register ``broadcast_<name>`` (and ``elemwise_<name>`` when given) from one definition."""
    forward_b, backward, backward_graph = _binary_defs(fwd, grad) if grad else \
        (_binary_defs(fwd, lambda *a: (None, None))[0], None, None)

    def shape_b(attrs, shapes):
        a, b = shapes
        if a is None or b is None:
            return shapes, [None]
        return shapes, [broadcast_shape(name, a, b)]

    register(name, forward_b, inputs=("lhs", "rhs"), backward=backward, backward_graph=backward_graph,
             infer_shape=shape_b, aliases=aliases, doc=doc)
    if elemwise_name:
        def forward_e(attrs, ins, ctx):
            check_same_shape(elemwise_name, ("lhs", "rhs"), ins)
            return forward_b(attrs, ins, ctx)

        def shape_e(attrs, shapes):
            a, b = shapes
            s = a if a is not None else b
            return [s, s], [s]
        register(elemwise_name, forward_e, inputs=("lhs", "rhs"), backward=backward,
                 backward_graph=backward_graph, infer_shape=shape_e, aliases=elemwise_aliases, doc=doc)


def _int_div(xp, a, b):
    if a.dtype.kind in "iu":
        return xp.trunc(a / b)
    return a / b


binary("broadcast_add", lambda xp, a, b: a + b, lambda F, a, b, y, g: (g, g),
       "elemwise_add", aliases=("broadcast_plus",), elemwise_aliases=("_add", "_plus", "_Plus"),
       doc="Sum of two arrays.")
binary("broadcast_sub", lambda xp, a, b: a - b, lambda F, a, b, y, g: (g, -g),
       "elemwise_sub", aliases=("broadcast_minus",), elemwise_aliases=("_sub", "_minus", "_Minus"),
       doc="Difference of two arrays.")
binary("broadcast_mul", lambda xp, a, b: a * b, lambda F, a, b, y, g: (g * b, g * a),
       "elemwise_mul", elemwise_aliases=("_mul", "_Mul"), doc="Product of two arrays.")
binary("broadcast_div", _int_div, lambda F, a, b, y, g: (g / b, -g * a / (b * b)),
       "elemwise_div", elemwise_aliases=("_div", "_Div"), doc="Quotient of two arrays.")
binary("broadcast_power", lambda xp, a, b: xp.power(a, b),
       lambda F, a, b, y, g: (g * b * F.power(a, b - 1), g * y * F.log(a)),
       "_power", elemwise_aliases=("_Power",), doc="First array raised to powers from the second.")
binary("broadcast_mod", lambda xp, a, b: xp.mod(a, b),
       lambda F, a, b, y, g: (g, -g * F.floor(a / b)), "_mod", elemwise_aliases=("_Mod",),
       doc="Remainder of division (sign of the divisor).")


def _cmp(name, fn, elemwise_name=None, elemwise_aliases=()):
    binary(name, lambda xp, a, b: fn(xp, a, b).astype(a.dtype), None, elemwise_name,
           elemwise_aliases=elemwise_aliases, doc=f"Elementwise {name.split('_', 1)[1]} (1 or 0).")


_cmp("broadcast_equal", lambda xp, a, b: a == b, "_equal", ("_Equal",))
_cmp("broadcast_not_equal", lambda xp, a, b: a != b, "_not_equal", ("_Not_Equal",))
_cmp("broadcast_greater", lambda xp, a, b: a > b, "_greater", ("_Greater",))
_cmp("broadcast_greater_equal", lambda xp, a, b: a >= b, "_greater_equal", ("_Greater_Equal",))
_cmp("broadcast_lesser", lambda xp, a, b: a < b, "_lesser", ("_Lesser",))
_cmp("broadcast_lesser_equal", lambda xp, a, b: a <= b, "_lesser_equal", ("_Lesser_Equal",))


# -- scalar ---------------------------------------------------------------------
_SCALAR_PARAMS = (Param("scalar", "float", 1.0, "scalar input value"),
                  Param("is_int", "bool", True, "whether the scalar is an integer"))


def _scalar_of(attrs, x):
    # MXNet casts the scalar to the array's dtype before computing
    s = attrs["scalar"]
    if x.dtype.kind in "iub":
        return int(s)
    return s


def scalar(name, fwd, grad=None, aliases=(), doc=""):
    """Register ``name(data, scalar)``; ``fwd(xp, x, s)``, ``grad(F, x, y, g, s) -> dx``."""
    def forward(attrs, ins, ctx):
        x = ins[0]
        return _keep_dtype(fwd(ctx.xp, x, _scalar_of(attrs, x)), x)

    backward = backward_graph = None
    if grad is not None:
        def backward(attrs, og, ins, outs, ctx, state):
            if og[0] is None:
                return [None]
            x = ins[0]
            return [_keep_dtype(grad(math_for(ctx.xp), x, outs[0], og[0], _scalar_of(attrs, x)), x)]

        def backward_graph(attrs, og, ins, outs):
            return [grad(_nd_math(), ins[0], outs[0], og[0], attrs["scalar"])]
    register(name, forward, inputs=("data",), params=_SCALAR_PARAMS, backward=backward,
             backward_graph=backward_graph, aliases=aliases, doc=doc)


scalar("_plus_scalar", lambda xp, x, s: x + s, lambda F, x, y, g, s: g, aliases=("_PlusScalar",))
scalar("_minus_scalar", lambda xp, x, s: x - s, lambda F, x, y, g, s: g, aliases=("_MinusScalar",))
scalar("_rminus_scalar", lambda xp, x, s: s - x, lambda F, x, y, g, s: -g, aliases=("_RMinusScalar",))
scalar("_mul_scalar", lambda xp, x, s: x * s, lambda F, x, y, g, s: g * s, aliases=("_MulScalar",))
scalar("_div_scalar", lambda xp, x, s: _int_div(xp, x, s), lambda F, x, y, g, s: g / s,
       aliases=("_DivScalar",))
scalar("_rdiv_scalar", lambda xp, x, s: _int_div(xp, xp.asarray(s, dtype=x.dtype), x),
       lambda F, x, y, g, s: -g * y / x, aliases=("_RDivScalar",))
scalar("_mod_scalar", lambda xp, x, s: xp.mod(x, s), lambda F, x, y, g, s: g, aliases=("_ModScalar",))
scalar("_rmod_scalar", lambda xp, x, s: xp.mod(s, x), lambda F, x, y, g, s: -g * F.floor(s / x),
       aliases=("_RModScalar",))
scalar("_power_scalar", lambda xp, x, s: xp.power(x, s), lambda F, x, y, g, s: g * s * F.power(x, s - 1),
       aliases=("_PowerScalar",))
scalar("_rpower_scalar", lambda xp, x, s: xp.power(xp.asarray(s, dtype=x.dtype), x),
       lambda F, x, y, g, s: g * y * float(np.log(s)), aliases=("_RPowerScalar",))
for _n, _f in (("_equal_scalar", lambda xp, x, s: x == s), ("_not_equal_scalar", lambda xp, x, s: x != s),
               ("_greater_scalar", lambda xp, x, s: x > s),
               ("_greater_equal_scalar", lambda xp, x, s: x >= s),
               ("_lesser_scalar", lambda xp, x, s: x < s), ("_lesser_equal_scalar", lambda xp, x, s: x <= s)):
    scalar(_n, _f, None)

