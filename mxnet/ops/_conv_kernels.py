"""Array kernels behind convolution, deconvolution and pooling (channels-first, 1-3 spatial dims).

Written once against the array namespace ``xp``.  Convolutions are im2col + GEMM in one of two
column layouts (see ``conv_forward``), or, stride 1 with few output channels, a sum of shifted
GEMMs (``shifted_conv``); deconvolution uses a third, batch-outer column layout.  Loops run
over kernel offsets only, each step a whole-array strided operation.  Max pooling over tiling
windows (kernel == stride, LeNet's 2x2/2) has its own path: reductions over window views and a
backward by one broadcast compare.
"""
import itertools

import numpy as _np

from . import _native_convk
from ._accel import jit as _jit


def _jk(xp, x):
    """The C kernels (see ``_accel.jit``) when they apply to ``x``: a float32/float64 NumPy array
    with two spatial axes; else None."""
    if xp is not _np or x.ndim != 4 or x.dtype not in (_np.float32, _np.float64):
        return None
    return _jit()


def conv_out_len(size, k, s, d, p):
    """Output length of a convolution along one axis."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def pad_spatial(xp, x, lo, hi, value=0):
    """``x`` (N, C, *S) padded by ``lo``/``hi`` per spatial axis (negative ``hi`` crops)."""
    if not any(lo) and not any(hi):
        return x
    shape = x.shape[:2] + tuple(s + a + b for s, a, b in zip(x.shape[2:], lo, hi))
    out = xp.full(shape, value, dtype=x.dtype) if value else xp.zeros(shape, dtype=x.dtype)
    dst = (slice(None), slice(None)) + tuple(slice(a, a + min(s, s + b)) for s, a, b in
                                             zip(x.shape[2:], lo, hi))
    src = (slice(None), slice(None)) + tuple(slice(0, min(s, s + b)) for s, b in zip(x.shape[2:], hi))
    out[dst] = x[src]
    return out


def offset_slices(offs, stride, dilate, out):
    """Slices of a padded image read by kernel offset ``offs`` over all output positions."""
    return tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                 for o, s, d, n in zip(offs, stride, dilate, out))


def kernel_offsets(kernel):
    return itertools.product(*(range(k) for k in kernel))


def _strided(xp, a, shape, strides):
    """A strided view of ``a``; for contiguous NumPy arrays built directly (``as_strided`` costs
    ~10 us of Python per call, a batch-1 convolution's whole arithmetic budget)."""
    if type(a) is _np.ndarray and a.flags.c_contiguous:
        return _np.ndarray(shape, a.dtype, buffer=a, strides=strides)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


def im2col(xp, xpd, kernel, stride, dilate, out):
    """Batch-outer columns ``(C, *kernel, N, *out)`` of the padded image ``xpd`` (N, C, *S)."""
    n, c = xpd.shape[:2]
    nd = len(kernel)
    st = xpd.strides
    shape = (c,) + tuple(kernel) + (n,) + tuple(out)
    strides = ((st[1],) + tuple(st[2 + i] * dilate[i] for i in range(nd)) + (st[0],)
               + tuple(st[2 + i] * stride[i] for i in range(nd)))
    cols = xp.empty(shape, dtype=xpd.dtype)
    cols[...] = _strided(xp, xpd, shape, strides)
    return cols


def col2im(xp, cols, n, padded, kernel, stride, dilate, out):
    """Sum columns ``(C, *kernel, N, *out)`` back into a padded image ``(N, C, *padded)``."""
    c = cols.shape[0]
    img = xp.zeros((n, c) + tuple(padded), dtype=cols.dtype)
    img_t = img.swapaxes(0, 1)
    overlap = any(k * d > s for k, s, d in zip(kernel, stride, dilate))
    for offs in kernel_offsets(kernel):
        dst = (slice(None), slice(None)) + offset_slices(offs, stride, dilate, out)
        src = cols[(slice(None),) + offs]
        if overlap:
            img_t[dst] += src
        else:
            img_t[dst] = src
    return img


# -- convolution ------------------------------------------------------------------------
# Two column layouts.  "Per image" ``(N, C, *kernel, *out)``: one GEMM per image, whose result
# ``(N, F, P)`` is already the output layout (a single GEMM over the batch would need a relayout,
# and with few filters, ResNet's 16, OpenBLAS runs the batched small GEMMs faster anyway).  Its
# copies move rows of ``out[-1]`` elements; with short rows (LeNet's second layer: 8) NumPy's
# per-row overhead dominates, so "batch-inner" ``(C, *kernel, *out, N)`` is used there: every
# copy and col2im add then runs over ``out[-1] * N`` contiguous elements, and one GEMM covers the
# batch, at the price of a transpose of the input and of the output.
def _batch_inner(n, out, kernel):
    # a 1x1 kernel has no columns to build: its per-image GEMMs run on (strided views of) the data
    return n >= 8 and out[-1] < 16 and _prod(kernel) > 1


def to_batch_inner(xp, x, lo, hi):
    """(N, C, *S) -> (C, *padded S, N), zero padded by ``lo``/``hi``, in one pass."""
    nd = x.ndim - 2
    perm = (1,) + tuple(range(2, 2 + nd)) + (0,)
    if not any(lo) and not any(hi):
        return xp.ascontiguousarray(x.transpose(perm))
    shape = (x.shape[1],) + tuple(s + a + b for s, a, b in zip(x.shape[2:], lo, hi)) + (x.shape[0],)
    out = xp.zeros(shape, dtype=x.dtype)
    out[(slice(None),) + tuple(slice(a, a + s) for a, s in zip(lo, x.shape[2:]))] = x.transpose(perm)
    return out


def im2col_inner(xp, xt, kernel, stride, dilate, out):
    """Columns ``(C, *kernel, *out, N)`` of the batch-inner padded image ``xt`` (C, *S, N)."""
    nd = len(kernel)
    st = xt.strides
    shape = (xt.shape[0],) + tuple(kernel) + tuple(out) + (xt.shape[-1],)
    strides = ((st[0],) + tuple(st[1 + i] * dilate[i] for i in range(nd))
               + tuple(st[1 + i] * stride[i] for i in range(nd)) + (st[-1],))
    cols = xp.empty(shape, dtype=xt.dtype)
    cols[...] = _strided(xp, xt, shape, strides)
    return cols


def col2im_inner(xp, cols, padded, kernel, stride, dilate, out):
    """Sum batch-inner columns ``(C, *kernel, *out, N)`` into an image ``(C, *padded, N)``."""
    c, n = cols.shape[0], cols.shape[-1]
    img = xp.zeros((c,) + tuple(padded) + (n,), dtype=cols.dtype)
    overlap = any(k * d > s for k, s, d in zip(kernel, stride, dilate))
    for offs in kernel_offsets(kernel):
        dst = (slice(None),) + offset_slices(offs, stride, dilate, out)
        if overlap:
            img[dst] += cols[(slice(None),) + offs]
        else:
            img[dst] = cols[(slice(None),) + offs]
    return img


def im2col_image(xp, xpd, kernel, stride, dilate, out):
    """Per-image columns ``(N, C, *kernel, *out)`` of the padded image ``xpd`` (N, C, *S)."""
    nd = len(kernel)
    st = xpd.strides
    shape = tuple(xpd.shape[:2]) + tuple(kernel) + tuple(out)
    strides = (st[0], st[1]) + tuple(st[2 + i] * dilate[i] for i in range(nd)) + tuple(
        st[2 + i] * stride[i] for i in range(nd))
    cols = xp.empty(shape, dtype=xpd.dtype)
    cols[...] = _strided(xp, xpd, shape, strides)
    return cols


def col2im_image(xp, cols, padded, kernel, stride, dilate, out):
    """Sum per-image columns ``(N, C, *kernel, *out)`` into an image ``(N, C, *padded)``."""
    img = xp.zeros(tuple(cols.shape[:2]) + tuple(padded), dtype=cols.dtype)
    overlap = any(k * d > s for k, s, d in zip(kernel, stride, dilate))
    for offs in kernel_offsets(kernel):
        dst = (slice(None), slice(None)) + offset_slices(offs, stride, dilate, out)
        if overlap:
            img[dst] += cols[(slice(None), slice(None)) + offs]
        else:
            img[dst] = cols[(slice(None), slice(None)) + offs]
    return img


# Columns are k*k times the data: a deep net keeping every layer's (ResNet-20 at batch 32: 230 MB)
# would hold several times MXNet's memory, which recomputes them.  Up to this size per layer they
# are kept, which saves an im2col pass (~1 ms per 16 MiB) in the backward.
KEEP_COLS_BYTES = 16 << 20


def _columns(xp, x, inner, kernel, stride, dilate, pad, out):
    if not inner and all(k == 1 and s == 1 and p == 0 for k, s, p in zip(kernel, stride, pad)):
        return x.reshape(tuple(x.shape[:2]) + tuple(kernel) + tuple(out))  # the data are the columns
    if inner:
        return im2col_inner(xp, to_batch_inner(xp, x, pad, pad), kernel, stride, dilate, out)
    jk = _jk(xp, x)
    if jk is not None:   # padding on the fly, planes over threads (ResNet-18's 7x7 stem: 9.3 -> 4.8 ms)
        return jk.im2col_image(_np.ascontiguousarray(x), *kernel, *stride, *dilate, *pad, *out)
    return im2col_image(xp, pad_spatial(xp, x, pad, pad), kernel, stride, dilate, out)


# -- direct kernels ------------------------------------------------------------------------
# ``_native_conv``: float32 3x3 pad-1 and 1x1 pad-0 convolutions of stride 1 or 2 (ResNet's)
# computed from the prepared images without columns.  Single thread, batch 32 (ms, GEMM path ->
# direct; forward | data + weight gradient):
#   3x3 s1 16->16 32x32: 3.4 -> 1.5 | 8.0 -> 3.2;  32->32 16x16: 3.2 -> 1.4 | 6.6 -> 3.0
#          64->64 8x8:   2.5 -> 1.4 | 4.5 -> 3.0   (~100 GFLOP/s against 35-60)
#   3x3 s2 16->32 32x32: 1.6 -> 0.8 | 3.0 -> 1.7;  32->64 16x16: 1.7 -> 0.8 | 2.4 -> 1.8
#          64->128 8x8 (4x4 out): 1.4 -> 1.8 | 2.1 -> 5.3   (half of each pixel vector wasted)
#   1x1 s2 16->32 32x32: 0.15 -> 0.15 | 0.30 -> 0.35;  32->64 16x16: 0.13 -> 0.12 | 0.33 -> 0.29
#          64->128 8x8:  0.12 -> 0.11 | 0.30 -> 0.26
#   1x1 s1 16->32 32x32: 0.37 -> 0.50 | 0.86 -> 0.99;  32->64 16x16: 0.32 -> 0.41 | 0.91 -> 0.82
#          64->128 8x8:  0.30 -> 0.34 | 0.80 -> 0.80;  16->64 32x32: 1.8 -> 1.3 | 4.3 -> 2.9
#          64->16 32x32: 1.8 -> 1.7 | 3.7 -> 3.3;  128->128 16x16: 3.1 -> 2.9 | 7.6 -> 7.4
# The strided 1x1 kernels are at par on one thread; they are used because the GEMM path hands
# these small products to OpenBLAS's threads, whose workers then spin on the other cores
# (see ``_native_conv._default_threads``).  A 1x1 stride-1 forward is one GEMM on the data
# itself (no columns), which OpenBLAS runs as fast; its backward is direct.
_nconv = None
DIRECT_MAX_CHANNELS = 128


def direct_fits(c_in, c_out, width, kind=0, backward=False):
    """Whether the direct kernels beat the GEMM paths for the convolution ``kind`` (a
    ``_native_conv`` kind; 0 is 3x3 stride 1) of ``c_in`` -> ``c_out`` channels with output rows
    ``width`` pixels wide (1x1: the output pixels of an image, computed as one row), in the
    forward or the ``backward`` pass.  Rows are computed in vectors of 8 pixels, so a width just
    above a multiple of 8 wastes most: measured (3x3 stride 1, batch 32, single thread), the
    kernels are 1.1-2.7x faster at widths 7, 8, 12, 14, 16, 28, 32 for 1-128 channels (the
    first layer's 3 -> 16 too), even at 9 and 10, and 2x slower at 4 (so is 3x3 stride 2 at
    output width 4).  Wider layers stay on the GEMM, which OpenBLAS runs near its peak there,
    on all its threads."""
    if kind == 2 and not backward:   # 1x1 stride 1: the GEMM path needs no columns
        return False
    return (width >= 7 and 3 * (-(-width // 8) * 8) <= 4 * width
            and max(c_in, c_out) <= DIRECT_MAX_CHANNELS)


def _direct(xp, x, w, kernel, stride, dilate, pad, groups, backward=False):
    """``(module, kind)``: the ``_native_conv`` module and the kind of this convolution when its
    kernels take it in the forward (or ``backward``) pass, else None."""
    global _nconv
    if xp is not _np or _jit() is None:
        return None
    if _nconv is None:
        from . import _native_conv
        _nconv = _native_conv
    k = _nconv.kind(x, w, kernel, stride, dilate, pad, groups)
    if k is None:
        return None
    ho, wo = _nconv.out_size(k, x.shape[2:])
    width = wo if kernel[0] == 3 else ho * wo
    return (_nconv, k) if direct_fits(x.shape[1], w.shape[0], width, k, backward) else None


def bind_conv_forward(xp, x, w, kernel, stride, dilate, pad, groups):
    """For inference plans: a function of (x, w, b or None) giving ``conv_forward``'s output for
    arrays of these types, shapes and dtypes, when one of the direct C kernels takes this
    convolution; else None."""
    if x.size == 0 or w.size == 0:   # the kernels assume at least one image and channel
        return None
    d = _direct(xp, x, w, kernel, stride, dilate, pad, groups)
    if d is not None:
        nc, k = d
        return lambda x, w, b: nc.forward(x, w, None if b is None else b.astype(x.dtype, copy=False), k)
    return _native_convk.bind_forward(xp, x, w, kernel, stride, dilate, pad, groups)


def conv_forward(xp, x, w, b, kernel, stride, dilate, pad, groups):
    """Returns ``(y, state)``; ``state`` (the layout flag and maybe the columns) feeds the backward."""
    run = bind_conv_forward(xp, x, w, kernel, stride, dilate, pad, groups)
    if run is not None:
        return run(x, w, b), (False, None)
    n, c = x.shape[:2]
    f = w.shape[0]
    out = tuple(conv_out_len(x.shape[2 + i], kernel[i], stride[i], dilate[i], pad[i])
                for i in range(len(kernel)))
    if x.size == 0 or w.size == 0:   # nothing to sum over: the bias alone (or an empty batch)
        res = xp.zeros((n, f) + out, dtype=x.dtype)
        if b is not None:
            res += b.reshape((f,) + (1,) * len(out)).astype(x.dtype, copy=False)
        return res, (False, None)
    npix = _prod(out)
    inner = _batch_inner(n, out, kernel)
    if (not inner and groups == 1 and shift_fits(c, f, kernel, stride)
            and n * c * _prod(kernel) * npix * x.itemsize > KEEP_COLS_BYTES):
        # the columns would not be kept for the backward anyway
        return shifted_conv(xp, x, w, b, kernel, dilate, pad, pad), (False, None)
    cols = _columns(xp, x, inner, kernel, stride, dilate, pad, out)
    wg = w.reshape(groups, f // groups, -1)
    if inner:
        y = _gmatmul(xp, wg, cols.reshape(groups, -1, npix * n))
        # the relayout to (N, F, P) is a copy anyway: the bias add rides on it
        jk = _jk(xp, x)
        if jk is not None:
            bias = b.astype(x.dtype, copy=False) if b is not None else _np.empty(0, x.dtype)
            res = jk.rows_to_nchw(y.reshape(f, npix, n), bias).reshape((n, f) + out)
        else:
            res = xp.empty((n, f) + out, dtype=x.dtype)
            y = y.reshape(f, npix, n).transpose(2, 0, 1)
            if b is not None:
                xp.add(y, b.reshape(f, 1), out=res.reshape(n, f, npix))
            else:
                res.reshape(n, f, npix)[...] = y
    else:
        colsg = cols.reshape(n, groups, -1, npix)
        res = (xp.matmul(wg[0], colsg[:, 0]) if groups == 1 else xp.matmul(wg, colsg)).reshape((n, f) + out)
        if b is not None:
            res += b.reshape((f,) + (1,) * len(out))
    return res, (inner, cols if cols.nbytes <= KEEP_COLS_BYTES else None)


def conv_backward(xp, dy, x, w, state, kernel, stride, dilate, pad, groups, with_bias, need_dx=True,
                  dw_out=None):
    """Gradients ``(dx, dw, db)`` of ``conv_forward`` (``dx`` is None unless ``need_dx``); the
    GEMM path may write ``dw`` into ``dw_out`` (a C-contiguous array of w's shape) when given."""
    if x.size == 0 or w.size == 0:   # an empty batch (the C kernels divide by the batch size)
        db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))) if with_bias else None
        return (xp.zeros(x.shape, x.dtype) if need_dx else None), xp.zeros(w.shape, w.dtype), db
    # The direct data gradients (and the shifted and "same" ones below) convolve a zero-padded
    # dy with the weights, multiplying weights by dy's padding; an infinite or NaN weight makes
    # NaN of those zeros, where MXNet's columns (w^T dy, then col2im) never meet them
    full_ok = not need_dx or _finite(xp, w)
    d = _direct(xp, x, w, kernel, stride, dilate, pad, groups, backward=True) if full_ok else None
    if d is not None:
        nc, k = d
        db = dy.sum(axis=(0, 2, 3)) if with_bias else None
        return (nc.data_grad(dy, w, x.shape[2:], k) if need_dx else None), nc.weight_grad(x, dy, k), db
    if full_ok and (r := _native_convk.backward(xp, dy, x, w, kernel, stride, dilate, pad, groups,
                                                with_bias, need_dx)) is not None:
        return r
    n, c = x.shape[:2]
    f = w.shape[0]
    out = tuple(dy.shape[2:])
    npix = _prod(out)
    inner, cols = state if state is not None else (_batch_inner(n, out, kernel), None)
    if cols is None:
        cols = _columns(xp, x, inner, kernel, stride, dilate, pad, out)
    wg = w.reshape(groups, f // groups, -1)
    db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))) if with_bias else None
    padded = tuple(s + 2 * p for s, p in zip(x.shape[2:], pad))
    crop = tuple(slice(p, p + s) for p, s in zip(pad, x.shape[2:]))
    if inner:
        perm = (1,) + tuple(range(2, dy.ndim)) + (0,)
        dy2 = xp.ascontiguousarray(dy.transpose(perm)).reshape(groups, f // groups, -1)
        colsg = cols.reshape(groups, -1, dy2.shape[-1])
        # cols @ dy^T runs ~30 % faster in OpenBLAS than dy @ cols^T; written through the
        # transpose of a row-major buffer it needs no transposing copy, which for a 512 x 4608
        # weight took 12 ms later on (a strided pass), against 7 ms for the product
        if groups == 1 and xp is _np:
            dw = dw_out if dw_out is not None else xp.empty(w.shape, _np.result_type(colsg, dy2))
            xp.matmul(colsg[0], dy2[0].T, out=dw.reshape(f, -1).T)
        else:
            dw = _gmatmul(xp, colsg, dy2.swapaxes(1, 2)).swapaxes(1, 2).reshape(w.shape)
        if not need_dx:
            return None, dw, db
        jk = _jk(xp, x)
        dcols = _gmatmul(xp, wg.swapaxes(1, 2), dy2).reshape(cols.shape)
        if jk is not None:
            return jk.col2im_inner(dcols, *x.shape[2:], *stride, *dilate, *pad), dw, db
        img = col2im_inner(xp, dcols, padded, kernel, stride, dilate, out)[(slice(None),) + crop]
        return xp.ascontiguousarray(img.transpose((img.ndim - 1,) + tuple(range(img.ndim - 1)))), dw, db
    colsg = cols.reshape(n, groups, -1, npix)
    dyg = dy.reshape(n, groups, f // groups, npix)
    # per-image weight gradients (N, G, CK/G, F/G), summed over the batch
    dw = xp.matmul(colsg, dyg.swapaxes(2, 3)).sum(axis=0).swapaxes(1, 2).reshape(w.shape)
    if not need_dx:
        return None, dw, db
    if full_ok and groups == 1 and shift_fits(f, c, kernel, stride) and all(
            d * (k - 1) >= p for k, d, p in zip(kernel, dilate, pad)):
        return _shifted_dx(xp, dy, w, kernel, dilate, pad), dw, db
    if full_ok and all(s == 1 for s in stride) and out == tuple(x.shape[2:]):
        return _same_conv_dx(xp, dy, w, kernel, dilate, pad, groups), dw, db
    dcols = xp.matmul(wg.swapaxes(1, 2), dyg).reshape(cols.shape)
    jk = _jk(xp, x)
    if jk is not None:
        return jk.col2im_image(dcols, *x.shape[2:], *stride, *dilate, *pad), dw, db
    img = col2im_image(xp, dcols, padded, kernel, stride, dilate, out)
    return xp.ascontiguousarray(img[(slice(None), slice(None)) + crop]), dw, db


def _finite(xp, w):
    """Whether the weights hold no inf or NaN: one reduction, no temporary (a finite sum that
    overflows only sends a call to the general path)."""
    return bool(xp.isfinite(w.sum()))


def _same_conv_dx(xp, dy, w, kernel, dilate, pad, groups):
    """Data gradient of a stride-1 convolution whose output has the input's size (ResNet's 3x3
    pad 1): itself such a convolution, of ``dy`` with the flipped kernel and channels swapped.
    Same FLOPs as columns-then-col2im, but im2col copies instead of k*k strided accumulations."""
    n, f = dy.shape[:2]
    cg = w.shape[1]
    nd = len(kernel)
    spatial = tuple(dy.shape[2:])
    q = tuple(d * (k - 1) - p for k, d, p in zip(kernel, dilate, pad))
    wf = w[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]
    wt = wf.reshape(groups, f // groups, cg, -1).transpose(0, 2, 1, 3).reshape(groups, cg, -1)
    cols = _columns(xp, dy, False, kernel, (1,) * nd, dilate, q, spatial)
    colsg = cols.reshape(n, groups, -1, _prod(spatial))
    dx = xp.matmul(wt[0], colsg[:, 0]) if groups == 1 else xp.matmul(wt, colsg)
    return dx.reshape((n, groups * cg) + spatial)


# -- stride-1 convolution as a sum of shifted GEMMs ----------------------------------------
# In a channels-outer image ``(C, N * prod(padded))`` every kernel offset is a constant shift of
# the flat pixel index, so output pixel ``r`` (on the padded grid; border positions are computed
# and dropped) is ``sum_k W_k @ x[:, r + shift_k]``.  One GEMM of all offsets' weights stacked,
# ``(K*F, C) @ (C, chunk)``, then ``K`` shifted slices summed: no k-fold im2col buffer, and the
# GEMM has K*F rows where im2col's has F (OpenBLAS runs ResNet's 16-row GEMMs at ~40 % of its
# peak).  Chunks of pixels keep the stacked product in cache for the sums.  It pays when F is
# small and C not tiny; with 64 channels the im2col GEMM is already efficient.
SHIFT_CHUNK = 6144  # below ~3000 OpenBLAS's time per chunk jumps


def shift_fits(c_in, c_out, kernel, stride):
    """Whether ``shifted_conv`` beats im2col for ``c_in`` -> ``c_out`` channels (single-thread
    measurements at batch 32: ~20-30 % faster for 16 -> 16 and 32 -> 16, even for 32 -> 32,
    slower for 64 output channels and for the first layer's 3 input channels)."""
    return all(s == 1 for s in stride) and 8 <= c_in and c_out <= 16 and 1 < _prod(kernel) <= 9


def shifted_conv(xp, x, w, b, kernel, dilate, lo, hi):
    """Stride-1 convolution of ``x`` (N, C, *S) zero padded by ``lo``/``hi`` with ``w``
    (F, C, *kernel) of at least two elements, plus ``b`` when given; groups == 1."""
    n, c = x.shape[:2]
    f = w.shape[0]
    nd = len(kernel)
    padded = tuple(s + a + e for s, a, e in zip(x.shape[2:], lo, hi))
    out = tuple(p - d * (k - 1) for p, d, k in zip(padded, dilate, kernel))
    grid = [1] * nd
    for i in range(nd - 2, -1, -1):
        grid[i] = grid[i + 1] * padded[i + 1]
    shifts = [sum(o * d * g for o, d, g in zip(offs, dilate, grid)) for offs in kernel_offsets(kernel)]
    total = n * _prod(padded)
    buf = xp.zeros((c, total + shifts[-1]), dtype=x.dtype)
    img = buf[:, :total].reshape((c, n) + padded)
    img[(slice(None), slice(None)) + tuple(slice(a, a + s) for a, s in zip(lo, x.shape[2:]))] = \
        x.swapaxes(0, 1)
    wall = w.transpose(tuple(range(2, 2 + nd)) + (0, 1)).reshape(-1, c)
    y = xp.empty((f, total), dtype=x.dtype)
    step = min(SHIFT_CHUNK, total)
    z = xp.empty((wall.shape[0], step + shifts[-1]), dtype=x.dtype)
    for a in range(0, total, step):
        width = min(step, total - a)
        zc = z[:, :width + shifts[-1]]
        xp.matmul(wall, buf[:, a:a + zc.shape[1]], out=zc)
        yc = y[:, a:a + width]
        xp.add(zc[:f, shifts[0]:shifts[0] + width], zc[f:2 * f, shifts[1]:shifts[1] + width], out=yc)
        for k in range(2, len(shifts)):
            yc += zc[k * f:(k + 1) * f, shifts[k]:shifts[k] + width]
    valid = y.reshape((f, n) + padded)[(slice(None), slice(None)) + tuple(slice(0, o) for o in out)]
    res = xp.empty((n, f) + out, dtype=x.dtype)
    if b is None:
        res[...] = valid.swapaxes(0, 1)
    else:
        xp.add(valid.swapaxes(0, 1), b.reshape((f,) + (1,) * nd), out=res)
    return res


def _shifted_dx(xp, dy, w, kernel, dilate, pad):
    """Data gradient of a stride-1, ungrouped convolution: the convolution of ``dy`` padded by
    ``d*(k-1) - pad`` with the flipped kernel, channels swapped (needs ``pad <= d*(k-1)``)."""
    nd = len(kernel)
    q = tuple(d * (k - 1) - p for k, d, p in zip(kernel, dilate, pad))
    wt = w[(slice(None), slice(None)) + (slice(None, None, -1),) * nd].swapaxes(0, 1)
    return shifted_conv(xp, dy, wt, None, kernel, dilate, q, q)


def _gmatmul(xp, a, b):
    """Grouped matmul of (G, m, k) by (G, k, n); one plain GEMM when G == 1 (NumPy's stacked
    matmul is markedly slower than its 2-D BLAS call)."""
    if a.shape[0] == 1:
        return xp.matmul(a[0], b[0])[None]
    return xp.matmul(a, b)


def _to_group_cols(xp, a, groups):
    """(N, C, *S) -> (G, C/G, N*prod(S)), one copy."""
    n, c = a.shape[:2]
    t = a.reshape(n, groups, c // groups, -1).transpose(1, 2, 0, 3)
    return xp.ascontiguousarray(t).reshape(groups, c // groups, -1)


def _from_group_rows(xp, y, n, spatial, dtype):
    """(G, F/G, N*P) -> (N, F, *spatial), one copy."""
    f = y.shape[0] * y.shape[1]
    res = xp.empty((n, f) + tuple(spatial), dtype=dtype)
    res.reshape(n, f, -1)[...] = y.reshape(f, n, -1).swapaxes(0, 1)
    return res


# -- deconvolution (the transpose of convolution) ---------------------------------------
def deconv_full_len(size, k, s, d):
    return (size - 1) * s + d * (k - 1) + 1


def deconv_forward(xp, x, w, b, kernel, stride, dilate, pad, out, groups):
    """``x`` (N, Cin, *S), ``w`` (Cin, F/G, *k) -> (N, F, *out) cropped at ``pad``."""
    n, cin = x.shape[:2]
    fg = w.shape[1]
    f = fg * groups
    spatial = x.shape[2:]
    x2 = _to_group_cols(xp, x, groups)
    wm = w.reshape(groups, cin // groups, -1)
    cols = _gmatmul(xp, wm.swapaxes(1, 2), x2).reshape((f,) + tuple(kernel) + (n,) + tuple(spatial))
    full = tuple(max(deconv_full_len(spatial[i], kernel[i], stride[i], dilate[i]), pad[i] + out[i])
                 for i in range(len(kernel)))
    img = col2im(xp, cols, n, full, kernel, stride, dilate, spatial)
    y = img[(slice(None), slice(None)) + tuple(slice(p, p + o) for p, o in zip(pad, out))]
    if b is not None:
        y = y + b.reshape((f,) + (1,) * len(kernel))
    return xp.ascontiguousarray(y)


def deconv_backward(xp, dy, x, w, kernel, stride, dilate, pad, groups, with_bias):
    n, cin = x.shape[:2]
    spatial = x.shape[2:]
    full = tuple(deconv_full_len(spatial[i], kernel[i], stride[i], dilate[i]) for i in range(len(kernel)))
    hi = tuple(fl - p - o for fl, p, o in zip(full, pad, dy.shape[2:]))
    dyp = pad_spatial(xp, dy, pad, hi)
    cols = im2col(xp, dyp, kernel, stride, dilate, spatial)
    colsg = cols.reshape(groups, -1, n * _prod(spatial))
    wm = w.reshape(groups, cin // groups, -1)
    dx = _from_group_rows(xp, _gmatmul(xp, wm, colsg), n, spatial, x.dtype)
    x2 = _to_group_cols(xp, x, groups)
    dw = _gmatmul(xp, x2, colsg.swapaxes(1, 2)).reshape(w.shape)
    db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))) if with_bias else None
    return dx, dw, db


# -- pooling ----------------------------------------------------------------------------
def pool_out_len(size, k, s, p, convention):
    if convention == "full":
        return -(-(size + 2 * p - k) // s) + 1
    return (size + 2 * p - k) // s + 1


def pool_pads(shape, kernel, stride, pad, out):
    """Low and high padding of each spatial axis so that every window fits."""
    hi = tuple(max((o - 1) * s + k - sz - p, 0) for o, s, k, sz, p in
               zip(out, stride, kernel, shape[2:], pad))
    return tuple(pad), hi


def _tiles(shape, kernel, stride, pad, out):
    """Whether the windows tile the data (kernel == stride, no padding, every window inside)."""
    return (tuple(kernel) == tuple(stride) and not any(pad)
            and all(o * k <= s for o, k, s in zip(out, kernel, shape[2:])))


def _window_view(x, kernel, out):
    """The covered part of ``x`` as ``(N, C, o1, k1, o2, k2, ...)`` (a view: axes only split)."""
    crop = x[(slice(None), slice(None)) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    return crop.reshape(tuple(x.shape[:2]) + sum(((o, k) for o, k in zip(out, kernel)), ()))


def _window_elems(v, kernel):
    """Strided views ``(N, C, *out)`` of ``v`` = ``_window_view``, one per kernel offset."""
    for offs in kernel_offsets(kernel):
        yield v[(slice(None), slice(None)) + sum(((slice(None), o) for o in offs), ())]


class FlatArgmax:
    """Max-pooling state of the C kernel: per window, the flat index ``r*W+s`` of its max in
    the (N*C, H, W) input (-1 for a window wholly in the padding); ``nan``: whether the input
    held NaN (when the forward checked)."""
    __slots__ = ("idx", "nan")

    def __init__(self, idx, nan=False):
        self.idx = idx
        self.nan = nan

    def scatter(self, xp, dy, shape, act=0, t=None):
        """``dy`` routed to the maxima, times activation ``act``'s derivative at its output ``t``
        (codes in ``_native.max_pool2d_grad``); NumPy's ``add.at`` when the kernels are switched off."""
        g = _np.ascontiguousarray(dy).reshape(self.idx.shape)
        tt = g if t is None else _np.ascontiguousarray(t).reshape(self.idx.shape)
        jk = _jk(xp, dy)
        if jk is not None:
            return jk.max_pool2d_grad(g, self.idx, tt, act, *shape[2:]).reshape(shape)
        if act:
            g = g * ACT_GRADS[act](tt)
        nb = g.shape[0]
        idx, g = self.idx.reshape(nb, -1), g.reshape(nb, -1)
        rows = _np.broadcast_to(_np.arange(nb)[:, None], idx.shape)
        keep = idx >= 0
        dx = _np.zeros((nb, _prod(shape[2:])), dtype=dy.dtype)
        _np.add.at(dx, (rows[keep], idx[keep]), g[keep])
        return dx.reshape(shape)


# derivatives of activations as functions of their outputs, by ``_native`` code
ACT_GRADS = {1: lambda t: t > 0, 2: lambda t: t * (1 - t), 3: lambda t: 1 - t * t,
             4: lambda t: -_np.expm1(-t)}


def bind_max_pool(xp, x, kernel, stride, pad, out, nan_flag=False):
    """For inference plans: a function of x giving ``max_pool_forward``'s output (with
    ``nan_flag``, the pair (output, whether x held NaN)) for arrays of this type, shape and
    dtype when the C kernel takes it; else None."""
    jk = _jk(xp, x)
    if jk is None:
        return None
    n, c = x.shape[:2]
    rows, oshape, geom = (n * c,) + x.shape[2:], (n, c) + tuple(out), (*kernel, *stride, *pad, *out)
    if nan_flag:
        def run(x):
            y, _, nan = jk.max_pool2d(_np.ascontiguousarray(x).reshape(rows), *geom, check_nan=True)
            return y.reshape(oshape), nan
        return run
    return lambda x: jk.max_pool2d(_np.ascontiguousarray(x).reshape(rows), *geom)[0].reshape(oshape)


def pool_saw_nan(xp, x, state):
    """Whether ``max_pool_forward(..., check_nan=True)``, which returned ``state``, pooled NaN
    from ``x`` (the C kernel says so; else one pass over x)."""
    if isinstance(state, FlatArgmax):
        return state.nan
    return x.dtype.kind == "f" and bool(xp.isnan(x).any())


def max_pool_forward(xp, x, kernel, stride, pad, out, check_nan=False):
    """Returns ``(y, idx)``: the max as MXNet takes it (from the dtype's lowest value, only
    greater elements replacing it, so NaN and -inf are skipped; a window of nothing else gives
    that lowest value, its gradient going to the first element) and the kernel offset
    (row-major) of the first max.  Tiling windows (LeNet's 2x2/2) take a faster path whose
    ``idx`` is None: the backward finds the max again by one compare.  With the C kernels
    (2-D only) ``idx`` is a ``FlatArgmax``, which with ``check_nan`` says whether x held NaN."""
    jk = _jk(xp, x)
    if jk is not None:
        n, c = x.shape[:2]
        y, idx, nan = jk.max_pool2d(_np.ascontiguousarray(x).reshape((n * c,) + x.shape[2:]),
                                    *kernel, *stride, *pad, *out, check_nan=check_nan)
        return y.reshape((n, c) + tuple(out)), FlatArgmax(idx, nan)
    if _tiles(x.shape, kernel, stride, pad, out):
        return _tiled_max(xp, _window_view(x, kernel, out), out), None
    return _max_pool_general(xp, x, kernel, stride, pad, out)


def _tiled_max(xp, v, out):
    """Max of the window view ``v`` (N, C, o1, k1, ..., o_nd, k_nd) over its k axes, as
    (N, C, *out).  Reducing one k axis at a time keeps the later axes' run contiguous: a 2x2 pool
    is one pass over rows of 2*out elements and one over pairs, not four passes over short rows."""
    reduced = False
    for axis in range(3, 2 * len(out) + 2, 2):
        lead = (slice(None),) * axis
        k = v.shape[axis]
        if k == 1:
            continue
        acc = xp.fmax(v[lead + (slice(0, 1),)], v[lead + (slice(1, 2),)])
        for j in range(2, k):
            xp.fmax(acc, v[lead + (slice(j, j + 1),)], out=acc)
        v, reduced = acc, True
    v = v if reduced else xp.array(v)
    if v.dtype.kind == "f":   # NaN-only and -inf windows: MXNet's starting (lowest) value
        xp.fmax(v, _np.finfo(v.dtype).min, out=v)
    return v.reshape(tuple(v.shape[:2]) + tuple(out))


def _max_pool_general(xp, x, kernel, stride, pad, out):
    lo, hi = pool_pads(x.shape, kernel, stride, pad, out)
    xpd = pad_spatial(xp, x, lo, hi, value=-xp.inf)
    ones = (1,) * len(kernel)
    offs = list(kernel_offsets(kernel))
    first = xpd[(Ellipsis,) + offset_slices(offs[0], stride, ones, out)]
    low = (_np.finfo if x.dtype.kind == "f" else _np.iinfo)(x.dtype).min
    best = xp.full(first.shape, low, dtype=x.dtype)
    idx = xp.zeros(best.shape, dtype=xp.uint8 if len(offs) < 256 else xp.int32)
    for k, o in enumerate(offs):
        v = xpd[(Ellipsis,) + offset_slices(o, stride, ones, out)]
        m = v > best
        xp.copyto(best, v, where=m)
        xp.copyto(idx, k, where=m)
    return best, idx


def max_pool_backward(xp, dy, idx, shape, kernel, stride, pad, out, x=None, y=None):
    """Gradient of max pooling; ``x``/``y`` (data, pooled) are needed when ``idx`` is None."""
    if isinstance(idx, FlatArgmax):
        return idx.scatter(xp, dy, shape)
    if idx is None:
        dx = _tiled_max_grad(xp, dy, x, y, kernel, out)
        return dx if dx is not None else _tiled_first_max_grad(xp, dy, x, y, kernel, out)
    lo, hi = pool_pads(shape, kernel, stride, pad, out)
    padded = tuple(s + a + b for s, a, b in zip(shape[2:], lo, hi))
    dxp = xp.zeros(tuple(shape[:2]) + padded, dtype=dy.dtype)
    ones = (1,) * len(kernel)
    overlap = any(k > s for k, s in zip(kernel, stride))
    for k, o in enumerate(kernel_offsets(kernel)):
        dst = dxp[(Ellipsis,) + offset_slices(o, stride, ones, out)]
        if overlap:
            dst += xp.where(idx == k, dy, 0)
        else:
            xp.add(dst, dy, out=dst, where=idx == k)
    return _crop(dxp, lo, shape)


def _tiled_max_grad(xp, dy, x, y, kernel, out):
    """``dy`` routed to the max of each tiling window by one broadcast compare; None when a
    window holds its max twice (or only NaN), where MXNet's first-max rule needs the index.
    ``y`` and ``dy`` are first repeated along the last axis, so that every pass runs over whole
    rows instead of the window's last extent (2 for LeNet: NumPy's per-row cost dominated)."""
    v = _row_view(x, kernel, out)
    bshape = tuple(y.shape[:2]) + sum(((o, 1) for o in out[:-1]), ()) + (v.shape[-1],)
    hit = v == y.repeat(kernel[-1], axis=-1).reshape(bshape)
    if int(xp.count_nonzero(hit)) != y.size:
        return None
    covered = all(o * k == s for o, k, s in zip(out, kernel, x.shape[2:]))
    # rows/columns past the last window get no gradient
    dx = (xp.empty if covered else xp.zeros)(x.shape, dtype=dy.dtype)
    view, src = _row_view(dx, kernel, out), dy.repeat(kernel[-1], axis=-1).reshape(bshape)
    if xp.isfinite(dy.sum()):
        # the mask times dy, then + 0: the other elements get +0 (not -0 where dy < 0), as
        # MXNet's scatter into zeros and the C kernel give (a masked add is 40x slower)
        xp.multiply(hit, src, out=view)
        view += dy.dtype.type(0)
    else:   # 0 * inf or NaN would be NaN: added where the mask is set
        view[...] = 0
        xp.add(view, src, out=view, where=hit)
    return dx


def _tiled_first_max_grad(xp, dy, x, y, kernel, out):
    """The tie-aware form of ``_tiled_max_grad``: each window's first max (row-major) wins."""
    dx = xp.zeros(x.shape, dtype=dy.dtype)
    taken = xp.zeros(y.shape, dtype=bool)
    for v, d in zip(_window_elems(_window_view(x, kernel, out), kernel),
                    _window_elems(_window_view(dx, kernel, out), kernel)):
        m = v == y
        m &= ~taken
        xp.add(d, dy, out=d, where=m)
        taken |= m
    # windows of NaN and -inf alone (y is the lowest value, which none equals): the first element
    first = next(_window_elems(_window_view(dx, kernel, out), kernel))
    xp.add(first, dy, out=first, where=~taken)
    return dx


def _row_view(x, kernel, out):
    """Like ``_window_view`` with the last window axis left merged: ``(N, C, o1, k1, ..., o*k)``."""
    crop = x[(slice(None), slice(None)) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    return crop.reshape(tuple(x.shape[:2]) + sum(((o, k) for o, k in zip(out[:-1], kernel)), ())
                        + (out[-1] * kernel[-1],))


def sum_pool_forward(xp, x, kernel, stride, pad, out, power=None):
    """Window sums of ``x`` (of ``x**power`` when given), zero padded."""
    lo, hi = pool_pads(x.shape, kernel, stride, pad, out)
    src = x if power is None or power == 1 else x ** power
    xpd = pad_spatial(xp, src, lo, hi)
    ones = (1,) * len(kernel)
    acc = None
    for o in kernel_offsets(kernel):
        v = xpd[(Ellipsis,) + offset_slices(o, stride, ones, out)]
        if acc is None:
            acc = xp.array(v)
        else:
            acc += v
    return acc


def spread_pool_grad(xp, g, shape, kernel, stride, pad, out, weight=None):
    """Gradient of a window sum: ``g`` (N, C, *out) added back to every window element,
    multiplied elementwise by the padded ``weight`` image when given."""
    lo, hi = pool_pads(shape, kernel, stride, pad, out)
    padded = tuple(s + a + b for s, a, b in zip(shape[2:], lo, hi))
    dxp = xp.zeros(tuple(shape[:2]) + padded, dtype=g.dtype)
    ones = (1,) * len(kernel)
    for o in kernel_offsets(kernel):
        sl = (Ellipsis,) + offset_slices(o, stride, ones, out)
        dxp[sl] += g if weight is None else g * weight[sl]
    return _crop(dxp, lo, shape)


def pool_divisor(xp, shape, kernel, stride, pad, out, include_pad, dtype):
    """Per-output element counts of average pooling, as MXNet counts them."""
    div = None
    for i, (sz, k, s, p, o) in enumerate(zip(shape[2:], kernel, stride, pad, out)):
        start = xp.arange(o) * s
        if include_pad:
            cnt = xp.minimum(start + k, sz + 2 * p) - start
        else:
            cnt = xp.minimum(start - p + k, sz) - xp.maximum(start - p, 0)
        view = (1,) * i + (o,) + (1,) * (len(out) - i - 1)
        cnt = cnt.reshape(view)
        div = cnt if div is None else div * cnt
    return xp.maximum(div, 1).astype(dtype)


def _crop(a, lo, shape):
    if a.shape[2:] == tuple(shape[2:]):
        return a
    return a[(slice(None), slice(None)) + tuple(slice(l, l + s) for l, s in zip(lo, shape[2:]))].copy()


def _prod(t):
    r = 1
    for v in t:
        r *= v
    return r

