"""ONNX operator -> MXNet operator translations for ``import_model``: one function per ONNX
operator type."""
import numpy as np

from ...base import MXNetError
from ._import import importer, RepeatedSize, ShapeValue

_BIG = 2 ** 62


def _ints(v):
    return [int(x) for x in np.asarray(v).reshape(-1)]


def _opt_input(imp, ins, i, attrs, key, default=None):
    """An argument given as an attribute (older opsets) or an input (newer ones)."""
    if key in attrs:
        return attrs[key]
    if len(ins) > i and ins[i] is not None:
        return imp.const(ins[i])
    return default


def _ints_arg(imp, a, name, ins, k, required=False):
    """``_opt_input``'s value as integers (None when neither is given and it is not required)."""
    v = _opt_input(imp, ins, k, a, name)
    if v is None and required:
        v = imp.const(ins[k])
    return None if v is None else _ints(v)


def _sym_pads(imp, x, pads, nd, value=0.0):
    """MXNet pads both sides equally: asymmetric ONNX pads become a Pad operator first."""
    if not pads:
        return x, (0,) * nd
    begin, end = list(pads[:nd]), list(pads[nd:])
    if begin == end:
        return x, tuple(begin)
    width = [0, 0, 0, 0] + [p for b, e in zip(begin, end) for p in (b, e)]
    return imp.op("Pad", x, mode="constant", pad_width=tuple(width), constant_value=value), (0,) * nd


def _auto_pads(imp, x, attrs, kernel, strides, dilations):
    mode = attrs.get("auto_pad", "NOTSET")
    if mode in ("NOTSET", "VALID"):
        return list(attrs.get("pads", [])) if mode == "NOTSET" else []
    shape = imp.static_shape(x)[2:]
    begin, end = [], []
    for n, k, s, d in zip(shape, kernel, strides, dilations):
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        small = total // 2
        begin.append(small if mode == "SAME_UPPER" else total - small)
        end.append(total - small if mode == "SAME_UPPER" else small)
    return begin + end


# -- layers ------------------------------------------------------------------------------------------
@importer("Conv")
def _conv(imp, node, ins, a):
    x, w = ins[0], ins[1]
    wshape = imp.static_shape(w)
    kernel = list(a.get("kernel_shape", wshape[2:]))
    nd = len(kernel)
    strides = list(a.get("strides", [1] * nd))
    dil = list(a.get("dilations", [1] * nd))
    x, pad = _sym_pads(imp, x, _auto_pads(imp, x, a, kernel, strides, dil), nd)
    bias = ins[2] if len(ins) > 2 else None
    return imp.op("Convolution", x, w, bias, kernel=tuple(kernel), stride=tuple(strides), dilate=tuple(dil),
                  pad=pad, num_filter=wshape[0], num_group=a.get("group", 1), no_bias=bias is None)


