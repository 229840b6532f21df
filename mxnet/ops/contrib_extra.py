"""More contrib operators: the Hawkes process log-likelihood, box_encode/box_decode,
gradientmultiplier, the straight-through estimators round_ste/sign_ste, and the AdamW and group
AdaGrad updates."""
import numpy as np

from ..base import MXNetError
from .registry import Param, register


# -- hawkesll ---------------------------------------------------------------------------------------
def _hawkes(ins, xp):
    """Log-likelihoods, final memories and the derivatives the backward needs.

    Marks are independent processes; the memory of mark k, ``s_k(t) = sum exp(-beta_k (t - t_i))``
    over its past events (plus the given state decayed from time 0), decays between events, so one
    pass over each sequence gives the intensities ``lda + alpha beta s`` at the events and the
    compensator ``lda T + alpha (s_k(0) + n_k - s_k(T))``.  Alongside, the pass carries
    ``ds/dbeta``, from which the gradients follow.
    """
    lda, alpha, beta, state, lags, marks, valid_length, max_time = ins
    n_seq, k_marks = lda.shape
    f = np.float64
    lda, alpha, beta, s0 = (xp.asarray(a, dtype=f) for a in (lda, alpha, beta, state))
    lags, valid, tmax = xp.asarray(lags, dtype=f), xp.asarray(valid_length), xp.asarray(max_time, dtype=f)
    marks = xp.asarray(marks).astype(np.int64)
    rows = xp.arange(n_seq)
    s = s0.copy()                       # memory per (sequence, mark) at its last update
    ds_db = xp.zeros_like(s)            # d s / d beta
    last = xp.zeros_like(s)             # time of the last update
    count = xp.zeros_like(s)            # events per mark
    t = xp.zeros(n_seq, dtype=f)
    ll = xp.zeros(n_seq, dtype=f)
    g_lda, g_alpha, g_beta = (xp.zeros_like(s) for _ in range(3))
    for i in range(lags.shape[1]):
        on = i < valid
        if not bool(on.any()):
            break
        t = xp.where(on, t + lags[:, i], t)
        k = marks[:, i]
        if bool(((k < 0) | (k >= k_marks))[on].any()):
            raise MXNetError(f"Operator _contrib_hawkesll: marks must lie in [0, {k_marks})")
        k = xp.where(on, k, 0)
        b = beta[k]
        decay = xp.exp(-b * (t - last[rows, k]))
        sk = s[rows, k] * decay
        dk = ds_db[rows, k] * decay - (t - last[rows, k]) * sk
        lam = xp.where(on, lda[rows, k] + alpha[k] * b * sk, 1.0)
        w = xp.where(on, 1.0 / lam, 0.0)
        ll += xp.where(on, xp.log(lam), 0.0)
        g_lda[rows, k] += w
        g_alpha[rows, k] += w * b * sk
        g_beta[rows, k] += w * alpha[k] * (sk + b * dk)
        s[rows, k] = xp.where(on, sk + 1.0, s[rows, k])
        ds_db[rows, k] = xp.where(on, dk, ds_db[rows, k])
        last[rows, k] = xp.where(on, t, last[rows, k])
        count[rows, k] += on
    # decay every memory to the end of the observation period
    span = tmax[:, None] - last
    decay = xp.exp(-beta[None, :] * span)
    s_end = s * decay
    d_end = ds_db * decay - span * s_end
    ll -= (lda * tmax[:, None] + alpha * (s0 + count - s_end)).sum(axis=1)
    g_lda -= tmax[:, None]
    g_alpha -= s0 + count - s_end
    g_beta += alpha * d_end
    return ll, s_end, (g_lda, g_alpha, g_beta)


def _hawkes_check(ins):
    lda, alpha, beta, state, lags, marks, valid_length, max_time = ins
    if lda.ndim != 2:
        raise MXNetError(f"Operator _contrib_hawkesll: lda must be (N, K), got {tuple(lda.shape)}")
    n, k = lda.shape
    if alpha.shape != (k,) or beta.shape != (k,) or state.shape != (n, k):
        raise MXNetError(f"Operator _contrib_hawkesll: alpha and beta must be ({k},) and state ({n}, "
                         f"{k}), got {tuple(alpha.shape)}, {tuple(beta.shape)}, {tuple(state.shape)}")
    if lags.ndim != 2 or lags.shape[0] != n or marks.shape != lags.shape:
        raise MXNetError(f"Operator _contrib_hawkesll: lags and marks must be ({n}, T), got "
                         f"{tuple(lags.shape)} and {tuple(marks.shape)}")
    if valid_length.shape != (n,) or max_time.shape != (n,):
        raise MXNetError(f"Operator _contrib_hawkesll: valid_length and max_time must be ({n},)")


