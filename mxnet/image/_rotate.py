"""``imrotate`` / ``random_rotate``: rotate CHW or NCHW float32 images about their centre by bilinear
sampling (zero outside the image), optionally zoomed so that no border shows (``zoom_in``) or the
whole image stays visible (``zoom_out``)."""

import numpy as np

from ..base import numeric_types
from ..ndarray import NDArray, array

__all__ = ["imrotate", "random_rotate"]


def _grid(n, h, w, rad, zoom_in, zoom_out):
    """Sampling grid (N, 2, H, W) in [-1, 1] units: output pixel -> source position."""
    ys = np.arange(h, dtype=np.float32) - np.float32((h - 1) / 2)
    xs = np.arange(w, dtype=np.float32) - np.float32((w - 1) / 2)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    c = np.cos(rad).astype(np.float32)[:, None, None]
    s = np.sin(rad).astype(np.float32)[:, None, None]
    gx = (xx * c - yy * s) / np.float32((w - 1) / 2)
    gy = (xx * s + yy * c) / np.float32((h - 1) / 2)
    grid = np.stack([gx, gy], axis=1)
    if zoom_in or zoom_out:
        # extent of the rotated image's bounding box, from its two corner directions
        rho, corner = np.sqrt(h * h + w * w), np.arctan(h / w)
        a = np.abs(rad)
        max_x = np.maximum(np.abs(rho * np.cos(corner + a)), np.abs(rho * np.cos(corner - a)))
        max_y = np.maximum(np.abs(rho * np.sin(corner + a)), np.abs(rho * np.sin(corner - a)))
        if zoom_out:
            scale = np.maximum(max_x / w, max_y / h)
        else:
            scale = np.minimum(w / max_x, h / max_y)
        grid = grid * scale.astype(np.float32)[:, None, None, None]
    return grid


def imrotate(src, rotation_degrees, zoom_in=False, zoom_out=False):
    """Rotate a CHW image (by a scalar angle) or an NCHW batch (by a scalar or one angle per image),
    counter-clockwise in degrees; ``src`` must be float32. The result is differentiable in ``src``."""
    from .. import ndarray as nd

    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if src.dtype is not np.dtype(np.float32) and np.dtype(src.dtype) != np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    single = src.ndim == 3
    if single:
        if not isinstance(rotation_degrees, numeric_types):
            raise TypeError("When a single image is passed the rotation angle is required to be a scalar.")
        src = src.expand_dims(axis=0)
    elif src.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    n, _, h, w = src.shape
    if isinstance(rotation_degrees, numeric_types):
        deg = np.full(n, rotation_degrees, np.float64)
    else:
        deg = (
            (
                rotation_degrees.asnumpy()
                if isinstance(rotation_degrees, NDArray)
                else np.asarray(rotation_degrees)
            )
            .astype(np.float64)
            .reshape(-1)
        )
        if deg.size != n:
            raise ValueError("The number of images must be equal to the number of rotation angles")
    grid = _grid(n, h, w, np.pi * deg / 180, zoom_in, zoom_out)
    out = nd.BilinearSampler(
        src.as_nd_ndarray() if type(src) is not NDArray else src, array(grid, ctx=src.context)
    )
    if type(src) is not NDArray:
        out = out.as_np_ndarray()
    return out[0] if single else out


def random_rotate(src, angle_limits, zoom_in=False, zoom_out=False):
    """``imrotate`` by angles drawn uniformly from ``angle_limits`` (one per image of a batch), with
    NumPy's global generator as MXNet does."""
    if src.ndim == 3:
        deg = np.random.uniform(*angle_limits)
    else:
        deg = array(np.random.uniform(*angle_limits, size=src.shape[0]))
    return imrotate(src, deg, zoom_in=zoom_in, zoom_out=zoom_out)
