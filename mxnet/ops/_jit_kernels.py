"""Numba kernels for the memory-bound passes of 2-D convolution and pooling (optional).

Imported only through ``_accel.jit()``, never directly: NumPy alone runs everything, these make
the passes that NumPy does as many strided whole-array operations (col2im sums, max pooling and
its scatter) single loops over the data.  im2col stays in NumPy but for small inputs: its Numba
forms were no faster inside a training step (NumPy's strided copies move contiguous runs, and its
large allocations get huge pages).  Arrays are channels-first and C-contiguous; each kernel
computes exactly what its NumPy counterpart in ``_conv_kernels`` computes, in the same summation
order where order matters.
Activation codes for the fused pooling backward: 0 none, 1 relu, 2 sigmoid, 3 tanh, 4 softrelu,
each as a function of the activation's output.
"""
import numpy as np
from numba import njit

# Serial on purpose: threaded (prange) forms of these kernels made whole training steps slower
# on 2 cores, though faster in isolation (ResNet-20 hybridized, 2 threads, min of 10 steps:
# 139-229 ms threaded, 130-132 ms serial, 150 ms NumPy only; LeNet min of 40: 26.8-30.6 vs
# 22.8-30.5 ms): the pool's threads contend with OpenBLAS's spinning ones.
_opts = dict(cache=True)

# inputs below this many elements take the Numba im2col (see ``im2col_image``)
SMALL_IM2COL = 1 << 15


def max_pool2d(x, kh, kw, sh, sw, ph, pw, oh, ow):
    """``x`` (B, H, W) with B = N*C -> (max (B, oh, ow), flat index r*W+s of the first max, or
    -1 where the padding's -inf is the max).  NaN is skipped unless the window holds nothing else
    (``fmax`` semantics)."""
    if (kh, kw, sh, sw, ph, pw) == (2, 2, 2, 2, 0, 0) and 2 * oh <= x.shape[1] and 2 * ow <= x.shape[2]:
        return _max_pool_2x2(x, oh, ow)
    return _max_pool_any(x, kh, kw, sh, sw, ph, pw, oh, ow)


@njit(**_opts)
def _max_pool_2x2(x, oh, ow):
    """2x2 windows at stride 2, written out: LLVM vectorizes this form, ~14x faster than the
    general loop over each window's elements."""
    nb, h, w = x.shape
    y = np.empty((nb, oh, ow), x.dtype)
    idx = np.empty((nb, oh, ow), np.int32)
    for b in range(nb):
        for i in range(oh):
            r = 2 * i
            for j in range(ow):
                s = 2 * j
                m = x[b, r, s]
                k = 0
                # bitwise | and conditional expressions keep the body branch-free
                v = x[b, r, s + 1]
                c = (v > m) | (m != m)
                m, k = (v if c else m), (1 if c else k)
                v = x[b, r + 1, s]
                c = (v > m) | (m != m)
                m, k = (v if c else m), (w if c else k)
                v = x[b, r + 1, s + 1]
                c = (v > m) | (m != m)
                m, k = (v if c else m), (w + 1 if c else k)
                y[b, i, j] = m
                idx[b, i, j] = r * w + s + k
    return y, idx


@njit(**_opts)
def _max_pool_any(x, kh, kw, sh, sw, ph, pw, oh, ow):
    nb, h, w = x.shape
    y = np.empty((nb, oh, ow), x.dtype)
    idx = np.empty((nb, oh, ow), np.int32)
    for b in range(nb):
        for i in range(oh):
            r0 = i * sh - ph
            rs, re = max(r0, 0), min(r0 + kh, h)
            for j in range(ow):
                s0 = j * sw - pw
                ss, se = max(s0, 0), min(s0 + kw, w)
                m = -np.inf
                k = -1
                for r in range(rs, re):
                    for s in range(ss, se):
                        v = x[b, r, s]
                        if v > m:
                            m = v
                            k = r * w + s
                if k < 0 and r0 >= 0 and s0 >= 0 and r0 + kh <= h and s0 + kw <= w:
                    # all NaN (with padding in the window, its -inf wins, as fmax has it)
                    k = rs * w + ss
                    m = x[b, rs, ss]
                y[b, i, j] = m
                idx[b, i, j] = k
    return y, idx


