"""``mx.image`` (also ``mx.img``): image I/O, resizing, cropping, rotation, augmenters, ``ImageIter`` and
the detection augmenters/``ImageDetIter``."""
from .image import *  # noqa: F401,F403
from .image import __all__ as _image_all
from .image_iter import ImageIter  # noqa: F401
from ._rotate import imrotate, random_rotate  # noqa: F401
from . import detection
from .detection import *  # noqa: F401,F403
from .detection import __all__ as _det_all

det = detection

__all__ = _image_all + ["ImageIter", "imrotate", "random_rotate"] + _det_all
