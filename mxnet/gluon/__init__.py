"""Gluon: MXNet's imperative, object-oriented training interface."""
from .parameter import Parameter, Constant, ParameterDict, DeferredInitializationError, tensor_types
from .block import Block, HybridBlock, SymbolBlock
from . import nn
from . import loss
from . import data
from . import utils
from . import rnn
from . import contrib
from . import model_zoo
from .trainer import Trainer
from . import parameter, block, trainer  # noqa: F401

__all__ = ["Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "Block", "HybridBlock",
           "SymbolBlock", "tensor_types", "nn", "loss", "data", "utils", "rnn", "contrib", "model_zoo", "Trainer"]
