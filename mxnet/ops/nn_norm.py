"""Normalisation operators: BatchNorm, LayerNorm, InstanceNorm, GroupNorm, L2Normalization, LRN."""
import numpy as np

from ..base import MXNetError
from . import _accel
from ._util import like_data, norm_axis
from .registry import register, Param, Attrs


def _check_float(opname, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"Operator {opname}: only floating point data is supported, got {x.dtype}")


def _check_param_shape(opname, names, arrays, want):
    for n, a in zip(names, arrays):
        if tuple(a.shape) != want:
            raise MXNetError(f"Operator {opname}: '{n}' must have shape {want}, got {tuple(a.shape)}")


def _fill_param_shapes(shapes, c, start=1):
    """Fill unknown parameter shapes with (c,); raise when a known one differs."""
    for i in range(start, len(shapes)):
        if shapes[i] is None or 0 in shapes[i]:
            shapes[i] = (c,)
    return shapes


# -- BatchNorm ------------------------------------------------------------------------------
# The data is viewed as (outer, C, inner); per-channel sums come from BLAS (a product with a ones
# vector, ``vecdot`` for the sums of products) in the working dtype, per (outer, C) row, and are
# combined in float64.  Every elementwise pass multiplies or adds a contiguous (C, inner) plane,
# which NumPy runs several times faster than a stride-0 (C, 1) operand.  The C kernels (``_native``)
# replace these four to six passes with two in each direction (sums, then the elementwise pass).
_ILL = 32.0  # E[x^2] / var above which the one-pass moments lose too much to cancellation
_JIT_INNER = 16  # shortest (outer, channel) row worth the kernels' vector loops


def _bn_view(xp, x, ax):
    shp = x.shape
    outer = inner = 1
    for s in shp[:ax]:
        outer *= s
    for s in shp[ax + 1:]:
        inner *= s
    return xp.ascontiguousarray(x).reshape(outer, shp[ax], inner)


def _plane(xp, v, x3):
    """Per-channel values ``v`` (float64, (C,)) as a contiguous (C, inner) array of x3's dtype."""
    return xp.broadcast_to(v.astype(x3.dtype)[:, None], x3.shape[1:]).copy()


def _vdot_sums(xp, a3, b3):
    """Per-channel sums of a3 * b3 over the outer and inner axes, in float64."""
    rows = xp.vecdot(a3, b3) if hasattr(xp, "vecdot") else (a3 * b3).sum(axis=2)
    return rows.sum(axis=0, dtype=np.float64)


def _row_sums(a3, ones):
    return (a3 @ ones).sum(axis=0, dtype=np.float64)


def _bn_jit(xp, x3):
    """The C kernels (``_accel.jit``) when they serve ``x3``: float32/float64 NumPy data whose
    rows are long enough."""
    if xp is not np or x3.shape[2] < _JIT_INNER or x3.dtype not in (np.float32, np.float64):
        return None
    return _accel.jit()


def _sum_overflows(xp, mean, n, wd):
    """Whether a channel's sum leaves the float32 range (or is already inf/NaN): MXNet sums in
    float32, the sums here are float64.  One check over C values."""
    return wd == np.float32 and not bool(xp.abs(mean).max(initial=0) * n <= _F32_MAX)


def _overflowed(xp, x3, mean, var, n):
    """The batch moments as MXNet's float32 sums give them (a rare path): a channel whose sum
    overflows has an infinite mean, and then an infinite variance, NaN where the channel holds
    an infinite value itself (inf - inf); NaN stays NaN."""
    big = ~(xp.abs(mean) * n <= _F32_MAX) & ~xp.isnan(mean)
    mean = xp.where(big, xp.copysign(np.inf, mean), mean)
    has_inf = xp.isinf(x3).any(axis=(0, 2))
    var = xp.where(xp.isinf(mean), xp.where(has_inf, np.nan, np.inf), var)
    return mean, var


_F32_MAX = float(np.finfo(np.float32).max)


