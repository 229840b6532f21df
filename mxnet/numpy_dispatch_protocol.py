"""NumPy's dispatch protocols for ``mx.np.ndarray``.

Official NumPy functions called on ``mx.np`` arrays run MXNet's own implementation: the
functions named in ``_NUMPY_ARRAY_FUNCTION_LIST`` through ``__array_function__`` (NEP 18) and
the ufuncs named in ``_NUMPY_ARRAY_UFUNC_LIST`` through ``__array_ufunc__`` (NEP 13).  Other
NumPy functions run the ``mx.np`` function of the same name where there is one, else NumPy itself
on host copies, giving ``mx.np`` arrays back.
"""
import functools

import numpy as _np

__all__ = ["with_array_function_protocol", "with_array_ufunc_protocol"]


def _with_protocol(kind):
    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                func(*args, **kwargs)
            except Exception as e:
                raise RuntimeError(f"Running function {func.__name__} with NumPy array {kind} protocol "
                                   f"failed with exception {e}") from e
        return run
    return decorate


with_array_function_protocol = _with_protocol("function")
with_array_function_protocol.__doc__ = (
    "Decorate a function that relies on NumPy's ``__array_function__`` protocol: any failure "
    "is raised as RuntimeError naming the function.")
with_array_ufunc_protocol = _with_protocol("ufunc")
with_array_ufunc_protocol.__doc__ = (
    "Decorate a function that relies on NumPy's ``__array_ufunc__`` protocol: any failure is "
    "raised as RuntimeError naming the function.")


def _present(names):
    """The names the installed NumPy has (NumPy 2 dropped ``round_``, ``product``, ...)."""
    out = []
    for name in names:
        mod = _np
        *subs, last = name.split(".")
        for s in subs:
            mod = getattr(mod, s)
        if hasattr(mod, last):
            out.append(name)
    return out


# NumPy functions that dispatch to mx.np (NumPy 1.x names NumPy 2 dropped are left out)
_NUMPY_ARRAY_FUNCTION_LIST = _present([
    "all", "any", "sometrue", "argmin", "argmax", "around", "round", "round_", "argsort", "sort",
    "append", "broadcast_arrays", "broadcast_to", "clip", "concatenate", "copy", "cumsum", "diag",
    "diagonal", "diagflat", "dot", "expand_dims", "fix", "flip", "flipud", "fliplr", "inner",
    "insert", "max", "amax", "mean", "min", "amin", "nonzero", "ones_like", "atleast_1d",
    "atleast_2d", "atleast_3d", "prod", "product", "ravel", "repeat", "reshape", "roll", "split",
    "array_split", "hsplit", "vsplit", "dsplit", "squeeze", "stack", "std", "sum", "swapaxes",
    "take", "tensordot", "tile", "transpose", "unique", "unravel_index", "diag_indices_from",
    "delete", "var", "vdot", "vstack", "column_stack", "hstack", "dstack", "zeros_like",
    "linalg.norm", "linalg.cholesky", "linalg.inv", "linalg.solve", "linalg.tensorinv",
    "linalg.tensorsolve", "linalg.pinv", "linalg.eigvals", "linalg.eig", "linalg.eigvalsh",
    "linalg.eigh", "shape", "trace", "tril", "meshgrid", "outer", "einsum", "polyval",
    "shares_memory", "may_share_memory", "quantile", "percentile", "diff", "ediff1d", "resize",
    "where", "full_like", "bincount", "empty_like", "nan_to_num", "isnan", "isfinite", "isposinf",
    "isneginf", "isinf", "pad",
])

# NumPy ufuncs that dispatch to mx.np
_NUMPY_ARRAY_UFUNC_LIST = _present([
    "abs", "fabs", "add", "arctan2", "copysign", "degrees", "hypot", "lcm", "subtract", "multiply",
    "true_divide", "negative", "power", "mod", "matmul", "absolute", "rint", "sign", "exp", "log",
    "log2", "log10", "expm1", "sqrt", "square", "cbrt", "reciprocal", "invert", "bitwise_not",
    "remainder", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
    "arcsinh", "arccosh", "arctanh", "maximum", "minimum", "ceil", "trunc", "floor", "bitwise_and",
    "bitwise_xor", "bitwise_or", "logical_not", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal",
])


def _lookup(root, name):
    for part in name.split("."):
        root = getattr(root, part)
    return root


def _register(mx_np, function_dict, ufunc_dict):
    """Fill the dispatch tables ``mx.np.ndarray``'s protocol methods read."""
    for name in _NUMPY_ARRAY_FUNCTION_LIST:
        function_dict[_lookup(_np, name)] = _lookup(mx_np, name)
    for name in _NUMPY_ARRAY_UFUNC_LIST:
        # keyed by the ufunc object: aliases (abs/absolute, mod/remainder) share one
        ufunc_dict[_lookup(_np, name)] = _lookup(mx_np, name)
