"""Activation and softmax operators: Activation, LeakyReLU, softmax, log_softmax, softmin,
SoftmaxActivation, and the fused sparse softmax cross-entropy of gluon's SoftmaxCrossEntropyLoss."""
import math

import numpy as np

from ..base import MXNetError
from ._accel import jit
from ._util import like_data, norm_axis
from .indexing import _pick_index
from .registry import register, Param, Attrs


def _float_only(opname, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"Operator {opname}: only floating point data is supported, got {x.dtype}")


# -- Activation -------------------------------------------------------------------------
_C_DTYPES = (np.float32, np.float64)


def _native_pair(a, b):
    """The C kernels when they take ``a`` and ``b`` (None: a new array) elementwise: C-contiguous
    float32/float64 NumPy arrays of one dtype and shape."""
    if type(a) is not np.ndarray or a.dtype not in _C_DTYPES or not a.flags.c_contiguous:
        return None
    if b is not None and (type(b) is not np.ndarray or b.dtype != a.dtype or b.shape != a.shape
                          or not b.flags.c_contiguous):
        return None
    return jit()


def activate(xp, t, x, out=None):
    """Activation ``t`` of ``x``; ``out=x`` computes it in place (every form reads each element
    before writing it)."""
    if t == "relu":
        # the C pass is ~3.5x NumPy's maximum against a scalar (131072 floats: 14 vs 49 us)
        if (jk := _native_pair(x, out)) is not None:
            return jk.relu(x, out)
        return xp.maximum(x, x.dtype.type(0), out=out)
    _float_only("Activation", x)
    if t == "sigmoid":
        y = xp.negative(x, out=out)
        xp.exp(y, out=y)
        y += 1
        return xp.reciprocal(y, out=y)
    if t == "tanh":
        return xp.tanh(x, out=out)
    if t == "softrelu":
        return xp.logaddexp(x.dtype.type(0), x, out=out)
    y = xp.abs(x)
    y += 1
    return xp.divide(x, y, out=y if out is None else out)


def _act_fwd(attrs, ins, ctx):
    x = ins[0]
    if x.ndim == 0:     # NumPy's ufuncs return scalars for 0-d arrays, which out= refuses
        return activate(ctx.xp, attrs.act_type, x.reshape(1)).reshape(())
    return activate(ctx.xp, attrs.act_type, x)


def _act_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None]
    if g.ndim == 0:     # (fused callers may pass no input: only softsign reads it)
        flat = [None if a is None else a.reshape(1) for a in (ins[0], outs[0])]
        (d,) = _act_bwd(attrs, [g.reshape(1)], flat[:1], flat[1:], ctx, state)
        return [d.reshape(())]
    xp = ctx.xp
    x, y = ins[0], outs[0]
    t = attrs.act_type
    # each form does the arithmetic of the textbook formula, in its order, in one buffer
    if t == "relu":
        if (jk := _native_pair(y, g)) is not None:    # one pass (131072 floats: 20 vs 39 us)
            return [jk.relu_grad(g, y)]
        # g times the step of y: 1 above zero, 0 at zero, NaN at NaN (MXNet's own kernels give
        # a NaN gradient where the output is NaN); y >= +0 or NaN, so its sign is that step
        # (131072 floats: 270 us, against 200 for the mask and 1960 for heaviside)
        step = xp.sign(y)
        return [xp.multiply(g, step, out=step if step.dtype == g.dtype else None)]
    if t == "sigmoid":
        d = g * y
        d *= 1 - y
        return [d]
    if t == "tanh":
        d = xp.multiply(y, y)
        xp.subtract(1, d, out=d)
        d *= g
        return [d]
    if t == "softrelu":
        d = xp.negative(y)
        xp.expm1(d, out=d)
        d *= g
        return [xp.negative(d, out=d)]
    d = xp.abs(x)
    d += 1
    return [g / (d * d)]


register("Activation", _act_fwd, params=(
    Param("act_type", "str", doc="activation function",
          choices=("relu", "sigmoid", "softrelu", "softsign", "tanh")),),
    backward=_act_bwd, **like_data(),
    doc="Applies an elementwise activation function (relu, sigmoid, tanh, softrelu, softsign).")