@importer("ConvTranspose")
def _deconv(imp, node, ins, a):
    x, w = ins[0], ins[1]
    wshape = imp.static_shape(w)
    group = a.get("group", 1)
    kernel = list(a.get("kernel_shape", wshape[2:]))
    nd = len(kernel)
    strides = list(a.get("strides", [1] * nd))
    dil = list(a.get("dilations", [1] * nd))
    adj = list(a.get("output_padding", [0] * nd))
    pads = list(a.get("pads", [0] * 2 * nd))
    if a.get("auto_pad", "NOTSET") != "NOTSET":
        raise MXNetError(f"ONNX import: ConvTranspose '{imp.node_name}': auto_pad does not import")
    if "output_shape" in a:
        # ONNX pads ceil(total / 2) before and floor after: MXNet's pad of ceil(total / 2) on both
        # sides with the output enlarged by adj at the end is the same
        shape = imp.static_shape(x)[2:]
        total = [s * (n - 1) + o + (k - 1) * d + 1 - t
                 for s, n, o, k, d, t in zip(strides, shape, adj, kernel, dil, a["output_shape"][-nd:])]
        pads = [-(-t // 2) for t in total] * 2
        adj = [2 * p - t for p, t in zip(pads, total)]
    if pads[:nd] != pads[nd:]:
        raise MXNetError(f"ONNX import: ConvTranspose '{imp.node_name}': only symmetric pads import")
    bias = ins[2] if len(ins) > 2 else None
    return imp.op("Deconvolution", x, w, bias, kernel=tuple(kernel), stride=tuple(strides),
                  dilate=tuple(dil), pad=tuple(pads[:nd]), adj=tuple(adj), num_filter=wshape[1] * group,
                  num_group=group, no_bias=bias is None)


def _pool(imp, ins, a, pool_type):
    x = ins[0]
    kernel = list(a["kernel_shape"])
    nd = len(kernel)
    strides = list(a.get("strides", [1] * nd))
    pads = _auto_pads(imp, x, a, kernel, strides, a.get("dilations", [1] * nd))
    if a.get("dilations", [1] * nd) != [1] * nd:
        raise MXNetError(f"ONNX import: {imp.node_name}: dilated pooling does not import")
    kw = {}
    if pads and pads[:nd] != pads[nd:]:
        if pool_type == "avg" and (a.get("count_include_pad", 0) == 0 or a.get("ceil_mode", 0)):
            # the padding becomes data: windows would count it, overhanging ones differently
            raise MXNetError(f"ONNX import: {imp.node_name}: asymmetric padding of an average pool "
                             f"that excludes padding or rounds up (ceil_mode) does not import")
        x, pad = _sym_pads(imp, x, pads, nd, value=-np.inf if pool_type == "max" else 0.0)
    else:
        pad = tuple(pads[:nd]) if pads else (0,) * nd
    if pool_type == "avg":
        kw["count_include_pad"] = bool(a.get("count_include_pad", 0))
    return imp.op("Pooling", x, kernel=tuple(kernel), stride=tuple(strides), pad=pad, pool_type=pool_type,
                  pooling_convention="full" if a.get("ceil_mode", 0) else "valid", **kw)


@importer("MaxPool")
def _maxpool(imp, node, ins, a):
    if len(node.output) > 1 and node.output[1]:
        raise MXNetError(f"ONNX import: MaxPool '{imp.node_name}': the indices output does not import")
    return _pool(imp, ins, a, "max")


@importer("AveragePool")
def _avgpool(imp, node, ins, a):
    return _pool(imp, ins, a, "avg")


@importer("LpPool")
def _lppool(imp, node, ins, a):
    kernel = list(a["kernel_shape"])
    nd = len(kernel)
    pads = list(a.get("pads", [0] * 2 * nd))
    if pads[:nd] != pads[nd:] or a.get("auto_pad", "NOTSET") != "NOTSET":
        raise MXNetError(f"ONNX import: LpPool '{imp.node_name}': only symmetric explicit pads import")
    return imp.op("Pooling", ins[0], kernel=tuple(kernel), stride=tuple(a.get("strides", [1] * nd)),
                  pad=tuple(pads[:nd]), pool_type="lp", p_value=a.get("p", 2))


@importer("RoiAlign")
def _roi_align(imp, node, ins, a):
    x, rois, idx = ins
    mode = a.get("coordinate_transformation_mode", "half_pixel" if imp.opset >= 16 else "output_half_pixel")
    if a.get("mode", "avg") != "avg":
        raise MXNetError(f"ONNX import: RoiAlign '{imp.node_name}': only mode 'avg' imports")
    idx = imp.const(idx).astype(np.float32).reshape(-1, 1) if imp.is_const(idx) else \
        imp.op("expand_dims", imp.op("Cast", idx, dtype="float32"), axis=1)
    boxes = imp.op("Concat", imp.sym(idx), imp.sym(rois), dim=1)
    return imp.op("_contrib_ROIAlign", x, boxes, pooled_size=(a.get("output_height", 1), a.get("output_width", 1)),
                  spatial_scale=a.get("spatial_scale", 1.0), sample_ratio=a.get("sampling_ratio", 0) or -1,
                  aligned=mode == "half_pixel")


@importer("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(imp, node, ins, a):
    t = "avg" if node.op_type == "GlobalAveragePool" else "max"
    return imp.op("Pooling", ins[0], kernel=(1, 1), global_pool=True, pool_type=t)


@importer("BatchNormalization")
def _batchnorm(imp, node, ins, a):
    x, gamma, beta, mean, var = ins[:5]
    mean = imp.param(imp.const(mean), aux=True) if imp.is_const(mean) else mean
    var = imp.param(imp.const(var), aux=True) if imp.is_const(var) else var
    return imp.op("BatchNorm", x, gamma, beta, mean, var, eps=a.get("epsilon", 1e-5),
                  momentum=a.get("momentum", 0.9), fix_gamma=False, use_global_stats=True)


@importer("InstanceNormalization")
def _instancenorm(imp, node, ins, a):
    return imp.op("InstanceNorm", *ins, eps=a.get("epsilon", 1e-5))


@importer("LayerNormalization")
def _layernorm(imp, node, ins, a):
    x = ins[0]
    axis = a.get("axis", -1)
    if axis not in (-1, imp.ndim(x) - 1):
        raise MXNetError(f"ONNX import: LayerNormalization '{imp.node_name}' over axis {axis}: only the last "
                         f"axis imports")
    beta = ins[2] if len(ins) > 2 and ins[2] is not None else np.zeros(imp.static_shape(ins[1]), np.float32)
    return imp.op("LayerNorm", x, ins[1], beta, axis=-1, eps=a.get("epsilon", 1e-5))


@importer("LRN")
def _lrn(imp, node, ins, a):
    return imp.op("LRN", ins[0], alpha=a.get("alpha", 1e-4), beta=a.get("beta", 0.75), knorm=a.get("bias", 1.0),
                  nsize=a["size"])


@importer("Gemm")
def _gemm(imp, node, ins, a):
    A, B = ins[0], ins[1]
    C = ins[2] if len(ins) > 2 else None
    alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
    if a.get("transA", 0):
        A = imp.op("transpose", A)
    if imp.is_const(B) and imp.ndim(B) == 2 and (C is None or imp.is_const(C)):
        w = imp.const(B)
        w = w if a.get("transB", 0) else w.T
        w = w * alpha if alpha != 1.0 else w
        bias = None if C is None else np.broadcast_to(imp.const(C) * beta, (w.shape[0],)).copy()
        return imp.op("FullyConnected", A, w, bias, num_hidden=w.shape[0], no_bias=bias is None, flatten=True)
    y = imp.op("dot", A, B, transpose_b=bool(a.get("transB", 0)))
    if alpha != 1.0:
        y = imp.op("_mul_scalar", y, scalar=alpha)
    if C is not None:
        c = imp.const(C) * beta if imp.is_const(C) else C
        y = imp.op("broadcast_add", y, c)
    return y


@importer("MatMul")
def _matmul(imp, node, ins, a):
    A, B = ins
    if imp.is_const(B) and imp.ndim(B) == 2:
        w = imp.const(B).T
        return imp.op("FullyConnected", A, w, num_hidden=w.shape[0], no_bias=True, flatten=False)
    return imp.op("_npi_matmul", A, B)


@importer("Flatten")
def _flatten(imp, node, ins, a):
    axis = a.get("axis", 1)
    x = ins[0]
    if axis == 1:
        return imp.op("Flatten", x)
    nd = imp.ndim(x)
    axis %= nd
    if axis == 0:
        return imp.op("Reshape", x, shape=(1, -1))
    # merge the leading axes pairwise (MXNet's -3), so that their sizes may stay free
    for _ in range(axis - 1):
        x = imp.op("Reshape", x, shape=(-3, -2))
    return imp.op("Reshape", x, shape=(0, -1))


# -- activations ---------------------------------------------------------------------------------
def _act(mx_op, **kw):
    def fn(imp, node, ins, a):
        return imp.op(mx_op, ins[0], **kw)
    return fn


for _t, _op, _kw in (("Relu", "Activation", {"act_type": "relu"}), ("Sigmoid", "sigmoid", {}),
                     ("Tanh", "tanh", {}), ("Softplus", "Activation", {"act_type": "softrelu"}),
                     ("Softsign", "softsign", {}), ("Exp", "exp", {}), ("Log", "log", {}),
                     ("Sqrt", "sqrt", {}), ("Abs", "abs", {}), ("Neg", "negative", {}),
                     ("Reciprocal", "reciprocal", {}), ("Floor", "floor", {}), ("Ceil", "ceil", {}),
                     ("Sin", "sin", {}), ("Cos", "cos", {}), ("Tan", "tan", {}), ("Asin", "arcsin", {}),
                     ("Acos", "arccos", {}), ("Atan", "arctan", {}), ("Erf", "erf", {}), ("Sign", "sign", {}),
                     ("Round", "rint", {}), ("Sinh", "sinh", {}), ("Cosh", "cosh", {}),
                     ("Asinh", "arcsinh", {}), ("Acosh", "arccosh", {}), ("Atanh", "arctanh", {}),
                     ("Selu", "LeakyReLU", {"act_type": "selu"})):
    importer(_t)(_act(_op, **_kw))


@importer("LeakyRelu")
def _leaky(imp, node, ins, a):
    return imp.op("LeakyReLU", ins[0], act_type="leaky", slope=a.get("alpha", 0.01))


@importer("Elu")
def _elu(imp, node, ins, a):
    return imp.op("LeakyReLU", ins[0], act_type="elu", slope=a.get("alpha", 1.0))


@importer("PRelu")
def _prelu(imp, node, ins, a):
    slope = ins[1]
    # ONNX broadcasts the slope as (C, 1, ...) or (1, C, 1, ...); MXNet takes one per channel
    if imp.is_const(slope):
        slope = imp.const(slope).reshape(-1)
    elif imp.ndim(slope) > 1:
        slope = imp.op("Reshape", slope, shape=(-1,))
    return imp.op("LeakyReLU", ins[0], slope, act_type="prelu")


@importer("HardSigmoid")
def _hard_sigmoid(imp, node, ins, a):
    return imp.op("hard_sigmoid", ins[0], alpha=a.get("alpha", 0.2), beta=a.get("beta", 0.5))


@importer("Gelu")
def _gelu(imp, node, ins, a):
    if a.get("approximate", "none") != "none":
        raise MXNetError(f"ONNX import: Gelu '{imp.node_name}' with tanh approximation does not import")
    return imp.op("LeakyReLU", ins[0], act_type="gelu")


def _softmax(mx_op):
    def fn(imp, node, ins, a):
        x = ins[0]
        if imp.opset >= 13:
            return imp.op(mx_op, x, axis=a.get("axis", -1))
        axis = a.get("axis", 1) % imp.ndim(x)
        if axis == imp.ndim(x) - 1:
            return imp.op(mx_op, x, axis=-1)
        # before opset 13 the trailing axes are flattened together
        y = imp.op(mx_op, imp.op("Reshape", x, shape=tuple([0] * axis) + (-1,)), axis=-1)
        return imp.op("reshape_like", y, x)
    return fn


importer("Softmax")(_softmax("softmax"))
importer("LogSoftmax")(_softmax("log_softmax"))


@importer("Dropout", "Identity")
def _identity(imp, node, ins, a):
    return ins[0] if len(node.output) == 1 else [ins[0], None]


# -- arithmetic ------------------------------------------------------------------------------------
_SCALAR = {"Add": ("_plus_scalar", "_plus_scalar"), "Sub": ("_minus_scalar", "_rminus_scalar"),
           "Mul": ("_mul_scalar", "_mul_scalar"), "Div": ("_div_scalar", "_rdiv_scalar"),
           "Pow": ("_power_scalar", "_rpower_scalar"), "Max": ("_maximum_scalar", "_maximum_scalar"),
           "Min": ("_minimum_scalar", "_minimum_scalar")}
_BROADCAST = {"Add": "broadcast_add", "Sub": "broadcast_sub", "Mul": "broadcast_mul", "Div": "broadcast_div",
              "Pow": "broadcast_power", "Max": "broadcast_maximum", "Min": "broadcast_minimum",
              "Equal": "broadcast_equal", "Greater": "broadcast_greater", "Less": "broadcast_lesser",
              "GreaterOrEqual": "broadcast_greater_equal", "LessOrEqual": "broadcast_lesser_equal",
              "And": "broadcast_logical_and", "Or": "broadcast_logical_or", "Xor": "broadcast_logical_xor"}


def _rank_match(imp, x, nd):
    """Give ``x`` leading unit axes up to rank ``nd`` (MXNet broadcasts equal ranks)."""
    have = imp.ndim(x)
    if have >= nd:
        return x
    if imp.is_const(x):
        return imp.const(x).reshape((1,) * (nd - have) + np.shape(imp.const(x)))
    for _ in range(nd - have):
        x = imp.op("expand_dims", x, axis=0)
    return x


@importer(*_BROADCAST)
def _binary(imp, node, ins, a):
    t = node.op_type
    if len(ins) > 2:        # variadic Max/Min: pairwise
        first = _binary(imp, node, ins[:2], a)
        return _binary(imp, node, [first] + list(ins[2:]), a)
    if len(ins) == 1:
        return ins[0]
    lhs, rhs = ins
    for v, other, k in ((rhs, lhs, 0), (lhs, rhs, 1)):
        if t in _SCALAR and imp.is_const(v) and imp.const(v).size == 1 and \
                not imp.is_const(other) and len(imp.static_shape(other)) >= np.ndim(imp.const(v)):
            return imp.op(_SCALAR[t][k], other, scalar=float(imp.const(v).reshape(())))
    # MXNet's broadcast_* align trailing axes as NumPy does: no rank matching needed
    if t in ("And", "Or", "Xor"):
        return imp.op("Cast", imp.op(_BROADCAST[t], lhs, rhs), dtype="bool")
    if t in ("Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"):
        return imp.op("Cast", imp.op(_BROADCAST[t], lhs, rhs), dtype="bool")
    return imp.op(_BROADCAST[t], lhs, rhs)


@importer("Mod")
def _mod(imp, node, ins, a):
    if a.get("fmod", 0):
        raise MXNetError(f"ONNX import: Mod '{imp.node_name}' with fmod=1 does not import")
    return imp.op("broadcast_mod", *ins)


@importer("Not")
def _not(imp, node, ins, a):
    return imp.op("Cast", imp.op("logical_not", ins[0]), dtype="bool")


@importer("Sum", "Mean")
def _sum(imp, node, ins, a):
    shapes = {imp.static_shape(v) for v in ins}
    if len(shapes) == 1:
        y = imp.op("add_n", *ins) if len(ins) > 1 else ins[0]
    else:       # operands that broadcast
        y = ins[0]
        for v in ins[1:]:
            y = imp.op("broadcast_add", y, v)
    return imp.op("_div_scalar", y, scalar=float(len(ins))) if node.op_type == "Mean" else y


@importer("HardSwish")
def _hard_swish(imp, node, ins, a):
    return imp.op("broadcast_mul", ins[0], imp.op("hard_sigmoid", ins[0], alpha=1 / 6, beta=0.5))


@importer("Where")
def _where(imp, node, ins, a):
    nd = max(imp.ndim(v) for v in ins)
    cond, x, y = (_rank_match(imp, v, nd) for v in ins)
    # the broadcast shape of the three, as a tensor of zeros
    like = imp.op("broadcast_add", imp.op("broadcast_add", imp.op("zeros_like", x), imp.op("zeros_like", y)),
                  imp.op("zeros_like", imp.op("Cast", cond, dtype="float32")))
    return imp.op("where", imp.op("broadcast_like", cond, like), imp.op("broadcast_like", x, like),
                  imp.op("broadcast_like", y, like))


@importer("Clip")
def _clip(imp, node, ins, a):
    lo = _opt_input(imp, ins, 1, a, "min", -np.inf)
    hi = _opt_input(imp, ins, 2, a, "max", np.inf)
    return imp.op("clip", ins[0], a_min=float(np.asarray(lo).reshape(-1)[0]),
                  a_max=float(np.asarray(hi).reshape(-1)[0]))


@importer("Cast")
def _cast(imp, node, ins, a):
    dtype = imp.onnx.helper.tensor_dtype_to_np_dtype(a["to"])
    if isinstance(ins[0], ShapeValue):
        # sizes stay sizes as integers; as floats they are numbers at the declared input sizes
        return ins[0] if np.dtype(dtype).kind in "iu" else imp.const(ins[0]).astype(dtype)
    return imp.op("Cast", ins[0], dtype=np.dtype(dtype).name)


# -- reductions ----------------------------------------------------------------------------------
def _reduce(mx_op, post=None):
    def fn(imp, node, ins, a):
        x = ins[0]
        axes = _ints_arg(imp, a, "axes", ins, 1)
        if not axes and a.get("noop_with_empty_axes", 0):
            return x
        kw = {"keepdims": bool(a.get("keepdims", 1))}
        if axes:
            kw["axis"] = tuple(axes)
        if mx_op == "sumsq":
            return imp.op("sum", imp.op("square", x), **kw)
        if mx_op in ("l1", "l2"):
            return imp.op("norm", x, ord=1 if mx_op == "l1" else 2, **kw)
        return imp.op(mx_op, x, **kw)
    return fn


for _t, _op in (("ReduceSum", "sum"), ("ReduceMean", "mean"), ("ReduceMax", "max"), ("ReduceMin", "min"),
                ("ReduceProd", "prod"), ("ReduceSumSquare", "sumsq"), ("ReduceL1", "l1"), ("ReduceL2", "l2")):
    importer(_t)(_reduce(_op))


@importer("ArgMax", "ArgMin")
def _argmax(imp, node, ins, a):
    if a.get("select_last_index", 0):
        raise MXNetError(f"ONNX import: {node.op_type} '{imp.node_name}' with select_last_index does not import")
    y = imp.op("argmax" if node.op_type == "ArgMax" else "argmin", ins[0], axis=a.get("axis", 0),
               keepdims=bool(a.get("keepdims", 1)))
    return imp.op("Cast", y, dtype="int64")


# -- shapes --------------------------------------------------------------------------------------
@importer("Constant")
def _constant(imp, node, ins, a):
    if "value" in a:
        return imp.onnx.numpy_helper.to_array(a["value"])
    for k, dt in (("value_float", np.float32), ("value_int", np.int64), ("value_floats", np.float32),
                  ("value_ints", np.int64)):
        if k in a:
            return np.asarray(a[k], dtype=dt)
    raise MXNetError(f"ONNX import: Constant '{imp.node_name}': unsupported value kind {sorted(a)}")


@importer("Shape")
def _shape(imp, node, ins, a):
    x = ins[0]
    if isinstance(x, ShapeValue):
        return np.asarray([] if x.scalar else [len(x.entries)], dtype=np.int64)
    if imp.is_const(x):
        return np.asarray(np.shape(imp.const(x)), dtype=np.int64)
    nd = imp.ndim(x)
    start = a.get("start", 0) % (nd + 1) if a.get("start", 0) < 0 else a.get("start", 0)
    end = a.get("end", nd)
    end = end % (nd + 1) if end < 0 else min(end, nd)
    return ShapeValue([(x, i) for i in range(start, end)])


@importer("Size")
def _size(imp, node, ins, a):
    return np.asarray(int(np.prod(imp.static_shape(ins[0]))), dtype=np.int64)


def _shape_gather(imp, sv, idx):
    idx = np.asarray(idx)
    picked = [sv.entries[int(i)] for i in idx.reshape(-1)]
    return ShapeValue(picked, scalar=idx.ndim == 0)


@importer("Gather")
def _gather(imp, node, ins, a):
    x, idx = ins
    axis = a.get("axis", 0)
    if isinstance(x, ShapeValue) and imp.is_const(idx):
        return _shape_gather(imp, x, imp.const(idx))
    if imp.is_const(x) and not imp.is_const(idx):
        x = imp.param(imp.const(x))
    if imp.is_const(idx):
        i = imp.const(idx)
        if i.ndim == 0:
            return imp.op("squeeze", imp.op("take", x, i.reshape(1).astype(np.float32), axis=axis, mode="wrap"),
                          axis=axis)
        idx = i.astype(np.float32)
    return imp.op("take", x, idx, axis=axis, mode="wrap")


@importer("GatherElements")
def _gather_elements(imp, node, ins, a):
    x, idx = ins
    nd = imp.ndim(x)
    axis = a.get("axis", 0) % nd
    if imp.static_shape(idx)[axis] != 1:
        raise MXNetError(f"ONNX import: GatherElements '{imp.node_name}': only one index per row along the "
                         f"axis imports (MXNet's pick)")
    idx = imp.op("squeeze", imp.op("Cast", idx, dtype="float32"), axis=axis)
    return imp.op("pick", x, idx, axis=axis, keepdims=True, mode="wrap")


@importer("GatherND")
def _gather_nd(imp, node, ins, a):
    x, idx = ins
    if a.get("batch_dims", 0):
        raise MXNetError(f"ONNX import: GatherND '{imp.node_name}' with batch_dims does not import")
    m = imp.ndim(idx)
    # ONNX indexes with the last axis of the indices, MXNet with the first
    idx = imp.op("transpose", imp.op("Cast", idx, dtype="float32"), axes=(m - 1,) + tuple(range(m - 1)))
    return imp.op("gather_nd", x, idx)


@importer("Unsqueeze")
def _unsqueeze(imp, node, ins, a):
    x = ins[0]
    axes = _ints_arg(imp, a, "axes", ins, 1, required=True)
    if isinstance(x, ShapeValue):
        if x.scalar and list(axes) == [0]:
            return ShapeValue(x.entries)
        return imp.const(x).reshape(np.expand_dims(imp.const(x), tuple(axes)).shape)
    nd = imp.ndim(x) + len(axes)
    for ax in sorted(ax % nd for ax in axes):
        x = imp.op("expand_dims", x, axis=ax)
    return x


@importer("Squeeze")
def _squeeze(imp, node, ins, a):
    x = ins[0]
    axes = _ints_arg(imp, a, "axes", ins, 1)
    if isinstance(x, ShapeValue):
        return ShapeValue(x.entries, scalar=True) if len(x.entries) == 1 else x
    if axes is None:
        return imp.op("squeeze", x)
    nd = imp.ndim(x)
    return imp.op("squeeze", x, axis=tuple(ax % nd for ax in axes))


@importer("Concat")
def _concat(imp, node, ins, a):
    if any(isinstance(v, ShapeValue) for v in ins) and all(imp.is_const(v) for v in ins):
        entries = []
        for v in ins:
            entries += v.entries if isinstance(v, ShapeValue) else _ints(imp.const(v))
        return ShapeValue(entries)
    ins = [imp.sym(v) for v in ins]
    axis = a.get("axis", 1)
    return imp.op("Concat", *ins, dim=axis % imp.ndim(ins[0]))


@importer("Reshape")
def _reshape(imp, node, ins, a):
    x, shape = ins
    if a.get("allowzero", 0):
        raise MXNetError(f"ONNX import: Reshape '{imp.node_name}' with allowzero does not import")
    if isinstance(shape, ShapeValue):
        entries = shape.entries
        others = [i for i, e in enumerate(entries) if isinstance(e, tuple) and not (e[0] is x and e[1] == i)]
        if others and -1 not in entries and all(not isinstance(entries[i], tuple) or i in others
                                                 or entries[i][0] is x for i in range(len(entries))):
            run = _size_run(entries, others)
            if run is not None:
                return run(imp, x)
        # a dimension read from this very input at the same position is MXNet's 0 (keep it); one
        # of another tensor is its size where known, else taken to equal this input's there
        spec = []
        for i, e in enumerate(entries):
            if isinstance(e, tuple) and e[0] is x and e[1] == i:
                spec.append(0)
            elif isinstance(e, tuple):
                known = imp.static_shape(e[0], guess=False)
                size = known[e[1]] if e[1] < len(known) else 0
                if not size and e[1] != i:
                    raise MXNetError(f"ONNX import: Reshape '{imp.node_name}' takes an open size of another "
                                     f"tensor to another position")
                spec.append(int(size))
            else:
                spec.append(int(e))
        free = [i for i, s in enumerate(spec) if s not in (0,)]
        if spec.count(-1) == 0 and len(free) == 1:
            spec[free[0]] = -1
        return imp.op("Reshape", x, shape=tuple(spec))
    return imp.op("Reshape", x, shape=tuple(_ints(imp.const(shape))))


def _size_run(entries, others):
    """For a target shape whose entries ``others`` are consecutive dimensions of one other tensor
    and the rest constants: a function reshaping to it with those sizes read at run time
    (reshape to the constants around one placeholder axis, then MXNet's ``reshape_like`` puts the
    other tensor's dimensions in its place)."""
    src = entries[others[0]][0]
    axes = [entries[i][1] for i in others]
    if others != list(range(others[0], others[0] + len(others))) or \
            axes != list(range(axes[0], axes[0] + len(axes))) or any(entries[i][0] is not src for i in others) or \
            any(isinstance(e, tuple) for i, e in enumerate(entries) if i not in others):
        return None
    lo = others[0]
    spec = tuple(int(e) for e in entries[:lo]) + (-1,) + tuple(int(e) for e in entries[lo + len(others):])

    def run(imp, x):
        y = imp.op("Reshape", x, shape=spec)
        return imp.op("reshape_like", y, src, lhs_begin=lo, lhs_end=lo + 1, rhs_begin=axes[0],
                      rhs_end=axes[-1] + 1)
    return run


@importer("Transpose")
def _transpose(imp, node, ins, a):
    perm = a.get("perm")
    return imp.op("transpose", ins[0], axes=tuple(perm) if perm is not None else ())


@importer("Slice")
def _slice(imp, node, ins, a):
    x = ins[0]
    if "starts" in a:
        starts, ends = list(a["starts"]), list(a["ends"])
        axes = list(a.get("axes", range(len(starts))))
        steps = [1] * len(starts)
    else:
        starts, ends = _ints(imp.const(ins[1])), _ints(imp.const(ins[2]))
        axes = _ints(imp.const(ins[3])) if len(ins) > 3 and ins[3] is not None else list(range(len(starts)))
        steps = _ints(imp.const(ins[4])) if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
    if isinstance(x, ShapeValue):
        return ShapeValue(x.entries[slice(starts[0], min(ends[0], _BIG), steps[0])])
    nd = imp.ndim(x)
    begin, end, step = [None] * nd, [None] * nd, [None] * nd
    for s, e, ax, st in zip(starts, ends, axes, steps):
        ax %= nd
        begin[ax] = s
        end[ax] = None if abs(e) >= _BIG else e
        step[ax] = st
    return imp.op("slice", x, begin=tuple(begin), end=tuple(end), step=tuple(step))


@importer("Split")
def _split(imp, node, ins, a):
    x = ins[0]
    axis = a.get("axis", 0) % imp.ndim(x)
    sizes = _ints_arg(imp, a, "split", ins, 1)
    n = len(node.output)
    if isinstance(x, ShapeValue):
        sizes = sizes if sizes is not None else [len(x.entries) // n] * n
        bounds = np.cumsum([0] + list(sizes))
        return [ShapeValue(x.entries[bounds[i]:bounds[i + 1]]) for i in range(n)]
    if sizes is None:
        return list(imp.op("SliceChannel", x, num_outputs=n, axis=axis)) if n > 1 else [x]
    bounds = np.cumsum([0] + list(sizes))[:-1]
    return list(imp.op("_split_v2", x, indices=tuple(int(b) for b in bounds), axis=axis))


def _broadcast_entries(imp, x, entries):
    """Broadcast ``x`` to a shape given as ShapeValue entries; a dimension of another tensor is
    broadcast like that tensor, so that it stays free."""
    have = list(imp.static_shape(x))
    nd = max(len(entries), len(have))
    x = _rank_match(imp, x, nd)
    have = [1] * (nd - len(have)) + have
    entries = [1] * (nd - len(entries)) + list(entries)
    for i, (h, e) in enumerate(zip(have, entries)):
        if h != 1:
            continue
        if isinstance(e, tuple):
            x = imp.op("broadcast_like", x, e[0], lhs_axes=(i,), rhs_axes=(e[1],))
        elif e > 1:
            x = imp.op("broadcast_axis", x, axis=(i,), size=(int(e),))
    return x


@importer("Expand")
def _expand(imp, node, ins, a):
    x, shape = ins
    entries = shape.entries if isinstance(shape, ShapeValue) else _ints(imp.const(shape))
    return _broadcast_entries(imp, x, entries)


@importer("Tile")
def _tile(imp, node, ins, a):
    if isinstance(ins[0], ShapeValue):
        if len(ins[0].entries) == 1 and isinstance(ins[1], ShapeValue):
            return RepeatedSize(ins[0].entries[0], ins[1])
        return np.tile(imp.const(ins[0]), _ints(imp.const(ins[1])))
    return imp.op("tile", ins[0], reps=tuple(_ints(imp.const(ins[1]))))


@importer("ConstantOfShape")
def _constant_of_shape(imp, node, ins, a):
    value = imp.onnx.numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
    value = value.reshape(-1)[0]
    shape = ins[0]
    if not isinstance(shape, ShapeValue) or all(not isinstance(e, tuple) for e in shape.entries):
        return np.full(tuple(_ints(imp.const(shape))), value, dtype=value.dtype)
    base = np.full([1 if isinstance(e, tuple) else e for e in shape.entries], value, dtype=value.dtype)
    return _broadcast_entries(imp, imp.param(base), shape.entries)


@importer("Pad")
def _pad(imp, node, ins, a):
    x = ins[0]
    pads = _ints_arg(imp, a, "pads", ins, 1, required=True)
    value = a.get("value", 0.0)
    if len(ins) > 2 and ins[2] is not None:
        value = float(imp.const(ins[2]))
    nd = imp.ndim(x)
    width = tuple(p for b, e in zip(pads[:nd], pads[nd:]) for p in (b, e))
    mode = a.get("mode", "constant")
    return imp.op("Pad", x, mode=mode, pad_width=width, constant_value=value)


@importer("Resize", "Upsample")
def _resize(imp, node, ins, a):
    x = ins[0]
    mode = a.get("mode", "nearest")
    shape = imp.static_shape(x)
    scales = None
    if node.op_type == "Upsample":
        scales = a.get("scales", imp.const(ins[1]) if len(ins) > 1 else None)
    else:
        if len(ins) > 3 and ins[3] is not None and imp.const(ins[3]).size:
            size = _ints(imp.const(ins[3]))
            scales = [s / h for s, h in zip(size, shape)]
        elif len(ins) > 2 and ins[2] is not None and imp.const(ins[2]).size:
            scales = list(imp.const(ins[2]))
    scales = [float(s) for s in np.asarray(scales).reshape(-1)]
    if mode == "nearest" and scales[:2] == [1.0, 1.0] and len(set(scales[2:])) == 1 and \
            float(scales[2]).is_integer():
        return imp.op("UpSampling", x, scale=int(scales[2]), sample_type="nearest", num_args=1)
    if mode == "linear" and len(shape) == 4:
        ctm = a.get("coordinate_transformation_mode", "half_pixel")
        if ctm not in ("align_corners", "half_pixel", "pytorch_half_pixel"):
            raise MXNetError(f"ONNX import: Resize '{imp.node_name}': {ctm} coordinates do not import")
        return imp.op("_contrib_BilinearResize2D", x, height=int(round(shape[2] * scales[2])),
                      width=int(round(shape[3] * scales[3])), align_corners=ctm == "align_corners")
    raise MXNetError(f"ONNX import: {node.op_type} '{imp.node_name}' in mode {mode} with scales {scales} "
                     f"does not import")


@importer("ReverseSequence")
def _reverse_sequence(imp, node, ins, a):
    if (a.get("batch_axis", 1), a.get("time_axis", 0)) != (1, 0):
        raise MXNetError(f"ONNX import: ReverseSequence '{imp.node_name}': only time_axis=0, batch_axis=1 imports")
    return imp.op("SequenceReverse", ins[0], imp.op("Cast", ins[1], dtype="float32"), use_sequence_length=True)


@importer("MaxRoiPool")
def _max_roi_pool(imp, node, ins, a):
    return imp.op("ROIPooling", ins[0], ins[1], pooled_size=tuple(a["pooled_shape"]),
                  spatial_scale=a.get("spatial_scale", 1.0))


@importer("DepthToSpace")
def _depth_to_space(imp, node, ins, a):
    if a.get("mode", "DCR") != "DCR":
        raise MXNetError(f"ONNX import: DepthToSpace '{imp.node_name}' in CRD mode does not import")
    return imp.op("depth_to_space", ins[0], block_size=a["blocksize"])


@importer("SpaceToDepth")
def _space_to_depth(imp, node, ins, a):
    return imp.op("space_to_depth", ins[0], block_size=a["blocksize"])


@importer("TopK")
def _topk(imp, node, ins, a):
    k = int(_ints(_opt_input(imp, ins, 1, a, "k"))[0])
    vals, idx = imp.op("topk", ins[0], axis=a.get("axis", -1), k=k, ret_typ="both",
                       is_ascend=not a.get("largest", 1), dtype="int64")
    return [vals, idx]


@importer("Range")
def _range(imp, node, ins, a):
    start, limit, delta = (imp.const(v).reshape(()) for v in ins)
    return np.arange(start, limit, delta).astype(np.asarray(start).dtype)


@importer("OneHot")
def _one_hot(imp, node, ins, a):
    depth = int(imp.const(ins[1]).reshape(-1)[0])
    off, on = imp.const(ins[2])
    if a.get("axis", -1) != -1:
        raise MXNetError(f"ONNX import: OneHot '{imp.node_name}' along axis {a['axis']} does not import")
    return imp.op("one_hot", ins[0], depth=depth, on_value=float(on), off_value=float(off),
                  dtype=np.dtype(imp.const(ins[2]).dtype).name)


# -- recurrent layers ----------------------------------------------------------------------------
_GATES = {"LSTM": (4, [0, 2, 3, 1], "lstm"), "GRU": (3, [1, 0, 2], "gru"), "RNN": (1, [0], None)}


@importer("LSTM", "GRU", "RNN")
def _rnn(imp, node, ins, a):
    G, order, mode = _GATES[node.op_type]
    if mode is None:
        acts = [s.lower() for s in a.get("activations", ["Tanh"])]
        mode = "rnn_relu" if acts[0] == "relu" else "rnn_tanh"
    if node.op_type == "GRU" and not a.get("linear_before_reset", 0):
        raise MXNetError(f"ONNX import: GRU '{imp.node_name}' needs linear_before_reset=1 (MXNet's GRU)")
    if a.get("layout", 0) or "clip" in a:
        raise MXNetError(f"ONNX import: {node.op_type} '{imp.node_name}': layout=1 and clip do not import")
    x, W, R = ins[:3]
    B = ins[3] if len(ins) > 3 and ins[3] is not None else None
    W, R = imp.const(W), imp.const(R)
    D, _, C = W.shape
    H = R.shape[2]
    B = imp.const(B) if B is not None else np.zeros((D, 2 * G * H), W.dtype)
    # ONNX gate order back to MXNet's (LSTM i,o,f,c -> i,f,c,o; GRU z,r,h -> r,z,h)

    def mx_order(w):
        return np.concatenate([w[k * H:(k + 1) * H] for k in order], axis=0)
    weights = [m for d in range(D) for m in (mx_order(W[d]).ravel(), mx_order(R[d]).ravel())]
    biases = [m for d in range(D) for m in (mx_order(B[d][:G * H]), mx_order(B[d][G * H:]))]
    flat = np.concatenate(weights + biases).astype(W.dtype)
    seq_len = ins[4] if len(ins) > 4 and ins[4] is not None else None
    if isinstance(seq_len, RepeatedSize) and isinstance(seq_len.entries[0], tuple) and \
            seq_len.entries[0][0] is x and seq_len.entries[0][1] == 0:
        seq_len = None      # every sequence has the input's full length
    elif isinstance(seq_len, RepeatedSize) and all(isinstance(e, tuple) for e in seq_len.entries +
                                                   seq_len.count.entries) and len(seq_len.count.entries) == 1:
        # a size repeated batch-size times, built from the tensors' shapes at run time
        (src, axis), (bsrc, baxis) = seq_len.entries[0], seq_len.count.entries[0]
        size = imp.op("slice_axis", imp.op("shape_array", src), axis=0, begin=axis, end=axis + 1)
        seq_len = imp.op("broadcast_like", size, bsrc, lhs_axes=(0,), rhs_axes=(baxis,))
    if seq_len is not None and imp.is_const(seq_len):
        # lengths that are all the full sequence (what MXNet's export writes) change nothing
        T = imp.static_shape(x)[0]
        if T and np.all(imp.const(seq_len) == T):
            seq_len = None
    init_h = ins[5] if len(ins) > 5 and ins[5] is not None else None
    init_c = ins[6] if len(ins) > 6 and ins[6] is not None else None
    if init_h is None or (mode == "lstm" and init_c is None):
        zero = imp.op("broadcast_axis", imp.op("slice_axis", imp.op("zeros_like", imp.op(
            "sum", x, axis=2, keepdims=True)), axis=0, begin=0, end=1), axis=(0, 2), size=(D, H))
        init_h = zero if init_h is None else init_h
        init_c = zero if init_c is None else init_c
    args = [x, flat, init_h] + ([init_c] if mode == "lstm" else [])
    kw = {}
    if seq_len is not None:
        args.append(imp.op("Cast", seq_len, dtype="float32"))
        kw["use_sequence_length"] = True
    out = imp.op("RNN", *args, state_size=H, num_layers=1, bidirectional=D == 2, mode=mode,
                 state_outputs=True, **kw)
    y = imp.op("Reshape", out[0], shape=(0, 0, D, -1))           # (T, N, D, H)
    y = imp.op("transpose", y, axes=(0, 2, 1, 3))                 # ONNX's (T, D, N, H)
    res = [y, out[1]]
    if mode == "lstm":
        res.append(out[2])
    return res
