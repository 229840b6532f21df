"""``_Symbol``: a Symbol with NumPy semantics, the graph form of ``mx.np.ndarray``.

Its operators and methods build the ``_npi_*``/``_np_*`` nodes (and the legacy operators MXNet
1.9.1 reuses) with the node names and attribute strings MXNet writes, so that graphs traced
under ``npx.set_np()`` export the same JSON.
"""
import numbers

import numpy as onp

from ...attribute import AttrScope, hidden_key
from ...base import MXNetError
from ...name import NameManager
from ...ops.registry import get_op
from ..symbol import Symbol, Node, _param_str

# marks a keyword the caller did not give: MXNet's generated functions write only given ones
NULL = object()


def is_scalar(v):
    return isinstance(v, (numbers.Number, onp.generic)) and not isinstance(v, onp.ndarray)


def _parse(op, strs):
    try:
        return op.parse_attrs(strs)
    except MXNetError:
        # MXNet writes "None" for some optional parameters (slice's step) that mean "default"
        return op.parse_attrs({k: v for k, v in strs.items() if v != "None"})


def make(opname, hint, inputs, params=None, name=None):
    """A ``_Symbol`` applying operator ``opname`` to the symbols ``inputs``; ``params`` are
    written as given (``NULL`` values left out), the node is named ``<hint><n>`` unless ``name``."""
    op = get_op(opname)
    strs = {}
    for k, v in (params or {}).items():
        if v is not NULL:
            strs[k] = _param_str(op.param_map.get(k), v)
    parsed = _parse(op, strs)
    entries = []
    for s in inputs:
        if not isinstance(s, Symbol):
            raise TypeError(f"{hint}: expected a Symbol input, got {type(s).__name__}")
        if len(s._outputs) != 1:
            raise MXNetError(f"{hint}: an input symbol must have exactly one output")
        entries.append(s._outputs[0])
    attrs = {hidden_key(k): v for k, v in AttrScope.current.get(None).items()}
    attrs.update(strs)
    node = Node(op, NameManager.current.get(name, hint), attrs, entries, parsed)
    return _Symbol([(node, i) for i in range(node.num_visible())])


_REVERSE = {"subtract": "rsubtract", "true_divide": "rtrue_divide", "mod": "rmod", "power": "rpower",
            "arctan2": "rarctan2", "copysign": "rcopysign", "ldexp": "rldexp", "greater": "less", "less": "greater",
            "greater_equal": "less_equal", "less_equal": "greater_equal"}
# binary functions MXNet runs on legacy operators: (array-array op, array-scalar op)
_LEGACY_BINARY = {"maximum": ("broadcast_maximum", "_maximum_scalar"),
                  "minimum": ("broadcast_minimum", "_minimum_scalar"),
                  "hypot": ("_npi_hypot", "_hypot_scalar")}


def binary(name, x1, x2):
    """``name(x1, x2)`` with a symbol and a symbol or Python scalar; a scalar on the left takes
    the reversed operator and, as in MXNet, ``is_int=False``."""
    s1, s2 = is_scalar(x1), is_scalar(x2)
    if s1 and s2:
        return getattr(onp, name)(x1, x2)
    arr_op, scalar_op = _LEGACY_BINARY.get(name, (f"_npi_{name}", f"_npi_{name}_scalar"))
    if not (s1 or s2):
        if not (isinstance(x1, Symbol) and isinstance(x2, Symbol)):
            raise TypeError(f"{name}: operands must be symbols or scalars, got {type(x1).__name__} and "
                            f"{type(x2).__name__}")
        return make(arr_op, name, [x1, x2])
    if s2:
        sym, scalar, is_int = x1, x2, isinstance(x2, numbers.Integral)
    else:
        sym, scalar, is_int = x2, x1, False
        if name not in _LEGACY_BINARY:
            scalar_op = f"_npi_{_REVERSE.get(name, name)}_scalar"
    if not isinstance(sym, Symbol):
        raise TypeError(f"{name}: unsupported operand type {type(sym).__name__}")
    hint = scalar_op[5:] if scalar_op.startswith("_npi_") else scalar_op.lstrip("_")
    return make(scalar_op, hint, [sym], {"is_int": is_int, "scalar": float(scalar)})


def _no_method(name):
    def m(self, *args, **kwargs):
        raise AttributeError(f"_Symbol object has no attribute {name}")
    m.__name__ = name
    m.__doc__ = f"Not available on np symbols (as in MXNet 1.9.1): use ``mx.sym.np.{name}``."
    return m


