"""``gluon.Trainer``: applies an optimizer to a set of Parameters."""
import os

from .. import optimizer as opt
from ..base import MXNetError
from ..kvstore import KVStore, KVStoreBase, create as _create_store, _choose_store
from .parameter import ParameterDict, Parameter


def _dense_store(kvstore, num_device, params):
    """The store for dense weights and whether it runs the optimizer (see ``_choose_store``)."""
    largest = max((p._data[0].size if p._data else 0 for p in params), default=0)
    return _choose_store(kvstore, num_device, largest)


def _sparse_store(kvstore):
    """The store holding ``row_sparse`` weights: always one that runs the optimizer."""
    if isinstance(kvstore, KVStore):
        kv = kvstore
    elif isinstance(kvstore, str):
        kv = _create_store(kvstore)
    else:
        raise TypeError(f"Cannot create '{kvstore}' KVStore with row_sparse parameters. The type must "
                        "be KVStore or str.")
    if not kv.is_capable(KVStoreBase.OPTIMIZER):
        raise AssertionError(f"KVStore with sparse weight requires optimizer support. However, "
                             f"type({kv}) does not support optimizer. Please consider other kvstore "
                             "backends (e.g. dist_device) instead.")
    return kv, True


class Trainer:
    """Updates Parameters with an Optimizer after each backward pass.

    Gradients from several contexts are summed through a KVStore (created on the first step
    from ``kvstore``), which also applies the optimizer when ``update_on_kvstore``; with one
    context and a local store name no store is made and the optimizer runs on the device.
    ``row_sparse`` weights live in the store and are read back with ``row_sparse_data``.
    """

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device", compression_params=None,
                 update_on_kvstore=None):
        param_list = []
        if isinstance(params, (dict, ParameterDict)):
            for key in sorted(list(params.keys())):
                param_list.append(params[key])
            params = param_list
        if not isinstance(params, (list, tuple)):
            raise ValueError("First argument must be a list or dict of Parameters, got "
                             f"{type(params)}.")
        self._params = []
        self._contains_sparse_weight = False
        self._contains_sparse_grad = False
        self._param2idx = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise ValueError("First argument must be a list or dict of Parameters, got list of "
                                 f"{type(param)}.")
            self._param2idx[param.name] = i
            self._params.append(param)
            param._set_trainer(self)
            self._contains_sparse_weight |= param._stype != "default"
            self._contains_sparse_grad |= param._grad_stype != "default"
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        self._init_optimizer(optimizer, optimizer_params if optimizer_params else {})
        self._scale = self._optimizer.rescale_grad
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._reset_kvstore()

    def _check_contexts(self):
        contexts = None
        for param in self._params:
            ctx = param.list_ctx() if (param._data is not None or param._deferred_init) else None
            if ctx is None:
                continue
            # beyond MXNet: parameters on one context each may differ (model parallelism)
            if contexts is not None and contexts != ctx and not (len(ctx) == 1 == len(contexts)):
                raise AssertionError(f"All Parameters must be initialized on the same set of contexts, but "
                                     f"Parameter {param.name} is initialized on {ctx} while previous "
                                     f"Parameters are initialized on {contexts}.")
            contexts = ctx
        return contexts

    def _init_optimizer(self, optimizer, optimizer_params):
        param_dict = {i: param for i, param in enumerate(self._params)}
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise AssertionError("optimizer_params must be None if optimizer is an instance of "
                                     "Optimizer instead of str")
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer)
                          for _ in (self._contexts or [None])]

    # -- the store ----------------------------------------------------------------
    def _reset_kvstore(self):
        """Forget the store: the next step makes a new one from the current weights."""
        if self._kvstore_is_dist():
            raise RuntimeError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _kvstore_is_dist(self):
        kv = getattr(self, "_kvstore", None)
        return kv is not None and "dist" in kv.type

    def _init_kvstore(self):
        """Create the store (if any) and decide where the optimizer runs."""
        config = self._kvstore_params
        num_device = len(self._contexts) if self._contexts else 1
        if self._contains_sparse_weight:
            kvstore, update_on_kvstore = _sparse_store(config["kvstore"])
            self._distributed = "dist" in kvstore.type
            if config["update_on_kvstore"] is False:
                raise ValueError("Cannot set update_on_kvstore=False when sparse weights are present.")
        elif self._contains_sparse_grad:
            kvstore, _ = _dense_store(config["kvstore"], num_device, self._params)
            self._distributed = "dist" in kvstore.type if kvstore else False
            update_on_kvstore = self._distributed
            if config["update_on_kvstore"] is not None:
                if config["update_on_kvstore"] is False and self._distributed:
                    raise ValueError("Cannot set update_on_kvstore=False on dist kvstore when sparse "
                                     "gradients are present.")
                update_on_kvstore = config["update_on_kvstore"]
            if kvstore is not None and not isinstance(kvstore, KVStore):
                raise ValueError(f"Cannot use {type(kvstore)} for multi-device training with sparse "
                                 "gradients")
        else:
            kvstore, update_on_kvstore = _dense_store(config["kvstore"], num_device, self._params)
            self._distributed = "dist" in kvstore.type if kvstore else False
            if self._distributed and "async" in kvstore.type:
                update_on_kvstore = True
                if config["update_on_kvstore"] is False:
                    raise ValueError("Please set update_on_kvstore=True when training in async mode.")
            if config["update_on_kvstore"] is not None:
                update_on_kvstore = config["update_on_kvstore"]
            if update_on_kvstore and not kvstore.is_capable(KVStoreBase.OPTIMIZER):
                if config["update_on_kvstore"]:
                    raise ValueError(f"Please set update_on_kvstore=False when training with "
                                     f"{type(kvstore)}")
                update_on_kvstore = False
        if kvstore:
            if self._compression_params:
                kvstore.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                kvstore.set_optimizer(self._optimizer)
            self._kvstore = kvstore
            self._update_on_kvstore = update_on_kvstore
        else:
            self._kvstore = None
            self._update_on_kvstore = None
        self._kv_initialized = True

    def _init_params(self):
        """Put the initialised weights into the store (every device starts from the first
        device's copy); parameters still waiting for their shape are kept for later."""
        waiting = []
        if self._kvstore:
            for param in self._params_to_init:
                if param._deferred_init:
                    waiting.append(param)
                    continue
                arrays = param._check_and_get(param._data, list)
                idx = self._param2idx[param.name]
                if param._stype != "default":
                    self._kvstore.init(idx, arrays[0])
                else:
                    self._kvstore.broadcast(idx, arrays[0], arrays)
        self._params_to_init = waiting

    def _prepare(self):
        """Create the store and fill it, as far as the parameters are initialised."""
        self._ensure_updaters()
        if not self._kv_initialized:
            self._init_kvstore()
        if self._params_to_init:
            self._init_params()

    def _row_sparse_pull(self, parameter, out, row_id, full_idx=False):
        """Fetch the rows ``row_id`` of a ``row_sparse`` parameter from the store into ``out``
        (every row with ``full_idx``, by a plain pull where the store is local)."""
        self._prepare()
        idx = self._param2idx[parameter.name]
        if full_idx and "dist" not in self._kvstore.type:
            self._kvstore.pull(idx, out=out, priority=-idx, ignore_sparse=False)
        else:
            self._kvstore.row_sparse_pull(idx, out=out, row_ids=row_id, priority=-idx)

    # -- optimizer settings -------------------------------------------------------------
    @property
    def learning_rate(self):
        if not isinstance(self._optimizer, opt.Optimizer):
            raise UserWarning("Optimizer has to be defined before its learning rate can be accessed.")
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        if isinstance(self._optimizer, opt.Optimizer):
            return self._optimizer
        raise UserWarning("Optimizer has not been initialized yet")

    def set_learning_rate(self, lr):
        """Set a new learning rate for the optimizer."""
        if not isinstance(self._optimizer, opt.Optimizer):
            raise UserWarning("Optimizer has to be defined before its learning rate is mutated.")
        self._optimizer.set_learning_rate(lr)

    def _check_and_rescale_grad(self, scale):
        if self._update_on_kvstore and self._distributed and self._kv_initialized:
            if self._optimizer.rescale_grad != scale:
                raise UserWarning("Possible change in the `batch_size` from previous `step` detected. "
                                  "Optimizer gradient normalizing factor will not change w.r.t new "
                                  "batch_size when update_on_kvstore=True and when distributed kvstore "
                                  "is used.")
        self._optimizer.rescale_grad = scale

    def _ensure_updaters(self):
        ctxs = self._check_contexts()
        if ctxs is not None and (self._contexts is None or len(ctxs) != len(self._updaters)):
            self._contexts = ctxs
            while len(self._updaters) < len(ctxs):
                self._updaters.append(opt.get_updater(self._optimizer))

    # -- a step -----------------------------------------------------------------------
    def step(self, batch_size, ignore_stale_grad=False):
        """One optimisation step (``allreduce_grads`` then ``update``): gradients are scaled by
        ``1 / batch_size``."""
        self._check_and_rescale_grad(self._scale / batch_size)
        self._prepare()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self):
        """Sum gradients over contexts (for use with ``update``)."""
        self._prepare()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError("allreduce_grads() when parameters are updated on kvstore is not "
                                 "supported. Try setting `update_on_kvstore` to False when creating "
                                 "trainer.")
        self._allreduce_grads()

    def _allreduce_grads(self):
        if not self._kvstore:
            return
        keys, grad_lists, outs = [], [], []
        for i, param in enumerate(self._params):
            if param.grad_req == "null" or param._grad is None:
                continue
            grads = param._check_and_get(param._grad, list)
            if grads[0]._is_sparse:
                # sparse gradients are pushed, then (for a dense weight) the updated weight or the
                # summed gradient pulled; a row_sparse weight stays in the store, read back by
                # row_sparse_data
                self._kvstore.push(i, grads, priority=-i)
                if param._stype == "default":
                    pull = param._check_and_get(param._data if self._update_on_kvstore else param._grad, list)
                    self._kvstore.pull(i, pull, priority=-i, ignore_sparse=self._distributed)
                continue
            # with update_on_kvstore the store sums the gradients, updates its weight and sends
            # it to every device
            out = param._check_and_get(param._data, list) if self._update_on_kvstore else None
            if getattr(self._kvstore, "_batch_pushpull", False):
                keys.append(i)
                grad_lists.append(grads)
                outs.append(out if out is not None else grads)
            else:
                self._kvstore.pushpull(i, grads, out=out, priority=-i)
        if keys:
            # one call for all keys, so a distributed store can pack them into fusion buffers
            self._kvstore.pushpull(keys, grad_lists, out=outs)

    def update(self, batch_size, ignore_stale_grad=False):
        """Apply the optimizer to already-reduced gradients."""
        self._prepare()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError("update() when parameters are updated on kvstore is not supported. "
                                 "Try setting `update_on_kvstore` to False when creating trainer.")
        self._check_and_rescale_grad(self._scale / batch_size)
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad=False):
        loss_scaler = getattr(self, "_amp_loss_scaler", None)
        if loss_scaler is not None and loss_scaler.has_overflow(self._params):
            return  # AMP: gradients overflowed at this loss scale, skip the step
        on_store = self._kvstore is not None and self._update_on_kvstore
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            if param._data is None:
                if param._deferred_init:
                    if ignore_stale_grad:
                        continue
                    raise MXNetError(f"Parameter '{param.name}' has not been initialized yet because "
                                     "initialization was deferred; run a forward pass before step()")
                raise MXNetError(f"Parameter '{param.name}' has not been initialized")
            fresh = param._fresh_grad_flags()
            if not ignore_stale_grad:
                for data, f in zip(param._data, fresh):
                    if not f:
                        raise UserWarning(
                            f"Gradient of Parameter `{param.name}` on context {data.context} has not been "
                            "updated by backward since last `step`. This could mean a bug in your model "
                            "that made it only use a subset of the Parameters (Blocks) for this iteration. "
                            "If you are intentionally only using a subset, call step with "
                            "ignore_stale_grad=True to suppress this warning and skip updating of "
                            "Parameters with stale gradient")
            if on_store:
                # the store updated the weights in _allreduce_grads (and, as in MXNet, the
                # gradients stay marked fresh)
                continue
            for upd, arr, grad, f in zip(self._updaters, param._data, param._grad, fresh):
                if not ignore_stale_grad or f:
                    upd(i, grad, arr)
            param._reset_fresh_grad()

    # -- optimizer state ------------------------------------------------------------------
    def save_states(self, fname):
        """Save the optimizer's state (momentum etc.) to ``fname``."""
        assert self._optimizer is not None
        self._prepare()
        if self._update_on_kvstore:
            if self._params_to_init:
                raise AssertionError("Cannot save trainer states when some parameters are not yet "
                                     "initialized in kvstore.")
            data = self._kvstore._updater.get_states(dump_optimizer=True)
        else:
            data = self._updaters[0].get_states(dump_optimizer=True)
        # written beside the target and renamed, so a failed save leaves the old file intact
        import tempfile
        d = os.path.dirname(os.path.abspath(fname))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-states-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, fname)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise

    def load_states(self, fname):
        """Load optimizer state saved by ``save_states``."""
        self._prepare()
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            self._optimizer = self._kvstore._updater.optimizer
        else:
            with open(fname, "rb") as f:
                states = f.read()
            for updater in self._updaters:
                updater.set_states(states)
                updater.optimizer = self._updaters[0].optimizer
            self._optimizer = self._updaters[0].optimizer
        self._optimizer.param_dict = {i: param for i, param in enumerate(self._params)}
