"""SGD-type optimizers: SGD (ccSGD), NAG, Signum, LARS, LBSGD, DCASGD and SGLD."""
import logging
import math
import os

import numpy

from .. import ndarray as nd
from ..ops._accel import jit
from ..ops.optimizer_ops import nag_mom_inplace
from ..ops.registry import get_op
from ..ndarray.ndarray import invoke
from .optimizer import Optimizer, register, _warn_fp16, check_update_shapes, raw, xp_of


def _flatten(groups):
    return [a for g in groups for a in g]


def _as_lists(indices, weights, grads, states):
    if isinstance(indices, (tuple, list)):
        return list(indices), list(weights), list(grads), list(states)
    return [indices], [weights], [grads], [states]


class _MasterCopyLast(Optimizer):
    """Optimizers whose multi-precision state is ``(state, float32 master copy)``."""

    _who = "SGD"

    def create_state_multi_precision(self, index, weight):
        if self.multi_precision and weight.dtype == numpy.float16:
            master = weight.astype(numpy.float32)
            return (self.create_state(index, master), master)
        _warn_fp16(weight, self.multi_precision, self._who)
        return self.create_state(index, weight)

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        # a lazy update keeps the momentum stored as the weight is (row_sparse with row_sparse)
        stype = weight.stype if getattr(self, "lazy_update", False) else "default"
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=stype)

    def _kwargs(self, momentum=None):
        kw = self._op_kwargs()
        if self.momentum > 0:
            kw["momentum"] = self.momentum if momentum is None else momentum
        return kw

    def _use_mp(self, weight):
        w = weight[0] if isinstance(weight, (tuple, list)) else weight
        return self.multi_precision and w.dtype == numpy.float16

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=self._use_mp(weight))

    def _single(self, weight, grad, state, lr, wd, kw, multi_precision, mom_op="sgd_mom_update",
                mp_mom_op="mp_sgd_mom_update", lazy=True):
        """One weight through the fused (mp_)sgd(_mom)_update operators."""
        extra = {"lazy_update": self.lazy_update} if lazy else {}
        if not multi_precision:
            if state is not None:
                getattr(nd, mom_op)(weight, grad, state, out=weight, lr=lr, wd=wd, **extra, **kw)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **extra, **kw)
        elif state[0] is not None:
            getattr(nd, mp_mom_op)(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kw)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kw)


@register
class SGD(_MasterCopyLast):
    """Stochastic gradient descent with optional momentum and weight decay.

    Several weights are updated by one fused ``multi_(mp_)sgd(_mom)_update`` call when the
    Updater hands over lists (``MXNET_OPTIMIZER_AGGREGATION_SIZE``, default 4).
    """

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = _as_lists(indices, weights, grads, states)
        aggregate = all(w.stype == "default" and g.stype == "default" for w, g in zip(weights, grads))
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        if aggregate and not multi_precision and all(w._data.dtype.kind == "f" for w in weights):
            clip = self.clip_gradient if self.clip_gradient else -1.0
            for w, g, s, lr, wd in zip(weights, grads, states, lrs, wds):
                check_update_shapes("sgd_update", w, g, s)
                _sgd_inplace(w._data, g._data, None if s is None else s._data, lr, wd,
                             self.momentum, self.rescale_grad, clip)
            return
        kw = self._kwargs()
        if not aggregate:
            for w, g, s, lr, wd in zip(weights, grads, states, lrs, wds):
                self._single(w, g, s, lr, wd, kw, multi_precision)
            return
        common = dict(out=weights, num_weights=len(weights), lrs=lrs, wds=wds, **kw)
        if not multi_precision:
            if self.momentum > 0:
                nd.multi_sgd_mom_update(*_flatten(zip(weights, grads, states)), **common)
            else:
                nd.multi_sgd_update(*_flatten(zip(weights, grads)), **common)
        elif self.momentum > 0:
            nd.multi_mp_sgd_mom_update(*_flatten(zip(weights, grads, *zip(*states))), **common)
        else:
            nd.multi_mp_sgd_update(*_flatten(zip(weights, grads, [s[1] for s in states])), **common)


