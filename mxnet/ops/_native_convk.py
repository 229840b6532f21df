"""Direct KxK (K = 1..7) stride-1 convolutions for float32 NCHW data (``_native_convk.c``, built
into the library of ``_native``): forward, data gradient and weight gradient, any zero padding.

Made for LeNet's 5x5 layers, whose small images make im2col + OpenBLAS pay more for the column
pass and the GEMM's setup than for the arithmetic.  ``bind_forward`` and ``backward`` are the
dispatch that ``_conv_kernels.conv_forward``/``conv_backward`` try: they return None
unless the C kernels are on (``_accel.jit()``), the library has these functions, and the
convolution is one of those measured faster here (``fits_forward``, ``fits_weight_grad``;
``direct_dx`` picks the data gradient's kernel).  Kernel sizes 1..7 are computed, but K = 1 and
3x3 pad 1 (``_native_conv``'s) are not dispatched here.  Threads as ``_native_conv``'s: images
(forward, data gradient) or blocks of output channels (weight gradient) each go to one thread.
"""
import ctypes

import numpy as np

from . import _accel

_F32 = np.dtype(np.float32)
_P, _I = ctypes.c_void_p, ctypes.c_int64


def _bind():
    from . import _native
    lib = _native.LIB
    if lib is None:
        return None, None
    try:
        fwd, dw = lib.convk_fwd_f32, lib.convk_dw_f32
    except AttributeError:
        return None, None
    fwd.argtypes = [_P, _P, _P, _P] + [_I] * 10
    fwd.restype = _I
    dw.argtypes = [_P, _P, _P] + [_I] * 10
    dw.restype = _I
    return fwd, dw


_FWD = _DW = None
_bound = False

# the weight gradient sums chunks of images of about this many bytes (padded data + dy) per
# pass over its register blocks: in the L2 cache
DW_CACHE = 256 << 10


def _kernels():
    """The forward C function (the weight gradient's is bound with it), or None when the C
    kernels are off or the library lacks these functions."""
    global _FWD, _DW, _bound, _nconv
    if _accel.jit() is None:
        return None
    if not _bound:
        from . import _native_conv   # here, not at import: importing it loads the library
        _nconv = _native_conv
        _FWD, _DW = _bind()
        _bound = True
    return _FWD


_nconv = None


def _threads(macs):
    """Threads for a call of ``macs`` multiply-adds (the kernels are bound, see ``_kernels``): as
    for the 3x3 kernels (``_native_conv``: ``MXNEXT_CONV_THREADS``, else OpenBLAS's count, from
    ~1M multiply-adds a thread)."""
    return _nconv._threads(macs)


def _err(rc, what):
    if rc == 1:
        raise MemoryError(f"convk {what}: no memory for the scratch buffers")
    if rc:
        raise ValueError(f"convk {what}: kernel size outside 1..7")


def conv_forward(x, w, b, pad):
    """``x`` (N, C, H, W) convolved with ``w`` (F, C, K, K), stride 1, zero padding ``pad``
    (ph, pw), plus ``b`` (F,) when not None; C-contiguous float32 arrays."""
    n, c, h, wd = x.shape
    f, k = w.shape[0], w.shape[2]
    y = np.empty((n, f, h + 2 * pad[0] - k + 1, wd + 2 * pad[1] - k + 1), _F32)
    _err(_FWD(id(x), id(w), None if b is None else id(b), id(y), n, c, f, h, wd, k, pad[0], pad[1], 0,
              _threads(y.size * c * k * k)), "forward")
    return y


def data_grad(dy, w, pad, shape):
    """Gradient of the data (N, C, H, W) = ``shape`` for the output gradient ``dy`` and weights
    ``w`` (F, C, K, K): the forward of ``dy`` padded by K-1-pad, flipped, channels swapped."""
    n, f, oh, ow = dy.shape
    k = w.shape[2]
    dx = np.empty(shape, _F32)
    _err(_FWD(id(dy), id(w), None, id(dx), n, f, shape[1], oh, ow, k, k - 1 - pad[0], k - 1 - pad[1], 1,
              _threads(dx.size * f * k * k)), "data gradient")
    return dx


def weight_grad(x, dy, k, pad):
    """Gradient (F, C, K, K) of the weights for data ``x`` (N, C, H, W) and output gradient
    ``dy`` (N, F, OH, OW)."""
    n, c, h, wd = x.shape
    f = dy.shape[1]
    dw = np.empty((f, c, k, k), _F32)
    _err(_DW(id(x), id(dy), id(dw), n, c, f, h, wd, k, pad[0], pad[1], DW_CACHE,
             _threads(dy.size * c * k * k)), "weight gradient")
    return dw


def data_grad_gemm(dy, w, pad, shape):
    """The data gradient as per-image GEMMs of the transposed weights with ``dy`` and the C
    col2im (``_native.col2im_image``): no multiplications by the zeros that the direct kernel's
    "full" convolution of a padded ``dy`` makes when ``pad`` is small (LeNet: 2.25x the work)."""
    from . import _native
    n, f, oh, ow = dy.shape
    c, k = shape[1], w.shape[2]
    dcols = np.matmul(w.reshape(f, -1).T, dy.reshape(n, f, oh * ow)).reshape(n, c, k, k, oh, ow)
    return _native.col2im_image(dcols, shape[2], shape[3], 1, 1, 1, 1, pad[0], pad[1])