def _hawkesll_fwd(attrs, ins, ctx):
    _hawkes_check(ins)
    ll, s_end, derivs = _hawkes(ins, ctx.xp)
    dt = ins[0].dtype
    return (ll.astype(dt), s_end.astype(dt)), derivs


def _hawkesll_bwd(attrs, ograds, ins, outs, ctx, derivs):
    xp = ctx.xp
    # as MXNet: gradients of the log-likelihood only (none through the returned memory), and
    # none for the initial state
    g_lda, g_alpha, g_beta = derivs
    g_ll = ograds[0]
    g_ll = xp.zeros(ins[0].shape[0]) if g_ll is None else g_ll.astype(np.float64)
    w = g_ll[:, None]
    grads = [w * g_lda, (w * g_alpha).sum(0), (w * g_beta).sum(0)]
    out = [g.astype(x.dtype) for g, x in zip(grads, ins)]
    return out + [xp.zeros_like(x) for x in ins[3:]]


register("_contrib_hawkesll", _hawkesll_fwd,
         inputs=("lda", "alpha", "beta", "state", "lags", "marks", "valid_length", "max_time"),
         num_outputs=2, save_state=True, backward=_hawkesll_bwd,
         infer_shape=lambda a, s: (s, [None if s[0] is None else (s[0][0],), s[3]]),
         infer_type=lambda a, t: (t, [t[0], t[0]]),
         doc="Log-likelihood of marked Hawkes processes with exponential kernels over ragged "
             "sequences of interarrival times; also returns the final memory state.")


# -- box_encode / box_decode ------------------------------------------------------------------------
def _center(xp, boxes):
    """(x, y, w, h) of corner boxes (..., 4)."""
    w = boxes[..., 2] - boxes[..., 0]
    h = boxes[..., 3] - boxes[..., 1]
    return boxes[..., 0] + w / 2, boxes[..., 1] + h / 2, w, h


def _box_encode_fwd(attrs, ins, ctx):
    xp = ctx.xp
    samples, matches, anchors, refs, means, stds = ins
    if anchors.ndim != 3 or anchors.shape[-1] != 4 or refs.ndim != 3 or refs.shape[-1] != 4:
        raise MXNetError(f"Operator _contrib_box_encode: anchors (B, N, 4) and refs (B, M, 4) "
                         f"expected, got {tuple(anchors.shape)} and {tuple(refs.shape)}")
    if samples.shape != anchors.shape[:2] or matches.shape != anchors.shape[:2]:
        raise MXNetError(f"Operator _contrib_box_encode: samples and matches must be "
                         f"{tuple(anchors.shape[:2])}, got {tuple(samples.shape)} and "
                         f"{tuple(matches.shape)}")
    idx = xp.clip(matches.astype(np.int64), 0, refs.shape[1] - 1)
    ref = xp.take_along_axis(refs, idx[..., None], axis=1)
    ax, ay, aw, ah = _center(xp, anchors)
    gx, gy, gw, gh = _center(xp, ref)
    pos = samples > 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        t = xp.stack([(gx - ax) / aw, (gy - ay) / ah, xp.log(gw / aw), xp.log(gh / ah)], axis=-1)
    t = (t - means) / stds
    mask = xp.broadcast_to(pos[..., None], t.shape)
    return xp.where(mask, t, 0).astype(anchors.dtype), mask.astype(anchors.dtype)


register("_contrib_box_encode", _box_encode_fwd,
         inputs=("samples", "matches", "anchors", "refs", "means", "stds"), num_outputs=2,
         backward=lambda a, og, ins, outs, ctx, st=None: [ctx.xp.zeros_like(x) for x in ins],
         doc="Training targets of corner boxes as normalized center offsets from their matched "
             "anchors (x, y shifts over the anchor size, log size ratios), with a mask of the "
             "positive samples.")


