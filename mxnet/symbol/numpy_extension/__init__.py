"""``mx.sym.npx``: MXNet's neural-network and utility operators on np symbols.

Each function applies one operator as MXNet's generated functions do: symbol inputs by position
or by input name (missing ones become ``<name>_<input>`` variables), then the parameters the
caller gave, and names the node after the function (``fully_connected0``).
"""
from ...ops import npx_ops  # noqa: F401 - registers the _npx_ operators
from ...ops.registry import get_op
from ..symbol import create
from ..numpy._symbol import _Symbol

# function name -> the operator MXNet writes in the JSON
_OPS = {"relu": "_npx_relu", "sigmoid": "_npx_sigmoid", "softmax": "softmax", "log_softmax": "log_softmax",
        "activation": "Activation", "leaky_relu": "LeakyReLU", "batch_norm": "BatchNorm",
        "convolution": "Convolution", "deconvolution": "Deconvolution", "pooling": "Pooling",
        "fully_connected": "FullyConnected", "dropout": "Dropout", "embedding": "Embedding",
        "layer_norm": "LayerNorm", "one_hot": "one_hot", "pick": "pick", "topk": "topk",
        "batch_dot": "batch_dot", "batch_flatten": "Flatten", "reshape": "_npx_reshape",
        "sequence_mask": "SequenceMask", "gamma": "gamma", "gammaln": "gammaln", "erf": "erf",
        "erfinv": "erfinv", "nonzero": "_npx_nonzero", "shape_array": "shape_array", "slice": "slice",
        "smooth_l1": "smooth_l1", "gather_nd": "gather_nd", "reshape_like": "reshape_like", "cast": "Cast"}


def _make(name, opname):
    op = get_op(opname)

    def fn(*args, **kwargs):
        kwargs.pop("out", None)
        return _Symbol(create(op, name, args, kwargs)._outputs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Apply operator ``{op.name}`` to np symbols (see ``mx.npx.{name}``)."
    fn.__module__ = __name__
    return fn


for _name, _opname in _OPS.items():
    globals()[_name] = _make(_name, _opname)
del _name, _opname

from . import random  # noqa: E402,F401 - mx.sym.npx.random


def constraint_check(x, msg="Constraint violated."):
    """A graph node that is True when every element of the bool symbol ``x`` is, and raises
    ValueError(msg) when run otherwise."""
    from ..numpy._symbol import make
    return make("_npx_constraint_check", "constraint_check", [x], {"msg": msg})


__all__ = sorted(list(_OPS) + ["constraint_check"])
