"""Adaptive-rate optimizers: Adam, AdaGrad, AdaDelta, RMSProp, Adamax, Nadam, FTML, Ftrl, LAMB,
and the ``Test`` optimizer."""
import math
import os

import numpy

from .. import ndarray as nd
from ..ndarray import NDArray
from ..ops._accel import jit
from .optimizer import Optimizer, register, check_update_shapes, raw, zeros_like_weight, xp_of
from .sgd import _grad


def _zeros(weight, same_dtype, stype=None):
    return zeros_like_weight(weight, weight.dtype if same_dtype else None, stype)


@register
class Adam(Optimizer):
    """Adam (Kingma & Ba); the bias corrections are folded into the rate given to ``adam_update``."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, lazy_update=True,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        stype = weight.stype if self.lazy_update else "default"
        return (_zeros(weight, True, stype), _zeros(weight, True, stype))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        lr *= math.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)
        kw = self._op_kwargs(beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon)
        mean, var = state
        if weight.stype == "default" and grad.stype == "default" and weight._data.dtype.kind == "f":
            check_update_shapes("adam_update", weight, grad, mean, var)
            _adam_inplace(xp_of(weight), weight._data, grad._data, mean._data, var._data, lr, wd,
                          self.beta1, self.beta2, self.epsilon, self.rescale_grad,
                          self.clip_gradient if self.clip_gradient else -1.0)
            return
        nd.adam_update(weight, grad, mean, var, out=weight, lazy_update=self.lazy_update, lr=lr, wd=wd, **kw)


def _adam_inplace(xp, w, g, mean, var, lr, wd, beta1, beta2, eps, rescale, clip):
    """``adam_update(..., out=weight)`` on raw arrays, in place with two temporaries: the
    operator's arithmetic in its order and dtype (hyper-parameters rounded to float32 first);
    the C kernel, where it applies, makes the same operations in one pass."""
    kern = jit()
    if kern is not None and kern.adam_update(w, g, mean, var, lr, wd, beta1, beta2, eps, rescale, clip):
        return
    f = w.dtype.type

    def c(v):
        return f(numpy.float32(v))

    b1, b2 = c(beta1), c(beta2)
    t = g * c(rescale)
    t += c(wd) * w   # even for wd=0, as MXNet: an infinite or NaN weight gives NaN moments
    if clip >= 0:
        t.clip(-c(clip), c(clip), out=t)
    u = t * (1 - b1)
    mean *= b1
    mean += u
    xp.multiply(t, 1 - b2, out=u)
    u *= t
    var *= b2
    var += u
    # w -= lr * mean / (sqrt(var) + eps)
    xp.sqrt(var, out=u)
    u += c(eps)
    xp.multiply(mean, c(lr), out=t)
    t /= u
    w -= t


@register
class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al.): per-element rates from the accumulated squared gradients;
    ``eps`` keeps the division stable."""

    def __init__(self, eps=1e-7, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return _zeros(weight, False, weight.stype)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        if grad.stype == "row_sparse":
            kw = {"epsilon": self.float_stable_eps, "rescale_grad": self.rescale_grad}
            if self.clip_gradient:
                kw["clip_gradient"] = self.clip_gradient
            nd.sparse.adagrad_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
            return
        xp = xp_of(weight)
        g = _grad(self, grad)
        h = raw(state)
        h += g * g
        div = g / xp.sqrt(h + self.float_stable_eps)
        w = raw(weight)
        w += (div + w * wd) * -lr


@register
class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton) or, with ``centered``, the variant of Graves (2013);
    ``clip_weights`` bounds the weights after each step."""

    def __init__(self, learning_rate=0.001, gamma1=0.9, gamma2=0.9, epsilon=1e-8, centered=False,
                 clip_weights=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        return tuple(_zeros(weight, False, weight.stype) for _ in range(3 if self.centered else 1))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kw = self._op_kwargs(gamma1=self.gamma1, epsilon=self.epsilon)
        if self.centered:
            kw["gamma2"] = self.gamma2
        if self.clip_weights:
            kw["clip_weights"] = self.clip_weights
        if self.centered:
            nd.rmspropalex_update(weight, grad, *state, out=weight, lr=lr, wd=wd, **kw)
        else:
            nd.rmsprop_update(weight, grad, state[0], out=weight, lr=lr, wd=wd, **kw)


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler 2012); uses no learning rate.  As in MXNet, the gradient array passed in
    is scaled by ``rescale_grad`` in place."""

    def __init__(self, rho=0.90, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (_zeros(weight, False), _zeros(weight, False))

    def update(self, index, weight, grad, state):
        wd = self._get_wd(index)
        self._update_count(index)
        xp = xp_of(weight)
        if grad._is_sparse:
            grad *= self.rescale_grad
        else:
            grad._data *= self.rescale_grad
        g = grad._data
        if self.clip_gradient is not None:
            g = g.clip(-self.clip_gradient, self.clip_gradient)
        acc_g, acc_delta = raw(state[0]), raw(state[1])
        rho = self.rho
        acc_g *= rho
        acc_g += (1.0 - rho) * g * g
        delta = xp.sqrt(acc_delta + self.epsilon) / xp.sqrt(acc_g + self.epsilon) * g
        acc_delta *= rho
        acc_delta += (1.0 - rho) * delta * delta
        w = raw(weight)
        w -= delta + wd * w


@register
class Ftrl(Optimizer):
    """FTRL-proximal (McMahan et al. 2013) with L1 strength ``lamda1`` and ``beta``."""

    def __init__(self, lamda1=0.01, learning_rate=0.1, beta=1, **kwargs):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight):
        return (_zeros(weight, False, weight.stype), _zeros(weight, False, weight.stype))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        wd, lr = self._get_wd(index), self._get_lr(index)
        kw = self._op_kwargs(lamda1=self.lamda1, beta=self.beta)
        z, n = state
        nd.ftrl_update(weight, grad, z, n, out=weight, lr=lr, wd=wd, **kw)


