"""ONNX converters of the neural-network layers: convolution, pooling, normalisation, dense,
activations, softmax, embedding, dropout."""
import numpy as np

from ..base import MXNetError
from ._registry import converter


def _spatial(attrs, key, nd, default):
    v = attrs.get(key) or ()
    return list(v) if len(v) else [default] * nd


def _check_layout(node, attrs, nd):
    layout = attrs.get("layout")
    if layout is not None and layout != "NC" + "DHW"[3 - nd:]:
        raise MXNetError(f"ONNX export: {node.op.name} '{node.name}' uses layout {layout}; ONNX "
                         f"supports channel-first layouts only")


@converter("Convolution")
def _conv(g, node, ins, a):
    nd = len(a.kernel)
    _check_layout(node, a, nd)
    pad = _spatial(a, "pad", nd, 0)
    return g.add("Conv", ins, kernel_shape=list(a.kernel), strides=_spatial(a, "stride", nd, 1),
                 dilations=_spatial(a, "dilate", nd, 1), pads=pad + pad, group=a.num_group)


@converter("Deconvolution")
def _deconv(g, node, ins, a):
    nd = len(a.kernel)
    _check_layout(node, a, nd)
    pad = _spatial(a, "pad", nd, 0)
    kw = dict(kernel_shape=list(a.kernel), strides=_spatial(a, "stride", nd, 1),
              dilations=_spatial(a, "dilate", nd, 1), group=a.num_group)
    if a.target_shape:
        # the output size MXNet was told; ONNX derives the padding from it
        kw["output_shape"] = list(a.target_shape)
    else:
        kw["pads"] = pad + pad
        kw["output_padding"] = _spatial(a, "adj", nd, 0)
    return g.add("ConvTranspose", ins, **kw)


@converter("Pooling")
def _pool(g, node, ins, a):
    x = ins[0]
    nd = g.ndim(x) - 2
    _check_layout(node, a, nd)
    if a.global_pool:
        op = {"max": "GlobalMaxPool", "avg": "GlobalAveragePool", "lp": "GlobalLpPool"}.get(a.pool_type)
        if op is None:
            raise MXNetError(f"ONNX export: Pooling '{node.name}': pool_type {a.pool_type} has no ONNX form")
        return g.add(op, [x], p=int(a.p_value or 2) if a.pool_type == "lp" else None)
    pad = _spatial(a, "pad", nd, 0)
    stride = _spatial(a, "stride", nd, 1)
    kw = dict(kernel_shape=list(a.kernel), strides=stride, pads=pad + pad)
    if a.pooling_convention == "full":
        kw["ceil_mode"] = 1
    elif a.pooling_convention == "same":
        kw.pop("pads")
        kw["auto_pad"] = "SAME_UPPER"
    if a.pool_type == "max":
        return g.add("MaxPool", [x], **kw)
    if a.pool_type == "avg":
        # MXNet counts padding by default (count_include_pad None means True)
        kw["count_include_pad"] = 0 if a.count_include_pad is False else 1
        return g.add("AveragePool", [x], **kw)
    if a.pool_type == "lp":
        kw.pop("ceil_mode", None)
        return g.add("LpPool", [x], p=int(a.p_value or 2), **kw)
    if a.pool_type == "sum":
        kw["count_include_pad"] = 1
        avg = g.add("AveragePool", [x], **kw)
        return g.add("Mul", [avg, g.scalar(float(np.prod(a.kernel)), x)])
    raise MXNetError(f"ONNX export: Pooling '{node.name}': pool_type {a.pool_type} has no ONNX form")


def _channel_param(g, t, axis, ndim):
    """Reshape a per-channel vector so that it broadcasts along ``axis`` of an ``ndim`` tensor."""
    shape = [1] * ndim
    shape[axis] = -1
    return g.add("Reshape", [t, g.ints(shape)])