class _Symbol(Symbol):
    """A symbol with NumPy semantics (``mx.sym.np``); shape, size and ndim are unknown."""

    __slots__ = ()

    def __repr__(self):
        if len(self._outputs) == 1:
            return f"<_Symbol {self.name}>"
        return "<_Symbol group [" + ", ".join(n.name for n, _ in self._outputs) + "]>"

    def __len__(self):
        if len(self._outputs) == 1:
            raise TypeError(f"{self!r} is not a list and does not support len().")
        return len(self._outputs)

    def __iter__(self):
        return (_Symbol([e]) for e in self._outputs)

    # -- indexing -------------------------------------------------------------------------
    def __getitem__(self, key):
        """Basic indexing by integers and slices, built from ``slice`` + ``npx.reshape``."""
        n_out = len(self._outputs)
        if n_out > 1 or isinstance(key, str):
            return _Symbol(Symbol.__getitem__(self, key)._outputs)
        if isinstance(key, (int, onp.integer)) and not isinstance(key, bool):
            key = int(key)
            sliced = make("slice", "slice", [self], {"begin": [key], "end": [key + 1]})
            return make("_npx_reshape", "reshape", [sliced], {"newshape": (-3, -4)})
        if isinstance(key, slice):
            if key.step == 0:
                raise ValueError("slice step cannot be zero")
            begin = [None] if key.start is None else key.start
            end = [None] if key.stop is None else key.stop
            return make("slice", "slice", [self], {"begin": begin, "end": end, "step": key.step})
        if isinstance(key, tuple):
            if not key:
                return self
            begin, end, step, codes = [], [], [], ()
            for k in key:
                if isinstance(k, slice):
                    if k.step == 0:
                        raise ValueError("slice step cannot be zero")
                    begin.append(k.start)
                    end.append(k.stop)
                    step.append(k.step)
                    codes += (-2,)
                elif isinstance(k, (int, onp.integer)) and not isinstance(k, bool):
                    k = int(k)
                    begin.append(k)
                    end.append(k + 1 if k >= 0 else k - 1)
                    step.append(1 if k >= 0 else -1)
                    codes += (-3,)
                else:
                    raise IndexError(f"Only integer, slice, or tuple of these types are supported! "
                                     f"Received key={key}")
            sliced = make("slice", "slice", [self], {"begin": begin, "end": end, "step": step})
            return make("_npx_reshape", "reshape", [sliced], {"newshape": codes + (-4,)})
        raise IndexError(f"Only integer, slice, or tuple of these types are supported! Received key={key}")

    def __setitem__(self, key, value):
        raise NotImplementedError("np symbols do not support item assignment")

    # -- arithmetic -----------------------------------------------------------------------
    def __add__(self, o):
        return binary("add", self, o)

    __radd__ = __add__

    def __sub__(self, o):
        return binary("subtract", self, o)

    def __rsub__(self, o):
        return binary("subtract", o, self)

    def __mul__(self, o):
        return binary("multiply", self, o)

    def __rmul__(self, o):
        return binary("multiply", o, self)

    def __truediv__(self, o):
        return binary("true_divide", self, o)

    def __rtruediv__(self, o):
        return binary("true_divide", o, self)

    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __mod__(self, o):
        return binary("mod", self, o)

    def __rmod__(self, o):
        return binary("mod", o, self)

    def __pow__(self, o):
        return binary("power", self, o)

    def __rpow__(self, o):
        return binary("power", o, self)

    def __neg__(self):
        return binary("multiply", self, -1.0)

    def __abs__(self):
        raise AttributeError("_Symbol object has no attribute abs")

    def __eq__(self, o):
        return binary("equal", self, o)

    def __ne__(self, o):
        return binary("not_equal", self, o)

    def __gt__(self, o):
        return binary("greater", self, o)

    def __ge__(self, o):
        return binary("greater_equal", self, o)

    def __lt__(self, o):
        return binary("less", self, o)

    def __le__(self, o):
        return binary("less_equal", self, o)

    __hash__ = Symbol.__hash__

    def _inplace(self, o):
        raise MXNetError("np symbols do not support in-place operators")

    __iadd__ = __isub__ = __imul__ = __itruediv__ = __idiv__ = __imod__ = _inplace

    # -- conversion -----------------------------------------------------------------------
    def as_nd_ndarray(self):
        """The same graph as a legacy ``Symbol``."""
        return Symbol(self._outputs)

    def as_np_ndarray(self):
        return _Symbol(self._outputs)

    def __copy__(self):
        return _Symbol(Symbol.__copy__(self)._outputs)

    copy = __copy__

    def __deepcopy__(self, memo):
        return self.__copy__()

    # -- methods --------------------------------------------------------------------------
    @property
    def T(self):
        return self.transpose()

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        """``Cast`` to ``dtype``."""
        return make("Cast", "cast", [self], {"dtype": onp.dtype(dtype).name})

    def reshape(self, *args, **kwargs):
        """``_np_reshape``: ``reshape(shape)`` or ``reshape(d0, d1, ...)``; keyword ``order`` only."""
        order = kwargs.pop("order", "C")
        if kwargs:
            raise TypeError(f"reshape: unexpected keyword arguments {sorted(kwargs)}; only 'order' is "
                            f"accepted")
        if not args:
            raise TypeError("reshape: a shape is required")
        newshape = args[0] if len(args) == 1 else args
        return make("_np_reshape", "reshape", [self], {"newshape": newshape, "order": order})

    def flatten(self, order="C"):
        return make("_np_reshape", "reshape", [self], {"newshape": (-1,), "order": order})

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        axes = tuple(axes) if axes else None
        return make("_np_transpose", "transpose", [self], {"axes": axes})

    def squeeze(self, axis=None):
        return make("_np_squeeze", "squeeze", [self], {"axis": axis})

    def swapaxes(self, axis1, axis2):
        return make("SwapAxis", "swapaxes", [self], {"dim1": axis1, "dim2": axis2})

    def _reduce(self, opname, hint, **kw):
        if kw.get("dtype", NULL) is None:
            del kw["dtype"]  # MXNet leaves an unset dtype out
        kw.pop("out", None)
        return make(opname, hint, [self], kw)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce("_np_sum", "sum", axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce("_np_prod", "prod", axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce("_npi_mean", "mean", axis=axis, dtype=dtype, keepdims=keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return self._reduce("_npi_std", "std", axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return self._reduce("_npi_var", "var", axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)

    def max(self, axis=None, out=None, keepdims=False):
        return self._reduce("_np_max", "max", axis=axis, keepdims=keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        return self._reduce("_np_min", "min", axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, out=None):
        return self._reduce("_npi_argmax", "argmax", axis=axis, keepdims=False)

    def argmin(self, axis=None, out=None):
        return self._reduce("_npi_argmin", "argmin", axis=axis, keepdims=False)

    def cumsum(self, axis=None, dtype=None, out=None):
        return self._reduce("_np_cumsum", "cumsum", axis=axis, dtype=dtype)

    def clip(self, min=None, max=None, out=None):  # noqa: A002 - NumPy's names
        from ._funcs import clip
        return clip(self, min, max)

    def round(self, decimals=0, out=None, **kwargs):
        return make("_npi_around", "around", [self], {"decimals": decimals})

    def dot(self, b, out=None):
        return make("_np_dot", "dot", [self, b])

    def repeat(self, repeats, axis=None):
        return make("repeat", "repeat", [self], {"repeats": repeats, "axis": axis})

    def take(self, indices, axis=None, mode="raise"):
        from ._funcs import take
        return take(self, indices, axis, mode)

    def sort(self, axis=-1, kind=None, order=None):
        # MXNet 1.9.1's method fails with a TypeError; the function works
        raise TypeError("_Symbol.sort is not supported (as in MXNet 1.9.1); use mx.sym.np.sort")

    def argsort(self, axis=-1, kind=None, order=None):
        return make("argsort", "argsort", [self], {"axis": axis, "dtype": "int64", "is_ascend": True})


# legacy Symbol methods that MXNet's np symbol refuses (the np.* functions are the way)
for _name in ("reshape_like", "zeros_like", "ones_like", "broadcast_axes", "pad", "split", "split_v2",
              "slice", "slice_axis", "slice_like", "one_hot", "pick", "topk", "argmax_channel", "abs",
              "sign", "shape_array", "size_array", "expand_dims", "tile", "flip", "depth_to_space",
              "space_to_depth", "diag", "nansum", "nanprod", "norm", "rint", "fix", "floor", "ceil",
              "trunc", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "degrees", "radians", "sinh",
              "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log", "log10", "log2",
              "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square", "reciprocal", "relu", "sigmoid",
              "softmax", "log_softmax", "softmin", "broadcast_to", "broadcast_like"):
    setattr(_Symbol, _name, _no_method(_name))
del _name


__all__ = ["_Symbol", "make", "binary", "NULL", "is_scalar"]
