"""``mx.np``: NumPy-compatible arrays and functions on MXNet's operators."""
import sys as _sys

import numpy as _onp

from ..ops import np_elemwise, np_shape, np_reduce, np_misc  # noqa: F401 - register the _np* operators
from . import multiarray, _funcs  # noqa: F401
from .multiarray import ndarray  # noqa: F401
from ._funcs import *  # noqa: F401,F403
from ._funcs import _fallback, FALLBACK
from ._op_funcs import *  # noqa: F401,F403 - after _funcs: these replace its composite forms
from . import linalg, random, _internal  # noqa: F401

for _n in FALLBACK:
    if _n not in globals() and hasattr(_onp, _n):
        globals()[_n] = _fallback(getattr(_onp, _n))
fallback = list(FALLBACK)
# names NumPy 2 dropped, kept by MXNet 1.9.1
alltrue, sometrue = all, any  # noqa: F405 - from the star import
trapz = _fallback(getattr(_onp, "trapezoid", None) or _onp.trapz)  # trapezoid: NumPy >= 2
in1d = _fallback(lambda ar1, ar2, assume_unique=False, invert=False:
                 _onp.isin(_onp.ravel(ar1), ar2, assume_unique=assume_unique, invert=invert))


def msort(a):
    """A copy of ``a`` sorted along its first axis."""
    return sort(a, axis=0)  # noqa: F405

# NumPy's constants and scalar types
pi, e, euler_gamma = _onp.pi, _onp.e, _onp.euler_gamma
inf, nan, NAN, NaN, NINF, PINF, NZERO, PZERO = (_onp.inf, _onp.nan, _onp.nan, _onp.nan, -_onp.inf,
                                                _onp.inf, -0.0, 0.0)
newaxis = None
bool_, int8, uint8, int16, int32, int64 = (_onp.bool_, _onp.int8, _onp.uint8, _onp.int16, _onp.int32,
                                           _onp.int64)
float16, float32, float64 = _onp.float16, _onp.float32, _onp.float64
bool = _onp.bool_  # noqa: A001 - MXNet exports the name
dtype, finfo, iinfo = _onp.dtype, _onp.finfo, _onp.iinfo
promote_types, result_type, min_scalar_type = _onp.promote_types, _onp.result_type, _onp.min_scalar_type
set_printoptions = _onp.set_printoptions

# what __array_function__ / __array_ufunc__ dispatch to: every public function here
_FUNCS = {k: v for k, v in globals().items() if callable(v) and not k.startswith("_")
          and not isinstance(v, type)}
_FUNCS["divide"] = _funcs.true_divide

# NumPy functions and ufuncs called on mx.np arrays come back here
from .. import numpy_dispatch_protocol as _protocol  # noqa: E402
_protocol._register(_sys.modules[__name__], multiarray._NUMPY_ARRAY_FUNCTION_DICT,
                    multiarray._NUMPY_ARRAY_UFUNC_DICT)
