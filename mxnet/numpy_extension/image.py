"""``mx.npx.image``: MXNet's image operators for ``mx.np`` arrays, plus everything of ``mx.image``.

Images are HxWxC (or NxHxWxC) until ``to_tensor`` makes them CxHxW float32 in [0, 1].  ``to_tensor``,
``normalize``, ``crop`` and the flips are built from recorded operators, so autograd flows through
them; ``resize`` and the colour operators are computed in NumPy (MXNet gives them no gradient either).
The random operators draw from mxnext's generator (``mx.random.seed``)."""

import numpy as onp

from ..base import MXNetError, numeric_types
from ..image import *  # noqa: F401,F403
from ..image._resize import resize as _cv_resize
from ..backend import NUMPY_BACKEND
from ..numpy._funcs import _to_nd
from ..numpy.multiarray import _wrap, invoke
from ..gluon.data.vision import transforms as _tf

__all__ = [
    "to_tensor",
    "normalize",
    "resize",
    "crop",
    "flip_left_right",
    "flip_top_bottom",
    "random_flip_left_right",
    "random_flip_top_bottom",
    "random_brightness",
    "random_contrast",
    "random_saturation",
    "random_hue",
    "random_color_jitter",
    "adjust_lighting",
    "random_lighting",
]


def _img(data, name, chw=False, single=False):
    a = _to_nd(data)
    if single and a.ndim != 3:
        raise MXNetError(f"Operator _npx__image_{name}: expected an image of shape (H, W, C), got {a.shape}")
    if a.ndim not in (3, 4):
        layout = "(C, H, W) or (N, C, H, W)" if chw else "(H, W, C) or (N, H, W, C)"
        raise MXNetError(f"Operator _npx__image_{name}: expected an image of shape {layout}, got {a.shape}")
    return a


def _np_out(arr, like):
    return _wrap(onp.ascontiguousarray(arr), like.context)


def to_tensor(data):
    """HxWxC (NxHxWxC) image -> CxHxW (NxCxHxW) float32, divided by 255."""
    a = _img(data, "to_tensor")
    axes = (2, 0, 1) if a.ndim == 3 else (0, 3, 1, 2)
    x = invoke("transpose", [invoke("Cast", [a], {"dtype": "float32"})], {"axes": axes})
    return invoke("_div_scalar", [_to_nd(x)], {"scalar": 255.0})


def normalize(data, mean=(0.0, 0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0, 1.0)):
    """``(x - mean[c]) / std[c]`` over the channels of a CxHxW (NxCxHxW) float tensor; ``mean`` and
    ``std`` are numbers or one value per channel (up to 4)."""
    a = _img(data, "normalize", chw=True)
    c = a.shape[-3]
    vals = []
    for v, what in ((mean, "mean"), (std, "std")):
        v = onp.atleast_1d(onp.asarray(v, onp.float32))
        if v.size not in (1, c) and v.size < c:
            raise MXNetError(f"Operator _npx__image_normalize: {what} needs 1 or {c} values, got {v.size}")
        vals.append(onp.broadcast_to(v[:c] if v.size >= c else v, (c,)).reshape(c, 1, 1).astype(a.dtype))
    m = _wrap(onp.ascontiguousarray(vals[0]), a.context)
    s = _wrap(onp.ascontiguousarray(vals[1]), a.context)
    x = invoke("broadcast_sub", [a, _to_nd(m)])
    return invoke("broadcast_div", [_to_nd(x), _to_nd(s)])


def crop(data, x, y, width, height):
    """The ``width`` x ``height`` box at column ``x``, row ``y`` of an HxWxC (NxHxWxC) image."""
    a = _img(data, "crop")
    h_ax = a.ndim - 3
    h, w = a.shape[h_ax], a.shape[h_ax + 1]
    if x < 0 or y < 0 or width <= 0 or height <= 0 or x + width > w or y + height > h:
        raise MXNetError(
            f"Operator _npx__image_crop: box x={x}, y={y}, width={width}, height={height} does not "
            f"fit the {w}x{h} image"
        )
    begin = [None] * a.ndim
    end = [None] * a.ndim
    begin[h_ax], end[h_ax] = y, y + height
    begin[h_ax + 1], end[h_ax + 1] = x, x + width
    return invoke("slice", [a], {"begin": tuple(begin), "end": tuple(end)})