def _sgd_inplace(w, g, mom, lr, wd, momentum, rescale, clip):
    """The (multi_)sgd(_mom)_update step on raw arrays, written into ``w`` (and ``mom``) in place
    with one temporary.  The arithmetic is the operators' own, in the same order and dtype
    (hyper-parameters rounded to float32 first), so the results are identical; only the
    intermediate arrays and the final copy are saved.  The C kernel, where it applies, makes the
    same operations in one pass."""
    kern = jit()
    if kern is not None and kern.sgd_update(w, g, mom, lr, wd, momentum, rescale, clip):
        return
    f = w.dtype.type
    lr, wd = f(numpy.float32(lr)), f(numpy.float32(wd))
    t = g * f(numpy.float32(rescale))
    if clip >= 0:
        c = f(numpy.float32(clip))
        t.clip(-c, c, out=t)
    # the decay term is computed even for wd=0, as MXNet's kernels do: 0 * inf makes an
    # infinite or NaN weight NaN
    t *= lr
    if mom is None:
        # w -= lr * g' + (lr * wd) * w (MXNet's multi_sgd_update bits)
        t += w * (lr * wd)
        w -= t
        return
    # mom = momentum * mom - lr * wd * w - lr * g';  w += mom
    mom *= f(numpy.float32(momentum))
    mom -= w * (lr * wd)
    mom -= t
    w += mom


@register
class ccSGD(SGD):  # noqa: N801 - MXNet's name
    """Deprecated alias of SGD."""


@register
class NAG(_MasterCopyLast):
    """Nesterov accelerated gradient descent."""

    _who = "NAG"

    def __init__(self, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kw = self._kwargs()
        if multi_precision or state is None:
            self._single(weight, grad, state, lr, wd, kw, multi_precision, mom_op=None,
                         mp_mom_op="mp_nag_mom_update", lazy=False)
            return
        # nag_mom_update(..., out=weight) in MXNet reads the already-updated weight for the
        # momentum's weight decay (the output aliases the weight); reproduce that exactly
        attrs = get_op("nag_mom_update").parse_attrs(dict(lr=lr, wd=wd, **kw))
        check_update_shapes("nag_mom_update", weight, grad, state)
        xp = xp_of(weight)
        w = raw(weight)
        w[...] = nag_mom_inplace(xp, attrs, [w, grad._data, raw(state)])

    def update_multi_precision(self, index, weight, grad, state):
        use_mp = self._use_mp(weight) and isinstance(state, (tuple, list))
        self._update_impl(index, weight, grad, state, multi_precision=use_mp)


@register
class Signum(Optimizer):
    """signSGD (momentum 0) and Signum: steps along the sign of the (momentum of the) gradient;
    ``wd_lh`` is a decoupled weight decay."""

    def __init__(self, learning_rate=0.01, momentum=0.9, wd_lh=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=weight.stype)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kw = self._op_kwargs()
        if self.momentum > 0:
            kw["momentum"] = self.momentum
        if self.wd_lh:
            kw["wd_lh"] = self.wd_lh
        if state is not None:
            nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
        else:
            kw.pop("wd_lh", None)
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kw)


def _l2(arr, scale=None):
    """Euclidean norm of an NDArray (times ``scale`` first), in float32, as a Python float."""
    xp = xp_of(arr)
    a = arr._data.astype(numpy.float32)
    if scale is not None:
        a = a * scale
    return float(xp.sqrt(xp.sum(a * a)))


_NO_LARS = ("gamma", "beta", "bias")


