"""Command-line tools (``python -m mxnet.tools.launch``)."""
