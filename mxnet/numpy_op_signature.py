"""Give the ``mx.np`` / ``mx.npx`` functions backed by one ``_np_*`` / ``_npx_*`` operator the
NumPy-style signatures listed in ``_numpy_op_doc``."""
import inspect

from . import _numpy_op_doc
from . import numpy as mx_np
from . import numpy_extension as mx_npx

# operator-name infixes that map to a submodule (``_np__random_shuffle`` -> ``mx.np.random.shuffle``)
_SUBMODULES = {"_np_": ("_random_", "_linalg_"), "_npx_": ("_image_", "_random_")}


def _get_builtin_op(op_name):
    """The public function for a ``_np_*`` / ``_npx_*`` operator name, or None for other names.

    Raises ValueError when the name has the prefix but no such function exists."""
    for prefix, root in (("_npx_", mx_npx), ("_np_", mx_np)):
        if op_name.startswith(prefix):
            break
    else:
        return None
    rest = op_name[len(prefix):]
    module = root
    for sub in _SUBMODULES[prefix]:
        if rest.startswith(sub):
            module = getattr(root, sub[1:-1], None)
            if module is None:
                raise ValueError(f"Cannot find submodule {sub[1:-1]} in module {root.__name__}")
            rest = rest[len(sub):]
            break
    op = getattr(module, rest, None)
    if op is None:
        raise ValueError(f"Cannot find operator {rest} in module {root.__name__}")
    return op


def _register_op_signatures():
    for name in dir(_numpy_op_doc):
        op = _get_builtin_op(name)
        if op is not None:
            op.__signature__ = inspect.signature(getattr(_numpy_op_doc, name))


_register_op_signatures()
