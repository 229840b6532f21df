"""Numba kernels for BatchNorm (optional).

Imported only after ``_accel.jit()`` returned non-None.  The data is the contiguous
(outer, C, inner) view of ``nn_norm``; each direction makes two passes over it: the forward
its per-channel moments, then the normalisation; the backward its two per-channel sums, then
the data gradient.  Sums are accumulated in float64 (``reassoc`` lets LLVM split them into
vector lanes, ``contract`` fuses the products into them), at least as accurate as the NumPy
path's BLAS row sums.  Elementwise passes work in the data's dtype with per-channel
coefficients and subtract the mean before scaling, so a mean far from zero does not cancel.
"""
import numpy as np
from numba import njit

# serial: a parallel launch costs more than a whole pass over one ResNet-sized batch (measured
# ~80 us on a 2-core VM, against 15-100 us per pass)
_sums = dict(parallel=False, cache=True, fastmath={"reassoc", "contract"})
_elem = dict(parallel=False, cache=True)


@njit(**_sums)
def moments(x3):
    """Per-channel sum and sum of squares of ``x3`` (outer, C, inner), in float64."""
    no, c, ni = x3.shape
    s1 = np.zeros(c)
    s2 = np.zeros(c)
    # rows in memory order: each channel's rows are a page apart, too far for the prefetcher
    for i in range(no):
        for j in range(c):
            a = 0.0
            b = 0.0
            for k in range(ni):
                v = np.float64(x3[i, j, k])
                a += v
                b += v * v
            s1[j] += a
            s2[j] += b
    return s1, s2


@njit(**_sums)
def centred_sumsq(x3, mean):
    """Per-channel sum of (x - mean)^2, in float64 (``mean`` float64)."""
    no, c, ni = x3.shape
    s = np.zeros(c)
    for i in range(no):
        for j in range(c):
            m = mean[j]
            a = 0.0
            for k in range(ni):
                d = np.float64(x3[i, j, k]) - m
                a += d * d
            s[j] += a
    return s


@njit(**_sums)
def grad_sums(g3, x3, mean):
    """Per-channel sum(g) and sum(g * (x - mean)), in float64 (``mean`` float64)."""
    no, c, ni = x3.shape
    sg = np.zeros(c)
    sgx = np.zeros(c)
    for i in range(no):
        for j in range(c):
            m = mean[j]
            a = 0.0
            b = 0.0
            for k in range(ni):
                gv = np.float64(g3[i, j, k])
                a += gv
                b += gv * (np.float64(x3[i, j, k]) - m)
            sg[j] += a
            sgx[j] += b
    return sg, sgx


@njit(**_elem)
def normalise(x3, mean, scale, shift):
    """(x - mean) * scale + shift per channel; the coefficients have x3's dtype."""
    no, c, ni = x3.shape
    out = np.empty_like(x3)
    for i in range(no):
        for j in range(c):
            m = mean[j]
            a = scale[j]
            b = shift[j]
            for k in range(ni):
                out[i, j, k] = (x3[i, j, k] - m) * a + b
    return out


@njit(**_elem)
def data_grad(g3, x3, mean, a, b, c0):
    """g * a + (x - mean) * b + c0 per channel; the coefficients have x3's dtype."""
    no, c, ni = x3.shape
    out = np.empty_like(x3)
    for i in range(no):
        for j in range(c):
            m = mean[j]
            p = a[j]
            q = b[j]
            r = c0[j]
            for k in range(ni):
                out[i, j, k] = g3[i, j, k] * p + (x3[i, j, k] - m) * q + r
    return out


@njit(cache=True)
def train_forward(x3, gamma, beta, eps, fix_gamma, ill):
    """BatchNorm's training forward on the batch statistics, as ``nn_norm._bn_fwd`` computes it
    (in one call: its small per-channel steps cost more in Python than the passes at ResNet
    sizes).  Returns (out, mean, var, invstd, shifted), the statistics in float64."""
    no, c, ni = x3.shape
    n = no * ni
    s1, s2 = moments(x3)
    mean = s1 / n
    sq = s2 / n
    var = np.maximum(sq - mean * mean, 0.0)
    shifted = np.any(sq > ill * var)
    if shifted:
        var = centred_sumsq(x3, mean) / n
    invstd = 1.0 / np.sqrt(var + eps)
    scale = invstd if fix_gamma else invstd * gamma.astype(np.float64)
    dt = x3.dtype
    out = normalise(x3, mean.astype(dt), scale.astype(dt), beta.astype(dt))
    return out, mean, var, invstd, shifted


@njit(cache=True)
def train_backward(g3, x3, mean, invstd, gamma, fix_gamma):
    """BatchNorm's backward through the statistics (all but use_global_stats), as
    ``nn_norm._bn_bwd`` computes it: (dx, dgamma, dbeta), the parameter gradients in float64
    (dgamma before fix_gamma zeroes it)."""
    no, c, ni = x3.shape
    n = no * ni
    sg, sgx = grad_sums(g3, x3, mean)
    dgamma = invstd * sgx
    gscale = invstd if fix_gamma else invstd * gamma.astype(np.float64)
    b = gscale * (-invstd * dgamma / n)
    dt = x3.dtype
    c0 = -gscale * sg / n
    dx = data_grad(g3, x3, mean.astype(dt), gscale.astype(dt), b.astype(dt), c0.astype(dt))
    return dx, dgamma, sg
