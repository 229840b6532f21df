"""``mx.image`` (also ``mx.img``): image I/O, resizing, cropping, augmenters and ``ImageIter``."""
from .image import *  # noqa: F401,F403
from .image import __all__ as _image_all
from .image_iter import ImageIter  # noqa: F401

__all__ = _image_all + ["ImageIter"]
