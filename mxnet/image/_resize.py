"""OpenCV's ``cv::resize`` and ``cv::copyMakeBorder`` for ``mx.image`` (what MXNet 1.9.1 calls).

MXNet 1.9.1 resizes with the OpenCV 3.4.2 built into it.  When ``opencv-python-headless`` is
installed (imported on first use), each (dtype, interpolation) that it reproduces bit for bit
runs there; the others, and everything when OpenCV is missing, run here in NumPy.  The NumPy
path is separable, each output touching only its 1, 2, 4 or 8 neighbouring taps, and follows
OpenCV 3.4.2's arithmetic: tap positions and weights in float32, uint8 weights in fixed point
(x2048) with integer row sums, the vertical pass of its SSE2 kernels (and their scalar tails)
for uint8, and float32 sums in OpenCV's order for float images.  Nearest, bilinear, bicubic and
Lanczos give OpenCV 3.4.2's bits; area shrinking without OpenCV is within one grey level.

``MXNEXT_OPENCV=0`` in the environment keeps OpenCV out (the NumPy path only).
"""
import functools
import os

import numpy as np

_COEF_SCALE = 2048  # OpenCV's INTER_RESIZE_COEF_SCALE (11 fractional bits)

# (dtype, interp) pairs where opencv-python-headless (checked: 4.11, 5.1) gives MXNet 1.9.1's bits;
# its SIMD float bilinear/bicubic/Lanczos and uint8 bicubic kernels round differently.
_CV2_EXACT = {("uint8", 0), ("uint8", 1), ("uint8", 3), ("uint8", 4), ("float32", 0), ("float32", 3)}

_cv2_module = None


def opencv():
    """The ``cv2`` module, or None when it is not installed or ``MXNEXT_OPENCV=0``."""
    global _cv2_module
    if _cv2_module is None:
        _cv2_module = False
        if os.environ.get("MXNEXT_OPENCV", "1") != "0":
            try:
                import cv2
                _cv2_module = cv2
            except ImportError:
                pass
    return _cv2_module or None


# -- tap positions and weights of one axis, as cv::resize computes them ------------------------

def _cubic_coefs(fx):
    a = np.float32(-0.75)
    one = np.float32(1)
    x = fx + one
    c0 = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    c1 = ((a + 2) * fx - (a + 3)) * fx * fx + one
    y = one - fx
    c2 = ((a + 2) * y - (a + 3)) * y * y + one
    c3 = one - c0 - c1 - c2
    return np.stack([c0, c1, c2, c3], 1).astype(np.float32)


_S45 = 0.70710678118654752440084436210485
_LANCZOS_CS = np.array([[1, 0], [-_S45, -_S45], [0, 1], [_S45, -_S45],
                        [-1, 0], [_S45, _S45], [0, -1], [-_S45, _S45]])


def _lanczos4_coefs(fx):
    # (x + 3) - i is float32 arithmetic in OpenCV, the sine and the division double
    x3 = fx + np.float32(3)
    y0 = -x3.astype(np.float64) * np.pi * 0.25
    s0, c0 = np.sin(y0), np.cos(y0)
    y = -(x3[:, None] - np.arange(8, dtype=np.float32)).astype(np.float64) * np.pi * 0.25
    with np.errstate(divide="ignore", invalid="ignore"):
        c = ((_LANCZOS_CS[:, 0] * s0[:, None] + _LANCZOS_CS[:, 1] * c0[:, None]) / (y * y)).astype(np.float32)
        total = np.zeros(len(fx), np.float32)
        for i in range(8):  # a float sum in tap order, as OpenCV adds them
            total += c[:, i]
        c *= (np.float32(1) / total)[:, None]
    exact = fx < np.finfo(np.float32).eps
    c[exact] = 0
    c[exact, 3] = 1
    return c


