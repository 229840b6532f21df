"""Automatic mixed precision: float16/bfloat16 compute with float32 where it matters."""
from . import lists  # noqa: F401
from .amp import *  # noqa: F401,F403
from .amp import __all__ as _amp_all
from .loss_scaler import LossScaler  # noqa: F401

__all__ = list(_amp_all) + ["LossScaler"]
