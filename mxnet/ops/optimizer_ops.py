"""Optimizer update operators (``sgd_update``, ``adam_update``, ``multi_sgd_update``, ...).

Each update returns the new weight as its output and updates its state inputs
(momentum, moments, float32 master weights) in place, as MXNet does; the weight
itself changes only when the caller passes ``out=weight`` (what ``mx.optimizer``
does).  Hyper-parameters are float32 in MXNet, so they are rounded to float32
and then used in the weight's dtype; arithmetic stays in that dtype.  None of
these operators is differentiable.
"""
import numpy as np

from ..base import MXNetError
from .registry import register, Param


def _c(w, v):
    """Hyper-parameter ``v`` as MXNet stores it (float32), in the dtype of array ``w``."""
    return w.dtype.type(np.float32(v))


def _clip(xp, g, clip):
    # a negative bound means "no clipping"; 0 clips everything to 0, as in MXNet
    return g if clip < 0 else xp.clip(g, -clip, clip)


def _rescale(xp, g, attrs, clip_name="clip_gradient"):
    return _clip(xp, g * _c(g, attrs.rescale_grad), _c(g, attrs[clip_name]))


def _set(dst, src):
    dst[...] = src
    return dst


def _check(opname, names, ins):
    s0 = ins[0].shape
    for n, a in zip(names[1:], ins[1:]):
        if a.shape != s0:
            raise MXNetError(f"Operator {opname}: shape of '{n}' {tuple(a.shape)} does not match "
                             f"the weight's shape {tuple(s0)}")


_LR = Param("lr", "float", doc="learning rate")
_WD = Param("wd", "float", 0.0, "weight decay (L2 penalty) coefficient")
_RESCALE = Param("rescale_grad", "float", 1.0, "factor the gradient is multiplied by first")
_CLIP = Param("clip_gradient", "float", -1.0, "clip the rescaled gradient to [-c, c]; < 0: no clipping")
_LAZY = Param("lazy_update", "bool", True, "update only rows present in a sparse gradient (dense: no effect)")
_MOM = Param("momentum", "float", 0.0, "momentum factor")


def _update_op(name, inputs, params, step, mutate, doc, mp=False):
    """Register an update op; ``step(xp, attrs, ins) -> new weight`` (states updated in place).

    ``mp``: the last input is a float32 master copy of a lower-precision weight; ``step``
    sees it in place of the weight (and a float32 gradient) and the output is cast back.
    """
    names = tuple(inputs)

    def forward(attrs, ins, ctx):
        _check(name, names, ins)
        if mp:
            w32 = ins[-1]
            if w32.dtype != np.float32:
                raise MXNetError(f"Operator {name}: 'weight32' must be float32, got {w32.dtype}")
            inner = [w32, ins[1].astype(np.float32)] + list(ins[2:-1])
            return _set(w32, step(ctx.xp, attrs, inner)).astype(ins[0].dtype)
        return step(ctx.xp, attrs, list(ins))

    def infer_shape(attrs, shapes):
        s = next((x for x in shapes if x is not None), None)
        return [s] * len(shapes), [s]

    def infer_type(attrs, types):
        t = types[0]
        return [np.dtype(np.float32) if mp and i == len(types) - 1 else t for i in range(len(types))], [t]

    register(name, forward, inputs=names, params=params, mutate_inputs=mutate, infer_shape=infer_shape,
             infer_type=infer_type, differentiable=False, doc=doc)


# -- SGD family -------------------------------------------------------------------------------
def _sgd(xp, attrs, ins):
    w, g = ins[0], ins[1]
    return (1 - _c(w, attrs.lr) * _c(w, attrs.wd)) * w - _c(w, attrs.lr) * _rescale(xp, g, attrs)


def _multi_sgd(xp, attrs, ins):
    """The multi-tensor kernels' form, MXNet's bits: w - (lr * g' + (lr * wd) * w), the decay
    term always computed (so an infinite or NaN weight gives NaN even with wd=0)."""
    w, g = ins[0], ins[1]
    lr = _c(w, attrs.lr)
    return w - (lr * _rescale(xp, g, attrs) + (lr * _c(w, attrs.wd)) * w)


