"""``mx.image``: image decoding, resizing, cropping and the ``Augmenter`` pipeline of MXNet 1.9.1.

Images are HxWxC NDArrays (``mx.np.ndarray`` under ``npx.set_np()``). Decoding goes through
OpenCV (``opencv-python-headless``) or else Pillow, optional dependencies imported on first use;
resizing follows OpenCV's kernels (see ``_resize``). Random choices use Python's ``random`` (crops, flips, jitter) and NumPy's global
generator (``LightingAug``), as MXNet's do, so ``random.seed``/``numpy.random.seed`` fix them.
"""
import io
import json
import math
import random

import numpy as np

from ..base import MXNetError, numeric_types
from ..context import cpu
from ..ndarray import NDArray
from ..ndarray.ndarray import _wrap
from ..util import is_np_array
from . import _resize

__all__ = ["imread", "imdecode", "imresize", "scale_down", "copyMakeBorder", "resize_short",
           "fixed_crop", "random_crop", "center_crop", "color_normalize", "random_size_crop",
           "Augmenter", "SequentialAug", "ResizeAug", "ForceResizeAug", "RandomCropAug",
           "RandomSizedCropAug", "CenterCropAug", "RandomOrderAug", "BrightnessJitterAug",
           "ContrastJitterAug", "SaturationJitterAug", "HueJitterAug", "ColorJitterAug",
           "LightingAug", "ColorNormalizeAug", "RandomGrayAug", "HorizontalFlipAug", "CastAug",
           "CreateAugmenter"]


def _out(arr, like=None):
    """Wrap a NumPy result as an NDArray, or an ``mx.np.ndarray`` in NumPy mode."""
    ctx = like.context if isinstance(like, NDArray) else cpu()
    out = _wrap(np.ascontiguousarray(arr), ctx)
    return out.as_np_ndarray() if is_np_array() else out


def _image(src, name):
    if not isinstance(src, NDArray):
        raise MXNetError(f"{name}: expected an NDArray image, got {type(src).__name__}")
    a = src.asnumpy()
    if a.ndim != 3:
        raise MXNetError(f"{name}: expected an image of shape (H, W, C), got shape {a.shape}")
    return a


def _decode(buf, flag, to_rgb, what):
    if not len(buf):
        raise MXNetError(f"{what}: the input is an empty buffer (expected an encoded image)")
    cv2 = _resize.opencv()
    if cv2 is not None:
        img = cv2.imdecode(np.frombuffer(buf, np.uint8), cv2.IMREAD_COLOR if flag else cv2.IMREAD_GRAYSCALE)
        if img is None:
            raise MXNetError(f"{what}: decoding failed, invalid image file")
        return (img[:, :, ::-1] if to_rgb else img) if flag else img[:, :, None]
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("mx.image decoding needs OpenCV or Pillow: pip install 'mxnext[image]' "
                          "(or pip install opencv-python-headless)") from None
    try:
        img = Image.open(io.BytesIO(buf))
        if flag:
            return _rgb(np.asarray(img.convert("RGB")), to_rgb)
        return _grey(img, Image)[:, :, None]
    except Exception as e:  # Pillow raises many types for a bad stream
        raise MXNetError(f"{what}: decoding failed, invalid image file ({e})") from None


def _rgb(img, to_rgb):
    return img if to_rgb else img[:, :, ::-1]


def _grey(img, Image):
    """One grey channel the way OpenCV's codecs make it: libjpeg hands out the JPEG's luma plane,
    libpng truncates 0.299 R + 0.587 G + 0.114 B in 15-bit fixed point."""
    if img.format == "JPEG":
        img.draft("L", img.size)
        return np.asarray(img.convert("L"))
    if img.mode in ("L", "I;16", "I", "F", "1"):
        return np.asarray(img.convert("L"))
    rgb = np.asarray(img.convert("RGB")).astype(np.uint32)
    grey = (rgb[..., 0] * 9797 + rgb[..., 1] * 19234 + rgb[..., 2] * 3737) >> 15
    return grey.astype(np.uint8)


