"""Predefined network architectures and their pretrained weights (``mx.gluon.model_zoo``)."""
from . import model_store
from . import vision

__all__ = ["model_store", "vision"]
