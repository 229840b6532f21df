"""Helpers of the Python iterators (``mx.io.utils``): normalising data arguments and slicing them."""

from .io import _init_data, _getdata_by_idx  # noqa: F401


def _has_instance(data, dtype):
    """Whether any array of a ``[(name, array)]`` list is an instance of ``dtype``."""
    return any(isinstance(arr, dtype) for _, arr in data)
