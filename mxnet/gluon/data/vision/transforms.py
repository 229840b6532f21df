"""Image transforms (``mx.gluon.data.vision.transforms``), computed in NumPy.

Images are HxWxC NDArrays (or NxHxWxC batches) until ``ToTensor`` makes them CxHxW float32.
Each transform is a Block: ``t(x)`` runs its ``forward``; random ones draw from mxnext's generator
(``mx.random.seed``), except ``RandomResizedCrop``, which, as in MXNet, uses Python's ``random``.
"""
import random

import numpy as np

from ....backend import NUMPY_BACKEND
from ....base import MXNetError, np_dtype, numeric_types
from ....ndarray import NDArray
from ....ndarray.ndarray import _wrap
from ...block import Block, HybridBlock  # noqa: F401 - MXNet's module exposes these names too
from ...nn import Sequential, HybridSequential  # noqa: F401

__all__ = ["Compose", "Cast", "ToTensor", "Normalize", "Resize", "CenterCrop", "CropResize",
           "RandomResizedCrop", "RandomFlipLeftRight", "RandomFlipTopBottom", "RandomBrightness",
           "RandomContrast", "RandomSaturation", "RandomHue", "RandomColorJitter",
           "RandomLighting", "RandomApply", "Rotate", "RandomRotation"]


def _np(x, name):
    if not isinstance(x, NDArray):
        raise MXNetError(f"{name}: expected an NDArray image, got {type(x).__name__}")
    return x.asnumpy()


def _out(arr, like):
    out = _wrap(np.ascontiguousarray(arr), like.context)
    return out if type(like) is NDArray else out.as_np_ndarray()


def _check_image(a, name, chw=False):
    if a.ndim not in (3, 4):
        layout = "(C, H, W) or (N, C, H, W)" if chw else "(H, W, C) or (N, H, W, C)"
        raise MXNetError(f"{name}: expected an image of shape {layout}, got shape {a.shape}")


def _uniform(low, high):
    return float(NUMPY_BACKEND.rng.uniform(low, high))


class Compose(Block):
    """Apply ``transforms`` in order."""

    def __init__(self, transforms):
        super().__init__()
        self._transforms = list(transforms)
        for t in self._transforms:
            if isinstance(t, Block):
                self.register_child(t)

    def forward(self, x):
        for t in self._transforms:
            x = t(x)
        return x

    def __repr__(self):
        inner = "\n".join(f"  ({i}): {t!r}" for i, t in enumerate(self._transforms))
        return f"Compose(\n{inner}\n)"


class RandomApply(Compose):
    """Apply all of ``transforms`` with probability ``p``, else nothing."""

    def __init__(self, transforms, p=0.5):
        super().__init__(transforms if isinstance(transforms, (list, tuple)) else [transforms])
        self.p = p

    def forward(self, x):
        if self.p < _uniform(0, 1):
            return x
        return super().forward(x)


class Cast(Block):
    """Cast to ``dtype``."""

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = np_dtype(dtype)

    def forward(self, x):
        return _out(_np(x, "Cast").astype(self._dtype), x)


class ToTensor(Block):
    """HxWxC (or NxHxWxC) with values in [0, 255] to CxHxW (NxCxHxW) float32 in [0, 1]."""

    def forward(self, x):
        a = _np(x, "ToTensor")
        _check_image(a, "ToTensor")
        a = np.moveaxis(a, -1, -3).astype(np.float32)
        a /= np.float32(255)
        return _out(a, x)


class Normalize(Block):
    """``(x - mean[c]) / std[c]`` per channel of a CxHxW (NxCxHxW) float tensor; ``mean`` and
    ``std`` are numbers or one value per channel."""

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = mean
        self._std = std

    def forward(self, x):
        a = _np(x, "Normalize")
        _check_image(a, "Normalize", chw=True)
        c = a.shape[-3]
        mean = np.asarray(self._mean, dtype=np.float32).reshape(-1)
        std = np.asarray(self._std, dtype=np.float32).reshape(-1)
        for what, v in (("mean", mean), ("std", std)):
            if v.size not in (1, c):
                raise MXNetError(f"Invalid {what} for input with shape {a.shape}. {what} must have either 1 "
                                 f"or {c} elements, but got {v.tolist()}")
        mean, std = np.broadcast_to(mean, (c,)), np.broadcast_to(std, (c,))
        shape = (c, 1, 1)
        return _out((a - mean.reshape(shape)) / std.reshape(shape), x)


