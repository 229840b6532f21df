"""Helpers shared by operator definitions."""
import math

import numpy as np

from ..base import MXNetError


def broadcast_axes(gshape, shape):
    """The axes of ``gshape`` that broadcasting ``shape`` to it added or stretched."""
    nd = len(gshape) - len(shape)
    return tuple(range(nd)) + tuple(i + nd for i, s in enumerate(shape) if s == 1 and gshape[i + nd] != 1)


def sum_to(xp, g, shape):
    """Reduce a broadcast gradient ``g`` back to ``shape``."""
    if g.shape == tuple(shape):
        return g
    axes = broadcast_axes(g.shape, shape)
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


def check_int32(opname, name, value):
    """MXNet parses an ``int`` parameter as a C int: a value outside 32 bits is refused."""
    if not -2**31 <= value < 2**31:
        raise MXNetError(f"Invalid Parameter format for {name} expect int but value='{value}', "
                         f"in operator {opname}({name}=\"{value}\")")
    return value


def check_alloc_size(opname, shape):
    """MXNet (built without int64 tensor sizes) refuses outputs of 2**31 - 1 elements or more;
    checked before allocating so an absurd argument fails at once."""
    if math.prod(shape) >= 2**31 - 1:
        raise MXNetError(f"Operator {opname}: the output of shape {tuple(shape)} would have 2^31 "
                         "elements or more, larger than MXNet's tensor size limit")


def tile_shape(opname, shape, reps):
    """The output shape of tiling ``shape`` by ``reps`` (NumPy's alignment), refused when past
    MXNet's size limit; ``reps`` are C ints in MXNet."""
    for r in reps:
        check_int32(opname, "reps", r)
    n = max(len(shape), len(reps))
    out = tuple(a * b for a, b in zip((1,) * (n - len(shape)) + tuple(shape),
                                      (1,) * (n - len(reps)) + tuple(reps)))
    check_alloc_size(opname, out)
    return out


def repeat_shape(opname, shape, repeats, axis):
    """The output shape of repeating each element ``repeats`` times along ``axis`` (None: the
    flattened input), refused when past MXNet's size limit."""
    check_int32(opname, "repeats", repeats)
    if axis is None:
        out = (math.prod(shape) * repeats,)
    else:
        out = tuple(d * repeats if i == axis else d for i, d in enumerate(shape))
    check_alloc_size(opname, out)
    return out


def finite_for_lapack(opname, a):
    """``a``, after refusing inf and NaN before an iterative LAPACK decomposition (SVD and the
    eigensolvers): OpenBLAS's float32 SVD never returned on a matrix holding inf, and MXNet's
    LAPACK calls fail on such input ("did not converge") anyway."""
    if a.dtype.kind in "fc" and a.size and not bool(np.isfinite(a).all()):
        raise MXNetError(f"Operator {opname}: the input holds inf or NaN, on which the LAPACK "
                         "decomposition does not converge")
    return a


def diag_offset(k, shape, axis1=0, axis2=1):
    """A diagonal offset clamped to the matrix (an offset past it selects nothing either way):
    NumPy's diagonal() overflows, and crashes, on offsets near -2**31."""
    return max(-shape[axis1], min(k, shape[axis2]))


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


def merge_shapes(shapes):
    """One shape agreeing with every partly known shape in ``shapes`` (None: nothing known; a
    0 dimension: unknown), as MXNet's elementwise shape inference unifies its operands."""
    out = None
    for s in shapes:
        if s is None:
            continue
        s = tuple(s)
        if out is None:
            out = s
            continue
        if len(s) != len(out):
            raise MXNetError(f"Shape inconsistent: {out} and {s} have different numbers of "
                             "dimensions")
        for a, b in zip(out, s):
            if a and b and a != b:
                raise MXNetError(f"Shape inconsistent: {out} and {s}")
        out = tuple(a or b for a, b in zip(out, s))
    return out


def like_data(num_outputs=1):
    """``infer_shape``/``infer_shape_back`` keywords of an operator whose outputs are shaped like
    its first input (MXNet's elementwise shape rule for that input): unknown dimensions of
    either side come from the other."""
    def infer(attrs, shapes):
        return shapes, [shapes[0]] * num_outputs

    def back(attrs, shapes, outs):
        return [merge_shapes([shapes[0]] + list(outs))] + shapes[1:]
    return {"infer_shape": infer, "infer_shape_back": back}


def broadcast_shape_partial(opname, s1, s2):
    """``broadcast_shape`` where 0 dimensions are unknown: a dimension stays unknown unless the
    other operand's is equal to it or 1."""
    if all(s1) and all(s2):
        return broadcast_shape(opname, s1, s2)
    n = max(len(s1), len(s2))
    a = (1,) * (n - len(s1)) + tuple(s1)
    b = (1,) * (n - len(s2)) + tuple(s2)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif x and y:
            raise MXNetError(f"Operator {opname}: operands could not be broadcast together with "
                             f"shapes {tuple(s1)} {tuple(s2)}")
        else:
            out.append(0)
    return tuple(out)


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

    def erf(self, x):
        return erf(self.xp, x).astype(x.dtype, copy=False)

    def digamma(self, x):
        return digamma(self.xp, x).astype(x.dtype, copy=False)

    def cast_like(self, x, like):
        return x.astype(like.dtype, copy=False)


_math_cache = {}


def math_for(xp):
    m = _math_cache.get(id(xp))
    if m is None:
        m = _math_cache[id(xp)] = NumpyMath(xp)
    return m


