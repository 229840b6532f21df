"""The row_sparse forms of the optimizer update operators.

With a ``row_sparse`` gradient, ``sgd_update``, ``sgd_mom_update``, ``adam_update``,
``ftrl_update`` and ``_sparse_adagrad_update`` (``mx.nd.sparse.adagrad_update``) run on the
rows the gradient holds: a *lazy* update reads and writes only those rows of the weight and the
states (memory and time proportional to the rows touched); a *standard* one (``lazy_update=False``,
or storage types that MXNet updates that way) updates every row as the dense operator does.
Which storage types take which form is MXNet 1.9.1's; the others fall back to the dense operator
(with the storage-fallback message).  Like MXNet, these forms update the weight in place: the
output must be the weight itself.  A ``row_sparse`` weight must hold every row; a ``row_sparse``
state that holds none (a fresh ``zeros``) is given every row, as zeros, on its first update.
"""
import numpy as np

from ..base import MXNetError
from ..backend import get_backend
from ..ops import optimizer_ops as _steps
from ..ops._accel import jit
from ..ops.registry import set_storage
from .sparse import BaseSparseNDArray

_IDX = np.int64


def _full_storage(arr, opname, what, fill_empty):
    """The backend array holding every row of ``arr`` (a dense array or a row_sparse one that
    stores all its rows); an empty row_sparse state is given all rows (zeros) when
    ``fill_empty``."""
    if not isinstance(arr, BaseSparseNDArray):
        return arr._data
    n = arr._sshape[0]
    k = arr._values.shape[0]
    if k == n:
        return arr._values
    if k == 0 and fill_empty:
        xp = get_backend(arr._ctx).xp
        arr._values = xp.zeros(arr._sshape, dtype=arr._values.dtype)
        arr._aux = (xp.arange(n, dtype=_IDX),)
        return arr._values
    raise MXNetError(f"Operator {opname}: the row_sparse {what} must store all of its {n} rows "
                     f"(it stores {k}); MXNet implements the update only for such arrays")


def _sgd_mom_kernel(kern, attrs, w, g, states):
    (mom,) = states
    return kern.sgd_update(w, g, mom, attrs.lr, attrs.wd, attrs.momentum, attrs.rescale_grad,
                           attrs.clip_gradient)


def _adam_kernel(kern, attrs, w, g, states):
    mean, var = states
    return kern.adam_update(w, g, mean, var, attrs.lr, attrs.wd, attrs.beta1, attrs.beta2, attrs.epsilon,
                            attrs.rescale_grad, attrs.clip_gradient)


# the one-pass C kernels that give the step functions' results bit for bit (ops/_native.py)
_KERNELS = {"sgd_mom_update": _sgd_mom_kernel, "adam_update": _adam_kernel}


def _step_rows(op, step, xp, attrs, w, g, states):
    """``w`` after one step, ``states`` updated in place: by the C kernel where there is one and
    the arrays suit it, else by the step function."""
    fast = _KERNELS.get(op.name)
    if fast is not None:
        kern = jit()
        if kern is not None and fast(kern, attrs, w, g, states):
            return w
    return step(xp, attrs, [w, g] + states)


def _run(op, step, args, attrs, out, lazy):
    """Apply ``step`` (the dense operator's arithmetic) to the rows of the gradient (``lazy``)
    or to all rows, in place in the weight and the states."""
    weight, grad, states = args[0], args[1], args[2:]
    if out is None or (out is not weight and not (isinstance(out, (list, tuple)) and len(out) == 1
                                                   and out[0] is weight)):
        raise MXNetError(f"Operator {op.name}: the row_sparse form updates the weight in place; pass "
                         "out=weight (MXNet: kWriteInplace is expected)")
    for a in args[1:]:
        if tuple(a.shape) != tuple(weight.shape):
            raise MXNetError(f"Operator {op.name}: shape {tuple(a.shape)} of an input does not match the "
                             f"weight's shape {tuple(weight.shape)}")
    w = _full_storage(weight, op.name, "weight", False)
    views = [_full_storage(s, op.name, "state", True) for s in states]
    if not lazy:
        w[...] = step(get_backend(weight._ctx).xp, attrs, [w, grad._dense()] + views)
        return weight
    idx = grad._aux[0]
    if not idx.shape[0]:
        return weight
    rows = [v[idx] for v in views]
    new = _step_rows(op, step, get_backend(weight._ctx).xp, attrs, w[idx], grad._values, rows)
    for v, r in zip(views, rows):
        v[idx] = r
    w[idx] = new
    return weight


def _stypes(args):
    return tuple(a.stype for a in args)


def _momentum_like(step):
    """sgd_mom_update / adam_update: lazy with states stored as the weight is, standard with a
    row_sparse weight and dense states, dense fallback for a dense weight with row_sparse states."""
    def impl(op, args, attrs, out):
        ws, gs = args[0].stype, args[1].stype
        ss = {a.stype for a in args[2:]}
        if gs != "row_sparse" or ws == "csr" or len(ss) != 1 or "csr" in ss:
            return None
        (s,) = ss
        if ws == "default" and s == "row_sparse":
            return None
        return _run(op, step, args, attrs, out, lazy=attrs.lazy_update and s == ws)
    return impl


def _sgd(op, args, attrs, out):
    if _stypes(args[:2]) not in (("default", "row_sparse"), ("row_sparse", "row_sparse")):
        return None
    return _run(op, _steps._sgd, args, attrs, out, lazy=attrs.lazy_update)


def _ftrl(op, args, attrs, out):
    if _stypes(args) != ("row_sparse",) * 4:
        return None
    return _run(op, _steps._ftrl, args, attrs, out, lazy=True)


def _adagrad(op, args, attrs, out):
    st = _stypes(args)
    if st not in (("default", "row_sparse", "default"), ("row_sparse",) * 3) or attrs.wd != 0:
        raise MXNetError(f"Operator _sparse_adagrad_update: not implemented for storage types "
                         f"{list(st)} with wd={attrs.wd}: it needs a row_sparse grad, with weight and "
                         "history both default or both row_sparse, and wd=0")
    return _run(op, _steps._adagrad, args, attrs, out, lazy=True)


def _register():
    # decided per call (the weight's and states' storage types and lazy_update): each form
    # returns None where MXNet falls back to the dense operator
    set_storage("sgd_update", _sgd)
    set_storage("sgd_mom_update", _momentum_like(_steps._sgd_mom))
    set_storage("adam_update", _momentum_like(_steps._adam))
    set_storage("ftrl_update", _ftrl)
    set_storage("_sparse_adagrad_update", _adagrad)


_register()