def _sgd_mom(xp, attrs, ins):
    w, g, mom = ins[0], ins[1], ins[2]
    lr = _c(w, attrs.lr)
    _set(mom, _c(w, attrs.momentum) * mom - lr * _c(w, attrs.wd) * w - lr * _rescale(xp, g, attrs))
    return w + mom


def _nag_mom(xp, attrs, ins):
    w, g, mom = ins[0], ins[1], ins[2]
    m = _c(w, attrs.momentum)
    step = _c(w, attrs.lr) * (_rescale(xp, g, attrs) + _c(w, attrs.wd) * w)
    _set(mom, m * mom - step)
    return w + m * mom - step


def nag_mom_inplace(xp, attrs, ins):
    """The NAG step as MXNet computes it when the weight is updated in place (``out=weight``,
    and always for the float32 master copy of mp_nag_mom_update): the kernel writes the new
    weight first and the momentum's weight-decay term then reads that new weight.
    Returns the new weight; ``ins[2]`` (mom) is updated in place."""
    w, g, mom = ins[0], ins[1], ins[2]
    m, lr = _c(w, attrs.momentum), _c(w, attrs.lr)
    gr = _rescale(xp, g, attrs)
    step = lr * (gr + _c(w, attrs.wd) * w)
    new = w + m * (m * mom - step) - step
    _set(mom, m * mom - lr * (gr + _c(w, attrs.wd) * new))
    return new


_SGD_P = (_LR, _WD, _RESCALE, _CLIP, _LAZY)
_MOM_P = (_LR, _MOM, _WD, _RESCALE, _CLIP, _LAZY)
_NAG_P = (_LR, _MOM, _WD, _RESCALE, _CLIP)
_update_op("sgd_update", ("weight", "grad"), _SGD_P, _sgd, (), "SGD step: w -= lr * (g + wd * w).")
_update_op("sgd_mom_update", ("weight", "grad", "mom"), _MOM_P, _sgd_mom, (2,),
           "SGD with momentum: mom = momentum * mom - lr * (g + wd * w); w += mom.")
_update_op("mp_sgd_update", ("weight", "grad", "weight32"), _SGD_P, _sgd, (2,),
           "sgd_update on a float32 master copy of a low-precision weight.", mp=True)
_update_op("mp_sgd_mom_update", ("weight", "grad", "mom", "weight32"), _MOM_P, _sgd_mom, (2, 3),
           "sgd_mom_update on a float32 master copy of a low-precision weight.", mp=True)
_update_op("nag_mom_update", ("weight", "grad", "mom"), _NAG_P, _nag_mom, (2,),
           "Nesterov momentum step.")
_update_op("mp_nag_mom_update", ("weight", "grad", "mom", "weight32"), _NAG_P, nag_mom_inplace, (2, 3),
           "nag_mom_update on a float32 master copy of a low-precision weight.", mp=True)


# -- sign methods -------------------------------------------------------------------------------
def _signsgd(xp, attrs, ins):
    w, g = ins[0], ins[1]
    lr = _c(w, attrs.lr)
    return (1 - lr * _c(w, attrs.wd)) * w - lr * xp.sign(_rescale(xp, g, attrs))


def _signum(xp, attrs, ins):
    w, g, mom = ins[0], ins[1], ins[2]
    m = _c(w, attrs.momentum)
    _set(mom, m * mom - (1 - m) * _c(w, attrs.wd) * w - (1 - m) * _rescale(xp, g, attrs))
    lr = _c(w, attrs.lr)
    return (1 - lr * _c(w, attrs.wd_lh)) * w + lr * xp.sign(mom)


_update_op("signsgd_update", ("weight", "grad"), (_LR, _WD, _RESCALE, _CLIP), _signsgd, (),
           "signSGD step: w -= lr * sign(g), with weight decay.")