# -- special functions (vectorised, float64 inside; SciPy is not a dependency) ----------------
_SQRT_PI = math.sqrt(math.pi)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# Lanczos approximation, g = 7, n = 9 (relative error ~1e-15)
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


def _f64(xp, x):
    return x.astype(np.float64) if x.dtype != np.float64 else x


# 1 / (2n+1)!! for the erf power series
_ERF_SERIES = tuple(1 / math.prod(range(1, 2 * n + 2, 2)) for n in range(40))


def _erf_series(xp, x):
    # erf(x) = 2x/sqrt(pi) exp(-x^2) sum_n (2x^2)^n / (2n+1)!!: positive terms, used for |x| <= 2
    x2 = 2 * x * x
    total = xp.full_like(x, _ERF_SERIES[-1])
    for c in _ERF_SERIES[-2::-1]:
        total *= x2
        total += c
    return (2 / _SQRT_PI) * x * xp.exp(-x * x) * total


def _erfc_cf(xp, x):
    # continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), x >= 2
    f = x.copy()
    for k in range(50, 0, -1):
        f = (k / 2) / f
        f += x
    return xp.exp(-x * x) / (_SQRT_PI * f)


def erf(xp, x):
    """Error function, accurate to float64 round-off."""
    x = _f64(xp, x)
    out = xp.empty_like(x)
    with np.errstate(all="ignore"):
        small = xp.abs(x) <= 2
        out[small] = _erf_series(xp, x[small])
        big = ~small
        xb = x[big]
        out[big] = xp.sign(xb) * (1 - _erfc_cf(xp, xp.abs(xb)))
    return out


def erfc(xp, x):
    """Complementary error function (accurate in the upper tail)."""
    x = _f64(xp, x)
    out = xp.empty_like(x)
    with np.errstate(all="ignore"):
        big = x > 2
        out[big] = _erfc_cf(xp, x[big])
        small = ~big
        out[small] = 1 - erf(xp, x[small])
    return out


def erfinv(xp, x):
    """Inverse error function: a closed-form first guess refined by Halley steps on erf/erfc."""
    x = _f64(xp, x)
    with np.errstate(all="ignore"):
        a = xp.abs(x)
        # Winitzki's approximation (relative error ~2e-3)
        ln = xp.log1p(-a * a)
        c = 2 / (math.pi * 0.147) + ln / 2
        y = xp.sqrt(xp.sqrt(c * c - ln / 0.147) - c)
        tail = a > 0.5
        one_minus = 1 - a            # exact for a >= 0.5
        for _ in range(2):
            # f(y) = erf(y) - a, written through erfc in the tail to keep 1 - a's precision
            f = xp.where(tail, one_minus - erfc(xp, y), erf(xp, y) - a)
            d = (2 / _SQRT_PI) * xp.exp(-y * y)
            y = y - f / (d + y * f)
        y = xp.where(a == 1, np.inf, y)
        y = xp.where(a > 1, np.nan, y)
        return xp.sign(x) * y


def _lanczos_lgamma_pos(xp, z):
    # log Gamma(z) for z >= 0.5
    x = z - 1
    s = xp.full_like(x, _LANCZOS[0])
    for i in range(1, 9):
        s += _LANCZOS[i] / (x + i)
    t = x + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (x + 0.5) * xp.log(t) - t + xp.log(s)


def _sin_pi(xp, x):
    # sin(pi x) with the argument reduced exactly modulo 2
    return xp.sin(math.pi * (x - 2 * xp.floor(x / 2)))


def gammaln(xp, x):
    """log|Gamma(x)| (inf at the poles 0, -1, -2, ...)."""
    x = _f64(xp, x)
    with np.errstate(all="ignore"):
        refl = x < 0.5
        pos = _lanczos_lgamma_pos(xp, xp.where(refl, 1 - x, x))
        neg = math.log(math.pi) - xp.log(xp.abs(_sin_pi(xp, x))) - pos
        r = xp.where(refl, neg, pos)
        return xp.where((x <= 0) & (x == xp.floor(x)), np.inf, r)


def gamma(xp, x):
    """Gamma function (inf at 0, nan at the negative integers)."""
    x = _f64(xp, x)
    with np.errstate(all="ignore"):
        sign = xp.where((x < 0.5) & (_sin_pi(xp, x) < 0), -1.0, 1.0)
        r = sign * xp.exp(gammaln(xp, x))
        # integers give exact factorials (MXNet's gamma(1) is 1, not 0.9999...)
        r = xp.where((x > 0) & (x == xp.floor(x)), xp.round(r), r)
        r = xp.where(x == 0, np.inf, r)
        return xp.where((x < 0) & (x == xp.floor(x)), np.nan, r)


def digamma(xp, x):
    """Digamma psi(x) = d/dx log Gamma(x): recurrence up to x >= 10, then the asymptotic series."""
    x = _f64(xp, x)
    with np.errstate(all="ignore"):
        refl = x < 0.5
        z = xp.where(refl, 1 - x, x)
        acc = xp.zeros_like(z)
        for _ in range(10):
            low = z < 10
            acc -= xp.where(low, 1 / z, 0.0)
            z = xp.where(low, z + 1, z)
        r = 1 / (z * z)
        series = xp.log(z) - 0.5 / z - r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (
            1 / 240 - r * (1 / 132 - r * 691 / 32760)))))
        psi = acc + series
        psi = xp.where(refl, psi - math.pi / xp.tan(math.pi * (x - xp.floor(x))), psi)
        # MXNet (as SciPy 1.0) gives +inf at the poles 0, -1, -2, ...
        return xp.where((x <= 0) & (x == xp.floor(x)), np.inf, psi)