def _box_decode_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data, anchors = ins
    if data.ndim != 3 or data.shape[-1] != 4 or anchors.shape != (1,) + tuple(data.shape[1:]):
        raise MXNetError(f"Operator _contrib_box_decode: data (B, N, 4) and anchors (1, N, 4) "
                         f"expected, got {tuple(data.shape)} and {tuple(anchors.shape)}")
    if attrs.format == "corner":
        ax, ay, aw, ah = _center(xp, anchors)
    else:
        ax, ay, aw, ah = (anchors[..., i] for i in range(4))
    x = data[..., 0] * attrs.std0 * aw + ax
    y = data[..., 1] * attrs.std1 * ah + ay
    dw, dh = data[..., 2] * attrs.std2, data[..., 3] * attrs.std3
    if attrs.clip > 0:
        dw, dh = xp.minimum(dw, attrs.clip), xp.minimum(dh, attrs.clip)
    hw, hh = xp.exp(dw) * aw / 2, xp.exp(dh) * ah / 2
    return xp.stack([x - hw, y - hh, x + hw, y + hh], axis=-1).astype(data.dtype)


register("_contrib_box_decode", _box_decode_fwd, inputs=("data", "anchors"), params=(
    Param("std0", "float", 1.0, "value to be divided from the 1st encoded values"),
    Param("std1", "float", 1.0, "value to be divided from the 2nd encoded values"),
    Param("std2", "float", 1.0, "value to be divided from the 3rd encoded values"),
    Param("std3", "float", 1.0, "value to be divided from the 4th encoded values"),
    Param("clip", "float", -1.0, "if positive, the log size ratios are clipped to it"),
    Param("format", "str", "center", "encoding of the anchors", choices=("center", "corner"))),
    backward=lambda a, og, ins, outs, ctx, st=None: [ctx.xp.zeros_like(x) for x in ins],
    doc="Corner boxes from predicted normalized center offsets relative to anchors (the inverse of "
        "box_encode).")


# -- gradient multiplier and straight-through estimators --------------------------------------------
def _identity_fwd(attrs, ins, ctx):
    return ins[0].copy()


register("_contrib_gradientmultiplier", _identity_fwd, params=(
    Param("scalar", "float", 1.0, "factor applied to the gradient"),
    Param("is_int", "bool", True, "whether scalar is an integer")),
    backward=lambda a, og, ins, outs, ctx, st=None: [(og[0] * a.scalar).astype(ins[0].dtype)],
    doc="Identity in the forward; the backward multiplies the gradient by scalar.")


def _ste(name, fn, doc):
    register(name, lambda attrs, ins, ctx: fn(ctx.xp, ins[0]).astype(ins[0].dtype),
             backward=lambda a, og, ins, outs, ctx, st=None: [og[0]],
             doc=doc + " The backward passes the gradient through unchanged (straight-through "
                 "estimator).")


_ste("_contrib_round_ste", lambda xp, x: xp.where(xp.abs(x - xp.trunc(x)) >= 0.5,
                                                  xp.trunc(x) + xp.sign(x), xp.trunc(x)),
     "Round to nearest, halves away from zero.")
_ste("_contrib_sign_ste", lambda xp, x: xp.sign(x), "The sign (-1, 0 or 1).")


# -- AdamW --------------------------------------------------------------------------------------------
def _adamw_step(xp, attrs, w, g, mean, var, scale):
    """One AdamW step on ``w`` (returned), ``mean``/``var`` updated in place."""
    from .optimizer_ops import _c, _clip, _set
    g = _clip(xp, g * w.dtype.type(scale), _c(w, attrs.clip_gradient))
    b1, b2 = _c(w, attrs.beta1), _c(w, attrs.beta2)
    _set(mean, b1 * mean + (1 - b1) * g)
    _set(var, b2 * var + (1 - b2) * g * g)
    step = _c(w, attrs.lr) * mean / (xp.sqrt(var) + _c(w, attrs.epsilon)) + _c(w, attrs.wd) * w
    return w - _c(w, attrs.eta) * step