# -- LeakyReLU ----------------------------------------------------------------------------
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


def _prelu_gamma(opname, x, gamma):
    """gamma shaped to broadcast over ``x`` as MXNet aligns it: its trailing dimensions matched
    right to left against the data's axes 1 and 0 only (equal sizes, or 1)."""
    out = [1] * x.ndim
    s = gamma.ndim - 1
    for i in range(min(x.ndim, 2) - 1, -1, -1):
        if s >= 0 and gamma.shape[s] in (x.shape[i], 1):
            out[i] = gamma.shape[s]
            s -= 1
    if s != -1:
        raise MXNetError(f"Operator {opname}: cannot broadcast prelu gamma of shape {tuple(gamma.shape)} "
                         f"to data {tuple(x.shape)} (gamma aligns with the data's first two axes)")
    return gamma.reshape(out)


def _leaky_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    _float_only("LeakyReLU", x)
    t = attrs.act_type
    dt = x.dtype.type
    if t == "prelu":
        if len(ins) != 2:
            raise MXNetError("Operator LeakyReLU: act_type='prelu' needs the 'gamma' input")
        gm = _prelu_gamma("LeakyReLU", x, ins[1]).astype(x.dtype, copy=False)
        return xp.where(x > 0, x, x * gm)
    if len(ins) != 1:
        raise MXNetError(f"Operator LeakyReLU: act_type='{t}' takes only the 'data' input")
    if t == "leaky":
        return xp.where(x > 0, x, x * dt(attrs.slope))
    if t == "elu":
        return xp.where(x > 0, x, dt(attrs.slope) * xp.expm1(xp.minimum(x, dt(0))))
    if t == "selu":
        neg = dt(_SELU_LAMBDA * _SELU_ALPHA) * xp.expm1(xp.minimum(x, dt(0)))
        return xp.where(x > 0, dt(_SELU_LAMBDA) * x, neg)
    if t == "gelu":
        return (x * dt(0.5)) * (1 + _erf(xp, x * dt(1 / math.sqrt(2)))).astype(x.dtype, copy=False)
    # rrelu: a random slope per element while training, the mean slope otherwise
    lo, hi = attrs.lower_bound, attrs.upper_bound
    if ctx.is_train:
        mask = ctx.rng.random(x.shape, dtype=x.dtype if x.dtype.itemsize >= 4 else "float32")
        mask = (mask * (hi - lo) + lo).astype(x.dtype, copy=False)
        return xp.where(x > 0, x, x * mask), mask
    return xp.where(x > 0, x, x * dt((lo + hi) / 2)), xp.zeros_like(x)