@converter("BatchNorm")
def _batchnorm(g, node, ins, a):
    x, gamma, beta, mean, var = ins
    if a.fix_gamma:
        gamma = g.const(np.ones(g.concrete_shape(gamma), dtype=g.dtype(gamma)))
    ndim = g.ndim(x)
    axis = a.axis % ndim
    if axis == 1:
        y = g.add("BatchNormalization", [x, gamma, beta, mean, var], epsilon=float(a.eps))
    else:
        # ONNX normalises axis 1 only: write the inference formula out
        inv = g.add("Div", [gamma, g.add("Sqrt", [g.add("Add", [var, g.scalar(a.eps, var)])])])
        shift = g.add("Sub", [beta, g.add("Mul", [mean, inv])])
        y = g.add("Add", [g.add("Mul", [x, _channel_param(g, inv, axis, ndim)]),
                          _channel_param(g, shift, axis, ndim)])
    if a.output_mean_var:
        return [y, mean, var]
    return y


@converter("LayerNorm")
def _layernorm(g, node, ins, a):
    x, gamma, beta = ins
    ndim = g.ndim(x)
    axis = a.axis % ndim
    if a.output_mean_var:
        raise MXNetError(f"ONNX export: LayerNorm '{node.name}' with output_mean_var has no ONNX form")
    if g.opset >= 17 and axis == ndim - 1:
        return g.add("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=float(a.eps))
    mean = g.reduce("ReduceMean", x, [axis], True)
    d = g.add("Sub", [x, mean])
    var = g.reduce("ReduceMean", g.add("Mul", [d, d]), [axis], True)
    y = g.add("Div", [d, g.add("Sqrt", [g.add("Add", [var, g.scalar(a.eps, x)])])])
    if axis != ndim - 1:
        gamma, beta = _channel_param(g, gamma, axis, ndim), _channel_param(g, beta, axis, ndim)
    return g.add("Add", [g.add("Mul", [y, gamma]), beta])


@converter("InstanceNorm")
def _instancenorm(g, node, ins, a):
    return g.add("InstanceNormalization", ins, epsilon=float(a.eps))


@converter("GroupNorm")
def _groupnorm(g, node, ins, a):
    x, gamma, beta = ins
    grouped = g.add("Reshape", [x, g.ints([0, a.num_groups, -1])])
    mean = g.reduce("ReduceMean", grouped, [2], True)
    d = g.add("Sub", [grouped, mean])
    var = g.reduce("ReduceMean", g.add("Mul", [d, d]), [2], True)
    y = g.add("Div", [d, g.add("Sqrt", [g.add("Add", [var, g.scalar(a.eps, x)])])])
    # MXNet 1.x scales and shifts per group
    y = g.add("Add", [g.add("Mul", [y, _channel_param(g, gamma, 1, 3)]), _channel_param(g, beta, 1, 3)])
    return g.add("Reshape", [y, g.add("Shape", [x])])


@converter("L2Normalization")
def _l2norm(g, node, ins, a):
    x = ins[0]
    ndim = g.ndim(x)
    axes = {"instance": list(range(1, ndim)), "channel": [1], "spatial": list(range(2, ndim))}[a.mode]
    ss = g.reduce("ReduceSum", g.add("Mul", [x, x]), axes, True)
    return g.add("Div", [x, g.add("Sqrt", [g.add("Add", [ss, g.scalar(a.eps, x)])])])


@converter("LRN")
def _lrn(g, node, ins, a):
    return g.add("LRN", ins, alpha=float(a.alpha), beta=float(a.beta), bias=float(a.knorm), size=a.nsize)


@converter("FullyConnected")
def _dense(g, node, ins, a):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    if a.flatten:
        if g.ndim(x) != 2:
            x = g.add("Flatten", [x], axis=1)
        return g.add("Gemm", [x, w] + ([bias] if bias else []), transB=1)
    y = g.add("MatMul", [x, g.add("Transpose", [w], perm=[1, 0])])
    return g.add("Add", [y, bias]) if bias else y


@converter("Flatten")
def _flatten(g, node, ins, a):
    return g.add("Flatten", ins, axis=1)


@converter("Dropout")
def _dropout(g, node, ins, a):
    # inference graphs: dropout passes its input through
    return ins[0]


_ACT = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softsign": "Softsign"}


def _softrelu(g, x):
    return g.add("Softplus", [x])


@converter("Activation")
def _activation(g, node, ins, a):
    if a.act_type == "softrelu":
        return _softrelu(g, ins[0])
    if a.act_type == "log_sigmoid":
        return g.add("Neg", [g.add("Softplus", [g.add("Neg", ins)])])
    if a.act_type == "mish":
        return g.add("Mul", [ins[0], g.add("Tanh", [g.add("Softplus", ins)])])
    return g.add(_ACT[a.act_type], ins)


def _gelu(g, x):
    # x * (1 + erf(x / sqrt 2)) / 2
    e = g.add("Erf", [g.add("Div", [x, g.scalar(np.sqrt(2.0), x)])])
    return g.add("Mul", [g.add("Mul", [x, g.add("Add", [e, g.scalar(1.0, x)])]), g.scalar(0.5, x)])


@converter("LeakyReLU")
def _leaky(g, node, ins, a):
    x = ins[0]
    t = a.act_type
    if t == "leaky":
        return g.add("LeakyRelu", [x], alpha=float(a.slope))
    if t == "elu":
        return g.add("Elu", [x], alpha=float(a.slope))
    if t == "selu":
        return g.add("Selu", [x], alpha=1.6732632423543772, gamma=1.0507009873554805)
    if t == "gelu":
        return _gelu(g, x)
    if t == "prelu":
        gamma = ins[1]
        if g.ndim(x) > 1 and g.concrete_shape(gamma) != (1,):
            gamma = _channel_param(g, gamma, 1, g.ndim(x))
        return g.add("PRelu", [x, gamma])
    if t == "rrelu":
        # inference: the mean of the random slope's range
        return g.add("LeakyRelu", [x], alpha=float((a.lower_bound + a.upper_bound) / 2))
    raise MXNetError(f"ONNX export: LeakyReLU '{node.name}': act_type {t} has no ONNX form")


@converter("relu")
def _relu(g, node, ins, a):
    return g.add("Relu", ins)


@converter("sigmoid")
def _sigmoid(g, node, ins, a):
    return g.add("Sigmoid", ins)


@converter("hard_sigmoid")
def _hard_sigmoid(g, node, ins, a):
    return g.add("HardSigmoid", ins, alpha=float(a.alpha), beta=float(a.beta))


@converter("softsign")
def _softsign(g, node, ins, a):
    return g.add("Softsign", ins)


def _softmax_core(g, op_type, x, axis, ndim):
    axis = axis % ndim
    if g.opset >= 13 or axis == ndim - 1:
        return g.add(op_type, [x], axis=axis)
    # before opset 13 Softmax flattened the trailing axes: move ``axis`` last
    perm = [i for i in range(ndim) if i != axis] + [axis]
    back = list(np.argsort(perm))
    y = g.add(op_type, [g.add("Transpose", [x], perm=perm)], axis=-1)
    return g.add("Transpose", [y], perm=[int(i) for i in back])


def _softmax_like(g, node, ins, a, op_type, negate=False):
    x = g.add("Neg", [ins[0]]) if negate else ins[0]
    if a.get("temperature") not in (None, 1.0):
        x = g.add("Div", [x, g.scalar(a.temperature, ins[0])])
    if a.get("use_length"):
        if op_type != "Softmax":
            raise MXNetError(f"ONNX export: {node.op.name} '{node.name}' with use_length has no ONNX form")
        mask = _length_mask(g, ins[0], ins[1], a.axis)
        x = g.add("Where", [mask, x, g.scalar(-np.inf, ins[0])])
    y = _softmax_core(g, op_type, x, a.axis, g.ndim(ins[0]))
    if a.get("use_length"):
        # masked positions get 0 (MXNet), not the uniform share of -inf inputs
        y = g.add("Where", [mask, y, g.scalar(0, ins[0])])
    if a.get("dtype") is not None and np.dtype(a.dtype) != g.dtype(ins[0]):
        y = g.cast(y, a.dtype)
    return y


def _length_mask(g, x, length, axis):
    """A boolean tensor broadcasting against ``x``: position < length along ``axis``, where
    ``length`` has ``x``'s shape without ``axis``."""
    ndim = g.ndim(x)
    axis = axis % ndim
    n = g.slice(g.add("Shape", [x]), [axis], [axis + 1], [0])
    pos = g.add("Range", [g.const(np.int64(0)), g.squeeze(n, [0]), g.const(np.int64(1))])
    shape = [1] * ndim
    shape[axis] = -1
    pos = g.add("Reshape", [pos, g.ints(shape)])
    ln = g.unsqueeze(g.cast(length, np.int64), [axis])
    return g.add("Less", [pos, ln])


@converter("softmax")
def _softmax(g, node, ins, a):
    return _softmax_like(g, node, ins, a, "Softmax")


@converter("log_softmax")
def _log_softmax(g, node, ins, a):
    return _softmax_like(g, node, ins, a, "LogSoftmax")


@converter("softmin")
def _softmin(g, node, ins, a):
    return _softmax_like(g, node, ins, a, "Softmax", negate=True)


@converter("SoftmaxActivation")
def _softmax_activation(g, node, ins, a):
    x = ins[0]
    return _softmax_core(g, "Softmax", x, 1 if a.mode == "channel" else -1, g.ndim(x))


@converter("SoftmaxOutput")
def _softmax_output(g, node, ins, a):
    x = ins[0]
    if a.multi_output:
        return _softmax_core(g, "Softmax", x, 1, g.ndim(x))
    if a.preserve_shape:
        return _softmax_core(g, "Softmax", x, -1, g.ndim(x))
    return g.add("Reshape", [_softmax_core(g, "Softmax", g.add("Flatten", [x], axis=1), 1, 2),
                             g.add("Shape", [x])])


@converter("LinearRegressionOutput", "MAERegressionOutput")
def _regression_output(g, node, ins, a):
    return g.add("Identity", [ins[0]])


@converter("LogisticRegressionOutput")
def _logistic_output(g, node, ins, a):
    return g.add("Sigmoid", [ins[0]])


@converter("Embedding")
def _embedding(g, node, ins, a):
    idx = g.cast(ins[0], np.int64)
    return g.add("Gather", [ins[1], idx], axis=0)


@converter("UpSampling")
def _upsampling(g, node, ins, a):
    if a.sample_type != "nearest" or len(ins) != 1:
        raise MXNetError(f"ONNX export: UpSampling '{node.name}': only nearest sampling of one input "
                         f"converts")
    x = ins[0]
    scales = g.const(np.array([1, 1] + [a.scale] * (g.ndim(x) - 2), dtype=np.float32))
    return g.add("Resize", [x, "", scales], mode="nearest", nearest_mode="floor",
                 coordinate_transformation_mode="asymmetric")


@converter("_contrib_BilinearResize2D")
def _bilinear_resize(g, node, ins, a):
    x = ins[0]
    mode = "align_corners" if a.align_corners else "half_pixel"
    size = g.shape_tensor(g.out_shapes[0], [x] + ins[1:])
    return g.add("Resize", [x, "", "", size], mode="linear", coordinate_transformation_mode=mode)


@converter("_contrib_AdaptiveAvgPooling2D")
def _adaptive_avg(g, node, ins, a):
    x = ins[0]
    out = a.output_size or (1,)
    oh, ow = (out[0], out[0]) if len(out) == 1 else out
    if (oh, ow) == (1, 1):
        return g.add("GlobalAveragePool", [x])
    if None in g.shape(x)[2:]:
        raise MXNetError(f"ONNX export: _contrib_AdaptiveAvgPooling2D '{node.name}' needs a static spatial size")
    h, w = g.concrete_shape(x)[2:]
    # the windows are rectangles: averaging them is P_h @ x @ P_w^T with row-normalised
    # window matrices, whatever the (possibly overlapping) window sizes
    ph = g.const(_window_matrix(h, oh, g.dtype(x)))
    pw = g.const(_window_matrix(w, ow, g.dtype(x)).T.copy())
    return g.add("MatMul", [g.add("MatMul", [ph, x]), pw])


def _window_matrix(n, out, dtype):
    m = np.zeros((out, n), dtype=np.float64)
    for i in range(out):
        lo, hi = (i * n) // out, -((-(i + 1) * n) // out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m.astype(dtype)


@converter("ROIPooling")
def _roi_pooling(g, node, ins, a):
    return g.add("MaxRoiPool", ins, pooled_shape=list(a.pooled_size), spatial_scale=float(a.spatial_scale))
