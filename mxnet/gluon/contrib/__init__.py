"""Contributed Gluon blocks that are not part of the core API."""
from . import nn

__all__ = ["nn"]
