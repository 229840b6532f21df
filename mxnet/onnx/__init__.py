"""Export of MXNet models to ONNX (``mx.onnx.export_model``), which ONNX Runtime, TensorRT,
OpenVINO and others run from many languages.  Needs the ``onnx`` package (``pip install
mxnext[onnx]``), imported when a function is called."""
from ._export import export_model, get_operator_support

__all__ = ["export_model", "get_operator_support"]
