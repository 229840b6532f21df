"""Math over NDArrays for gradient expressions recorded by autograd (higher-order gradients).

Mirrors ``ops._util.NumpyMath``: the same names, taking and returning NDArrays.
"""
from ..ops._util import broadcast_axes
from ..ops.registry import get_op
from .ndarray import NDArray, invoke


def _u(name):
    op = get_op(name)

    def fn(x):
        return invoke(op, [x])
    fn.__name__ = name
    return fn


exp = _u("exp")
log = _u("log")
sin = _u("sin")
cos = _u("cos")
sinh = _u("sinh")
cosh = _u("cosh")
tanh = _u("tanh")
sqrt = _u("sqrt")
square = _u("square")
sign = _u("sign")
sigmoid = _u("sigmoid")
relu = _u("relu")
abs = _u("abs")
floor = _u("floor")
erf = _u("erf")
zeros_like = _u("zeros_like")
ones_like = _u("ones_like")


def power(a, b):
    if isinstance(b, NDArray):
        return invoke(get_op("broadcast_power"), [a, b])
    return a ** b


def sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (recorded)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    axes = broadcast_axes(g.shape, shape)
    if axes:
        g = invoke(get_op("sum"), [g], {"axis": axes, "keepdims": True})
    return g.reshape(shape)


def cast_like(x, like):
    return x if x.dtype == like.dtype else x.astype(like.dtype)


def where(cond, a, b):
    return invoke(get_op("where"), [cond, a, b])
