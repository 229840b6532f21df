"""Output (loss) operators: SoftmaxOutput, the regression outputs, softmax_cross_entropy, smooth_l1,
CTCLoss.  The *Output operators return a prediction forward and, backward, the gradient of their
implied loss, ignoring the head gradient as MXNet does."""
import numpy as np

from ..base import MXNetError
from .registry import register, Param


def _float_only(opname, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"Operator {opname}: only floating point data is supported, got {x.dtype}")


def _softmax(xp, x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    xp.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


# -- SoftmaxOutput -------------------------------------------------------------------------------
def _so_label_shape(attrs, dshape):
    if attrs.multi_output:
        return (dshape[0],) + tuple(dshape[2:])
    return tuple(dshape[:-1])


def _so_fwd(attrs, ins, ctx):
    x, label = ins
    _float_only("SoftmaxOutput", x)
    if x.ndim < 2:
        raise MXNetError(f"Operator SoftmaxOutput: data must have at least 2 dimensions, "
                         f"got {tuple(x.shape)}")
    want = _so_label_shape(attrs, x.shape)
    if tuple(label.shape) != want and label.shape != x.shape:
        raise MXNetError(f"Operator SoftmaxOutput: label must have shape {want} (or the data's, "
                         f"for probabilities) for data {tuple(x.shape)}, got {tuple(label.shape)}")
    if attrs.multi_output:
        return _softmax(ctx.xp, x, 1)
    if attrs.preserve_shape or x.ndim == 2:
        return _softmax(ctx.xp, x, -1)
    # MXNet's default mode flattens each sample into one distribution
    return _softmax(ctx.xp, x.reshape(x.shape[0], -1), -1).reshape(x.shape)


def _so_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x, label = ins
    y = outs[0]
    if label.shape == x.shape:
        # a label shaped like the data holds probabilities: the gradient is out - label, scaled
        # by grad_scale alone
        grad = (y - label.astype(x.dtype, copy=False)) * x.dtype.type(attrs.grad_scale)
        if attrs.out_grad and og[0] is not None:
            grad *= og[0]
        return [grad.astype(x.dtype, copy=False), None]
    shape = x.shape
    if not (attrs.multi_output or attrs.preserve_shape or x.ndim == 2):
        # flattened samples, each taking the first batch-size entries of the flat label
        x, y, label = x.reshape(shape[0], -1), y.reshape(shape[0], -1), label.reshape(-1)[:shape[0]]
    axis = 1 if attrs.multi_output else x.ndim - 1
    k = x.shape[axis]
    lab = xp.expand_dims(label, axis)
    cls = xp.arange(k).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    hit = lab.astype(np.int64) == cls
    dt = x.dtype.type
    if attrs.smooth_alpha:
        a = attrs.smooth_alpha
        grad = y - xp.where(hit, dt(1 - a), dt(a / (k - 1)))
    else:
        grad = y - hit
    if attrs.use_ignore:
        grad *= lab != dt(attrs.ignore_label)
    scale = attrs.grad_scale
    # multi_output gradients are also divided by the positions per sample, except for 'valid'
    per = label.size // x.shape[0] if attrs.multi_output else 1
    if attrs.normalization == "batch":
        scale /= x.shape[0] * per if attrs.multi_output else x.size // k
    elif attrs.normalization == "valid":
        scale /= max(int((label != dt(attrs.ignore_label)).sum()), 1)
    else:
        scale /= per
    if scale != 1.0:
        grad *= dt(scale)
    if attrs.out_grad and og[0] is not None:
        grad *= og[0].reshape(grad.shape)
    return [grad.astype(x.dtype, copy=False).reshape(shape), None]


def _so_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None]
    if shapes[1] is None:
        shapes[1] = _so_label_shape(attrs, d)
    return shapes, [tuple(d)]