def _resize(a, w_out, h_out, interp):
    """Resize HxWxC (or NxHxWxC) to (h_out, w_out) with OpenCV's arithmetic (as mx.image.imresize);
    the auto/random codes 9 and 10 resize bilinearly."""
    from ....image import _resize as cv
    if interp not in (0, 1, 2, 3, 4, 9, 10):
        raise MXNetError(f"Resize: unknown interpolation {interp}")
    return cv.resize(a, w_out, h_out, 1 if interp in (9, 10) else interp)


def _size_wh(size):
    if isinstance(size, numeric_types):
        return int(size), int(size)
    return int(size[0]), int(size[1])


def _resize_size(size, name):
    """``(width, height)`` from a Resize size (an int, or a sequence of one or two), with the
    checks MXNet's resize operator makes."""
    if isinstance(size, numeric_types):
        size = (size,)
    if len(size) not in (1, 2):
        raise MXNetError(f"{name}: Input size dimension must be 1 or 2, but got {len(size)}")
    if len(size) == 1:
        if size[0] <= 0:
            raise MXNetError(f"{name}: Input size should be greater than 0, but got {size[0]}")
        return int(size[0]), int(size[0])
    for v, side in zip(size, ("width", "height")):
        if v <= 0:
            raise MXNetError(f"{name}: Input {side} should be greater than 0, but got {v}")
    return int(size[0]), int(size[1])


class Resize(Block):
    """Resize to ``size`` (an int for a square, or ``(width, height)``); with ``keep_ratio`` an
    int size sets the shorter side. ``interpolation``: 0 nearest, 1 bilinear (others are
    treated as bilinear)."""

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._size = size
        self._keep = keep_ratio
        self._interp = interpolation

    def forward(self, x):
        a = _np(x, "Resize")
        _check_image(a, "Resize")
        h, w = a.shape[-3], a.shape[-2]
        if isinstance(self._size, numeric_types) and self._keep:
            s = _resize_size(self._size, "Resize")[0]
            if h > w:
                wh = (s, int(h * s / w))
            else:
                wh = (int(w * s / h), s)
        else:
            wh = _resize_size(self._size, "Resize")
        return _out(_resize(a, wh[0], wh[1], self._interp), x)


def _crop(a, x0, y0, w, h):
    return a[..., y0:y0 + h, x0:x0 + w, :]


class CropResize(Block):
    """Crop the ``width x height`` box at ``(x, y)``, then resize to ``size`` when given."""

    def __init__(self, x, y, width, height, size=None, interpolation=None):
        super().__init__()
        self._box = (x, y, width, height)
        self._size = size
        self._interp = 1 if interpolation is None else interpolation

    def forward(self, x):
        a = _np(x, "CropResize")
        _check_image(a, "CropResize")
        x0, y0, w, h = self._box
        if w <= 0 or h <= 0:
            raise MXNetError("CropResize: Input height and width must be greater than 0")
        if x0 < 0 or y0 < 0:
            raise MXNetError(f"CropResize: the box corner (x={x0}, y={y0}) must not be negative")
        if x0 + w > a.shape[-2]:
            raise MXNetError("CropResize: x + width should not be greater than input width")
        if y0 + h > a.shape[-3]:
            raise MXNetError("CropResize: y + height should not be greater than input height")
        a = _crop(a, x0, y0, w, h)
        if self._size is not None:
            a = _resize(a, *_resize_size(self._size, "CropResize"), self._interp)
        return _out(a, x)


def _scale_down(src_wh, size_wh):
    """Shrink ``size_wh`` to fit in ``src_wh``, keeping its aspect ratio."""
    w, h = size_wh
    sw, sh = src_wh
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def _fixed_crop(a, x0, y0, w, h, size, interp):
    out = _crop(a, x0, y0, w, h)
    if size is not None and (w, h) != tuple(size):
        out = _resize(out, size[0], size[1], interp)
    return out