def _ordinary(wd, *vals):
    """Whether the per-channel values ``vals`` are all finite, and within float32 for float32
    data (one sum each; a large finite total only sends the call to the exact path).  Otherwise
    both paths take ``_bn_exact_out``/``_bn_exact_grads``, MXNet's formulas in its order, so that
    inf and NaN land where MXNet puts them whatever the kernels."""
    t = 0.0
    for v in vals:
        t += abs(float(v.sum()))
    return t <= (_F32_MAX if wd == np.float32 else np.inf)


def _bn_exact_out(xp, x3, mean, invstd, gamma, beta, fix_gamma):
    """((x - mean) * invstd) * gamma + beta in the data's float type."""
    def col(v):
        return v.astype(x3.dtype)[:, None]
    out = x3 - col(mean)
    out *= col(invstd)
    if not fix_gamma:
        out *= col(gamma)
    out += col(beta)
    return out


def _bn_exact_grads(xp, g3, x3, mean, invstd, gamma, fix_gamma, n, global_stats):
    """(dx, dgamma, dbeta) from sums in the data's float type: dx = ((g - (x - mean) * proj) -
    mean(g)) * invstd * gamma, proj = sum(g * (x - mean)) * invstd^2 / n (g * invstd * gamma
    with the global statistics)."""
    dt = x3.dtype
    xc = x3 - mean.astype(dt)[:, None]
    sg = g3.sum(axis=(0, 2))
    dot = (xc * g3).sum(axis=(0, 2))
    inv = invstd.astype(dt)
    scale = inv if fix_gamma else inv * gamma.astype(dt)
    if global_stats:
        dx = g3 * scale[:, None]
    else:
        proj = dot * inv * inv / dt.type(n)
        dx = g3 - xc * proj[:, None]
        dx -= (sg / dt.type(n))[:, None]
        dx *= inv[:, None]
        if not fix_gamma:
            dx *= gamma.astype(dt)[:, None]
    return dx, dot * inv, sg


def _bn_fwd(attrs, ins, ctx):
    if len(ins) != 5:
        raise MXNetError(f"Operator BatchNorm: expects 5 inputs (data, gamma, beta, moving_mean, "
                         f"moving_var), got {len(ins)}")
    xp = ctx.xp
    x, gamma, beta, mmean, mvar = ins
    _check_float("BatchNorm", x)
    ax = norm_axis(attrs.axis, x.ndim, "BatchNorm")
    c = x.shape[ax]
    _check_param_shape("BatchNorm", ("gamma", "beta", "moving_mean", "moving_var"), ins[1:], (c,))
    if attrs.fix_gamma:
        # MXNet writes ones into gamma when it is fixed
        gamma[...] = 1
    # float16 data is normalised in float32
    wd = x.dtype if x.dtype.itemsize >= 4 else np.dtype(np.float32)
    x3 = _bn_view(xp, x, ax).astype(wd, copy=False)
    n = x3.shape[0] * x3.shape[2]
    batch = ctx.is_train and not attrs.use_global_stats
    jit = _bn_jit(xp, x3)
    if batch and jit is not None:
        out, mean, var, invstd, shifted = jit.train_forward(x3, gamma, beta, attrs.eps,
                                                            attrs.fix_gamma, _ILL)
        if not _sum_overflows(xp, mean, n, wd) and _ordinary(wd, var, beta, *_gam(gamma, attrs)):
            out = out.reshape(x.shape).astype(x.dtype, copy=False)
            pdt = gamma.dtype
            return (out, mean.astype(pdt), invstd.astype(pdt)), (mean, var, invstd, batch, shifted)
        jit = None   # a channel's sum leaves float32: the NumPy path below, as MXNet computes it
    xs = None
    if batch:
        mean = _row_sums(x3, xp.ones(x3.shape[2], wd)) / n
        sq = _vdot_sums(xp, x3, x3) / n
        var = xp.maximum(sq - mean * mean, 0)
        shifted = bool(xp.any(sq > _ILL * var))
        if shifted:
            # badly conditioned: second pass over the centred data
            xs = x3 - _plane(xp, mean, x3)
            var = _vdot_sums(xp, xs, xs) / n
        if _sum_overflows(xp, mean, n, wd):
            mean, var = _overflowed(xp, x3, mean, var, n)
        elif not shifted and not _ordinary(wd, var):
            # E[x^2] - mean^2 overflowed (inf - inf): MXNet's centred sum of squares
            xs = x3 - _plane(xp, mean, x3)
            var = _vdot_sums(xp, xs, xs) / n
    else:
        mean = mmean.astype(np.float64)
        var = mvar.astype(np.float64)
        shifted = False
    invstd = 1 / xp.sqrt(var + attrs.eps)
    scale = invstd if attrs.fix_gamma else invstd * gamma.astype(np.float64)
    if not _ordinary(wd, mean, var, beta, *_gam(gamma, attrs)):
        out = _bn_exact_out(xp, x3, mean, invstd, gamma, beta, attrs.fix_gamma)
    elif jit is not None:
        out = jit.normalise(x3, mean.astype(wd), scale.astype(wd), beta.astype(wd))
    elif xs is not None:
        out = xs
        out *= _plane(xp, scale, x3)
        out += _plane(xp, beta.astype(np.float64), x3)
    else:
        out = xp.multiply(x3, _plane(xp, scale, x3))
        out += _plane(xp, beta - mean * scale, x3)
    out = out.reshape(x.shape).astype(x.dtype, copy=False)
    pdt = gamma.dtype
    state = (mean, var, invstd, batch, shifted)
    return (out, mean.astype(pdt), invstd.astype(pdt)), state