_update_op("signum_update", ("weight", "grad", "mom"),
           (_LR, _MOM, _WD, _RESCALE, _CLIP, Param("wd_lh", "float", 0.0, "decoupled weight decay")),
           _signum, (2,), "Signum step: the sign of a momentum of the gradient.")


# -- adaptive methods -----------------------------------------------------------------------------
def _adam(xp, attrs, ins):
    w, g, mean, var = ins
    g = _clip(xp, g * _c(w, attrs.rescale_grad) + _c(w, attrs.wd) * w, _c(w, attrs.clip_gradient))
    b1, b2 = _c(w, attrs.beta1), _c(w, attrs.beta2)
    _set(mean, b1 * mean + (1 - b1) * g)
    _set(var, b2 * var + (1 - b2) * g * g)
    return w - _c(w, attrs.lr) * mean / (xp.sqrt(var) + _c(w, attrs.epsilon))


_update_op("adam_update", ("weight", "grad", "mean", "var"),
           (_LR, Param("beta1", "float", 0.9), Param("beta2", "float", 0.999),
            Param("epsilon", "float", 1e-8), _WD, _RESCALE, _CLIP, _LAZY),
           _adam, (2, 3), "Adam step (without bias correction; the optimizer folds it into lr).")


def _rms_grad(xp, attrs, w, g):
    return _clip(xp, g * _c(w, attrs.rescale_grad) + _c(w, attrs.wd) * w, _c(w, attrs.clip_gradient))


def _clip_weights(xp, w, attrs):
    return _clip(xp, w, _c(w, attrs.clip_weights))


def _rmsprop(xp, attrs, ins):
    w, g, n = ins
    g = _rms_grad(xp, attrs, w, g)
    g1 = _c(w, attrs.gamma1)
    _set(n, (1 - g1) * g * g + g1 * n)
    return _clip_weights(xp, w - _c(w, attrs.lr) * g / xp.sqrt(n + _c(w, attrs.epsilon)), attrs)


def _rmspropalex(xp, attrs, ins):
    w, g, n, gm, delta = ins
    g = _rms_grad(xp, attrs, w, g)
    g1 = _c(w, attrs.gamma1)
    _set(n, (1 - g1) * g * g + g1 * n)
    _set(gm, (1 - g1) * g + g1 * gm)
    _set(delta, _c(w, attrs.gamma2) * delta
         - _c(w, attrs.lr) * g / xp.sqrt(n - gm * gm + _c(w, attrs.epsilon)))
    return _clip_weights(xp, w + delta, attrs)


_RMS_P = (Param("gamma1", "float", 0.95, "decay of the squared-gradient average"),)
_RMS_TAIL = (Param("epsilon", "float", 1e-8), _WD, _RESCALE, _CLIP,
             Param("clip_weights", "float", -1.0, "clip the weights to [-c, c]; < 0: no clipping"))
_update_op("rmsprop_update", ("weight", "grad", "n"), (_LR,) + _RMS_P + _RMS_TAIL, _rmsprop, (2,),
           "RMSProp step (Tieleman & Hinton).")
_update_op("rmspropalex_update", ("weight", "grad", "n", "g", "delta"),
           (_LR,) + _RMS_P + (Param("gamma2", "float", 0.9, "momentum of the step"),) + _RMS_TAIL,
           _rmspropalex, (2, 3, 4), "Centered RMSProp step (Graves 2013).")


def _ftrl(xp, attrs, ins):
    w, g, z, n = ins
    g = _rescale(xp, g, attrs)
    lr = _c(w, attrs.lr)
    _set(z, z + g - (xp.sqrt(n + g * g) - xp.sqrt(n)) * w / lr)
    _set(n, n + g * g)
    lam = _c(w, attrs.lamda1)
    new = (xp.sign(z) * lam - z) / ((_c(w, attrs.beta) + xp.sqrt(n)) / lr + _c(w, attrs.wd))
    return new * (xp.abs(z) > lam).astype(w.dtype)