def _center_crop(a, size, interp):
    h, w = a.shape[-3], a.shape[-2]
    new_w, new_h = _scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    return _fixed_crop(a, x0, y0, new_w, new_h, size, interp)


class CenterCrop(Block):
    """Crop the centre ``size`` (int or ``(width, height)``) box; an image smaller than that
    gives the largest centred box of that aspect ratio, resized to ``size``."""

    def __init__(self, size, interpolation=1):
        super().__init__()
        self._size = _size_wh(size)
        self._interp = interpolation

    def forward(self, x):
        a = _np(x, "CenterCrop")
        _check_image(a, "CenterCrop")
        return _out(_center_crop(a, self._size, self._interp), x)


class RandomResizedCrop(Block):
    """Crop a random box with area fraction in ``scale`` and aspect ratio in ``ratio`` (log-
    uniform), resized to ``size``; after 10 failed draws, a centre crop."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        self._size = _size_wh(size)
        self._scale = scale
        self._ratio = ratio
        self._interp = interpolation

    def forward(self, x):
        a = _np(x, "RandomResizedCrop")
        if a.ndim != 3:
            raise MXNetError(f"RandomResizedCrop: expected an (H, W, C) image, got shape {a.shape}")
        h, w = a.shape[:2]
        area = self._scale if not isinstance(self._scale, numeric_types) else (self._scale, 1.0)
        log_ratio = (np.log(self._ratio[0]), np.log(self._ratio[1]))
        for _ in range(10):
            target = random.uniform(area[0], area[1]) * h * w
            new_ratio = np.exp(random.uniform(*log_ratio))
            new_w = int(round(np.sqrt(target * new_ratio)))
            new_h = int(round(np.sqrt(target / new_ratio)))
            if new_w <= w and new_h <= h:
                x0 = random.randint(0, w - new_w)
                y0 = random.randint(0, h - new_h)
                return _out(_fixed_crop(a, x0, y0, new_w, new_h, self._size, self._interp), x)
        return _out(_center_crop(a, self._size, self._interp), x)


class _RandomFlip(Block):
    _axis_from_end = None

    def forward(self, x):
        a = _np(x, type(self).__name__)
        _check_image(a, type(self).__name__)
        if _uniform(0, 1) < 0.5:
            a = np.flip(a, axis=a.ndim + self._axis_from_end)
        return _out(a, x)


class RandomFlipLeftRight(_RandomFlip):
    """Mirror the image horizontally with probability 0.5."""

    _axis_from_end = -2


class RandomFlipTopBottom(_RandomFlip):
    """Flip the image vertically with probability 0.5."""

    _axis_from_end = -3


_GRAY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _saturate(out, dtype):
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(dtype)


def _brightness(a, alpha):
    return _saturate(a.astype(np.float32) * np.float32(alpha), a.dtype)


def _contrast(a, alpha):
    f = a.astype(np.float32)
    gray = (f @ _GRAY).mean(axis=(-2, -1), keepdims=True)[..., None]
    return _saturate(f * np.float32(alpha) + gray * np.float32(1 - alpha), a.dtype)


def _saturation(a, alpha):
    f = a.astype(np.float32)
    gray = (f @ _GRAY)[..., None]
    return _saturate(f * np.float32(alpha) + gray * np.float32(1 - alpha), a.dtype)


_TYIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]],
                 dtype=np.float32)
_ITYIQ = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]],
                  dtype=np.float32)


def _hue(a, alpha):
    """Rotate the hue by ``alpha * pi`` in YIQ space."""
    u, w = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
    bt = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]], dtype=np.float32)
    t = _ITYIQ @ bt @ _TYIQ
    return _saturate(a.astype(np.float32) @ t.T, a.dtype)


def _check_rgb(a, name):
    _check_image(a, name)
    if a.shape[-1] != 3:
        raise MXNetError(f"{name}: expected 3 (RGB) channels last, got shape {a.shape}")


class _RandomColor(Block):
    """Multiply one colour property by ``alpha = 1 + uniform(-v, v)``."""

    _fn = None

    def __init__(self, value):
        super().__init__()
        self._value = value

    def forward(self, x):
        a = _np(x, type(self).__name__)
        _check_rgb(a, type(self).__name__)
        alpha = 1.0 + _uniform(-self._value, self._value)
        return _out(type(self)._fn(a, alpha), x)


class RandomBrightness(_RandomColor):
    """Scale the pixel values by ``1 + uniform(-brightness, brightness)``."""

    _fn = staticmethod(_brightness)

    def __init__(self, brightness):
        super().__init__(brightness)


class RandomContrast(_RandomColor):
    """Blend with the image's mean grey level by ``1 + uniform(-contrast, contrast)``."""

    _fn = staticmethod(_contrast)

    def __init__(self, contrast):
        super().__init__(contrast)