def _gam(gamma, attrs):
    """gamma among the values ``_ordinary`` checks, unless it is fixed (to one)."""
    return () if attrs.fix_gamma else (gamma,)


def _bn_bwd(attrs, og, ins, outs, ctx, state):
    x, gamma, beta, mmean, mvar = ins
    mean, var, invstd, batch, shifted = state
    g = og[0]
    if batch:
        # MXNet folds the batch statistics into the moving averages in the backward pass
        m = attrs.momentum
        mmean[...] = mmean * m + (mean * (1 - m)).astype(mmean.dtype)
        mvar[...] = mvar * m + (var * (1 - m)).astype(mvar.dtype)
    if g is None:
        return [None] * 5
    xp = ctx.xp
    ax = norm_axis(attrs.axis, x.ndim, "BatchNorm")
    wd = x.dtype if x.dtype.itemsize >= 4 else np.dtype(np.float32)
    x3 = _bn_view(xp, x, ax).astype(wd, copy=False)
    g3 = _bn_view(xp, g, ax).astype(wd, copy=False)
    n = x3.shape[0] * x3.shape[2]
    jit = _bn_jit(xp, x3)
    exact = not _ordinary(wd, mean, var, invstd, *_gam(gamma, attrs))
    if not exact and jit is not None and not attrs.use_global_stats:
        dx, dgamma, sg = jit.train_backward(g3, x3, mean, invstd, gamma, attrs.fix_gamma)
        exact = not _ordinary(wd, dgamma, sg)
    elif not exact:
        xs = x3
        if jit is not None:
            # the kernel sums over the centred data, whatever the forward's conditioning
            sg, sgxc = jit.grad_sums(g3, x3, mean)
        else:
            sg = _row_sums(g3, xp.ones(x3.shape[2], wd))
            if shifted or not batch:
                # sum(g * (x - mean)) on the centred data avoids cancellation (and the moving
                # mean of an inference-mode forward may be far from the data)
                xs = x3 - _plane(xp, mean, x3)
                mean = xp.zeros_like(mean)
            sgxc = _vdot_sums(xp, g3, xs) - mean * sg
        exact = not _ordinary(wd, sg, sgxc)
        dgamma = invstd * sgxc
        gscale = invstd if attrs.fix_gamma else invstd * gamma.astype(np.float64)
        # MXNet differentiates through the statistics unless use_global_stats, even after an
        # inference-mode forward (whose statistics are then the moving ones):
        # dx = gscale * (g - sg / n - xhat * dgamma / n), xhat = (x - mean) * invstd
        if exact:
            pass
        elif not attrs.use_global_stats:
            p = -invstd * dgamma / n
            dx = xp.multiply(xs, _plane(xp, p, x3), out=xs if xs is not x3 else None)
            dx += g3
            dx += _plane(xp, -(p * mean) - sg / n, x3)
            dx *= _plane(xp, gscale, x3)
        else:
            dx = xp.multiply(g3, _plane(xp, gscale, x3))
    if exact:
        dx, dgamma, sg = _bn_exact_grads(xp, g3, x3, state[0], invstd, gamma, attrs.fix_gamma, n,
                                         attrs.use_global_stats)
    dx = dx.reshape(x.shape).astype(x.dtype, copy=False)
    if attrs.fix_gamma:
        dgamma = xp.zeros_like(dgamma)
    pdt = gamma.dtype
    return [dx, dgamma.astype(pdt), sg.astype(pdt), None, None]