@register
class Adamax(Optimizer):
    """AdaMax, the infinity-norm variant of Adam."""

    def __init__(self, learning_rate=0.002, beta1=0.9, beta2=0.999, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index, weight):
        return (_zeros(weight, True), _zeros(weight, True))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        lr /= 1.0 - self.beta1 ** t
        xp = xp_of(weight)
        w = raw(weight)
        g = grad._data * self.rescale_grad + wd * w
        if self.clip_gradient is not None:
            g = g.clip(-self.clip_gradient, self.clip_gradient)
        m, u = raw(state[0]), raw(state[1])
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        u[...] = xp.maximum(self.beta2 * u, xp.abs(g))
        w -= lr * m / u


@register
class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat 2016); ``schedule_decay`` warms the momentum up.
    The momentum schedule product is shared by all weights, as in MXNet."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, schedule_decay=0.004,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    def create_state(self, index, weight):
        return (_zeros(weight, True), _zeros(weight, True))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        xp = xp_of(weight)
        w = raw(weight)
        g = grad._data * self.rescale_grad + wd * w
        if self.clip_gradient is not None:
            g = g.clip(-self.clip_gradient, self.clip_gradient)
        b1, b2 = self.beta1, self.beta2
        mom_t = b1 * (1.0 - 0.5 * pow(0.96, t * self.schedule_decay))
        mom_next = b1 * (1.0 - 0.5 * pow(0.96, (t + 1) * self.schedule_decay))
        self.m_schedule = self.m_schedule * mom_t
        m_schedule_next = self.m_schedule * mom_next
        m, v = raw(state[0]), raw(state[1])
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * g * g
        g_prime = g / (1.0 - self.m_schedule)
        m_prime = m / (1.0 - m_schedule_next)
        v_prime = v / (1.0 - pow(b2, t))
        m_bar = (1.0 - mom_t) * g_prime + mom_next * m_prime
        w -= lr * m_bar / (xp.sqrt(v_prime) + self.epsilon)


@register
class FTML(Optimizer):
    """FTML, Follow the Moving Leader (Zheng & Kwok 2017)."""

    def __init__(self, beta1=0.6, beta2=0.999, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return tuple(_zeros(weight, True) for _ in range(3))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kw = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
              "rescale_grad": self.rescale_grad, "t": self._index_update_count[index]}
        if self.clip_gradient:
            kw["clip_grad"] = self.clip_gradient
        nd.ftml_update(weight, grad, *state, out=weight, lr=lr, wd=wd, **kw)


def _norm(arr):
    """The L2 norm of an NDArray as a (1,)-shaped float32 NDArray (what NDArray.norm() gives)."""
    xp = xp_of(arr)
    a = arr._data.astype(numpy.float32)
    out = NDArray.__new__(NDArray)
    out._data = xp.sqrt(xp.sum(a * a)).reshape(1).astype(numpy.float32)
    out._ctx = arr.context
    out._entry = None
    return out


@register
class LAMB(Optimizer):
    """LAMB (You et al. 2019): Adam directions scaled per layer by |w| / |direction|;
    ``lower_bound``/``upper_bound`` clip |w|."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-6, lower_bound=None,
                 upper_bound=None, bias_correction=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "45"))))

    def create_state(self, index, weight):
        return (_zeros(weight, True), _zeros(weight, True))

    def _one(self, index, weight, grad, state, multi_precision, fused=False):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kw = self._op_kwargs(beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon,
                             bias_correction=self.bias_correction, t=self._index_update_count[index])
        bounds = {}
        if self.lower_bound:
            bounds["lower_bound"] = self.lower_bound
        if self.upper_bound:
            bounds["upper_bound"] = self.upper_bound
        if multi_precision:
            w32, (mean, var) = state
            g = nd.mp_lamb_update_phase1(weight, grad, mean, var, w32, wd=wd, **kw)
            if fused:
                # MXNet's fused multi_mp_lamb_update keeps the master copy current
                nd.lamb_update_phase2(w32, g, _norm(w32), _norm(g), lr=lr, out=w32, **bounds)
                weight._data[...] = w32._data.astype(weight._data.dtype)
            else:
                # mp_lamb_update_phase2 leaves weight32 as it was (MXNet 1.9.1 does the same)
                nd.mp_lamb_update_phase2(weight, g, _norm(w32), _norm(g), w32, lr=lr, out=weight, **bounds)
        else:
            mean, var = state
            g = nd.lamb_update_phase1(weight, grad, mean, var, wd=wd, **kw)
            nd.lamb_update_phase2(weight, g, _norm(weight), _norm(g), lr=lr, out=weight, **bounds)

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        # lists (from the Updater) are updated one weight at a time: MXNet's fused
        # multi_lamb_update computes the same steps
        if isinstance(index, (tuple, list)):
            for i, w, g, s in zip(index, weight, grad, state):
                self._one(i, w, g, s, multi_precision, fused=True)
        else:
            self._one(index, weight, grad, state, multi_precision)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        w = weight[0] if isinstance(weight, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and w.dtype == numpy.float16)


@register
class Test(Optimizer):
    """The optimizer MXNet's tests use: w += rescale_grad * g, and the state mirrors w."""

    def create_state(self, index, weight):
        return _zeros(weight, False)

    def update(self, index, weight, grad, state):
        w = weight._data
        w += grad._data * self.rescale_grad
        state._data[...] = w
