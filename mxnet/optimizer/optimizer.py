"""``Optimizer`` (the base class and registry), ``Updater`` and ``get_updater``.

An optimizer turns ``(index, weight, grad, state)`` into an in-place update of
``weight``; ``create_state`` makes the per-weight state (momentum, moments, ...).
Learning rate and weight decay of a weight are the global values scaled by the
weight's ``lr_mult``/``wd_mult`` (from Gluon's ``param_dict``, ``set_lr_mult`` /
``set_wd_mult`` or a symbol's ``__lr_mult__``/``__wd_mult__`` attributes).
"""
import pickle
import warnings

import numpy

from ..ndarray import NDArray, zeros
from ..backend import get_backend

__all__ = ["Optimizer", "Updater", "create", "get_updater", "register"]


class Optimizer:
    """Base class of all optimizers.

    Parameters mirror MXNet 1.9: ``rescale_grad`` (gradient multiplier, often
    1/batch_size), ``param_idx2name`` (index -> parameter name), ``wd``,
    ``clip_gradient`` (None: no clipping), ``learning_rate`` (default 0.01 when
    no ``lr_scheduler``), ``lr_scheduler``, ``sym``, ``begin_num_update``,
    ``multi_precision`` (keep a float32 master copy of float16 weights) and
    ``param_dict`` (index -> gluon Parameter, for lr_mult/wd_mult).
    """

    opt_registry = {}

    def __init__(self, rescale_grad=1.0, param_idx2name=None, wd=0.0, clip_gradient=None,
                 learning_rate=None, lr_scheduler=None, sym=None, begin_num_update=0,
                 multi_precision=False, param_dict=None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None and lr_scheduler.base_lr != learning_rate:
            # MXNet prints (does not raise) this warning object
            print(UserWarning("learning rate from ``lr_scheduler`` has been overwritten by "
                              "``learning_rate`` in optimizer."))
            lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult = {}
        self.wd_mult = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        # > 0: Updater passes lists of up to this many weights to update_multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        assert isinstance(param_idx2name, dict), \
            "param_idx2name should be a dict of param indexes to names."
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.allow_np_array = _is_np_array()
        self.set_lr_mult({})
        self.set_wd_mult({})

    # -- registry ---------------------------------------------------------------------------
    @staticmethod
    def register(klass):
        """Class decorator: make ``klass`` creatable by its lower-cased name."""
        assert isinstance(klass, type)
        name = klass.__name__.lower()
        old = Optimizer.opt_registry.get(name)
        if old is not None:
            warnings.warn(f"WARNING: New optimizer {klass.__module__}.{klass.__name__} is overriding "
                          f"existing optimizer {old.__module__}.{old.__name__}")
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name, **kwargs):
        """Instantiate the optimizer registered as ``name`` (case-insensitive)."""
        klass = Optimizer.opt_registry.get(name.lower())
        if klass is None:
            raise ValueError(f"Cannot find optimizer {name}")
        return klass(**kwargs)

    # -- learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self):
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr):
        """Set the global learning rate (only without an lr_scheduler)."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note that "
                              "set_learning_rate can mutate the value of the learning rate of the "
                              "optimizer only when the LRScheduler of the optimizer is undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale):
        raise DeprecationWarning

    def _symbol_mults(self, key):
        out = {}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and key in attr[name]:
                    out[name] = float(attr[name][key])
        return out

    def set_lr_mult(self, args_lr_mult):
        """Per-parameter learning-rate multipliers (by index or name), over symbol attributes."""
        self.lr_mult = self._symbol_mults("__lr_mult__")
        self.lr_mult.update(args_lr_mult)

    def _no_decay(self, name):
        return not (name.endswith("_weight") or name.endswith("_gamma"))

    def set_wd_mult(self, args_wd_mult):
        """Per-parameter weight-decay multipliers; named parameters other than ``*_weight`` and
        ``*_gamma`` (biases, ...) get 0 unless set here or by a symbol attribute."""
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if self._no_decay(n)}
        self.wd_mult.update(self._symbol_mults("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    # -- bookkeeping -----------------------------------------------------------------------
    def _set_current_context(self, device_id):
        """Keep separate update counts per device (each device updates its own copy)."""
        self._index_update_count = self._all_index_update_counts.setdefault(device_id, {})

    def _update_count(self, index):
        for idx in index if isinstance(index, (list, tuple)) else [index]:
            count = self._index_update_count.get(idx, self.begin_num_update) + 1
            self._index_update_count[idx] = count
            self.num_update = max(count, self.num_update)

    def _scaled(self, indices, base, attr, mults):
        out = [base] * len(indices)
        for i, index in enumerate(indices):
            if index in self.param_dict:
                out[i] *= getattr(self.param_dict[index], attr)
            elif index in mults:
                out[i] *= mults[index]
            elif index in self.idx2name:
                out[i] *= mults.get(self.idx2name[index], 1.0)
        return out

    def _get_lrs(self, indices):
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return self._scaled(indices, lr, "lr_mult", self.lr_mult)

    def _get_lr(self, index):
        return self._get_lrs([index])[0]

    def _get_wds(self, indices):
        return self._scaled(indices, self.wd, "wd_mult", self.wd_mult)

    def _get_wd(self, index):
        return self._get_wds([index])[0]

    def _op_kwargs(self, **kw):
        """Keyword arguments of an ``*_update`` operator: ``kw`` with ``rescale_grad`` and, when
        set, ``clip_gradient``."""
        kw["rescale_grad"] = self.rescale_grad
        if self.clip_gradient:
            kw["clip_gradient"] = self.clip_gradient
        return kw

    # -- states and updates ----------------------------------------------------------------
    def create_state(self, index, weight):
        """The state of one weight (None when the optimizer keeps none)."""
        return None

    def create_state_multi_precision(self, index, weight):
        """Like ``create_state``; with multi_precision and a float16 weight the state is
        ``(float32 master copy, state of the copy)``."""
        if self.multi_precision and weight.dtype == numpy.float16:
            master = weight.astype(numpy.float32)
            return (master, self.create_state(index, master))
        _warn_fp16(weight, self.multi_precision, "")
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        """Update ``weight`` in place from ``grad`` and ``state``."""
        raise NotImplementedError()

    def update_multi_precision(self, index, weight, grad, state):
        """``update``, run on the float32 master copy for float16 weights with multi_precision."""
        if self.multi_precision and weight.dtype == numpy.float16:
            master, inner = state
            self.update(index, master, grad.astype(numpy.float32), inner)
            if weight._is_sparse:
                weight[:] = master.astype(weight.dtype)
            else:
                weight._data[...] = master._data.astype(weight._data.dtype)
        else:
            self.update(index, weight, grad, state)

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["param_dict"]   # Parameters hold arrays and blocks: not pickled
        return state

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer


def _is_np_array():
    try:
        from ..util import is_np_array
    except ImportError:
        return False
    return is_np_array()


def _warn_fp16(weight, multi_precision, who):
    if weight.dtype == numpy.float16 and not multi_precision:
        warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow "
                      "convergence. Consider using multi_precision=True option of the "
                      f"{who + ' ' if who else ''}optimizer")


def raw(arr):
    """The writable backend array holding an optimizer weight's or state's values: a dense
    array's data, or the values of a row_sparse one, which store every row in the dense layout
    (MXNet updates only such row_sparse weights; an empty row_sparse state is given every row)."""
    if not arr._is_sparse:
        return arr._data
    from ..ndarray.sparse_update import _full_storage
    return _full_storage(arr, "optimizer", "weight or state", True)


def zeros_like_weight(weight, dtype=None, stype=None):
    """A zero array shaped like ``weight`` on its context (float32 unless ``dtype`` says), of
    storage type ``stype`` (default: dense)."""
    return zeros(weight.shape, weight.context, dtype=dtype or numpy.float32, stype=stype)


def check_update_shapes(opname, w, g, *states):
    """The in-place update paths skip the operators' shape inference; a gradient or state that
    NumPy would broadcast onto the weight is an error there, as in MXNet."""
    for name, a in (("grad", g),) + tuple(zip(("state", "state2"), states)):
        if a is not None and a.shape != w.shape:
            from ..base import MXNetError
            raise MXNetError(f"Operator {opname}: shape of '{name}' {tuple(a.shape)} does not "
                             f"match the weight's shape {tuple(w.shape)}")


def xp_of(arr):
    """The array namespace (NumPy or CuPy) of an NDArray."""
    return get_backend(arr.context).xp


def _as_classic(a, allow_np):
    """mx.np arrays -> NDArray views (when allowed), as MXNet's Updater does."""
    if isinstance(a, (tuple, list)):
        return [_as_classic(x, allow_np) for x in a]
    if not isinstance(a, NDArray) and hasattr(a, "as_nd_ndarray"):
        if not allow_np:
            raise ValueError("Converting np.ndarray to mx.nd.NDArray is not allowed")
        return a.as_nd_ndarray()
    return a