def _bn_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None, None, None]
    ax = norm_axis(attrs.axis, len(d), "BatchNorm")
    c = d[ax]
    return _fill_param_shapes(shapes, c), [tuple(d), (c,), (c,)]


def _bn_type(attrs, types):
    # float16 data keeps float32 parameters, as in MXNet
    t = None if types[0] is None else np.dtype(types[0])
    pt = np.dtype(np.float32) if t is not None and t.itemsize < 4 else t
    return [t] + [pt] * 4, [t, pt, pt]


register("BatchNorm", _bn_fwd, inputs=("data", "gamma", "beta", "moving_mean", "moving_var"), params=(
    Param("eps", "float", 1e-3, "added to the variance to avoid dividing by zero"),
    Param("momentum", "float", 0.9, "weight of the old value in the moving averages"),
    Param("fix_gamma", "bool", True, "use gamma = 1 (and write ones into it); no gamma gradient"),
    Param("use_global_stats", "bool", False, "normalise with the moving statistics in training too"),
    Param("output_mean_var", "bool", False, "also return the mean and the inverse standard deviation"),
    Param("axis", "int", 1, "the channel axis"),
    Param("cudnn_off", "bool", False, "accepted for compatibility"),
    Param("min_calib_range", "float", None, "quantisation calibration (unused here)"),
    Param("max_calib_range", "float", None, "quantisation calibration (unused here)")),
    backward=_bn_bwd, save_state=True, infer_shape=_bn_shape, infer_type=_bn_type,
    num_outputs=3, num_visible_outputs=lambda a: 3 if a.output_mean_var else 1,
    output_names=("output", "mean", "var"), mutate_inputs=(3, 4), uses_train=True,
    doc="Batch normalisation over every axis but the channel axis. Training uses the batch "
        "statistics, which the backward pass folds into moving_mean/moving_var (biased variance, "
        "new = old * momentum + batch * (1 - momentum)); inference uses the moving statistics.")


def _sync_attrs(attrs):
    return Attrs({**attrs, "axis": 1})


# Across devices in one process each device's batch is normalised on its own: the statistics are
# not combined (MXNet's kernel does that with a barrier per `key`), so ndev > 1 behaves as BatchNorm.
def _sync_bn_fwd(attrs, ins, ctx):
    (out, mean, _), state = _bn_fwd(_sync_attrs(attrs), ins, ctx)
    # unlike BatchNorm's, the third output is the batch variance, not its inverse square root
    return (out, mean, state[1].astype(mean.dtype, copy=False)), state


register("_contrib_SyncBatchNorm", _sync_bn_fwd,
         inputs=("data", "gamma", "beta", "moving_mean", "moving_var"), params=(
             Param("eps", "float", 1e-3, "added to the variance to avoid dividing by zero"),
             Param("momentum", "float", 0.9, "weight of the old value in the moving averages"),
             Param("fix_gamma", "bool", True, "use gamma = 1; no gamma gradient"),
             Param("use_global_stats", "bool", False, "normalise with the moving statistics in training too"),
             Param("output_mean_var", "bool", False, "also return the mean and the variance"),
             Param("ndev", "int", 1, "number of devices whose batches are normalised together"),
             Param("key", "str", "", "the name shared by the copies of one layer across devices")),
         backward=lambda attrs, og, ins, outs, ctx, state: _bn_bwd(_sync_attrs(attrs), og, ins, outs, ctx, state),
         save_state=True, infer_shape=lambda attrs, shapes: _bn_shape(_sync_attrs(attrs), shapes),
         infer_type=lambda attrs, types: _bn_type(_sync_attrs(attrs), types),
         num_outputs=3, num_visible_outputs=lambda a: 3 if a.output_mean_var else 1,
         output_names=("output", "mean", "var"), mutate_inputs=(3, 4), uses_train=True,
         doc="Batch normalisation over the channel axis 1 (cross-device in MXNet; see the note above).")


