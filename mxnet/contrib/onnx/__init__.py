"""ONNX in ``mx.contrib``: ``import_model``/``import_to_gluon``/``get_model_metadata`` read ONNX
models into mxnext; ``export_model`` is ``mx.onnx.export_model``.  Needs the ``onnx`` package,
imported when a function is called."""
from ._import import import_model, import_to_gluon, get_model_metadata
from ...onnx import export_model

__all__ = ["import_model", "import_to_gluon", "get_model_metadata", "export_model"]