def _flip(data, name, from_end):
    a = _img(data, name, single=True)
    return invoke("reverse", [a], {"axis": a.ndim + from_end})


def flip_left_right(data):
    """Mirror an HxWxC image left-right."""
    return _flip(data, "flip_left_right", -2)


def flip_top_bottom(data):
    """Mirror an HxWxC image top-bottom."""
    return _flip(data, "flip_top_bottom", -3)


def random_flip_left_right(data):
    """``flip_left_right`` with probability 0.5."""
    return flip_left_right(data) if NUMPY_BACKEND.rng.random() < 0.5 else data


def random_flip_top_bottom(data):
    """``flip_top_bottom`` with probability 0.5."""
    return flip_top_bottom(data) if NUMPY_BACKEND.rng.random() < 0.5 else data


def resize(data, size=(), keep_ratio=False, interp=1):
    """Resize an HxWxC (NxHxWxC) image to ``size`` (an int for a square or ``(width, height)``); with
    ``keep_ratio`` an int size sets the shorter side.  ``interp`` is OpenCV's code (0 nearest,
    1 bilinear, 2 bicubic, 3 area, 4 Lanczos)."""
    a = _img(data, "resize")
    size = (size,) if isinstance(size, numeric_types) else tuple(size)
    if len(size) not in (1, 2):
        raise MXNetError(f"Operator _npx__image_resize: size must be one or two ints, got {size}")
    h, w = a.shape[-3], a.shape[-2]
    if len(size) == 1 and keep_ratio:
        s = int(size[0])
        wh = (s, int(h * s / w)) if h > w else (int(w * s / h), s)
    else:
        wh = (int(size[0]), int(size[-1]))
    return _np_out(_cv_resize(a.asnumpy(), wh[0], wh[1], interp), a)


def _color(data, name, fn, alpha):
    a = _img(data, name, single=True)
    if a.shape[-1] != 3:
        raise MXNetError(f"Operator _npx__image_{name}: expected 3 (RGB) channels last, got shape {a.shape}")
    return _np_out(fn(a.asnumpy(), alpha), a)


def _factor(lo, hi):
    return float(NUMPY_BACKEND.rng.uniform(lo, hi))


def random_brightness(data, min_factor, max_factor):
    """Scale the pixels by a factor drawn from ``[min_factor, max_factor]``."""
    return _color(data, "random_brightness", _tf._brightness, _factor(min_factor, max_factor))


def random_contrast(data, min_factor, max_factor):
    """Blend with the mean grey level by a factor drawn from ``[min_factor, max_factor]``."""
    return _color(data, "random_contrast", _tf._contrast, _factor(min_factor, max_factor))


def random_saturation(data, min_factor, max_factor):
    """Blend with each pixel's grey level by a factor drawn from ``[min_factor, max_factor]``."""
    return _color(data, "random_saturation", _tf._saturation, _factor(min_factor, max_factor))


def random_hue(data, min_factor, max_factor):
    """Rotate the hue by ``(factor - 1) * pi``, factor drawn from ``[min_factor, max_factor]``."""
    return _color(data, "random_hue", _tf._hue, _factor(min_factor, max_factor) - 1.0)


def random_color_jitter(data, brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0):
    """Brightness, contrast, saturation and hue jitter in random order (as
    ``transforms.RandomColorJitter``)."""
    a = _img(data, "random_color_jitter")
    return _tf.RandomColorJitter(brightness, contrast, saturation, hue)(a.as_np_ndarray())


def adjust_lighting(data, alpha):
    """Add AlexNet's PCA lighting ``eigvec @ (alpha * eigval)`` (``alpha``: 3 values) to each RGB pixel."""
    alpha = onp.asarray(alpha, onp.float32).reshape(-1)
    if alpha.size != 3:
        raise MXNetError(f"Operator _npx__image_adjust_lighting: alpha needs 3 values, got {alpha.size}")
    rgb = _tf._EIGVEC @ (alpha * _tf._EIGVAL)
    return _color(
        data, "adjust_lighting", lambda a, _: _tf._saturate(a.astype(onp.float32) + rgb, a.dtype), None
    )


def random_lighting(data, alpha_std=0.05):
    """``adjust_lighting`` with ``alpha`` drawn from N(0, alpha_std)."""
    return adjust_lighting(data, NUMPY_BACKEND.rng.normal(0, alpha_std, size=3))
