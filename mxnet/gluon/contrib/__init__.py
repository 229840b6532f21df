"""Contributed Gluon blocks that are not part of the core API."""
from . import nn
from . import estimator
from . import rnn
from . import data
from . import cnn

__all__ = ["nn", "estimator", "rnn", "data", "cnn"]