def imdecode(buf, flag=1, to_rgb=1, out=None):
    """Decode a JPEG/PNG/... byte string (``bytes`` or a uint8 NDArray) to an HxWxC uint8 image:
    3 channels (RGB, or BGR when ``to_rgb=0``) for ``flag=1``, one grey channel for ``flag=0``."""
    if isinstance(buf, NDArray):
        buf = buf.asnumpy().astype(np.uint8).tobytes()
    elif isinstance(buf, np.ndarray):
        buf = buf.astype(np.uint8).tobytes()
    elif not isinstance(buf, (bytes, bytearray, memoryview)):
        raise MXNetError(f"imdecode: buf must be bytes or an NDArray, got {type(buf).__name__}")
    res = _out(_decode(bytes(buf), flag, to_rgb, "imdecode"))
    if out is not None:
        out[:] = res
        return out
    return res


def imread(filename, flag=1, to_rgb=1, out=None):
    """Read and decode the image file ``filename`` (see ``imdecode`` for ``flag``/``to_rgb``)."""
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except OSError as e:
        raise MXNetError(f"imread: '{filename}' couldn't open file: {e.strerror}") from None
    res = _out(_decode(data, flag, to_rgb, f"imread '{filename}'"))
    if out is not None:
        out[:] = res
        return out
    return res


def _check_interp(interp, name):
    if interp not in (0, 1, 2, 3, 4):
        raise MXNetError(f"{name}: interp must be 0 (nearest), 1 (bilinear), 2 (bicubic), "
                         f"3 (area) or 4 (lanczos4), got {interp}")


def imresize(src, w, h, interp=1, out=None):
    """Resize an HxWxC image to ``w`` x ``h``; ``interp``: 0 nearest, 1 bilinear, 2 bicubic,
    3 area, 4 Lanczos (OpenCV's codes)."""
    a = _image(src, "imresize")
    _check_interp(interp, "imresize")
    if int(w) <= 0 or int(h) <= 0:
        raise MXNetError(f"imresize: w and h must be positive, got w={w}, h={h}")
    res = _out(_resize.resize(a, int(w), int(h), interp), src)
    if out is not None:
        out[:] = res
        return out
    return res


def copyMakeBorder(src, top, bot, left, right, type=0, value=0.0, values=(), out=None):  # noqa: A002
    """Pad an HxWxC image by ``top``/``bot`` rows and ``left``/``right`` columns; ``type`` is
    OpenCV's border code (0 constant ``value``/per-channel ``values``, 1 replicate, 2 reflect,
    3 wrap, 4 reflect-101)."""
    a = _image(src, "copyMakeBorder")
    try:
        res = _resize.make_border(a, int(top), int(bot), int(left), int(right), type, value, values)
    except ValueError as e:
        raise MXNetError(str(e)) from None
    res = _out(res, src)
    if out is not None:
        out[:] = res
        return out
    return res


def scale_down(src_size, size):
    """Shrink the ``(w, h)`` ``size`` (keeping its aspect ratio) until it fits in ``src_size``."""
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def _get_interp_method(interp, sizes=()):
    """Resolve the meta codes: 9 picks by direction (needs ``(h, w, new_h, new_w)``), 10 random."""
    if interp == 9:
        if sizes:
            oh, ow, nh, nw = sizes
            if nh > oh and nw > ow:
                return 2
            if nh < oh and nw < ow:
                return 3
            return 1
        return 2
    if interp == 10:
        return random.randint(0, 4)
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"Unknown interp method {interp}")
    return interp