@register
class LARS(_MasterCopyLast):
    """SGD with layer-wise adaptive rate scaling (LARS, You et al. 2017).

    Parameters other than ``*gamma``/``*beta``/``*bias`` get lr * eta * |w| / (|g| + wd |w| + eps);
    ``momentum_correction`` scales the momentum by the ratio of the current to the last rate.
    """

    def __init__(self, momentum=0.0, lazy_update=True, eta=0.001, eps=0, momentum_correction=True,
                 **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr = None
        self.cur_lr = None

    def _get_lrs(self, indices):
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return self._scaled(indices, lr, "lr_mult", self.lr_mult)

    def _no_decay(self, name):
        return not name.endswith("_weight")

    def _name(self, i):
        return self.idx2name[i] if i in self.idx2name else str(i)

    def _get_lars(self, i, weight, g, lr, wd):
        if self._name(i).endswith(_NO_LARS):
            return lr
        w_norm = _l2(weight)
        g_norm = _l2(g, self.rescale_grad)
        if w_norm > 0.0 and g_norm > 0.0:
            return self.eta * w_norm / (g_norm + wd * w_norm + self.eps) * lr
        return lr

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = _as_lists(indices, weights, grads, states)
        aggregate = all(w.stype == "default" and g.stype == "default" for w, g in zip(weights, grads))
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        mom = self.momentum
        if self.momentum > 0 and self.momentum_correction and self.last_lr != 0:
            mom = self.momentum * (self.cur_lr / self.last_lr)
        kw = self._kwargs(mom)
        if not aggregate:
            lrs = [self._get_lars(i, w, g, lr, wd)
                   for i, w, g, lr, wd in zip(indices, weights, grads, lrs, wds)]
            for w, g, s, lr, wd in zip(weights, grads, states, lrs, wds):
                self._single(w, g, s, lr, wd, kw, multi_precision)
            return
        # LARS-scaled parameters first, then the others, as MXNet orders them
        names = [self._name(i) for i in indices]
        order = [k for k, n in enumerate(names) if not n.endswith(_NO_LARS)]
        n_lars = len(order)
        order += [k for k, n in enumerate(names) if n.endswith(_NO_LARS)]
        ctx = weights[0].context
        new_lrs = nd.array([lrs[k] for k in order], ctx=ctx, dtype="float32")
        new_wds = nd.array([wds[k] for k in order], ctx=ctx, dtype="float32")
        ws, gs, ss = ([seq[k] for k in order] for seq in (weights, grads, states))
        if n_lars:
            w_sq = nd.multi_sum_sq(*ws[:n_lars], num_arrays=n_lars)
            g_sq = nd.multi_sum_sq(*gs[:n_lars], num_arrays=n_lars)
            scaled = nd.multi_lars(new_lrs[:n_lars], w_sq, g_sq, new_wds[:n_lars], eta=self.eta,
                                   eps=self.eps, rescale_grad=self.rescale_grad)
            new_lrs._data[:n_lars] = scaled._data
        step = self.aggregate_num
        for s in range(0, len(ws), step):
            e = min(s + step, len(ws))
            tail = [new_lrs[s:e], new_wds[s:e]]
            common = dict(out=ws[s:e], num_weights=e - s, **kw)
            if not multi_precision:
                if self.momentum > 0:
                    nd.preloaded_multi_sgd_mom_update(
                        *_flatten(zip(ws[s:e], gs[s:e], ss[s:e])) + tail, **common)
                else:
                    nd.preloaded_multi_sgd_update(*_flatten(zip(ws[s:e], gs[s:e])) + tail, **common)
            elif self.momentum > 0:
                nd.preloaded_multi_mp_sgd_mom_update(
                    *_flatten(zip(ws[s:e], gs[s:e], *zip(*ss[s:e]))) + tail, **common)
            else:
                nd.preloaded_multi_mp_sgd_update(
                    *_flatten(zip(ws[s:e], gs[s:e], [st[1] for st in ss[s:e]])) + tail, **common)


@register
class LBSGD(Optimizer):
    """Large-batch SGD: accumulates ``batch_scale`` gradients before a step, with a warm-up of
    the rate multiplier ('linear', 'power2', 'sqrt') or LARS scaling ('lars')."""

    def __init__(self, momentum=0.0, multi_precision=False, warmup_strategy='linear', warmup_epochs=5,
                 batch_scale=1, updates_per_epoch=32, begin_epoch=0, num_epochs=60, **kwargs):
        super().__init__(**kwargs)
        logging.info("Running Large-Batch SGD Algorithm")
        logging.info("(Batch_scale=%f, warmup_epochs=%d, warmup_strategy=%s, updates_per_epoch=%d)",
                     batch_scale, warmup_epochs, warmup_strategy, updates_per_epoch)
        self.momentum = momentum
        self.multi_precision = multi_precision
        self.warmup_strategy = warmup_strategy
        self.warmup_epochs = warmup_epochs
        self.batch_scale = batch_scale
        self.updates_per_epoch = updates_per_epoch
        self.init_updates = begin_epoch * updates_per_epoch
        self.num_epochs = num_epochs
        self.lbmult = 1
        self.cumgrads = {}
        self.adaptive = False
        self.admult = 1

    def create_state(self, index, weight):
        if self.multi_precision and weight.dtype == numpy.float16:
            master = nd.array(weight, ctx=weight.context, dtype=numpy.float32)
            mom = None
            if self.momentum != 0.0:
                mom = nd.zeros(weight.shape, weight.context, dtype=numpy.float32)
            return (mom, master)
        _warn_fp16(weight, self.multi_precision, "SGD")
        if self.momentum != 0.0:
            return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)
        return None

    def _get_lbmult(self, nup):
        nwup = self.warmup_epochs * self.updates_per_epoch
        maxmult = float(self.batch_scale)
        if nup >= nwup:
            return maxmult
        if nwup <= 1:
            return 1.0
        if self.warmup_strategy == "linear":
            return 1.0 + (maxmult - 1) * nup / nwup
        if self.warmup_strategy == "power2":
            return 1.0 + (maxmult - 1) * (nup * nup) / (nwup * nwup)
        if self.warmup_strategy == "sqrt":
            return 1.0 + (maxmult - 1) * math.sqrt(float(nup) / nwup)
        return 1.0

    @staticmethod
    def _sq(v):
        return float((v._data * v._data).sum())

    def _get_lars(self, weight, g, wd):
        w2, g2 = self._sq(weight), self._sq(g)
        return min(max(math.sqrt(w2 / (g2 + wd * w2 + 1e-18)), 0.01), 100)

    def _cumulate_gradient(self, grad, index):
        prev = self.cumgrads.get(index)
        if prev and prev["num_cums"] > 0:
            cg = {"cum_grad": prev["cum_grad"] + grad, "num_cums": prev["num_cums"] + 1}
        else:
            cg = {"cum_grad": grad, "num_cums": self.init_updates + 1}
        self.cumgrads[index] = cg
        return cg

    def update(self, index, weight, grad, state):
        lr, wd = self._get_lr(index), self._get_wd(index)
        self._update_count(index)
        cg = self._cumulate_gradient(grad, index)
        if cg["num_cums"] % self.batch_scale != 0:
            # not a step yet: MXNet runs sgd_update with lr=0, which leaves the weight as it is
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)
            return
        grad = cg["cum_grad"] / self.batch_scale
        if self.warmup_strategy == "lars":
            lr = lr * self._get_lars(weight, grad, wd)
        else:
            lr = lr * self._get_lbmult(cg["num_cums"])
        kw = self._op_kwargs()
        if self.momentum > 0:
            kw["momentum"] = self.momentum
        if not isinstance(state, (list, tuple)):
            if state is not None:
                nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kw)
        elif state[0] is not None:
            nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kw)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kw)
        self.cumgrads[index]["cum_grad"] = 0


