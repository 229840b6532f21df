"""The optimizers ``SVRGModule`` installs: a wrapper routing each key to the user's optimizer, or
(keys named ``<param>_full``, the full gradients kept in a KVStore) to a plain assignment."""
from ... import optimizer as opt


@opt.register
class _AssignmentOptimizer(opt.Optimizer):
    """Writes the pushed value over the stored one (how SVRG's full gradients reach a KVStore)."""

    def update(self, index, weight, grad, state):
        weight[:] = grad


# the Optimizer arguments the wrapper itself takes; every argument goes to the wrapped optimizer
_BASE_PARAMS = ("rescale_grad", "param_idx2name", "wd", "clip_gradient", "learning_rate",
                "lr_scheduler", "sym", "begin_num_update", "multi_precision", "param_dict")


@opt.register
class _SVRGOptimizer(opt.Optimizer):
    """Wraps ``default_optimizer`` (a name, created with ``kwargs``, or an Optimizer) for
    ``SVRGModule``: keys whose name contains ``full`` are assigned, the others go to it."""

    def __init__(self, default_optimizer, **kwargs):
        super().__init__(**{k: v for k, v in kwargs.items() if k in _BASE_PARAMS})
        if isinstance(default_optimizer, str):
            default_optimizer = opt.create(default_optimizer, **kwargs)
        self.default_opt = default_optimizer
        self.aux_opt = opt.create(_AssignmentOptimizer.__name__)

    def _name(self, index):
        """The parameter name of ``index`` (an int key of ``idx2name``, or already a name)."""
        return index if index in self.idx2name.values() else self.idx2name[index]

    def _target(self, index):
        return self.aux_opt if "full" in self._name(index) else self.default_opt

    def create_state(self, index, weight):
        return self._target(index).create_state(index, weight)

    def update(self, index, weight, grad, state):
        self._target(index).update(index, weight, grad, state)
