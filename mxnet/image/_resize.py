"""OpenCV-style image resampling and border padding in NumPy (what ``mx.image`` calls).

A resize is separable: each axis gets an ``(n_out, n_in)`` weight matrix built the way
OpenCV's ``cv::resize`` places its taps (half-pixel centres, edge replication). uint8 images use
OpenCV's fixed-point arithmetic (weights scaled by 2048, one rounding at the end), so results
match MXNet's OpenCV build to within one grey level (OpenCV's SIMD paths round a few
pixels differently); float images are resampled in float32.
"""
import numpy as np

_COEF_SCALE = 2048  # OpenCV's INTER_RESIZE_COEF_SCALE


def _taps_matrix(idx, coef, n_in):
    """Dense ``(n_out, n_in)`` matrix from per-output tap indices/coefficients (clamped to edge)."""
    n_out = idx.shape[0]
    m = np.zeros((n_out, n_in), np.float64)
    rows = np.repeat(np.arange(n_out), idx.shape[1])
    np.add.at(m, (rows, idx.ravel()), coef.ravel())
    return m


def _cubic(x):
    a = -0.75  # OpenCV's bicubic constant
    x = np.abs(x)
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0))


def _lanczos4(fx):
    k = np.arange(-3, 5)
    x = fx[:, None] - k[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(np.abs(x) < 1e-12, 1.0,
                     4 * np.sin(np.pi * x) * np.sin(np.pi * x / 4) / (np.pi * np.pi * x * x))
    return c / c.sum(axis=1, keepdims=True)


def _area_down(n_in, n_out):
    """Box-filter weights: each output averages the input span it covers."""
    scale = n_in / n_out
    lo = np.arange(n_out) * scale
    hi = lo + scale
    edges = np.arange(n_in)
    overlap = np.minimum(hi[:, None], edges[None, :] + 1) - np.maximum(lo[:, None], edges[None, :])
    return np.clip(overlap, 0, None) / scale


def _taps(n_in, n_out, interp):
    """Per-output tap indices and float coefficients of one axis (``interp`` as in OpenCV)."""
    scale = n_in / n_out
    dst = np.arange(n_out, dtype=np.float64)
    if interp == 0:
        idx, coef = np.floor(dst * scale)[:, None], np.ones((n_out, 1))
    elif interp == 3:  # enlarging with INTER_AREA: linear taps on the pixel grid
        sx = np.floor(dst * scale)
        fx = (dst + 1) - (sx + 1) / scale
        fx = np.where(fx <= 0, 0.0, fx - np.floor(fx))
        idx, coef = sx[:, None] + np.arange(2), np.stack([1 - fx, fx], 1)
    else:
        f = (dst + 0.5) * scale - 0.5
        sx = np.floor(f)
        fx = f - sx
        if interp == 1:
            fx = np.where(sx < 0, 0.0, fx)
            fx = np.where(sx >= n_in - 1, 0.0, fx)
            sx = np.clip(sx, 0, n_in - 1)
            idx, coef = sx[:, None] + np.arange(2), np.stack([1 - fx, fx], 1)
        elif interp == 2:
            idx = sx[:, None] + np.arange(-1, 3)
            coef = _cubic(fx[:, None] - np.arange(-1, 3)[None, :])
        else:
            idx, coef = sx[:, None] + np.arange(-3, 5), _lanczos4(fx)
    return np.clip(idx, 0, n_in - 1).astype(np.intp), coef


def axis_weights(n_in, n_out, interp, quantize):
    """The ``(n_out, n_in)`` weights one axis is resampled with; ``quantize`` gives OpenCV's
    fixed-point integer weights (scaled by 2048)."""
    if interp == 3 and n_out <= n_in:
        return _area_down(n_in, n_out)
    idx, coef = _taps(n_in, n_out, interp)
    if quantize:
        coef = np.rint(coef * _COEF_SCALE)
    return _taps_matrix(idx, coef, n_in)


def _gather(a, idx, coef, axis):
    """Sum over taps of ``a`` taken at ``idx[:, t]`` along ``axis`` times ``coef[:, t]``: a
    resampling pass costing O(taps) per output instead of a dense (n_out, n_in) product."""
    shape = [1] * a.ndim
    shape[axis] = idx.shape[0]
    out = None
    for t in range(idx.shape[1]):
        term = np.take(a, idx[:, t], axis=axis) * coef[:, t].reshape(shape)
        out = term if out is None else out + term
    return out


def resize(a, w_out, h_out, interp):
    """Resize an HxWxC array to ``(h_out, w_out)`` with interpolation code 0..4."""
    h, w = a.shape[0], a.shape[1]
    if (h, w) == (h_out, w_out):
        return a.copy()
    if interp == 1 and h == 2 * h_out and w == 2 * w_out:
        interp = 3  # OpenCV takes the exact 2x linear shrink as an area average
    quant = a.dtype == np.uint8 and (interp in (1, 2, 4) or (interp == 3 and h_out >= h and w_out >= w))
    if quant:
        ix, cx = _taps(w, w_out, interp)
        iy, cy = _taps(h, h_out, interp)
        cx = np.rint(cx * _COEF_SCALE).astype(np.int64)
        cy = np.rint(cy * _COEF_SCALE).astype(np.int64)
        rows = _gather(a.astype(np.int64), ix, cx, axis=1)
        if interp in (1, 3):
            # OpenCV's vectorised 2-tap vertical pass drops 4 bits before each product
            b = cy[:, :, None, None]
            v = ((b[:, 0] * (rows[iy[:, 0]] >> 4)) >> 16) + ((b[:, 1] * (rows[iy[:, 1]] >> 4)) >> 16)
            return np.clip((v + 2) >> 2, 0, 255).astype(np.uint8)
        acc = _gather(rows, iy, cy, axis=0)
        half = _COEF_SCALE * _COEF_SCALE // 2
        return np.clip((acc + half) // (2 * half), 0, 255).astype(np.uint8)
    src = a.astype(np.float64)
    if interp == 3 and (h_out <= h or w_out <= w):
        # box filters overlap many inputs: two dense products on BLAS
        c = a.shape[2]
        wy = axis_weights(h, h_out, interp, False)
        wx = axis_weights(w, w_out, interp, False)
        cols = (wy @ src.reshape(h, w * c)).reshape(h_out, w, c).transpose(1, 0, 2).reshape(w, h_out * c)
        out = (wx @ cols).reshape(w_out, h_out, c).transpose(1, 0, 2)
    else:
        out = _gather(_gather(src, *_taps(w, w_out, interp), axis=1), *_taps(h, h_out, interp), axis=0)
    if np.issubdtype(a.dtype, np.integer):
        info = np.iinfo(a.dtype)
        return np.clip(np.floor(out + 0.5), info.min, info.max).astype(a.dtype)
    return out.astype(a.dtype)


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