def _rescale_scalar(name, r):
    if r.size != 1:
        raise MXNetError(f"Operator {name}: rescale_grad must have one element, got shape "
                         f"{tuple(r.shape)}")
    v = float(r.reshape(-1)[0])
    # a NaN, infinite or zero factor (a step with overflowed gradients) skips the update
    return None if not np.isfinite(v) or v == 0 else v


def _adamw_fwd(attrs, ins, ctx):
    w, g, mean, var, r = ins
    scale = _rescale_scalar("_adamw_update", r)
    if scale is None:
        return w.copy()
    return _adamw_step(ctx.xp, attrs, w, g, mean, var, scale)


def _mp_adamw_fwd(attrs, ins, ctx):
    w, g, mean, var, w32, r = ins
    if w32.dtype != np.float32:
        raise MXNetError(f"Operator _mp_adamw_update: 'weight32' must be float32, got {w32.dtype}")
    scale = _rescale_scalar("_mp_adamw_update", r)
    if scale is None:
        return w.copy()
    w32[...] = _adamw_step(ctx.xp, attrs, w32, g.astype(np.float32), mean, var, scale)
    return w32.astype(w.dtype)


_ADAMW_P = (Param("lr", "float", doc="learning rate"),
            Param("beta1", "float", 0.9, "decay rate of the first moment"),
            Param("beta2", "float", 0.999, "decay rate of the second moment"),
            Param("epsilon", "float", 1e-8, "added to the denominator"),
            Param("wd", "float", 0.0, "decoupled weight decay"),
            Param("eta", "float", doc="learning rate schedule multiplier"),
            Param("clip_gradient", "float", -1.0, "clip the rescaled gradient to [-c, c]; < 0: none"))

register("_adamw_update", _adamw_fwd, inputs=("weight", "grad", "mean", "var", "rescale_grad"),
         params=_ADAMW_P, mutate_inputs=(2, 3), differentiable=False,
         infer_shape=lambda a, s: (s, [s[0]]), infer_type=lambda a, t: (t, [t[0]]),
         doc="AdamW step: w -= eta * (lr * m / (sqrt(v) + epsilon) + wd * w), skipped when the "
             "rescale_grad array holds NaN, inf or 0.")
register("_mp_adamw_update", _mp_adamw_fwd,
         inputs=("weight", "grad", "mean", "var", "weight32", "rescale_grad"),
         params=_ADAMW_P, mutate_inputs=(2, 3, 4), differentiable=False,
         infer_shape=lambda a, s: (s, [s[0]]), infer_type=lambda a, t: (t, [t[0]]),
         doc="_adamw_update on a float32 master copy of a low-precision weight.")


# -- group AdaGrad ------------------------------------------------------------------------------------
def _group_adagrad_fwd(attrs, ins, ctx):
    from .optimizer_ops import _c, _clip, _set
    xp = ctx.xp
    w, g, history = ins
    if w.ndim != 2 or g.shape != w.shape or history.shape != (w.shape[0], 1):
        raise MXNetError(f"Operator _contrib_group_adagrad_update: weight and grad must be 2-D of one "
                         f"shape and history (rows, 1), got {tuple(w.shape)}, {tuple(g.shape)}, "
                         f"{tuple(history.shape)}")
    g = _clip(xp, g * _c(w, attrs.rescale_grad), _c(w, attrs.clip_gradient))
    _set(history, history + xp.mean(g * g, axis=1, keepdims=True))
    return w - _c(w, attrs.lr) * g / xp.sqrt(history + _c(w, attrs.epsilon))


register("_contrib_group_adagrad_update", _group_adagrad_fwd, inputs=("weight", "grad", "history"),
         params=(Param("lr", "float", doc="learning rate"),
                 Param("rescale_grad", "float", 1.0, "factor the gradient is multiplied by first"),
                 Param("clip_gradient", "float", -1.0, "clip the rescaled gradient to [-c, c]; < 0: none"),
                 Param("epsilon", "float", 1e-5, "added to the history before the square root")),
         mutate_inputs=(2,), differentiable=False,
         infer_shape=lambda a, s: (s, [s[0]]), infer_type=lambda a, t: (t, [t[0]]),
         doc="AdaGrad with one accumulated squared-gradient mean per row (group) of a 2-D weight.")
