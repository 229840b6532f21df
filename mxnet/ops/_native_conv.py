"""Direct convolutions for float32 NCHW data (``_native_conv.c``, built into the library of
``_native``): 3x3 with stride 1 or 2 and pad 1, 1x1 with stride 1 or 2 and pad 0, each with its
forward, data gradient and weight gradient.

ResNet's 16-64-channel convolutions make small GEMMs that OpenBLAS runs at a third to two
thirds of the machine's peak, after an im2col pass up to nine times the data; these kernels read
the (zero-padded, or phase-split for stride 2) images directly and keep a block of output
channels x pixels in registers.  ``_conv_kernels`` decides where they are used (``kind`` says
which convolutions they compute at all).  ``AVAILABLE`` is False when the library of ``_native``
is not there (no compiler) or lacks these functions; callers reach this module only through
``_accel.jit()`` being set.
"""
import ctypes
import os

import numpy as np

from . import _native

_F32 = np.dtype(np.float32)
_P, _I = ctypes.c_void_p, ctypes.c_int64

# the kinds of convolution of the C entry points: (kernel size, stride)
K3S1, K3S2, K1S1, K1S2 = range(4)
_KINDS = {(3, 1): K3S1, (3, 2): K3S2, (1, 1): K1S1, (1, 2): K1S2}


def _bind(lib):
    if lib is None:
        return None, None, None
    try:
        fwd, dx, dw = lib.dconv_fwd_f32, lib.dconv_dx_f32, lib.dconv_dw_f32
    except AttributeError:
        return None, None, None
    fwd.argtypes = [_P, _P, _P, _I, _P] + [_I] * 7
    dx.argtypes = [_P, _P, _P] + [_I] * 7
    dw.argtypes = [_P, _P, _P] + [_I] * 9
    for fn in (fwd, dx, dw):
        fn.restype = _I
    return fwd, dx, dw


_FWD, _DX, _DW = _bind(_native.LIB)
AVAILABLE = _FWD is not None

# the weight gradient sums this many output pixels (whole images, or bands of rows of one image)
# per pass over its register blocks: enough to amortise setting up and summing the blocks, few
# enough to keep the block's rows in cache
DW_PIXELS = 2048
# ... and at most about this many bytes of data (prepared images and output gradients) per item,
# so that an item stays in the L2 cache (measured: 64-channel 8x8 images slow down past ~500 KB)
DW_CACHE = 384 << 10
# a call is split over threads only where each gets at least this many multiply-adds (~10 us, a
# hundred times the pool's dispatch; ResNet-20's 1x1 stride-2 shortcuts, 32 x 32 x 16^3, are 4.2M)
MIN_THREAD_MACS = 1_000_000


def _default_threads():
    """Threads for one call: $MXNEXT_CONV_THREADS, else those of all the C kernels
    (``_native.THREADS``: as many as OpenBLAS uses).  Measured on 2 cores, OpenBLAS on 2 threads
    (wall time, min of 20 steps): the ResNet-20 step (batch 32) from ~103 to ~68-76 ms, eager or
    hybridized; it makes no large GEMM now that its strided and 1x1 convolutions are direct too,
    so the second core is ours.  A ResNet-18 (batch 16, 64x64), which mixes direct convolutions
    with multi-threaded GEMMs, is unchanged (~190-210 ms either way)."""
    try:
        return max(1, int(os.environ["MXNEXT_CONV_THREADS"]))
    except (KeyError, ValueError):
        return _native.THREADS


THREADS = _default_threads()


def _threads(macs):
    return max(1, min(THREADS, macs // MIN_THREAD_MACS))


def kind(x, w, kernel, stride, dilate, pad, groups):
    """The kind (``K3S1`` ...) of this convolution when the kernels compute it, else None:
    ungrouped, undilated, square 3x3 pad 1 or 1x1 pad 0, equal strides of 1 or 2, float32 NCHW
    data and weights.  (The kernels take any size; ``_conv_kernels`` adds the conditions under
    which they are faster.)"""
    if not (AVAILABLE and groups == 1 and x.ndim == 4 and x.dtype == _F32 and w.dtype == _F32
            and len(kernel) == 2 and kernel[0] == kernel[1] and stride[0] == stride[1]
            and tuple(dilate) == (1, 1) and tuple(pad) == ((kernel[0] == 3),) * 2):
        return None
    return _KINDS.get((kernel[0], stride[0]))


def out_size(k, size):
    """Output (height, width) of kind ``k`` for an input of ``size``."""
    return tuple(s if k in (K3S1, K1S1) else (s - 1) // 2 + 1 for s in size)


def _c32(a):
    return np.ascontiguousarray(a, _F32)


def _check(fail, what):
    if fail:
        raise MemoryError(f"direct convolution {what}: no memory for the scratch buffers")


def _kk(w):
    return w.shape[2] * w.shape[3]


def forward(x, w, b=None, k=K3S1):
    """``x`` (N, C, H, W) convolved with ``w`` (F, C, k, k) as kind ``k``, plus ``b`` (F,) if
    given."""
    x, w = _c32(x), _c32(w)
    n, c, h, wd = x.shape
    f = w.shape[0]
    y = np.empty((n, f) + out_size(k, (h, wd)), _F32)
    bias = _c32(b) if b is not None else w
    _check(_FWD(id(x), id(w), id(bias), b is not None, id(y), n, c, f, h, wd, k,
                _threads(y.size * c * _kk(w))), "forward")
    return y


def data_grad(dy, w, size, k=K3S1):
    """Gradient (N, C, *size) of the data of kind ``k``'s convolution for the output gradient
    ``dy`` (N, F, Ho, Wo) and weights ``w`` (F, C, k, k); ``size`` is the data's (H, W)."""
    dy, w = _c32(dy), _c32(w)
    n, f = dy.shape[:2]
    c = w.shape[1]
    dx = np.empty((n, c) + tuple(size), _F32)
    _check(_DX(id(dy), id(w), id(dx), n, c, f, size[0], size[1], k, _threads(dy.size * c * _kk(w))),
           "data gradient")
    return dx


def weight_grad(x, dy, k=K3S1):
    """Gradient (F, C, k, k) of the weights of kind ``k``'s convolution for data ``x`` (N, C, H,
    W) and output gradient ``dy`` (N, F, Ho, Wo)."""
    x, dy = _c32(x), _c32(dy)
    n, c, h, wd = x.shape
    f = dy.shape[1]
    ks = 3 if k in (K3S1, K3S2) else 1
    dw = np.empty((f, c, ks, ks), _F32)
    _check(_DW(id(x), id(dy), id(dw), n, c, f, h, wd, k, DW_PIXELS, DW_CACHE,
               _threads(dy.size * c * ks * ks)), "weight gradient")
    return dw