_update_op("ftrl_update", ("weight", "grad", "z", "n"),
           (_LR, Param("lamda1", "float", 0.01, "L1 regularisation"), Param("beta", "float", 1.0),
            _WD, _RESCALE, _CLIP), _ftrl, (2, 3), "FTRL-proximal step.")


def _adagrad(xp, attrs, ins):
    w, g, history = ins
    g = _rescale(xp, g, attrs)
    _set(history, history + g * g)
    return w - _c(w, attrs.lr) * g / xp.sqrt(history + _c(w, attrs.epsilon))


def _sparse_only(attrs, ins, ctx):
    raise MXNetError("Operator _sparse_adagrad_update: not implemented for dense inputs: it needs a "
                     "row_sparse grad, with weight and history both default or both row_sparse, "
                     "and wd=0")


# MXNet has only the row_sparse form (mx.nd.sparse.adagrad_update, in ndarray/sparse_update.py);
# ``_adagrad`` is its step
register("_sparse_adagrad_update", _sparse_only, inputs=("weight", "grad", "history"),
         params=(_LR, Param("epsilon", "float", 1e-7), _WD, _RESCALE, _CLIP), mutate_inputs=(2,),
         infer_shape=lambda attrs, shapes: ([next((x for x in shapes if x is not None), None)] * 3,
                                            [next((x for x in shapes if x is not None), None)]),
         differentiable=False, doc="AdaGrad step on a row_sparse gradient (the rows it holds).")


def _ftml(xp, attrs, ins):
    w, g, d, v, z = ins
    g = _clip(xp, g * _c(w, attrs.rescale_grad) + _c(w, attrs.wd) * w, _c(w, attrs.clip_grad))
    b1, b2 = _c(w, attrs.beta1), _c(w, attrs.beta2)
    t = attrs.t
    _set(v, b2 * v + (1 - b2) * g * g)
    # epsilon is a double parameter in MXNet, and the bias corrections are computed in double
    d_t = w.dtype.type((1 - float(b1) ** t) / float(_c(w, attrs.lr))) * \
        (xp.sqrt(v / w.dtype.type(1 - float(b2) ** t)) + w.dtype.type(attrs.epsilon))
    _set(z, b1 * z + (1 - b1) * g - (d_t - b1 * d) * w)
    _set(d, d_t)
    return -z / d_t


_update_op("ftml_update", ("weight", "grad", "d", "v", "z"),
           (_LR, Param("beta1", "float", 0.6), Param("beta2", "float", 0.999),
            Param("epsilon", "float", 1e-8), Param("t", "int", doc="number of the update (from 1)"),
            _WD, _RESCALE, Param("clip_grad", "float", -1.0, "clip the gradient; < 0: no clipping")),
           _ftml, (2, 3, 4), "FTML step (Follow the Moving Leader).")


# -- LAMB -----------------------------------------------------------------------------------------
def _lamb1(xp, attrs, ins):
    w, g, mean, var = ins
    g = _rescale(xp, g, attrs)
    b1, b2 = _c(w, attrs.beta1), _c(w, attrs.beta2)
    _set(mean, b1 * mean + (1 - b1) * g)
    _set(var, b2 * var + (1 - b2) * g * g)
    m, v = mean, var
    if attrs.bias_correction:
        m = mean / w.dtype.type(1 - b1 ** attrs.t)
        v = var / w.dtype.type(1 - b2 ** attrs.t)
    return m / (xp.sqrt(v) + _c(w, attrs.epsilon)) + _c(w, attrs.wd) * w


def _lamb2(xp, attrs, ins):
    w, g, r1, r2 = ins
    r1 = r1.reshape(()).astype(w.dtype)
    r2 = r2.reshape(()).astype(w.dtype)
    if attrs.lower_bound >= 0:
        r1 = xp.maximum(r1, _c(w, attrs.lower_bound))
    if attrs.upper_bound >= 0:
        r1 = xp.minimum(r1, _c(w, attrs.upper_bound))
    ratio = xp.where((r1 == 0) | (r2 == 0), w.dtype.type(1), r1 / xp.where(r2 == 0, 1, r2))
    return w - _c(w, attrs.lr) * ratio * g.astype(w.dtype)


