"""``mx.contrib``: the contrib operator namespaces (``mx.contrib.nd`` is ``mx.nd.contrib``, etc.).

``mx.contrib.text`` (vocabularies and token embeddings) and ``mx.contrib.amp`` (automatic mixed
precision) are subpackages; the quantization, ONNX and tensorboard tool-kits of MXNet's
``mx.contrib`` are not implemented here.
"""
from ..ndarray import contrib as ndarray
from ..ndarray import contrib as nd
from ..symbol import contrib as symbol
from ..symbol import contrib as sym
from . import autograd
from . import amp

__all__ = ["ndarray", "nd", "symbol", "sym", "autograd", "amp"]
