"""Generates the ``mx.sym`` functions and ``Symbol`` methods from the operator registry."""
from ..ndarray.register import SUBMODULE_PREFIXES, make_module
from ..ops.registry import all_names, make_docstring, make_signature, is_identifier, get_op, has_op
from .symbol import Symbol, create

# operators also callable as methods (``sym.reshape(...)``), as on MXNet's Symbol
METHODS = ("reshape", "reshape_like", "zeros_like", "ones_like", "broadcast_axes", "broadcast_to",
           "broadcast_like", "repeat", "pad", "swapaxes", "split", "split_v2", "slice", "slice_axis",
           "slice_like", "take", "one_hot", "pick", "sort", "topk", "argsort", "argmax",
           "argmax_channel", "argmin", "clip", "abs", "sign", "flatten", "shape_array", "size_array",
           "expand_dims", "tile", "transpose", "flip", "depth_to_space", "space_to_depth", "diag",
           "sum", "nansum", "prod", "nanprod", "mean", "max", "min", "norm", "round", "rint", "fix",
           "floor", "ceil", "trunc", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "degrees",
           "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log",
           "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square", "reciprocal", "relu",
           "sigmoid", "softmax", "log_softmax", "softmin", "squeeze")


def make_function(op, public_name):
    """``mx.sym.<public_name>``: symbols positionally or by input name, then parameters."""
    def fn(*args, **kwargs):
        return create(op, public_name, args, kwargs)
    fn.__name__ = public_name
    fn.__qualname__ = public_name
    fn.__doc__ = make_docstring(op, public_name).replace("NDArray", "Symbol")
    fn.__signature__ = make_signature(op, "Symbol")
    fn.__module__ = "mxnet.symbol"
    return fn


def generate():
    """Every function: (top-level dict, internal dict, {submodule: dict})."""
    top, internal, subs = {}, {}, {}
    names = all_names()
    for name, op in sorted(names.items()):
        if not is_identifier(name):
            continue
        (internal if name.startswith("_") else top)[name] = make_function(op, name)
        for prefix, mod in SUBMODULE_PREFIXES:
            if name.startswith(prefix):
                short = name[len(prefix):]
                # a _sample_ twin leaves the _random_ function in place: symbol/random_funcs.py
                # replaces both by one that dispatches on the distribution parameters
                # MXNet names such a symbol after its short name (contrib.box_nms -> box_nms0),
                # but the random functions after the operator they call (_random_uniform0)
                hint = name if mod == "random" else short
                subs.setdefault(mod, {}).setdefault(short, make_function(op, hint))
                break
    return top, internal, subs


def _method(name, op):
    def m(self, *args, **kwargs):
        return create(op, name, (self,) + args, kwargs)
    m.__name__ = name
    m.__doc__ = f"Same as ``mx.sym.{name}(self, ...)``."
    return m


def add_methods():
    for name in METHODS:
        if has_op(name) and not hasattr(Symbol, name):
            setattr(Symbol, name, _method(name, get_op(name)))


__all__ = ["generate", "make_function", "make_module", "add_methods"]