register("SoftmaxOutput", _so_fwd, inputs=("data", "label"), params=(
    Param("grad_scale", "float", 1.0, "scales the gradient"),
    Param("ignore_label", "float", -1.0, "label value to ignore (with use_ignore)"),
    Param("multi_output", "bool", False, "softmax along axis 1, one label per remaining position"),
    Param("use_ignore", "bool", False, "give no gradient where the label is ignore_label"),
    Param("preserve_shape", "bool", False, "softmax along the last axis"),
    Param("normalization", "str", "null", "divide the gradient by nothing, the batch size or the "
          "number of labels that are not ignore_label", choices=("batch", "null", "valid")),
    Param("out_grad", "bool", False, "multiply the gradient by the head gradient"),
    Param("smooth_alpha", "float", 0.0, "label smoothing: alpha spread over the other classes")),
    backward=_so_bwd, infer_shape=_so_shape, aliases=("Softmax",),
    doc="Softmax forward; backward, the cross-entropy gradient softmax - onehot(label), scaled.")


# -- regression outputs ------------------------------------------------------------------------
def _regression(name, fwd, grad, doc):
    def forward(attrs, ins, ctx):
        x, label = ins
        _float_only(name, x)
        if label.size != x.size or (label.ndim == x.ndim and tuple(label.shape) != tuple(x.shape)) \
                or (label.ndim != x.ndim and tuple(label.shape) != tuple(x.shape[:-1])):
            raise MXNetError(f"Operator {name}: label must have shape {tuple(x.shape)}, "
                             f"got {tuple(label.shape)}")
        return fwd(ctx.xp, x)

    def backward(attrs, og, ins, outs, ctx, state):
        x, label = ins
        per_sample = x.size // x.shape[0] if x.ndim else 1
        g = grad(ctx.xp, outs[0], label.reshape(x.shape).astype(x.dtype, copy=False))
        g *= x.dtype.type(attrs.grad_scale / per_sample)
        return [g, None]

    def shape(attrs, shapes):
        d = shapes[0]
        if d is not None and shapes[1] is None:
            shapes[1] = tuple(d)
        return shapes, [d]

    register(name, forward, inputs=("data", "label"), backward=backward, infer_shape=shape,
             params=(Param("grad_scale", "float", 1.0, "scales the gradient"),), doc=doc)


def _sigmoid(xp, x):
    y = xp.negative(x)
    xp.exp(y, out=y)
    y += 1
    return xp.reciprocal(y, out=y)


_regression("LinearRegressionOutput", lambda xp, x: x.copy(), lambda xp, y, t: y - t,
            "Identity forward; backward, the squared-error gradient (out - label) * grad_scale / m.")
_regression("LogisticRegressionOutput", _sigmoid, lambda xp, y, t: y - t,
            "Sigmoid forward; backward, the logistic-loss gradient (out - label) * grad_scale / m.")
_regression("MAERegressionOutput", lambda xp, x: x.copy(), lambda xp, y, t: xp.sign(y - t),
            "Identity forward; backward, the absolute-error gradient sign(out - label) * grad_scale / m.")


# -- softmax_cross_entropy ------------------------------------------------------------------------
def _sce_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x, label = ins
    _float_only("softmax_cross_entropy", x)
    if x.ndim != 2 or tuple(label.shape) != (x.shape[0],):
        raise MXNetError(f"Operator softmax_cross_entropy: data must be 2-D (batch, classes) and label "
                         f"(batch,), got {tuple(x.shape)} and {tuple(label.shape)}")
    z = x - x.max(axis=1, keepdims=True)
    logp = z - xp.log(xp.exp(z).sum(axis=1, keepdims=True))
    idx = label.astype(np.int64)
    picked = xp.take_along_axis(logp, xp.clip(idx, 0, x.shape[1] - 1)[:, None], axis=1)
    return (-picked.sum()).reshape(1).astype(x.dtype, copy=False)


def _sce_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x, label = ins
    if og[0] is None:
        return [None, None]
    g = _softmax(xp, x, 1)
    g -= label.astype(np.int64)[:, None] == xp.arange(x.shape[1])
    g *= og[0].reshape(())
    return [g, None]