# -- normalisation over a set of axes, shared by LayerNorm / InstanceNorm / GroupNorm -----------
# NumPy sums the last (contiguous) axis pairwise but any other axis one element at a time, and
# a float32 running sum over thousands of rows drifts beyond MXNet's results: such reductions
# accumulate in a wider type
_ACC = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float64}


def _acc(x, red):
    return x.dtype if x.ndim - 1 in red else _ACC.get(x.dtype, x.dtype)


def _mean(x, red):
    return x.mean(axis=red, keepdims=True, dtype=_acc(x, red)).astype(x.dtype, copy=False)


def _sum(x, red):
    return x.sum(axis=red, dtype=_acc(x, red)).astype(x.dtype, copy=False)


def _moments(xp, x, red, eps):
    mean = _mean(x, red)
    xc = x - mean
    var = _mean(xc * xc, red)
    std = xp.sqrt(var + x.dtype.type(eps))
    xc /= std
    return xc, mean, std


def _norm_input_grad(g_xhat, xhat, std, red):
    """Gradient through xhat = (x - mean) / std with both moments taken over ``red``."""
    m1 = _mean(g_xhat, red)
    m2 = _mean(g_xhat * xhat, red)
    dx = g_xhat - m1
    dx -= xhat * m2
    dx /= std
    return dx


# -- LayerNorm -------------------------------------------------------------------------------
def _ln_fwd(attrs, ins, ctx):
    x, gamma, beta = ins
    _check_float("LayerNorm", x)
    ax = norm_axis(attrs.axis, x.ndim, "LayerNorm")
    _check_param_shape("LayerNorm", ("gamma", "beta"), ins[1:], (x.shape[ax],))
    bshape = tuple(x.shape[ax] if i == ax else 1 for i in range(x.ndim))
    xhat, mean, std = _moments(ctx.xp, x, (ax,), attrs.eps)
    out = xhat * gamma.reshape(bshape)
    out += beta.reshape(bshape)
    return out, mean, std


def _ln_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None] * 3
    x, gamma, beta = ins
    ax = norm_axis(attrs.axis, x.ndim, "LayerNorm")
    other = tuple(i for i in range(x.ndim) if i != ax)
    bshape = tuple(x.shape[ax] if i == ax else 1 for i in range(x.ndim))
    mean, std = outs[1], outs[2]
    xhat = (x - mean) / std
    dgamma = _sum(g * xhat, other)
    dbeta = _sum(g, other)
    dx = _norm_input_grad(g * gamma.reshape(bshape), xhat, std, (ax,))
    return [dx, dgamma, dbeta]


def _ln_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None] * 3
    ax = norm_axis(attrs.axis, len(d), "LayerNorm")
    st = tuple(1 if i == ax else s for i, s in enumerate(d))
    return _fill_param_shapes(shapes, d[ax]), [tuple(d), st, st]


register("LayerNorm", _ln_fwd, inputs=("data", "gamma", "beta"), params=(
    Param("axis", "int", -1, "the axis to normalise over"),
    Param("eps", "float", 1e-5, "added to the variance"),
    Param("output_mean_var", "bool", False, "also return the mean and the standard deviation")),
    backward=_ln_bwd, infer_shape=_ln_shape, num_outputs=3,
    num_visible_outputs=lambda a: 3 if a.output_mean_var else 1, output_names=("output", "mean", "std"),
    doc="Layer normalisation along one axis, then gamma * x + beta.")


