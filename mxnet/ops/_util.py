"""Helpers shared by operator definitions."""
import numpy as np

from ..base import MXNetError


def sum_to(xp, g, shape):
    """Reduce a broadcast gradient ``g`` back to ``shape``."""
    if g.shape == tuple(shape):
        return g
    nd = g.ndim - len(shape)
    axes = tuple(range(nd)) + tuple(i + nd for i, s in enumerate(shape) if s == 1 and g.shape[i + nd] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def norm_axis(axis, ndim, opname, argname="axis"):
    """Normalise one axis (negative allowed) against ``ndim``."""
    if not -ndim <= axis < max(ndim, 1):
        raise MXNetError(f"Operator {opname}: {argname}={axis} is out of range for an input of "
                         f"{ndim} dimensions")
    return axis % ndim if ndim else 0


def norm_axes(axis, ndim, opname, exclude=False):
    """Normalise an ``axis`` parameter (None, int or tuple) to a sorted tuple."""
    if axis is None or (isinstance(axis, tuple) and len(axis) == 0 and not exclude):
        axes = tuple(range(ndim))
        return () if exclude and axis is None else axes
    if isinstance(axis, int):
        axis = (axis,)
    axes = tuple(sorted({norm_axis(a, ndim, opname) for a in axis}))
    if exclude:
        axes = tuple(i for i in range(ndim) if i not in axes)
    return axes


def check_same_shape(opname, names, arrays):
    s0 = arrays[0].shape
    for n, a in zip(names[1:], arrays[1:]):
        if a.shape != s0:
            raise MXNetError(f"Operator {opname}: shape of '{n}' {tuple(a.shape)} does not match shape "
                             f"of '{names[0]}' {tuple(s0)}")


def check_same_dtype(opname, names, arrays):
    d0 = arrays[0].dtype
    for n, a in zip(names[1:], arrays[1:]):
        if a.dtype != d0:
            raise MXNetError(f"Operator {opname}: dtype of '{n}' ({a.dtype}) does not match dtype "
                             f"of '{names[0]}' ({d0})")


def broadcast_shape(opname, s1, s2):
    try:
        return np.broadcast_shapes(tuple(s1), tuple(s2))
    except ValueError:
        raise MXNetError(f"Operator {opname}: operands could not be broadcast together with "
                         f"shapes {tuple(s1)} {tuple(s2)}") from None


class NumpyMath:
    """The few math functions a gradient expression uses, over raw backend arrays.

    Gradient expressions are written once against this interface; ``NDMath``
    (in ``mxnet.ndarray``) offers the same names over NDArrays, so the same
    expression can be recorded for higher-order gradients.
    """

    def __init__(self, xp):
        self.xp = xp

    def __getattr__(self, name):
        return getattr(self.xp, name)

    def sigmoid(self, x):
        xp = self.xp
        return (1 / (1 + xp.exp(-x))).astype(x.dtype, copy=False)

    def relu(self, x):
        return self.xp.maximum(x, 0)

    def sum_to(self, g, shape):
        return sum_to(self.xp, g, shape)

    def cast_like(self, x, like):
        return x.astype(like.dtype, copy=False)


_math_cache = {}


def math_for(xp):
    m = _math_cache.get(id(xp))
    if m is None:
        m = _math_cache[id(xp)] = NumpyMath(xp)
    return m