# -- dispatch ----------------------------------------------------------------------------------
def _lanes_ok(ow):
    """Rows are computed in vectors of 8 pixels: at least 3/4 of the lanes must be real."""
    return 3 * (-(-ow // 8) * 8) <= 4 * ow


# Measured (single thread, batch 1-128, 1-128 channels, 8-56 pixel images): the forward is
# 1.2-2.7x faster than im2col + GEMM for K = 2..7 at 1-128 channels (LeNet's: 1.6x and 1.8x at
# batch 128, 1.7x at batch 1), equal at K = 1 (the GEMM runs on the data itself there); the
# weight gradient is 1.1-2x faster where each register block sums enough pixel vectors (LeNet
# training: 2x and 1.5x) and slower below ~32 (batch 1, 8x8 images of many channels), at K = 1
# and at K = 7 on few channels.  3x3 pad 1 is left to _native_conv's kernels.  On 2 threads
# (forward + weight gradient + data gradient, ms, direct against im2col + GEMM): 5x5 pad 2,
# 96 -> 256 at 26x26 (AlexNet's second layer, batch 16) 233 / 294; 128 -> 128 at 14x14 94 / 124;
# 64 -> 192 at 28x28 251 / 371; but 256 -> 256 at 13x13 (C*K*K = 6400) 176 / 162; 3x3 pad 0,
# 160 -> 160 at 14x14, 51 / 50.
MAX_CKK = 3200
MAX_F = 256
MIN_DW_VECTORS = 32


def _taken(c, f, k, pad, ow):
    return (2 <= k <= 7 and not (k == 3 and pad[0] == 1 and pad[1] == 1) and _lanes_ok(ow)
            and c * k * k <= MAX_CKK and f <= MAX_F)


def fits_forward(c, f, k, pad, ow):
    """Whether the direct forward takes this convolution (faster than im2col + GEMM)."""
    return _taken(c, f, k, pad, ow)


def fits_weight_grad(n, c, f, k, h, w, pad, oh, ow):
    """Whether the direct weight gradient takes this convolution: also enough pixel vectors per
    register block (images per chunk of DW_CACHE bytes, as the C code counts them, x rows x
    vectors per row); K = 7 only with 8 or more input channels."""
    if not _taken(c, f, k, pad, ow) or (k == 7 and c < 8):
        return False
    wr = -(-ow // 8) * 8
    inplace = pad[0] == 0 and pad[1] == 0 and ow % 8 == 0
    plane = (h + 2 * pad[0]) * (w if inplace else wr + k - 1)
    nb = min(n, max(1, DW_CACHE // ((c * plane + f * oh * wr) * 4)))
    return nb * oh * (wr // 8) >= MIN_DW_VECTORS


def direct_dx(c, h, w, oh, ow, k, pad):
    """Whether the data gradient takes the direct kernel (else ``data_grad_gemm``): only where
    its full convolution computes few more outputs than the GEMM path's columns hold (2.25x for
    LeNet's second layer: 2.2x slower than the GEMM there), on 8 or more channels."""
    return (pad[0] <= k - 1 and pad[1] <= k - 1 and _lanes_ok(w) and c >= 8
            and 2 * h * (-(-w // 8) * 8) <= 3 * oh * ow)


def _usable(xp, x, w, kernel, stride, dilate, groups):
    if xp is not np or groups != 1 or len(kernel) != 2:
        return False
    k = kernel[0]
    if (kernel[1] != k or not 1 <= k <= 7 or stride[0] != 1 or stride[1] != 1 or dilate[0] != 1
            or dilate[1] != 1 or type(x) is not np.ndarray or type(w) is not np.ndarray
            or x.dtype != _F32 or w.dtype != _F32 or x.ndim != 4):
        return False
    return _kernels() is not None


def bind_forward(xp, x, w, kernel, stride, dilate, pad, groups):
    """A function of (x, w, b or None) giving the output of this convolution through the direct
    kernel for arrays of these types, shapes and dtypes, or None when the kernel does not take
    it."""
    if not _usable(xp, x, w, kernel, stride, dilate, groups):
        return None
    k = kernel[0]
    ow = x.shape[3] + 2 * pad[1] - k + 1
    if x.shape[2] + 2 * pad[0] < k or ow < 1 or not fits_forward(x.shape[1], w.shape[0], k, pad, ow):
        return None

    def run(x, w, b):
        if b is not None and (type(b) is not np.ndarray or b.dtype != _F32 or not b.flags.c_contiguous):
            b = np.ascontiguousarray(b, _F32)
        return conv_forward(np.ascontiguousarray(x), np.ascontiguousarray(w), b, pad)
    return run


def backward(xp, dy, x, w, kernel, stride, dilate, pad, groups, with_bias, need_dx):
    """``(dx or None, dw, db or None)`` like ``_conv_kernels.conv_backward`` when the direct
    kernels take this convolution, else None."""
    if (not _usable(xp, x, w, kernel, stride, dilate, groups) or type(dy) is not np.ndarray
            or dy.dtype != _F32 or dy.ndim != 4):
        return None
    n, c, h, wd = x.shape
    f, k = w.shape[0], kernel[0]
    oh, ow = dy.shape[2:]
    if oh < 1 or ow < 1 or not fits_weight_grad(n, c, f, k, h, wd, pad, oh, ow):
        return None
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy)
    dx = None
    if need_dx:
        w = np.ascontiguousarray(w)
        dx = (data_grad if direct_dx(c, h, wd, oh, ow, k, pad) else data_grad_gemm)(dy, w, pad, x.shape)
    db = dy.sum(axis=(0, 2, 3)) if with_bias else None
    return dx, weight_grad(x, dy, k, pad), db