def _taps(n_in, n_out, interp, rows=False):
    """Per-output source indices ``(n_out, k)`` (clamped to the edge) and float32 weights.
    Along ``rows``, OpenCV clamps only the indices; along columns a bilinear tap that falls
    outside also gets its weight moved onto the edge pixel."""
    inv_scale = n_out / n_in
    scale = 1.0 / inv_scale
    dst = np.arange(n_out, dtype=np.float64)
    if interp == 0:
        idx = np.minimum(np.floor(dst * scale).astype(np.intp), n_in - 1)
        return idx[:, None], np.ones((n_out, 1), np.float32)
    if interp == 3:  # area taps where an axis is enlarged: linear weights on the pixel grid
        sx = np.floor(dst * scale)
        fx = ((dst + 1) - (sx + 1) * inv_scale).astype(np.float32)
        fx = np.where(fx <= 0, np.float32(0), fx - np.floor(fx)).astype(np.float32)
    else:
        f = ((dst + 0.5) * scale - 0.5).astype(np.float32)
        sx = np.floor(f)
        fx = (f - sx).astype(np.float32)
    sx = sx.astype(np.intp)
    if interp in (1, 3):
        if not rows:
            low, high = sx < 0, sx >= n_in - 1
            fx[low | high] = 0
            sx = np.where(low, 0, np.where(high, n_in - 1, sx))
        idx, coef = sx[:, None] + np.arange(2), np.stack([np.float32(1) - fx, fx], 1)
    elif interp == 2:
        idx, coef = sx[:, None] + np.arange(-1, 3), _cubic_coefs(fx)
    else:
        idx, coef = sx[:, None] + np.arange(-3, 5), _lanczos4_coefs(fx)
    return np.clip(idx, 0, n_in - 1), coef.astype(np.float32)


# -- the two passes ----------------------------------------------------------------------------

def _columns(idx, coef, c):
    """Taps of one column axis spelled out per channel: indices into a row of W*C values."""
    cols = (idx[:, None, :] * c + np.arange(c)[None, :, None]).reshape(-1, idx.shape[1])
    return cols, np.repeat(coef, c, axis=0)


def _horizontal(a, cols, coef):
    """Resample the rows (last axis, W*C values) of ``a`` with per-output taps, summed in tap
    order (float images: OpenCV's order of float additions)."""
    out = a[..., cols[:, 0]] * coef[:, 0]
    for t in range(1, cols.shape[1]):
        out += a[..., cols[:, t]] * coef[:, t]
    return out


def _horizontal_int(a, cols, coef):
    """Integer row sums of a uint8 ``a`` with integer weights ``coef``: exact in float32, as every
    partial sum stays below 2**24, so the order of the additions does not matter."""
    return np.einsum("...wk,wk->...w", a[..., cols].astype(np.float32), coef.astype(np.float32))


def _vertical_float(rows, idx, coef):
    """Resample axis 1 of ``rows`` (N, H, W*C): the weighted taps summed in tap order."""
    coef = coef[:, :, None]
    out = rows[:, idx[:, 0]]
    out *= coef[:, 0]
    for t in range(1, idx.shape[1]):
        term = rows[:, idx[:, t]]
        term *= coef[:, t]
        out += term
    return out


def _fixed_point(rows, idx, beta):
    """OpenCV's scalar fixed-point vertical pass: integer sum, rounded, 22 fraction bits dropped
    (in int32, wrapping as OpenCV's does)."""
    rows = rows.astype(np.int32)
    beta = beta.astype(np.int32)[:, :, None]
    acc = rows[:, idx[:, 0]] * beta[:, 0]
    for t in range(1, idx.shape[1]):
        acc += rows[:, idx[:, t]] * beta[:, t]
    return (acc + (1 << 21)) >> 22


