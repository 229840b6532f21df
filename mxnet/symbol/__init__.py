"""``mx.sym``: the declarative graph (``Symbol``), one function per registered operator."""
import sys as _sys

from .. import ops as _ops  # noqa: F401  (registers every operator)
from . import register as _register
from .symbol import Symbol, var, Variable, Group, load, load_json, fromjson  # noqa: F401
from .helpers import (zeros, ones, full, arange, pow, power, maximum, minimum, hypot, eye,  # noqa: F401
                      linspace, split_v2, _from_autograd)
from . import symbol  # noqa: F401

_top, _internal_funcs, _subs = _register.generate()
_register.add_methods()
for _k, _v in _top.items():
    if _k not in globals():
        globals()[_k] = _v

_internal = _register.make_module(__name__ + "._internal", _internal_funcs, "Internal symbol operators.")
op = _register.make_module(__name__ + ".op", {**_top, **_internal_funcs}, "Every symbol operator.")
_sys.modules[_internal.__name__] = _internal
_sys.modules[op.__name__] = op
for _name in ("contrib", "linalg", "random", "image", "sparse"):
    _m = _register.make_module(f"{__name__}.{_name}", _subs.get(_name, {}), f"mx.sym.{_name} operators.")
    globals()[_name] = _m
    _sys.modules[_m.__name__] = _m
from ..ndarray.sparse import FRONT_END_OPS as _SPARSE_OPS  # noqa: E402
for _k in _SPARSE_OPS:  # mx.sym.sparse: the operators MXNet lists there (storage rules in the registry)
    _f = _top.get(_k) or _internal_funcs.get(_k)
    if _f is not None and not hasattr(sparse, _k):  # noqa: F821
        setattr(sparse, _k, _f)  # noqa: F821

from . import contrib_flow as _contrib_flow  # noqa: E402
_contrib_flow.install(contrib)  # noqa: F821  (contrib is created in the loop above)
from . import contrib_updates as _contrib_updates  # noqa: E402
_contrib_updates.install(contrib)  # noqa: F821
from . import contrib_sampling as _contrib_sampling  # noqa: E402
_contrib_sampling.install(contrib)  # noqa: F821

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "fromjson", "zeros", "ones",
           "full", "arange", "pow", "power", "maximum", "minimum", "hypot", "eye", "linspace",
           "split_v2"] + sorted(_top)
del _k, _v, _name, _m


from . import random_funcs as _random_funcs  # noqa: E402
_random_funcs.install(random)  # noqa: F821
from ..ops.misc_ops import symbol_histogram as histogram  # noqa: E402,F401
from . import numpy as np  # noqa: E402,F401  (mx.sym.np, F.np in hybrid_forward)
from . import numpy_extension as npx  # noqa: E402,F401