def resize_short(src, size, interp=2):
    """Resize so that the shorter side is ``size`` pixels, keeping the aspect ratio."""
    h, w, _ = src.shape
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src, x0, y0, w, h, size=None, interp=2):
    """The ``w`` x ``h`` crop at ``(x0, y0)``, resized to ``size`` ``(w, h)`` when given."""
    a = _image(src, "fixed_crop")
    if x0 < 0 or y0 < 0 or w <= 0 or h <= 0 or x0 + w > a.shape[1] or y0 + h > a.shape[0]:
        raise MXNetError(f"fixed_crop: box (x0={x0}, y0={y0}, w={w}, h={h}) is outside the "
                         f"{a.shape[1]}x{a.shape[0]} image")
    out = _out(a[int(y0):int(y0 + h), int(x0):int(x0 + w)], src)
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        out = imresize(out, *size, interp=_get_interp_method(interp, sizes))
    return out


def random_crop(src, size, interp=2):
    """A random crop of ``size`` ``(w, h)`` (shrunk to fit the image, then resized back to
    ``size``); returns ``(image, (x0, y0, w, h))``."""
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = random.randint(0, w - new_w)
    y0 = random.randint(0, h - new_h)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def center_crop(src, size, interp=2):
    """The central crop of ``size`` ``(w, h)``; returns ``(image, (x0, y0, w, h))``."""
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def color_normalize(src, mean, std=None):
    """``(src - mean) / std``, in place on ``src`` as in MXNet."""
    if mean is not None:
        src -= mean
    if std is not None:
        src /= std
    return src