register("softmax_cross_entropy", _sce_fwd, inputs=("data", "label"), backward=_sce_bwd,
         infer_shape=lambda a, s: (s, [(1,)]),
         doc="Sum over the batch of the cross entropy between softmax(data) and the labels.")


# -- smooth_l1 -------------------------------------------------------------------------------
def _sl1_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    dt = x.dtype.type
    s2 = dt(attrs.scalar * attrs.scalar)
    a = xp.abs(x)
    return xp.where(a < 1 / s2, dt(0.5) * s2 * x * x, a - dt(0.5) / s2).astype(x.dtype, copy=False)


def _sl1_bwd(attrs, og, ins, outs, ctx, state):
    if og[0] is None:
        return [None]
    xp = ctx.xp
    x = ins[0]
    dt = x.dtype.type
    s2 = dt(attrs.scalar * attrs.scalar)
    return [og[0] * xp.where(xp.abs(x) < 1 / s2, s2 * x, xp.sign(x)).astype(x.dtype, copy=False)]


register("smooth_l1", _sl1_fwd, params=(Param("scalar", "float", 1.0, doc="sigma: the quadratic zone "
                                              "is |x| < 1 / sigma^2"),),
         backward=_sl1_bwd, doc="Smooth L1: 0.5 (sigma x)^2 near zero, |x| - 0.5 / sigma^2 beyond.")


# -- CTCLoss ----------------------------------------------------------------------------------
def _ctc_inputs(attrs):
    names = ["data", "label"]
    if attrs.get("use_data_lengths"):
        names.append("data_lengths")
    if attrs.get("use_label_lengths"):
        names.append("label_lengths")
    return names