# -- InstanceNorm ------------------------------------------------------------------------------
def _in_fwd(attrs, ins, ctx):
    x, gamma, beta = ins
    _check_float("InstanceNorm", x)
    if x.ndim < 3:
        raise MXNetError(f"Operator InstanceNorm: data must have at least 3 dimensions (N, C, ...), "
                         f"got {tuple(x.shape)}")
    _check_param_shape("InstanceNorm", ("gamma", "beta"), ins[1:], (x.shape[1],))
    bshape = (1, -1) + (1,) * (x.ndim - 2)
    red = tuple(range(2, x.ndim))
    xhat, mean, std = _moments(ctx.xp, x, red, attrs.eps)
    out = xhat * gamma.reshape(bshape)
    out += beta.reshape(bshape)
    return out, mean, std


def _in_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None] * 3
    x, gamma, beta = ins
    bshape = (1, -1) + (1,) * (x.ndim - 2)
    red = tuple(range(2, x.ndim))
    mean, std = outs[1], outs[2]
    xhat = (x - mean) / std
    other = (0,) + red
    dgamma = (g * xhat).sum(axis=other)
    dbeta = g.sum(axis=other)
    dx = _norm_input_grad(g * gamma.reshape(bshape), xhat, std, red)
    return [dx, dgamma, dbeta]


def _in_shape(attrs, shapes):
    d = shapes[0]
    if d is None or len(d) < 2:
        return shapes, [None] * 3
    st = tuple(d[:2]) + (1,) * (len(d) - 2)
    return _fill_param_shapes(shapes, d[1]), [tuple(d), st, st]


register("InstanceNorm", _in_fwd, inputs=("data", "gamma", "beta"), params=(
    Param("eps", "float", 1e-3, "added to the variance"),),
    backward=_in_bwd, infer_shape=_in_shape, num_outputs=3, num_visible_outputs=1,
    output_names=("output", "mean", "var"),
    doc="Instance normalisation: each (sample, channel) over its spatial axes, then per-channel "
        "gamma * x + beta.")


# -- GroupNorm ---------------------------------------------------------------------------------
def _gn_split(attrs, x):
    gnum = attrs.num_groups
    if x.ndim < 2 or gnum <= 0 or x.shape[1] % gnum:
        raise MXNetError(f"Operator GroupNorm: the channel axis 1 of data {tuple(x.shape)} must be "
                         f"divisible by num_groups={gnum}")
    return x.reshape((x.shape[0], gnum, -1)), (1, gnum, 1)


def _gn_fwd(attrs, ins, ctx):
    x, gamma, beta = ins
    _check_float("GroupNorm", x)
    xg, bshape = _gn_split(attrs, x)
    _check_param_shape("GroupNorm", ("gamma", "beta"), ins[1:], (attrs.num_groups,))
    xhat, mean, std = _moments(ctx.xp, xg, (2,), attrs.eps)
    out = xhat * gamma.reshape(bshape)
    out += beta.reshape(bshape)
    return out.reshape(x.shape), mean.reshape(mean.shape[:2]), std.reshape(std.shape[:2])


def _gn_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None] * 3
    x, gamma, beta = ins
    xg, bshape = _gn_split(attrs, x)
    gg = g.reshape(xg.shape)
    mean, std = outs[1][..., None], outs[2][..., None]
    xhat = (xg - mean) / std
    dgamma = (gg * xhat).sum(axis=(0, 2))
    dbeta = gg.sum(axis=(0, 2))
    dx = _norm_input_grad(gg * gamma.reshape(bshape), xhat, std, (2,))
    return [dx.reshape(x.shape), dgamma, dbeta]


def _gn_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None] * 3
    st = (d[0], attrs.num_groups)
    return _fill_param_shapes(shapes, attrs.num_groups), [tuple(d), st, st]


register("GroupNorm", _gn_fwd, inputs=("data", "gamma", "beta"), params=(
    Param("num_groups", "int", 1, "number of channel groups"),
    Param("eps", "float", 1e-5, "added to the variance"),
    Param("output_mean_var", "bool", False, "also return the mean and the standard deviation")),
    backward=_gn_bwd, infer_shape=_gn_shape, num_outputs=3,
    num_visible_outputs=lambda a: 3 if a.output_mean_var else 1, output_names=("output", "mean", "std"),
    doc="Group normalisation: channels split into num_groups groups, each normalised per sample; "
        "gamma and beta hold one value per group.")


