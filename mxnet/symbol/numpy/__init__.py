"""``mx.sym.np``: NumPy-style symbols (``_Symbol``) and the functions that build them, writing
the ``_npi_*``/``_np_*`` graphs MXNet 1.9.1 writes."""
from ...ops import np_elemwise, np_shape, np_reduce, np_misc, npx_ops  # noqa: F401 - the operators
from ._symbol import _Symbol  # noqa: F401
from ._funcs import *  # noqa: F401,F403
from ._funcs import __all__ as _fall
from . import linalg, random  # noqa: F401

__all__ = list(_fall)