def _grad(opt, grad):
    """The rescaled, clipped gradient as a raw array (a new one: the caller's is untouched)."""
    g = grad._data * opt.rescale_grad
    if opt.clip_gradient is not None:
        g = g.clip(-opt.clip_gradient, opt.clip_gradient)
    return g


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD (Zheng et al. 2016); ``lamda`` scales the compensation."""

    def __init__(self, momentum=0.0, lamda=0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        mom = None if self.momentum == 0.0 else nd.zeros(weight.shape, weight.context, dtype=weight.dtype)
        return (mom, weight.copy())

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        g = _grad(self, grad)
        mom, prev = state
        w, pw = raw(weight), raw(prev)
        step = -lr * (g + wd * w + self.lamda * g * g * (w - pw))
        if mom is not None:
            m = raw(mom)
            m *= self.momentum
            m += step
            step = m
        pw[...] = w
        w += step


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: a half SGD step plus Gaussian noise of variance lr."""

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        g = _grad(self, grad)
        w = raw(weight)
        w += -lr / 2 * (g + wd * w)
        # the registry op behind mx.nd.random.normal, drawn from MXNet's global generator
        noise = invoke(get_op("_random_normal"), [], dict(loc=0.0, scale=math.sqrt(lr), shape=weight.shape,
                                                           dtype=weight.dtype), ctx=weight.context)
        w += noise._data
