"""Direct 3x3 stride-1 pad-1 convolutions for float32 NCHW data (``_native_conv.c``, built into
the library of ``_native``): forward, data gradient and weight gradient.

ResNet's 16-64-channel convolutions make small GEMMs that OpenBLAS runs at a third to two
thirds of the machine's peak, after an im2col pass nine times the data; these kernels read the
(zero-padded) images directly and keep a block of output channels x pixels in registers.
``_conv_kernels`` decides where they are used (``fits``).  ``AVAILABLE`` is False when the
library of ``_native`` is not there (no compiler) or lacks these functions; callers reach this
module only through ``_accel.jit()`` being set.
"""
import ctypes
import os

import numpy as np

from . import _native

_F32 = np.dtype(np.float32)
_P, _I = ctypes.c_void_p, ctypes.c_int64


def _bind(lib):
    if lib is None:
        return None, None
    try:
        fwd, dw = lib.conv3x3_fwd_f32, lib.conv3x3_dw_f32
    except AttributeError:
        return None, None
    fwd.argtypes = [_P, _P, _P, _I, _P, _I, _I, _I, _I, _I, _I, _I]
    fwd.restype = _I
    dw.argtypes = [_P, _P, _P, _I, _I, _I, _I, _I, _I, _I, _I]
    dw.restype = _I
    return fwd, dw


_FWD, _DW = _bind(_native.LIB)
AVAILABLE = _FWD is not None

# the weight gradient sums this many output pixels (whole images, or bands of rows of one image)
# per pass over its register blocks: enough to amortise setting up and summing the blocks, few
# enough to keep the block's rows in cache
DW_PIXELS = 2048
# ... and at most about this many bytes of data (padded images and output gradients) per item, so
# that an item stays in the L2 cache (measured: 64-channel 8x8 images slow down past ~500 KB)
DW_CACHE = 384 << 10
# a call is split over threads only where each gets at least this many multiply-adds (~0.1 ms)
MIN_THREAD_MACS = 5_000_000


def _default_threads():
    """Threads for one call: $MXNEXT_CONV_THREADS, else 1.  Measured on 2 cores (ResNet-20 step,
    hybridized): with OpenBLAS on one thread, 2 threads here take the step from ~105 to ~77 ms of
    wall time; with OpenBLAS on 2 threads, its worker spins between the remaining GEMMs (the
    strided and 1x1 convolutions) on the second core and 2 threads here make the step slower
    (~125 against ~102 ms), so the default stays serial."""
    try:
        return max(1, int(os.environ.get("MXNEXT_CONV_THREADS", "1")))
    except ValueError:
        return 1


THREADS = _default_threads()


def _threads(macs):
    return max(1, min(THREADS, macs // MIN_THREAD_MACS))


def fits(x, w, kernel, stride, dilate, pad, groups):
    """Whether the direct kernels compute this convolution: ungrouped 3x3, stride 1, dilate 1,
    pad 1, float32 NCHW data and weights.  (The kernels take any size; ``_conv_kernels``
    adds the conditions under which they are faster.)"""
    return (AVAILABLE and groups == 1 and tuple(kernel) == (3, 3) and tuple(stride) == (1, 1)
            and tuple(dilate) == (1, 1) and tuple(pad) == (1, 1) and x.ndim == 4
            and x.dtype == _F32 and w.dtype == _F32)


def _c32(a):
    return np.ascontiguousarray(a, _F32)


def forward(x, w, b=None):
    """``x`` (N, C, H, W) convolved with ``w`` (F, C, 3, 3), pad 1, plus ``b`` (F,) if given."""
    x, w = _c32(x), _c32(w)
    n, c, h, wd = x.shape
    f = w.shape[0]
    y = np.empty((n, f, h, wd), _F32)
    bias = _c32(b) if b is not None else w
    if _FWD(id(x), id(w), id(bias), b is not None, id(y), n, c, f, h, wd, 0, _threads(n * c * f * h * wd * 9)):
        raise MemoryError("conv3x3 forward: no memory for the scratch buffers")
    return y


def data_grad(dy, w):
    """Gradient (N, C, H, W) of the data for the output gradient ``dy`` (N, F, H, W) and
    weights ``w`` (F, C, 3, 3)."""
    dy, w = _c32(dy), _c32(w)
    n, f, h, wd = dy.shape
    c = w.shape[1]
    dx = np.empty((n, c, h, wd), _F32)
    if _FWD(id(dy), id(w), id(w), False, id(dx), n, f, c, h, wd, 1, _threads(n * c * f * h * wd * 9)):
        raise MemoryError("conv3x3 data gradient: no memory for the scratch buffers")
    return dx


def weight_grad(x, dy):
    """Gradient (F, C, 3, 3) of the weights for data ``x`` (N, C, H, W) and output gradient
    ``dy`` (N, F, H, W)."""
    x, dy = _c32(x), _c32(dy)
    n, c, h, wd = x.shape
    f = dy.shape[1]
    dw = np.empty((f, c, 3, 3), _F32)
    if _DW(id(x), id(dy), id(dw), n, c, f, h, wd, DW_PIXELS, DW_CACHE, _threads(n * c * f * h * wd * 9)):
        raise MemoryError("conv3x3 weight gradient: no memory for the scratch buffers")
    return dw