def _lamb_op(name, mp):
    p1 = (Param("beta1", "float", 0.9), Param("beta2", "float", 0.999), Param("epsilon", "float", 1e-6),
          Param("t", "int", doc="number of the update (from 1)"),
          Param("bias_correction", "bool", True), Param("wd", "float", doc="weight decay"),
          _RESCALE, _CLIP)
    p2 = (_LR, Param("lower_bound", "float", -1.0, "lower clip of the weight norm; < 0: none"),
          Param("upper_bound", "float", -1.0, "upper clip of the weight norm; < 0: none"))
    w32 = ("weight32",) if mp else ()

    def phase1(attrs, ins, ctx):
        _check(name + "_phase1", ("weight", "grad", "mean", "var") + w32, ins)
        if mp:
            return _lamb1(ctx.xp, attrs, [ins[4], ins[1].astype(np.float32), ins[2], ins[3]])
        return _lamb1(ctx.xp, attrs, list(ins))

    def phase2(attrs, ins, ctx):
        if mp:
            # MXNet 1.9.1 does not write the new master weight back into weight32 here
            return _lamb2(ctx.xp, attrs, [ins[4]] + list(ins[1:4])).astype(ins[0].dtype)
        return _lamb2(ctx.xp, attrs, list(ins))

    def shape1(attrs, shapes):
        s = next((x for x in shapes if x is not None), None)
        return [s] * len(shapes), [s]

    def shape2(attrs, shapes):
        s = shapes[0] if shapes[0] is not None else shapes[1]
        ins = [s, s, (1,), (1,)] + ([s] if mp else [])
        return ins, [s]

    register(name + "_phase1", phase1, inputs=("weight", "grad", "mean", "var") + w32, params=p1,
             mutate_inputs=(2, 3), infer_shape=shape1, differentiable=False,
             infer_type=lambda a, t: ([t[0]] * 4 + ([np.dtype(np.float32)] if mp else []),
                                      [np.dtype(np.float32) if mp else t[0]]),
             doc="LAMB phase 1: the Adam-style direction g (with weight decay); updates mean/var.")
    register(name + "_phase2", phase2, inputs=("weight", "g", "r1", "r2") + w32, params=p2,
             infer_shape=shape2, differentiable=False,
             doc="LAMB phase 2: w -= lr * (r1 / r2) * g, with r1 = |w| clipped and r2 = |g|.")


_lamb_op("lamb_update", False)
_lamb_op("mp_lamb_update", True)


# -- multi-tensor SGD ---------------------------------------------------------------------------
def _multi_sgd_op(name, per, step, mp, preloaded):
    """``data`` holds ``per`` arrays for each weight (weight, grad[, mom][, weight32]); the preloaded
    forms end with two float32 arrays holding every learning rate and weight decay."""
    params = ([] if preloaded else [Param("lrs", "floats", doc="learning rate of each weight"),
                                    Param("wds", "floats", doc="weight decay of each weight")])
    if step is _sgd_mom:
        params.append(_MOM)
    params += [_RESCALE, _CLIP, Param("num_weights", "int", 1, "number of weights updated")]

    def forward(attrs, ins, ctx):
        n = attrs.num_weights
        want = n * per + (2 if preloaded else 0)
        if len(ins) != want:
            raise MXNetError(f"Operator {name}: expected {want} input arrays for num_weights={n}, "
                             f"got {len(ins)}")
        if preloaded:
            lrs, wds = ins[-2].tolist(), ins[-1].tolist()
        else:
            lrs, wds = attrs.lrs, attrs.wds
            if len(lrs) < n or len(wds) < n:
                raise MXNetError(f"Operator {name}: lrs and wds need num_weights={n} values, got "
                                 f"{len(lrs)} and {len(wds)}")
        outs = []
        for i in range(n):
            group = list(ins[i * per:(i + 1) * per])
            a = dict(attrs)
            a.update(lr=lrs[i], wd=wds[i])
            a = type(attrs)(a)
            _check(name, ("weight", "grad", "state", "weight32")[:per], group)
            if mp:
                w32 = group[-1]
                inner = [w32, group[1].astype(np.float32)] + group[2:-1]
                outs.append(_set(w32, step(ctx.xp, a, inner)).astype(group[0].dtype))
            else:
                outs.append(step(ctx.xp, a, group))
        return tuple(outs)

    # the count parameter num_weights is not the number of inputs, so the variadic marker names
    # no parameter (the front end would otherwise overwrite num_weights with len(data)); the
    # mutated states depend on num_weights, which mutate_inputs (a fixed tuple) cannot express
    register(name, forward, inputs=("data",), params=tuple(params), variadic="__num_inputs__",
             num_outputs=lambda attrs: attrs.num_weights, differentiable=False,
             doc="Fused update of several weights in one call.")


