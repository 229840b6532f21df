"""Math over NDArrays for gradient expressions recorded by autograd (higher-order gradients).

Mirrors ``ops._util.NumpyMath``: the same names, taking and returning NDArrays.
"""
from ..ops.registry import get_op
from .ndarray import NDArray, invoke


def _u(name):
    op = get_op(name)
    return lambda x: invoke(op, [x])


exp = _u("exp")
log = _u("log")
sin = _u("sin")
cos = _u("cos")
tanh = _u("tanh")
sqrt = _u("sqrt")
sign = _u("sign")
sigmoid = _u("sigmoid")
relu = _u("relu")
abs = _u("abs")


def floor(x):
    return invoke(get_op("floor"), [x])


def square(x):
    return x * x


def zeros_like(x):
    return invoke(get_op("zeros_like"), [x])


def ones_like(x):
    return invoke(get_op("ones_like"), [x])


def power(a, b):
    if isinstance(b, NDArray):
        return invoke(get_op("broadcast_power"), [a, b])
    return a ** b


def sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (recorded)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    nd = g.ndim - len(shape)
    axes = tuple(range(nd)) + tuple(i + nd for i, s in enumerate(shape) if s == 1 and g.shape[i + nd] != 1)
    if axes:
        g = invoke(get_op("sum"), [g], {"axis": axes, "keepdims": True})
    return g.reshape(shape)


def cast_like(x, like):
    return x if x.dtype == like.dtype else x.astype(like.dtype)