def _ctc_fwd(attrs, ins, ctx):
    xp = ctx.xp
    names = _ctc_inputs(attrs)
    if len(ins) != len(names):
        raise MXNetError(f"Operator CTCLoss: expects inputs {names} for use_data_lengths="
                         f"{attrs.use_data_lengths}, use_label_lengths={attrs.use_label_lengths}; "
                         f"got {len(ins)} arrays")
    x, label = ins[0], ins[1]
    _float_only("CTCLoss", x)
    if x.ndim != 3 or label.ndim != 2 or label.shape[0] != x.shape[1]:
        raise MXNetError(f"Operator CTCLoss: data must be (time, batch, alphabet) and label "
                         f"(batch, max_label_length), got {tuple(x.shape)} and {tuple(label.shape)}")
    t_max, n, c = x.shape
    dt = x.dtype.type
    first = attrs.blank_label == "first"
    blank = 0 if first else c - 1
    lab = label.astype(np.int64)
    if attrs.use_label_lengths:
        llen = ins[names.index("label_lengths")].astype(np.int64)
    else:
        pad = lab == (0 if first else -1)
        llen = xp.where(pad.any(axis=1), pad.argmax(axis=1), lab.shape[1])
    tlen = ins[names.index("data_lengths")].astype(np.int64) if attrs.use_data_lengths \
        else xp.full((n,), t_max, dtype=np.int64)
    if int(tlen.max(initial=0)) > t_max or int(tlen.min(initial=1)) < 1:
        raise MXNetError(f"Operator CTCLoss: data_lengths must lie in [1, {t_max}]")
    z = x - x.max(axis=2, keepdims=True)
    logy = z - xp.log(xp.exp(z).sum(axis=2, keepdims=True))
    # the extended label: blanks around and between the symbols
    s_max = 2 * lab.shape[1] + 1
    ext = xp.full((n, s_max), blank, dtype=np.int64)
    ext[:, 1::2] = xp.clip(lab, 0, c - 1)
    slen = 2 * llen + 1
    pos = xp.arange(s_max)
    valid = pos[None, :] < slen[:, None]
    skip = xp.zeros((n, s_max), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    lp = xp.take_along_axis(logy, xp.broadcast_to(ext[None], (t_max, n, s_max)), axis=2)
    neg = dt(-np.inf)
    alpha = xp.full((t_max, n, s_max), neg, dtype=x.dtype)
    a = xp.full((n, s_max), neg, dtype=x.dtype)
    a[:, :2] = lp[0, :, :2]
    a = xp.where(valid, a, neg)
    alpha[0] = a
    for t in range(1, t_max):
        prev = alpha[t - 1]
        s = prev.copy()
        s[:, 1:] = xp.logaddexp(s[:, 1:], prev[:, :-1])
        s[:, 2:] = xp.where(skip[:, 2:], xp.logaddexp(s[:, 2:], prev[:, :-2]), s[:, 2:])
        a = xp.where(valid, s + lp[t], neg)
        alpha[t] = xp.where((t < tlen)[:, None], a, prev)
    last = alpha[tlen - 1, xp.arange(n)]
    end = xp.take_along_axis(last, (slen - 1)[:, None], 1)[:, 0]
    end2 = xp.take_along_axis(last, xp.maximum(slen - 2, 0)[:, None], 1)[:, 0]
    logp = xp.where(slen > 1, xp.logaddexp(end, end2), end)
    loss = -logp
    # beta (backward variables), then the gradient with respect to the unnormalised data
    beta = xp.full((t_max, n, s_max), neg, dtype=x.dtype)
    b = xp.full((n, s_max), neg, dtype=x.dtype)
    rows = xp.arange(n)
    for t in range(t_max - 1, -1, -1):
        s = b.copy()
        s[:, :-1] = xp.logaddexp(s[:, :-1], b[:, 1:])
        s[:, :-2] = xp.where(skip[:, 2:], xp.logaddexp(s[:, :-2], b[:, 2:]), s[:, :-2])
        init = xp.full((n, s_max), neg, dtype=x.dtype)
        init[rows, slen - 1] = 0
        init[rows, xp.maximum(slen - 2, 0)] = 0
        s = xp.where((t == tlen - 1)[:, None], init, s)
        b = xp.where(valid & (t < tlen)[:, None], s + lp[t], neg)
        beta[t] = b
    occ = xp.exp(alpha + beta - lp + loss[None, :, None])
    occ = xp.where((xp.arange(t_max)[:, None] < tlen[None, :])[:, :, None], occ, dt(0))
    onehot = (ext[:, :, None] == xp.arange(c)).astype(x.dtype)
    grad = xp.exp(logy) - xp.einsum("tns,nsc->tnc", occ, onehot)
    # steps past a sequence's length get no gradient, whatever (even NaN) they hold
    grad = xp.where((xp.arange(t_max)[:, None] < tlen[None, :])[:, :, None], grad, dt(0))
    return loss.astype(x.dtype, copy=False), grad.astype(x.dtype, copy=False)


def _ctc_bwd(attrs, og, ins, outs, ctx, state):
    grads = [None] * len(ins)
    if og[0] is not None:
        grads[0] = outs[1] * og[0][None, :, None]
    return grads


def _ctc_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None, None]
    return shapes, [(d[1],), tuple(d)]


register("CTCLoss", _ctc_fwd, inputs=("data", "label", "data_lengths", "label_lengths"),
         input_filter=lambda attrs, names: _ctc_inputs(attrs), params=(
    Param("use_data_lengths", "bool", False, "take each sequence's length from data_lengths"),
    Param("use_label_lengths", "bool", False, "take each label's length from label_lengths "
          "(otherwise the label ends at the first padding value: 0 for blank 'first', -1 for 'last')"),
    Param("blank_label", "str", "first", "the blank symbol is class 0 ('first') or the last class",
          choices=("first", "last"))),
    backward=_ctc_bwd, infer_shape=_ctc_shape, num_outputs=2, num_visible_outputs=1,
    output_names=("output", "grad"), aliases=("ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss"),
    doc="Connectionist temporal classification loss of (time, batch, alphabet) activations; "
        "the softmax is taken inside.")