for _pre in (False, True):
    _p = "preloaded_" if _pre else ""
    _multi_sgd_op(_p + "multi_sgd_update", 2, _multi_sgd, False, _pre)
    _multi_sgd_op(_p + "multi_sgd_mom_update", 3, _sgd_mom, False, _pre)
    _multi_sgd_op(_p + "multi_mp_sgd_update", 3, _multi_sgd, True, _pre)
    _multi_sgd_op(_p + "multi_mp_sgd_mom_update", 4, _sgd_mom, True, _pre)


# -- helpers used by the optimizers and AMP -----------------------------------------------------
def _multi_sum_sq(attrs, ins, ctx):
    xp = ctx.xp
    return xp.asarray([float(xp.sum(xp.square(a.astype(np.float32)))) for a in ins], dtype=np.float32)


register("multi_sum_sq", _multi_sum_sq, inputs=("data",), variadic="num_arrays",
         params=(Param("num_arrays", "int", doc="number of arrays"),), differentiable=False,
         doc="Sum of squares of each input array (float32 vector, one value per array).")


def _multi_lars(attrs, ins, ctx):
    xp = ctx.xp
    lrs, wss, gss, wds = ins
    f = np.float32
    w = xp.sqrt(wss)
    g = xp.sqrt(gss) * f(attrs.rescale_grad)
    ok = (w > 0) & (g > 0)
    lars = f(attrs.eta) * w / xp.where(ok, g + wds * w + f(attrs.eps), 1)
    return (lrs * xp.where(ok, lars, f(1))).astype(lrs.dtype)


register("multi_lars", _multi_lars, inputs=("lrs", "weights_sum_sq", "grads_sum_sq", "wds"),
         params=(Param("eta", "float", doc="LARS trust coefficient"), Param("eps", "float"), _RESCALE),
         differentiable=False, doc="Layer-wise adaptive learning rates (LARS) from sums of squares.")


def _all_finite(arrays, xp):
    ok = all(bool(xp.isfinite(a).all()) for a in arrays)
    return xp.asarray([1.0 if ok else 0.0], dtype=np.float32)


register("all_finite", lambda attrs, ins, ctx: _all_finite(ins, ctx.xp), inputs=("data",),
         params=(Param("init_output", "bool", True, "start from 1 (the output is always fresh here)"),),
         differentiable=False, doc="[1.] when every element is finite, else [0.].")
register("multi_all_finite", lambda attrs, ins, ctx: _all_finite(ins, ctx.xp), inputs=("data",),
         variadic="num_arrays",
         params=(Param("num_arrays", "int", 1, "number of arrays"),
                 Param("init_output", "bool", True, "start from 1 (the output is always fresh here)")),
         differentiable=False, doc="[1.] when every element of every input is finite, else [0.].")


def _reset_arrays(attrs, ins, ctx):
    for a in ins:
        a[...] = 0
    return ()


register("reset_arrays", _reset_arrays, inputs=("data",), variadic="num_arrays",
         params=(Param("num_arrays", "int", doc="number of arrays"),), num_outputs=0, differentiable=False,
         doc="Sets every input array to zero in place.")
