"""``gluon.Trainer``: applies an optimizer to a set of Parameters."""
from .. import optimizer as opt
from ..base import MXNetError
from .parameter import ParameterDict, Parameter

_LOCAL_STORES = ("device", "local", "nccl", None)


class Trainer:
    """Updates Parameters with an Optimizer after each backward pass.

    Gradients from several contexts are summed (the in-process ``local``/``device``
    store); distributed stores need the ``[dist]`` extra and are not available yet.
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
        self._param2idx = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise ValueError("First argument must be a list or dict of Parameters, got list of "
                                 f"{type(param)}.")
            self._param2idx[param.name] = i
            self._params.append(param)
            param._trainer = self
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        optimizer_params = optimizer_params if optimizer_params else {}
        self._scale = float(optimizer_params.get("rescale_grad", 1.0))
        self._init_optimizer(optimizer, optimizer_params)
        is_dist = isinstance(kvstore, str) and kvstore.startswith(("dist", "horovod", "byteps"))
        if not (kvstore in _LOCAL_STORES or is_dist or hasattr(kvstore, "pushpull")):
            raise ValueError(f"Trainer: unknown kvstore {kvstore!r}")
        self._kvstore_arg = kvstore
        self._update_on_kvstore = bool(update_on_kvstore)
        self._kvstore = None
        self._kv_initialized = kvstore in _LOCAL_STORES

    def _init_kvstore(self):
        """Create the distributed (or given) store; every worker starts from worker 0's weights."""
        from .. import kvstore as kvs
        kv = kvs.create(self._kvstore_arg) if isinstance(self._kvstore_arg, str) else self._kvstore_arg
        if self._compression_params:
            kv.set_gradient_compression(self._compression_params)
        for i, param in enumerate(self._params):
            if param._data is not None:
                kv.broadcast(i, param.list_data()[0], out=param.list_data())
        self._kvstore = kv
        self._kv_initialized = True

    def _check_contexts(self):
        contexts = None
        for param in self._params:
            ctx = param.list_ctx() if (param._data is not None or param._deferred_init) else None
            if ctx is None:
                continue
            if contexts is not None and contexts != ctx:
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

    def _ensure_updaters(self):
        ctxs = self._check_contexts()
        if ctxs is not None and (self._contexts is None or len(ctxs) != len(self._updaters)):
            self._contexts = ctxs
            while len(self._updaters) < len(ctxs):
                self._updaters.append(opt.get_updater(self._optimizer))

    def step(self, batch_size, ignore_stale_grad=False):
        """One optimisation step: gradients are scaled by ``1 / batch_size``."""
        self._optimizer.rescale_grad = self._scale / batch_size
        self._ensure_updaters()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self):
        """Sum gradients over contexts (for use with ``update``)."""
        self._ensure_updaters()
        self._allreduce_grads()

    def _allreduce_grads(self):
        if not self._kv_initialized:
            self._init_kvstore()
        if self._kvstore is not None:
            for i, param in enumerate(self._params):
                if param.grad_req != "null" and param._grad is not None:
                    grads = param.list_grad()
                    self._kvstore.pushpull(i, grads, out=grads, priority=-i)
            return
        for param in self._params:
            if param.grad_req == "null" or param._grad is None or len(param._grad) < 2:
                continue
            grads = param.list_grad()
            total = grads[0].copy()
            for g in grads[1:]:
                total += g.as_in_context(total.context)
            for g in grads:
                total.copyto(g)

    def update(self, batch_size, ignore_stale_grad=False):
        """Apply the optimizer to already-reduced gradients."""
        self._optimizer.rescale_grad = self._scale / batch_size
        self._ensure_updaters()
        if not self._kv_initialized:
            self._init_kvstore()
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad=False):
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
            for upd, arr, grad, f in zip(self._updaters, param._data, param._grad, fresh):
                if not ignore_stale_grad or f:
                    upd(i, grad, arr)
            param._reset_fresh_grad()

    def save_states(self, fname):
        """Save the optimizer's state (momentum etc.) to ``fname``."""
        if not self._updaters:
            raise MXNetError("Trainer.save_states: no updater")
        data = self._updaters[0].get_states(dump_optimizer=True)
        import os
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
        with open(fname, "rb") as f:
            states = f.read()
        for updater in self._updaters:
            updater.set_states(states)
            updater.optimizer = self._updaters[0].optimizer
        self._optimizer = self._updaters[0].optimizer
        param_dict = {i: param for i, param in enumerate(self._params)}
        self._optimizer.param_dict = param_dict