def random_size_crop(src, size, area, ratio, interp=2, **kwargs):
    """A crop covering a random fraction ``area`` (a number or ``(min, max)``) of the image with
    an aspect ratio drawn log-uniformly from ``ratio``, resized to ``size``; falls back to
    ``center_crop`` after 10 failed draws. Returns ``(image, (x0, y0, w, h))``."""
    h, w, _ = src.shape
    if "min_area" in kwargs:
        area = kwargs.pop("min_area")
    if kwargs:
        raise TypeError(f"random_size_crop: unexpected arguments {sorted(kwargs)}")
    if isinstance(area, numeric_types):
        area = (area, 1.0)
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target_area = random.uniform(area[0], area[1]) * h * w
        new_ratio = math.exp(random.uniform(*log_ratio))
        new_w = int(round(math.sqrt(target_area * new_ratio)))
        new_h = int(round(math.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)
    return center_crop(src, size, interp)


class Augmenter:
    """Base class of image augmenters: ``aug(src)`` returns the augmented image."""

    def __init__(self, **kwargs):
        self._kwargs = {k: (v.asnumpy().tolist() if isinstance(v, NDArray) else
                            v.tolist() if isinstance(v, np.ndarray) else v)
                        for k, v in kwargs.items()}

    def dumps(self):
        """JSON ``[name, kwargs]`` describing this augmenter."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, src):
        raise NotImplementedError("Augmenter subclasses implement __call__")


class SequentialAug(Augmenter):
    """Apply the augmenters ``ts`` in order."""

    def __init__(self, ts):
        super().__init__()
        self.ts = ts

    def dumps(self):
        return [self.__class__.__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        for aug in self.ts:
            src = aug(src)
        return src


class ResizeAug(Augmenter):
    """Resize the shorter side to ``size``."""

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return resize_short(src, self.size, self.interp)


class ForceResizeAug(Augmenter):
    """Resize to exactly ``size`` ``(w, h)``."""

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        sizes = (src.shape[0], src.shape[1], self.size[1], self.size[0])
        return imresize(src, *self.size, interp=_get_interp_method(self.interp, sizes))


class RandomCropAug(Augmenter):
    """``random_crop`` to ``size`` ``(w, h)``."""

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return random_crop(src, self.size, self.interp)[0]


class RandomSizedCropAug(Augmenter):
    """``random_size_crop`` to ``size`` with ``area`` and ``ratio`` ranges."""

    def __init__(self, size, area, ratio, interp=2, **kwargs):
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size, self.area, self.ratio, self.interp = size, area, ratio, interp
        if "min_area" in kwargs:
            self.area = kwargs.pop("min_area")
        if kwargs:
            raise TypeError(f"RandomSizedCropAug: unexpected arguments {sorted(kwargs)}")

    def __call__(self, src):
        return random_size_crop(src, self.size, self.area, self.ratio, self.interp)[0]


class CenterCropAug(Augmenter):
    """``center_crop`` to ``size`` ``(w, h)``."""

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return center_crop(src, self.size, self.interp)[0]


class RandomOrderAug(Augmenter):
    """Apply the augmenters ``ts`` in a random order (shuffled in place each call)."""

    def __init__(self, ts):
        super().__init__()
        self.ts = ts

    def dumps(self):
        return [self.__class__.__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        random.shuffle(self.ts)
        for t in self.ts:
            src = t(src)
        return src


_GRAY = np.array([[[0.299, 0.587, 0.114]]], np.float32)


def _float_image(src, name):
    a = _image(src, name)
    if not np.issubdtype(a.dtype, np.floating):
        raise MXNetError(f"{name}: expected a float image (apply CastAug first), got {a.dtype}")
    return a


class BrightnessJitterAug(Augmenter):
    """Scale the image by ``1 + u``, ``u`` uniform in ``[-brightness, brightness]``."""

    def __init__(self, brightness):
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def __call__(self, src):
        alpha = 1.0 + random.uniform(-self.brightness, self.brightness)
        src *= alpha
        return src


class ContrastJitterAug(Augmenter):
    """Blend the image with its mean grey level by a random factor around 1."""

    def __init__(self, contrast):
        super().__init__(contrast=contrast)
        self.contrast = contrast

    def __call__(self, src):
        alpha = 1.0 + random.uniform(-self.contrast, self.contrast)
        a = _float_image(src, "ContrastJitterAug")
        gray = (a * _GRAY).astype(a.dtype)
        shift = np.float32(3.0 * (1.0 - alpha) / gray.size) * gray.sum(dtype=a.dtype)
        return _out((a * a.dtype.type(alpha) + shift).astype(a.dtype), src)


class SaturationJitterAug(Augmenter):
    """Blend each pixel with its grey level by a random factor around 1."""

    def __init__(self, saturation):
        super().__init__(saturation=saturation)
        self.saturation = saturation

    def __call__(self, src):
        alpha = 1.0 + random.uniform(-self.saturation, self.saturation)
        a = _float_image(src, "SaturationJitterAug")
        gray = (a * _GRAY).sum(axis=2, keepdims=True, dtype=a.dtype) * a.dtype.type(1.0 - alpha)
        return _out((a * a.dtype.type(alpha) + gray).astype(a.dtype), src)


# RGB <-> YIQ colour-space matrices used to rotate the hue
_TYIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]])
_ITYIQ = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])


class HueJitterAug(Augmenter):
    """Rotate the hue (in YIQ space) by a random angle of up to ``hue`` x 180 degrees."""

    def __init__(self, hue):
        super().__init__(hue=hue)
        self.hue = hue

    def __call__(self, src):
        alpha = random.uniform(-self.hue, self.hue)
        u, w = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
        bt = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]])
        t = np.dot(np.dot(_ITYIQ, bt), _TYIQ).T
        a = _float_image(src, "HueJitterAug")
        return _out(np.dot(a, t.astype(a.dtype)), src)


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitter (those that are non-zero) in random order."""

    def __init__(self, brightness, contrast, saturation):
        ts = []
        if brightness > 0:
            ts.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            ts.append(ContrastJitterAug(contrast))
        if saturation > 0:
            ts.append(SaturationJitterAug(saturation))
        super().__init__(ts)


class LightingAug(Augmenter):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)``, ``alpha`` drawn from
    ``N(0, alphastd)`` with NumPy's global generator."""

    def __init__(self, alphastd, eigval, eigvec):
        super().__init__(alphastd=alphastd, eigval=eigval, eigvec=eigvec)
        self.alphastd = alphastd
        self.eigval = np.asarray(eigval)
        self.eigvec = np.asarray(eigvec)

    def __call__(self, src):
        alpha = np.random.normal(0, self.alphastd, size=(3,))
        rgb = np.dot(self.eigvec * alpha, self.eigval)
        a = _float_image(src, "LightingAug")
        return _out(a + rgb.astype(a.dtype), src)