@njit(**_opts)
def max_pool2d_grad(dy, idx, t, act, h, w):
    """Scatter ``dy`` (B, oh, ow) to the recorded maxima of a (B, H, W) input, multiplied by the
    derivative of activation ``act`` at its output ``t`` (B, oh, ow) when ``act`` is not 0."""
    nb, oh, ow = dy.shape
    dx = np.zeros((nb, h * w), dy.dtype)
    for b in range(nb):
        for i in range(oh):
            for j in range(ow):
                k = idx[b, i, j]
                if k < 0:
                    continue
                g = dy[b, i, j]
                if act != 0:
                    v = t[b, i, j]
                    if act == 1:
                        g = g if v > 0 else g * 0
                    elif act == 2:
                        g = g * v * (1 - v)
                    elif act == 3:
                        g = g * (1 - v * v)
                    else:
                        g = g * -np.expm1(-v)
                dx[b, k] += g
    return dx.reshape((nb, h, w))


def im2col_image(x, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
    """Per-image columns (N, C, kh, kw, oh, ow) of ``x`` (N, C, H, W) zero padded by ph/pw, for
    small inputs only: NumPy's strided copy pays per row of ``ow`` elements, half a batch-1
    LeNet convolution's time (conv2: 22.7 vs 11.5 us), while on large ones it is the faster."""
    cols = np.empty(x.shape[:2] + (kh, kw, oh, ow), x.dtype)
    _im2col_image(x, kh, kw, sh, sw, dh, dw, ph, pw, cols)
    return cols


@njit(cache=True)
def _im2col_image(x, kh, kw, sh, sw, dh, dw, ph, pw, cols):
    n, c, h, w = x.shape
    oh, ow = cols.shape[4], cols.shape[5]
    for b in range(n):
        for ch in range(c):
            for ki in range(kh):
                for kj in range(kw):
                    for i in range(oh):
                        r = i * sh - ph + ki * dh
                        for j in range(ow):
                            s = j * sw - pw + kj * dw
                            inside = 0 <= r < h and 0 <= s < w
                            cols[b, ch, ki, kj, i, j] = x[b, ch, r, s] if inside else 0


@njit(**_opts)
def col2im_image(cols, h, w, sh, sw, dh, dw, ph, pw):
    """Sum per-image columns (N, C, kh, kw, oh, ow) into the unpadded image (N, C, H, W).
    Each plane is summed in a padded buffer offset by offset, the order of the NumPy loop (so
    the sums are bit-identical), reading the columns contiguously."""
    n, c, kh, kw, oh, ow = cols.shape
    hp, wp = (oh - 1) * sh + (kh - 1) * dh + 1, (ow - 1) * sw + (kw - 1) * dw + 1
    img = np.empty((n, c, h, w), cols.dtype)
    for nc in range(n * c):
        b, ch = nc // c, nc % c
        acc = np.zeros((max(hp, h + ph), max(wp, w + pw)), cols.dtype)
        for ki in range(kh):
            for kj in range(kw):
                for i in range(oh):
                    r = i * sh + ki * dh
                    for j in range(ow):
                        acc[r, j * sw + kj * dw] += cols[b, ch, ki, kj, i, j]
        for r in range(h):
            for s in range(w):
                img[b, ch, r, s] = acc[r + ph, s + pw]
    return img


@njit(**_opts)
def col2im_inner(cols, h, w, sh, sw, dh, dw, ph, pw):
    """Sum batch-inner columns (C, kh, kw, oh, ow, N) into the unpadded image (N, C, H, W),
    per channel in a padded (H, W, N) buffer, offset by offset as ``col2im_image``."""
    c, kh, kw, oh, ow, n = cols.shape
    hp, wp = (oh - 1) * sh + (kh - 1) * dh + 1, (ow - 1) * sw + (kw - 1) * dw + 1
    img = np.empty((n, c, h, w), cols.dtype)
    for ch in range(c):
        acc = np.zeros((max(hp, h + ph), max(wp, w + pw), n), cols.dtype)
        for ki in range(kh):
            for kj in range(kw):
                for i in range(oh):
                    r = i * sh + ki * dh
                    for j in range(ow):
                        s = j * sw + kj * dw
                        for b in range(n):
                            acc[r, s, b] += cols[ch, ki, kj, i, j, b]
        for b in range(n):
            for r in range(h):
                for s in range(w):
                    img[b, ch, r, s] = acc[r + ph, s + pw, b]
    return img


@njit(**_opts)
def rows_to_nchw(y, bias):
    """(F, P, N) GEMM rows -> (N, F, P), plus ``bias`` (F,) when it has F elements."""
    f, p, n = y.shape
    out = np.empty((n, f, p), y.dtype)
    with_bias = bias.size == f
    for c in range(f):
        b = bias[c] if with_bias else y.dtype.type(0)
        for k in range(n):
            for i in range(p):
                out[k, c, i] = y[c, i, k] + b
    return out