def _vertical_uint8(rows, idx, beta):
    """The vertical pass of uint8 images over the integer row sums ``rows`` (N, H, W*C, float32),
    as OpenCV 3.4.2 runs it: bilinear in 16-bit SSE2 arithmetic (4 bits dropped before the
    products), bicubic in float32 on all but the last ``W*C % 8`` columns, Lanczos in integers."""
    width = rows.shape[2]
    k = idx.shape[1]
    if k == 2:
        r = rows.astype(np.int32) >> 4
        b = beta.astype(np.int32)[:, :, None]
        out = (((r[:, idx[:, 0]] * b[:, 0]) >> 16) + ((r[:, idx[:, 1]] * b[:, 1]) >> 16) + 2) >> 2
    elif k == 4:
        vec = (width // 8) * 8
        b = beta.astype(np.float32) * np.float32(1.0 / (_COEF_SCALE * _COEF_SCALE))
        out = _vertical_float(rows, idx, b)
        np.rint(out, out=out)
        if vec < width:
            out[:, :, vec:] = _fixed_point(rows[:, :, vec:], idx, beta)
    else:
        out = _fixed_point(rows, idx, beta)
    return np.clip(out, 0, 255).astype(np.uint8)


def _area_taps(n_in, n_out):
    """Box-filter taps: each output averages the source span it covers (shrinking only)."""
    scale = n_in / n_out
    k = int(np.ceil(scale)) + 1
    lo = np.arange(n_out) * scale
    idx = np.minimum(np.floor(lo).astype(np.intp)[:, None] + np.arange(k), n_in - 1)
    overlap = np.minimum(lo[:, None] + scale, idx + 1) - np.maximum(lo[:, None], idx)
    overlap[:, 1:][idx[:, 1:] == idx[:, :-1]] = 0  # taps clamped onto the last pixel
    return idx, np.clip(overlap, 0, None) / scale


@functools.lru_cache(maxsize=64)
def _plan(h, w, c, h_out, w_out, interp):
    """Taps of one resize, kept for the next image of the same size: (area, source rows read,
    row taps into them and their weights, column taps into a W*C row and their weights)."""
    area = interp == 3 and h_out <= h and w_out <= w
    if area:
        (iy, cy), (ix, cx) = _area_taps(h, h_out), _area_taps(w, w_out)
    else:
        iy, cy = _taps(h, h_out, interp, rows=True)
        ix, cx = _taps(w, w_out, interp)
    # only the source rows some output row reads get the horizontal pass
    used, iy = np.unique(iy, return_inverse=True)
    cols, cx = _columns(ix, cx, c)
    plan = (used, iy.reshape(h_out, -1), cy, cols, cx)
    for arr in plan:
        arr.flags.writeable = False
    return (area,) + plan


def _resize_numpy(a, w_out, h_out, interp):
    n, h, w, c = a.shape
    area, used, iy, cy, cols, cx = _plan(h, w, c, h_out, w_out, interp)
    src = (a[:, used] if len(used) < h else a).reshape(n, len(used), w * c)
    if interp == 0:
        out = src[:, iy[:, 0]][..., cols[:, 0]]
    elif a.dtype == np.uint8 and not area:
        rows = _horizontal_int(src, cols, np.rint(cx * _COEF_SCALE))
        out = _vertical_uint8(rows, iy, np.rint(cy * _COEF_SCALE).astype(np.int64))
    else:
        ftype = a.dtype if a.dtype in (np.float32, np.float64) else np.float32 if area else np.float64
        rows = _horizontal(src.astype(ftype, copy=False), cols, cx.astype(ftype))
        out = _vertical_float(rows, iy, cy.astype(ftype))
        if np.issubdtype(a.dtype, np.integer):
            info = np.iinfo(a.dtype)
            out = np.clip(np.floor(out + 0.5), info.min, info.max)
    return out.astype(a.dtype, copy=False).reshape(n, h_out, w_out, c)


def _resize_opencv(cv2, a, w_out, h_out, interp):
    out = np.empty((a.shape[0], h_out, w_out, a.shape[3]), a.dtype)
    for i, img in enumerate(a):
        r = cv2.resize(np.ascontiguousarray(img), (w_out, h_out), interpolation=interp)
        out[i] = r.reshape(h_out, w_out, -1)
    return out


def resize(a, w_out, h_out, interp):
    """Resize an HxWxC array (or an NxHxWxC batch, image by image) to ``(h_out, w_out)`` with
    OpenCV's interpolation code 0..4 (nearest, bilinear, bicubic, area, Lanczos)."""
    batch = a.ndim == 4
    a4 = a if batch else a[None]
    h, w = a4.shape[1], a4.shape[2]
    if (h, w) == (h_out, w_out):
        return a.copy()
    if interp == 1 and h == 2 * h_out and w == 2 * w_out:
        interp = 3  # OpenCV takes the exact 2x linear shrink as an area average
    cv2 = opencv()
    if cv2 is not None and (a.dtype.name, interp) in _CV2_EXACT and a4.shape[3] <= 512:
        out = _resize_opencv(cv2, a4, w_out, h_out, interp)
    else:
        out = _resize_numpy(a4, w_out, h_out, interp)
    return out if batch else out[0]


_PAD_MODES = {0: "constant", 1: "edge", 2: "symmetric", 3: "wrap", 4: "reflect"}


def make_border(a, top, bot, left, right, border_type, value, values):
    """``cv::copyMakeBorder`` on HxWxC: constant, replicate, reflect, wrap, reflect-101."""
    if border_type not in _PAD_MODES:
        raise ValueError(f"copyMakeBorder: type must be 0..4 (constant, replicate, reflect, wrap, "
                         f"reflect_101), got {border_type}")
    pad = ((top, bot), (left, right), (0, 0))
    if border_type != 0:
        return np.pad(a, pad, mode=_PAD_MODES[border_type])
    out = np.pad(a, pad, mode="constant")
    c = a.shape[2]
    values = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if values.size:
        # per-channel values, like a cv::Scalar: channels without a value are filled with 0
        fill = np.zeros(c)
        fill[:min(c, values.size)] = values[:c]
    else:
        fill = np.full(c, float(value))
    border = np.ones(out.shape[:2], bool)
    border[top:top + a.shape[0], left:left + a.shape[1]] = False
    out[border] = fill
    return out
