"""``mx.nd.image``: the image operators for legacy NDArrays.

They share ``mx.npx.image``'s implementation: inputs are viewed as ``mx.np`` arrays and results
handed back as NDArrays.
"""
from .ndarray import NDArray

_NAMES = ("to_tensor", "normalize", "resize", "crop", "flip_left_right", "flip_top_bottom",
          "random_flip_left_right", "random_flip_top_bottom", "random_brightness", "random_contrast",
          "random_saturation", "random_hue", "random_color_jitter", "adjust_lighting", "random_lighting")


def _legacy(name):
    def wrapper(data, *args, out=None, **kwargs):
        # imported on first use: mx.npx.image pulls in Gluon, which needs mx.nd to exist first
        from ..numpy_extension import image as npx_image
        fn = getattr(npx_image, name)
        res = fn(data.as_np_ndarray() if isinstance(data, NDArray) else data, *args, **kwargs)
        res = res.as_nd_ndarray()
        if out is not None:
            out[:] = res
            return out
        return res
    wrapper.__name__ = name
    wrapper.__doc__ = f"``mx.npx.image.{name}`` for NDArrays (returns an NDArray)."
    return wrapper


def install(module):
    """Put the NDArray versions of the image operators on ``module`` (mx.nd.image)."""
    for name in _NAMES:
        setattr(module, name, _legacy(name))