def _erf(xp, x):
    """erf in the dtype of x: SciPy's when installed, else Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7)."""
    try:
        from scipy.special import erf
    except ImportError:
        erf = None
    if erf is not None and xp.__name__ == "numpy":
        return erf(x).astype(x.dtype, copy=False)
    if hasattr(xp, "special"):
        return xp.special.erf(x)
    a = xp.abs(x).astype("float64")
    t = 1 / (1 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (xp.sign(x) * (1 - poly * xp.exp(-a * a))).astype(x.dtype)


def _leaky_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    xp = ctx.xp
    x = ins[0]
    t = attrs.act_type
    dt = x.dtype.type
    if g is None:
        return [None] * len(ins)
    pos = x > 0
    if t == "prelu":
        gamma = ins[1]
        gm = _prelu_gamma("LeakyReLU", x, gamma).astype(x.dtype, copy=False)
        dx = xp.where(pos, g, g * gm)
        gneg = xp.where(pos, dt(0), g * x)
        axes = tuple(i for i in range(x.ndim) if gm.shape[i] == 1)
        dg = gneg.sum(axis=axes).reshape(gamma.shape)
        return [dx, dg.astype(gamma.dtype, copy=False)]
    if t == "leaky":
        return [xp.where(pos, g, g * dt(attrs.slope))]
    y = outs[0]
    if t == "elu":
        return [xp.where(pos, g, g * (y + dt(attrs.slope)))]
    if t == "selu":
        # MXNet differentiates the negative part as lambda * (y + alpha), not y + lambda * alpha
        return [g * dt(_SELU_LAMBDA) * xp.where(pos, dt(1), y + dt(_SELU_ALPHA))]
    if t == "gelu":
        cdf = (1 + _erf(xp, x * dt(1 / math.sqrt(2)))) * dt(0.5)
        pdf = xp.exp(x * x * dt(-0.5)) * dt(1 / math.sqrt(2 * math.pi))
        return [(g * (cdf + x * pdf)).astype(x.dtype, copy=False)]
    slope = outs[1] if ctx.is_train else dt((attrs.lower_bound + attrs.upper_bound) / 2)
    return [xp.where(pos, g, g * slope)]


def _leaky_inputs(attrs):
    return ("data", "gamma") if attrs.get("act_type") == "prelu" else ("data",)


def _leaky_shape(attrs, shapes):
    d = shapes[0]
    if attrs.act_type == "prelu" and len(shapes) > 1:
        if d is not None and len(d) > 1 and shapes[1] is None:
            shapes[1] = (d[1],)
    nout = 2 if attrs.act_type == "rrelu" else 1
    return shapes, [d] * nout


register("LeakyReLU", _leaky_fwd, inputs=("data", "gamma"),
         input_filter=lambda a, names: names if a.act_type == "prelu" else names[:1], params=(
    Param("act_type", "str", "leaky", "activation function",
          choices=("elu", "gelu", "leaky", "prelu", "rrelu", "selu")),
    Param("slope", "float", 0.25, "negative slope (leaky), or alpha (elu)"),
    Param("lower_bound", "float", 0.125, "lowest random slope (rrelu)"),
    Param("upper_bound", "float", 0.334, "highest random slope (rrelu)")),
    backward=_leaky_bwd, infer_shape=_leaky_shape, needs_rng=True, uses_train=True,
    num_outputs=lambda a: 2 if a.act_type == "rrelu" else 1,
    output_names=lambda a: ["output", "mask"] if a.act_type == "rrelu" else ["output"],
    doc="Leaky rectified linear units and relatives: leaky, prelu (learned slope), elu, selu, "
        "gelu and rrelu (random slope while training).")


# -- softmax family -------------------------------------------------------------------------
def _softmax_core(opname, attrs, x, length, xp, negate=False, log=False):
    """Softmax (or log-softmax) along attrs.axis; returns the result in the compute dtype."""
    _float_only(opname, x)
    axis = norm_axis(attrs.axis, x.ndim, opname)
    out_dt = attrs.dtype if attrs.dtype is not None else x.dtype
    cdt = out_dt if out_dt.itemsize > x.dtype.itemsize else x.dtype
    t = attrs.temperature
    if x.size == 0:
        return x.astype(cdt), None, axis
    if cdt == x.dtype and not negate and (t is None or t == 1.0) and length is None:
        # the common case: one subtraction makes the working copy
        z = x - x.max(axis=axis, keepdims=True)
        return _softmax_finish(z, None, axis, xp, log)
    z = x.astype(cdt, copy=True)
    if negate:
        xp.negative(z, out=z)
    if t is not None and t != 1.0:
        z /= cdt.type(t)
    mask = None
    if length is not None:
        if length.dtype.kind not in "iu":
            raise MXNetError(f"Operator {opname}: 'length' must be an integer array, got {length.dtype}")
        want = x.shape[:axis] + x.shape[axis + 1:]
        if tuple(length.shape) != want:
            raise MXNetError(f"Operator {opname}: 'length' must have shape {want} for data "
                             f"{tuple(x.shape)} and axis={attrs.axis}, got {tuple(length.shape)}")
        idx = xp.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        mask = idx < xp.expand_dims(length, axis)
        z = xp.where(mask, z, cdt.type(-xp.inf))
    m = z.max(axis=axis, keepdims=True)
    if mask is not None:
        m = xp.where(xp.isfinite(m), m, cdt.type(0))
    z -= m
    return _softmax_finish(z, mask, axis, xp, log)


def _softmax_finish(z, mask, axis, xp, log):
    """(Log-)softmax of ``z``, whose maximum along ``axis`` is already subtracted (in place)."""
    if log:
        s = xp.exp(z).sum(axis=axis, keepdims=True)
        z -= xp.log(s)
        return z, mask, axis
    xp.exp(z, out=z)
    s = z.sum(axis=axis, keepdims=True)
    if mask is not None:
        s = xp.where(s > 0, s, z.dtype.type(1))
    z /= s
    return z, mask, axis


def _softmax_grad(attrs, g, y, x, axis, xp, log=False, negate=False):
    cdt = y.dtype
    g = g.astype(cdt, copy=False)
    # g - exp(y) * sum(g) and g*y - y * sum(g*y), computed in one spare buffer
    if log:
        dx = xp.exp(y)
        dx *= g.sum(axis=axis, keepdims=True)
        xp.subtract(g, dx, out=dx)
    else:
        gy = g * y
        dx = y * gy.sum(axis=axis, keepdims=True)
        xp.subtract(gy, dx, out=dx)
    t = attrs.temperature
    if t is not None and t != 1.0:
        dx /= cdt.type(t)
    if negate:
        xp.negative(dx, out=dx)
    return dx.astype(x.dtype, copy=False)


def _softmax_def(name, log=False, negate=False, with_length=False, doc=""):
    def forward(attrs, ins, ctx):
        length = None
        if with_length and attrs.use_length:
            if len(ins) != 2:
                raise MXNetError(f"Operator {name}: use_length=True needs the 'length' input")
            length = ins[1]
        elif len(ins) != 1:
            raise MXNetError(f"Operator {name}: the 'length' input needs use_length=True")
        out_dt = attrs.dtype if attrs.dtype is not None else ins[0].dtype
        y = _softmax_core(name, attrs, ins[0], length, ctx.xp, negate=negate, log=log)[0]
        return y.astype(out_dt, copy=False)

    def backward(attrs, og, ins, outs, ctx, state):
        g = og[0]
        x = ins[0]
        if g is None:
            return [None] * len(ins)
        axis = norm_axis(attrs.axis, x.ndim, name)
        dx = _softmax_grad(attrs, g, outs[0], x, axis, ctx.xp, log=log, negate=negate)
        if len(ins) == 2:
            # positions past the length got no probability mass; their gradient is zero
            return [dx, None]
        return [dx]

    def infer_type(attrs, types):
        t = types[0]
        return types, [attrs.dtype if attrs.dtype is not None else t]

    params = [Param("axis", "int", -1, "the axis to normalise along"),
              Param("temperature", "float", None, "divides the input before the exponential"),
              Param("dtype", "dtype", None, "output data type (None: that of the input)"),
              Param("use_length", "bool", False, "mask each row past the given 'length'")]
    register(name, forward, inputs=("data", "length") if with_length else ("data",), params=params,
             input_filter=(lambda a, names: names if a.use_length else names[:1]) if with_length else None,
             backward=backward, infer_type=infer_type, **like_data(), doc=doc)


_softmax_def("softmax", with_length=True,
             doc="Softmax along an axis: exp(x / t) normalised to sum to one.")
_softmax_def("log_softmax", log=True, doc="Logarithm of the softmax along an axis.")
_softmax_def("softmin", negate=True, doc="Softmax of the negated input along an axis.")


# -- fused sparse softmax cross-entropy (gluon.loss.SoftmaxCrossEntropyLoss) ---------------------
def _pick_attrs(axis):
    return Attrs(axis=axis, mode="clip")


def _sce_pick_fwd(attrs, ins, ctx):
    """-pick(log_softmax(data, axis), label, axis, keepdims=True), the same float operations as
    that composition; the saved state is exp(data - max) and its sum, so the backward is one pass."""
    xp = ctx.xp
    x, label = ins
    _float_only("_softmax_cross_entropy_pick", x)
    axis, idx = _pick_index(_pick_attrs(attrs.axis), x, label, xp)
    if axis == x.ndim - 1 and type(x) is np.ndarray and x.dtype == np.float32 and x.size \
            and x.flags.c_contiguous and (jk := jit()) is not None:
        # two passes per row in cache instead of five over the array (LSTM LM, 700 x 10000,
        # 1 thread: 6.9 -> 5.1 ms)
        loss, e, s = jk.softmax_ce_rows(x.reshape(-1, x.shape[-1]),
                                        np.ascontiguousarray(idx.reshape(-1), np.int64))
        keep = x.shape[:-1] + (1,)
        return loss.reshape(keep), (e.reshape(x.shape), s.reshape(keep), idx, axis)
    m = x.max(axis=axis, keepdims=True)
    e = xp.subtract(x, m)
    xp.exp(e, out=e)
    s = e.sum(axis=axis, keepdims=True)
    picked = xp.take_along_axis(x, idx, axis=axis) - m
    picked -= xp.log(s)
    return xp.negative(picked, out=picked), (e, s, idx, axis)


def _sce_pick_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None, None]
    xp = ctx.xp
    e, s, idx, axis = state
    g = g.astype(e.dtype, copy=False)
    if axis == e.ndim - 1 and type(e) is np.ndarray and e.dtype == np.float32 and e.size \
            and e.flags.c_contiguous and (jk := jit()) is not None:
        # one pass, split over threads (the LSTM LM's 700 x 10000 in its step, 2 threads: 2.0 ->
        # 1.6 ms; memory-bound)
        s, g, idx = (np.ascontiguousarray(a.reshape(-1), t)
                     for a, t in ((s, np.float32), (g, np.float32), (idx, np.int64)))
        return [jk.softmax_ce_rows_grad(e.reshape(-1, e.shape[-1]), s, g, idx).reshape(e.shape), None]
    # softmax * g, less g at the label
    dx = xp.multiply(e, g / s)
    xp.put_along_axis(dx, idx, xp.take_along_axis(dx, idx, axis=axis) - g, axis=axis)
    return [dx, None]