# -- L2Normalization ------------------------------------------------------------------------------
def _l2_axes(attrs, x):
    if attrs.mode == "instance":
        return tuple(range(1, x.ndim))
    if x.ndim < 2 or (attrs.mode == "spatial" and x.ndim < 3):
        raise MXNetError(f"Operator L2Normalization: mode='{attrs.mode}' needs more dimensions than "
                         f"data {tuple(x.shape)} has")
    return (1,) if attrs.mode == "channel" else tuple(range(2, x.ndim))


def _l2_fwd(attrs, ins, ctx):
    x = ins[0]
    _check_float("L2Normalization", x)
    red = _l2_axes(attrs, x)
    norm = ctx.xp.sqrt((x * x).sum(axis=red, keepdims=True) + x.dtype.type(attrs.eps))
    return x / norm, norm


def _l2_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None]
    x = ins[0]
    y, norm = outs
    red = _l2_axes(attrs, x)
    dx = g - y * (g * y).sum(axis=red, keepdims=True)
    dx /= norm
    return [dx]


def _l2_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None, None]
    keep = {"instance": 1, "channel": None, "spatial": 2}[attrs.mode]
    ns = tuple(s if (i < keep if keep else i != 1) else 1 for i, s in enumerate(d))
    return shapes, [tuple(d), ns]


register("L2Normalization", _l2_fwd, params=(
    Param("eps", "float", 1e-10, "added to the sum of squares"),
    Param("mode", "str", "instance", "instance: all but axis 0; channel: axis 1; spatial: axes 2+",
          choices=("channel", "instance", "spatial"))),
    backward=_l2_bwd, infer_shape=_l2_shape, num_outputs=2, num_visible_outputs=1,
    output_names=("output", "norm"), doc="Divides the input by its L2 norm over the mode's axes.")


# -- LRN ----------------------------------------------------------------------------------------
def _window_sum(xp, a, n):
    """Sum over a centred window of n channels (axis 1), zero-padded at the ends."""
    half = n // 2
    c = a.shape[1]
    pad = [(0, 0)] * a.ndim
    pad[1] = (half + 1, half)
    cs = xp.cumsum(xp.pad(a, pad), axis=1)
    return cs[:, n:n + c] - cs[:, :c]


def _lrn_fwd(attrs, ins, ctx):
    x = ins[0]
    _check_float("LRN", x)
    if x.ndim != 4:
        raise MXNetError(f"Operator LRN: data must be 4-D (N, C, H, W), got shape {tuple(x.shape)}")
    if attrs.nsize <= 0:
        raise MXNetError(f"Operator LRN: nsize must be positive, got {attrs.nsize}")
    dt = x.dtype.type
    s = _window_sum(ctx.xp, x * x, attrs.nsize)
    s *= dt(attrs.alpha / attrs.nsize)
    s += dt(attrs.knorm)
    return x * s ** dt(-attrs.beta), s


def _lrn_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None]
    x = ins[0]
    y, s = outs
    dt = x.dtype.type
    # d out_i / d x_j = s_i^-b [i == j] - 2 a b / n * x_i x_j s_i^(-b-1) for j in the window of i
    t = _window_sum(ctx.xp, g * y / s, attrs.nsize)
    return [g * s ** dt(-attrs.beta) - dt(2 * attrs.alpha * attrs.beta / attrs.nsize) * x * t]


register("LRN", _lrn_fwd, params=(
    Param("alpha", "float", 1e-4, "scale of the squared sum"),
    Param("beta", "float", 0.75, "exponent"),
    Param("knorm", "float", 2.0, "additive constant"),
    Param("nsize", "int", doc="number of neighbouring channels in the window")),
    backward=_lrn_bwd, num_outputs=2, num_visible_outputs=1, output_names=("output", "tmp_norm"),
    **like_data(2),
    doc="Local response normalisation across neighbouring channels.")
