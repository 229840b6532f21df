"""``mx.contrib``: the contrib operator namespaces (``mx.contrib.nd`` is ``mx.nd.contrib``, etc.).

``mx.contrib.text`` (vocabularies and token embeddings), ``mx.contrib.amp`` (automatic mixed
precision) and ``mx.contrib.onnx`` (ONNX import) are subpackages; the quantization and
tensorboard tool-kits of MXNet's ``mx.contrib`` are not implemented here.
"""
from ..ndarray import contrib as ndarray
from ..ndarray import contrib as nd
from ..symbol import contrib as symbol
from ..symbol import contrib as sym
from . import autograd
from . import amp
from . import onnx

__all__ = ["ndarray", "nd", "symbol", "sym", "autograd", "amp", "onnx"]