def _sce_pick_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None]
    axis = norm_axis(attrs.axis, len(d), "_softmax_cross_entropy_pick")
    return shapes, [tuple(d[:axis]) + (1,) + tuple(d[axis + 1:])]


register("_softmax_cross_entropy_pick", _sce_pick_fwd, inputs=("data", "label"), params=(
    Param("axis", "int", -1, "the class axis"),),
    backward=_sce_pick_bwd, save_state=True, infer_shape=_sce_pick_shape,
    doc="Per-position cross-entropy -log(softmax(data)[label]) along an axis, keeping that axis "
        "with size 1 (labels clipped to the valid range, as pick does).")


def _sact_fwd(attrs, ins, ctx):
    x = ins[0]
    _float_only("SoftmaxActivation", x)
    if x.ndim < 2:
        raise MXNetError(f"Operator SoftmaxActivation: data must have at least 2 dimensions, "
                         f"got {tuple(x.shape)}")
    return _softmax_core("SoftmaxActivation", _SACT_ATTRS[attrs.mode], x, None, ctx.xp)[0]


def _sact_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None]
    # MXNet's gradient sums over axis 1 in both modes (for data of more than 2 dimensions the
    # instance-mode gradient is therefore not that of its forward); we reproduce it
    return [_softmax_grad(_SACT_ATTRS["channel"], g, outs[0], ins[0], 1, ctx.xp)]


# instance mode is a softmax over the last axis, channel mode over axis 1
_SACT_ATTRS = {"instance": Attrs(axis=-1, temperature=None, dtype=None),
               "channel": Attrs(axis=1, temperature=None, dtype=None)}

register("SoftmaxActivation", _sact_fwd, params=(
    Param("mode", "str", "instance", "instance: over the last axis; channel: over axis 1",
          choices=("channel", "instance")),),
    backward=_sact_bwd, **like_data(),
    doc="Softmax over each instance (flattened) or over the channel axis.")