class Updater:
    """Applies an optimizer to (index, grad, weight) triples, keeping the per-index states."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.states = {}
        self.states_synced = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight):
        opt = self.optimizer
        if (type(index) is int or type(index) is str) and self.states_synced.get(index) \
                and isinstance(grad, NDArray) and isinstance(weight, NDArray):
            # the Trainer's per-parameter call once the state exists: what the general path below
            # does for one (index, grad, weight), without its bookkeeping
            opt._set_current_context(weight.context.device_id)
            st = self.states[index]
            if self.aggregate_updates:
                opt.update_multi_precision([index], [weight], [grad], [st])
            else:
                opt.update_multi_precision(index, weight, grad, st)
            return
        allow_np = getattr(opt, "allow_np_array", False)
        if isinstance(index, (list, tuple)):
            indices = list(index)
            grads, weights = _as_classic(list(grad), allow_np), _as_classic(list(weight), allow_np)
        else:
            indices, grads, weights = [index], [_as_classic(grad, allow_np)], [_as_classic(weight, allow_np)]
        if weights:
            opt._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):
                indices[i] = idx = idx.decode()
            if idx not in self.states:
                self.states[idx] = opt.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                self.states[idx] = self.sync_state_context(self.states[idx], weights[i].context)
                self.states_synced[idx] = True
        if not self.aggregate_updates:
            for i, w, g in zip(indices, weights, grads):
                opt.update_multi_precision(i, w, g, self.states[i])
            return
        # fused updates: group by dtype, then chunks of aggregate_num weights
        by_dtype = {}
        for item in zip(indices, weights, grads):
            by_dtype.setdefault(item[1].dtype, []).append(item)
        n = opt.aggregate_num
        for items in by_dtype.values():
            for s in range(0, len(items), n):
                chunk = items[s:s + n]
                idxs, ws, gs = (list(x) for x in zip(*chunk))
                opt.update_multi_precision(idxs, ws, gs, [self.states[i] for i in idxs])

    def sync_state_context(self, state, context):
        """Move a state (NDArray or nested tuple/list of them) to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states):
        """Load states pickled by ``get_states`` (with or without the optimizer)."""
        states = pickle.loads(states)
        if isinstance(states, tuple) and len(states) == 2:
            self.states, self.optimizer = states
        else:
            self.states = states
        self.states_synced = dict.fromkeys(self.states, False)

    def get_states(self, dump_optimizer=False):
        """Pickle the states (and the optimizer when ``dump_optimizer``)."""
        return pickle.dumps((self.states, self.optimizer) if dump_optimizer else self.states)


def get_updater(optimizer):
    """An ``Updater`` for ``optimizer`` (what KVStore and Module call per weight)."""
    return Updater(optimizer)
