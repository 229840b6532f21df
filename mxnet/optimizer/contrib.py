"""Contrib optimizers (``mx.optimizer.contrib``): ``GroupAdaGrad``."""
from .. import ndarray as nd
from .optimizer import Optimizer, register


@register
class GroupAdaGrad(Optimizer):
    """AdaGrad with one history value per row of a 2-D weight (the mean of the row's squared
    gradients, accumulated): ``w -= lr * g / sqrt(history + eps)``.  Weight decay is not
    supported."""

    def __init__(self, eps=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        assert len(weight.shape) == 2, "GroupAdaGrad expects 2-D weights"
        return nd.zeros((weight.shape[0], 1), weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        assert wd == 0, "Weight decay is not supported for GroupAdaGrad"
        clip = -1.0 if self.clip_gradient is None else self.clip_gradient
        nd.contrib.group_adagrad_update(weight, grad, state, out=weight, lr=lr,
                                        rescale_grad=self.rescale_grad, clip_gradient=clip,
                                        epsilon=self.float_stable_eps)