class RandomSaturation(_RandomColor):
    """Blend with each pixel's grey level by ``1 + uniform(-saturation, saturation)``."""

    _fn = staticmethod(_saturation)

    def __init__(self, saturation):
        super().__init__(saturation)


class RandomHue(Block):
    """Rotate the hue by ``uniform(-hue, hue) * pi``."""

    def __init__(self, hue):
        super().__init__()
        self._hue = hue

    def forward(self, x):
        a = _np(x, "RandomHue")
        _check_rgb(a, "RandomHue")
        return _out(_hue(a, _uniform(-self._hue, self._hue)), x)


class RandomColorJitter(Block):
    """Random brightness, contrast, saturation and hue changes, applied in a random order;
    a zero amount skips that change."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._amounts = [(_brightness, brightness, 1.0), (_contrast, contrast, 1.0),
                         (_saturation, saturation, 1.0), (_hue, hue, 0.0)]

    def forward(self, x):
        a = _np(x, "RandomColorJitter")
        _check_rgb(a, "RandomColorJitter")
        for i in NUMPY_BACKEND.rng.permutation(4):
            fn, amount, base = self._amounts[i]
            if amount > 0:
                a = fn(a, base + _uniform(-amount, amount))
        return _out(a, x)


_EIGVAL = np.array([55.46, 4.794, 1.148], dtype=np.float32)
_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                    [-0.5836, -0.6948, 0.4203]], dtype=np.float32)


class RandomLighting(Block):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (N(0, alpha) * eigval)`` to each RGB
    pixel."""

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def forward(self, x):
        a = _np(x, "RandomLighting")
        _check_rgb(a, "RandomLighting")
        noise = NUMPY_BACKEND.rng.normal(0, self._alpha, size=3).astype(np.float32)
        rgb = _EIGVEC @ (noise * _EIGVAL)
        return _out(_saturate(a.astype(np.float32) + rgb, a.dtype), x)


def _check_float32(x, name):
    if x.dtype != np.float32:
        raise TypeError(f"{name}: only float32 images are supported; apply it after ToTensor")


class Rotate(Block):
    """Rotate CxHxW (or NxCxHxW) float32 images by ``rotation_degrees`` about their centre, keeping
    their shape; ``zoom_in`` hides the empty corners, ``zoom_out`` keeps the whole image in view."""

    def __init__(self, rotation_degrees, zoom_in=False, zoom_out=False):
        super().__init__()
        self._args = (rotation_degrees, zoom_in, zoom_out)

    def forward(self, x):
        from ....image import imrotate
        _check_float32(x, "Rotate")
        return imrotate(x, *self._args)


class RandomRotation(Block):
    """With probability ``rotate_with_proba``, rotate float32 CxHxW (or NxCxHxW) images by an angle drawn
    uniformly from ``angle_limits`` (NumPy's global generator, as in MXNet)."""

    def __init__(self, angle_limits, zoom_in=False, zoom_out=False, rotate_with_proba=1.0):
        super().__init__()
        lower, upper = angle_limits
        if lower >= upper:
            raise ValueError("RandomRotation: angle_limits must be an ordered (lower, upper) pair")
        if not 0 <= rotate_with_proba <= 1:
            raise ValueError("RandomRotation: rotate_with_proba must be in [0, 1]")
        self._args = (angle_limits, zoom_in, zoom_out)
        self._proba = rotate_with_proba

    def forward(self, x):
        from ....image import random_rotate
        if np.random.random() > self._proba:
            return x
        _check_float32(x, "RandomRotation")
        return random_rotate(x, *self._args)