class ColorNormalizeAug(Augmenter):
    """``color_normalize`` with a fixed ``mean`` and ``std`` (per channel)."""

    def __init__(self, mean, std):
        super().__init__(mean=mean, std=std)
        self.mean = None if mean is None else _as_param(mean)
        self.std = None if std is None else _as_param(std)

    def __call__(self, src):
        return color_normalize(src, self.mean, self.std)


def _as_param(v):
    from .. import ndarray as nd
    if isinstance(v, NDArray):
        return v.as_np_ndarray() if is_np_array() else v
    arr = nd.array(np.asarray(v, np.float32))
    return arr.as_np_ndarray() if is_np_array() else arr


class RandomGrayAug(Augmenter):
    """With probability ``p`` replace the image by its grey level (in all three channels)."""

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p
        self.mat = np.array([[0.21, 0.21, 0.21], [0.72, 0.72, 0.72], [0.07, 0.07, 0.07]], np.float32)

    def __call__(self, src):
        if random.random() < self.p:
            a = _float_image(src, "RandomGrayAug")
            return _out(np.dot(a, self.mat.astype(a.dtype)), src)
        return src


class HorizontalFlipAug(Augmenter):
    """Mirror the image left-right with probability ``p``."""

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p

    def __call__(self, src):
        if random.random() < self.p:
            return _out(_image(src, "HorizontalFlipAug")[:, ::-1], src)
        return src


class CastAug(Augmenter):
    """Cast the image to ``typ``."""

    def __init__(self, typ="float32"):
        super().__init__(type=typ)
        self.typ = typ

    def __call__(self, src):
        return src.astype(self.typ)


_DEFAULT_MEAN = (123.68, 116.28, 103.53)
_DEFAULT_STD = (58.395, 57.12, 57.375)


def CreateAugmenter(data_shape, resize=0, rand_crop=False, rand_resize=False, rand_mirror=False,
                    mean=None, std=None, brightness=0, contrast=0, saturation=0, hue=0,
                    pca_noise=0, rand_gray=0, inter_method=2):
    """The standard augmenter list for ``data_shape`` ``(C, H, W)``: optional short-side resize,
    a (random / random-sized / centre) crop, mirror, cast to float32, colour jitter, hue,
    PCA lighting noise, random grey and normalisation (``mean=True``/``std=True`` pick the
    ImageNet statistics)."""
    auglist = []
    if resize > 0:
        auglist.append(ResizeAug(resize, inter_method))
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise ValueError("CreateAugmenter: rand_resize=True needs rand_crop=True")
        auglist.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        auglist.append(RandomCropAug(crop_size, inter_method))
    else:
        auglist.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        auglist.append(HorizontalFlipAug(0.5))
    auglist.append(CastAug())
    if brightness or contrast or saturation:
        auglist.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        auglist.append(HueJitterAug(hue))
    if pca_noise > 0:
        eigval = np.array([55.46, 4.794, 1.148])
        eigvec = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                           [-0.5836, -0.6948, 0.4203]])
        auglist.append(LightingAug(pca_noise, eigval, eigvec))
    if rand_gray > 0:
        auglist.append(RandomGrayAug(rand_gray))
    mean = _stat(mean, _DEFAULT_MEAN, "mean")
    std = _stat(std, _DEFAULT_STD, "std")
    if mean is not None or std is not None:
        auglist.append(ColorNormalizeAug(mean, std))
    return auglist


def _stat(v, default, name):
    from .. import ndarray as nd
    if v is True:
        return nd.array(default)
    if v is not None and (not isinstance(v, (np.ndarray, NDArray)) or v.shape[0] not in (1, 3)):
        raise ValueError(f"CreateAugmenter: {name} must be True, None or an array of 1 or 3 values")
    return v
