"""Dense, convolution, deconvolution, pooling, upsampling and im2col/col2im operators.

The array work lives in ``_conv_kernels`` (channels-first); this module parses
and checks parameters, handles layouts and the optional bias, and infers the
weight/bias shapes that deferred initialisation and symbols ask for.
"""
import numpy as np

from ..base import MXNetError
from . import _conv_kernels as K
from ._accel import jit, tune_allocator
from .nn_activation import activate
from .registry import register, Param, Attrs

_NATIVE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_CUDNN_TUNE = ("fastest", "limited_workspace", "off")
_CONV_LAYOUTS = ("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC")
_POOL_LAYOUTS = ("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC", "NWC")
_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


_MEMO = {}
_BY_ID = {}


def _memo(fn, attrs, *args):
    """``fn(attrs, *args)`` remembered by the parameters and the shapes of ``args``: the checked
    geometry depends on nothing else, and re-deriving it costs more than a batch-1 convolution's
    arithmetic.  A graph's steps pass the same (never modified) ``Attrs`` object every time, so
    that object, kept alive in the entry, is looked up first: cheaper than a key of its items."""
    shapes = tuple(getattr(a, "shape", a) for a in args)
    hit = _BY_ID.get((fn, id(attrs), shapes))
    if hit is not None and hit[0] is attrs:
        return hit[1]
    try:
        key = (fn, tuple(attrs.items()), shapes)
        res = _MEMO.get(key)
    except TypeError:  # an unhashable parameter value
        return fn(attrs, *args)
    if res is None:
        if len(_MEMO) >= 4096:
            _MEMO.clear()
        res = _MEMO[key] = fn(attrs, *args)
    if len(_BY_ID) >= 4096:
        _BY_ID.clear()
    _BY_ID[(fn, id(attrs), shapes)] = (attrs, res)
    return res


def _shape_str(s):
    return "(" + ", ".join(str(d) for d in s) + ")"


def _split_inputs(opname, ins, no_bias):
    want = 2 if no_bias else 3
    if len(ins) != want:
        raise MXNetError(f"Operator {opname}: expects {want} inputs (data, weight"
                         f"{'' if no_bias else ', bias'}) with no_bias={no_bias}, got {len(ins)}")
    for name, a in zip(("weight", "bias"), ins[1:]):
        if a.dtype != ins[0].dtype:
            # MXNet's type inference refuses mixed dtypes ("Incompatible attr")
            raise MXNetError(f"Operator {opname}: dtype of '{name}' ({a.dtype}) does not match the "
                             f"data's dtype ({ins[0].dtype}); cast one of them")
    return ins[0], ins[1], (None if no_bias else ins[2])


def _check_shape(opname, name, got, want, why):
    if tuple(got) != tuple(want):
        raise MXNetError(f"Operator {opname}: shape of '{name}' is {_shape_str(got)}, expected "
                         f"{_shape_str(want)} ({why})")


def _channels_last(layout):
    return layout is not None and layout.endswith("C")


def _to_first(xp, a):
    return xp.moveaxis(a, -1, 1)


def _to_last(xp, a):
    return xp.ascontiguousarray(xp.moveaxis(a, 1, -1))


def _tuple_param(opname, name, val, nd, default):
    if not val:
        return (default,) * nd
    if len(val) != nd:
        raise MXNetError(f"Operator {opname}: '{name}' {_shape_str(val)} must have {nd} entries, "
                         f"like kernel")
    return tuple(val)


def _check_layout(opname, layout, nd, data_ndim=None):
    if data_ndim is not None and data_ndim != nd + 2:
        raise MXNetError(f"Operator {opname}: data must have {nd + 2} dimensions for a {nd}-D kernel, "
                         f"got {data_ndim}")
    if layout is not None and len(layout) != nd + 2:
        raise MXNetError(f"Operator {opname}: layout '{layout}' does not fit a {nd}-D kernel "
                         f"(expected e.g. '{_FIRST[nd]}')")


def _nchw_shape(shape, layout):
    """A data shape in channels-first order."""
    if _channels_last(layout):
        return (shape[0], shape[-1]) + tuple(shape[1:-1])
    return tuple(shape)


def _from_nchw_shape(shape, layout):
    if _channels_last(layout):
        return (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return tuple(shape)


def _need_grad(ctx, i):
    """Whether input ``i`` wants a gradient.  Autograd may say so in ``ctx.need_grad`` (one flag
    per input); a first layer's data has none, and skipping it saves a GEMM (and a col2im)."""
    need = getattr(ctx, "need_grad", None)
    return need is None or bool(need[i])


# -- FullyConnected ---------------------------------------------------------------------
def _fc_dims(attrs, dshape):
    if attrs.flatten:
        k = 1
        for d in dshape[1:]:
            k *= d
        return (dshape[0], k), (dshape[0], attrs.num_hidden)
    return (-1, dshape[-1]), tuple(dshape[:-1]) + (attrs.num_hidden,)


def _fc_check(attrs, x, w, b):
    if x.ndim < 1:
        raise MXNetError(f"Operator FullyConnected: data of shape {_shape_str(x.shape)} is not usable")
    # 1-D data with flatten=True is a batch of single features, as in MXNet
    x2shape, oshape = _fc_dims(attrs, x.shape)
    want = (attrs.num_hidden, x2shape[1])
    _check_shape("FullyConnected", "weight", w.shape, want,
                 f"num_hidden={attrs.num_hidden}, data {_shape_str(x.shape)}, flatten={attrs.flatten}")
    if b is not None and tuple(b.shape) != (attrs.num_hidden, 1):  # MXNet accepts (num_hidden, 1) too
        _check_shape("FullyConnected", "bias", b.shape, (attrs.num_hidden,),
                     f"num_hidden={attrs.num_hidden}")
    return x2shape, oshape


def fc_product(attrs, ins, ctx):
    """``(data @ weight.T as a new 2-D array, bias or None, output shape)``."""
    x, w, b = _split_inputs("FullyConnected", ins, attrs.no_bias)
    x2shape, oshape = _memo(_fc_check, attrs, x, w, b)
    return ctx.xp.matmul(x.reshape(x2shape), w.T), None if b is None else b.reshape(-1), oshape


def dense_kernels(y, b):
    """The C kernels when they serve the product ``y`` and bias ``b``: NumPy, float32/float64,
    C-contiguous, one dtype."""
    if type(y) is not np.ndarray or y.dtype not in _NATIVE_DTYPES or not y.flags.c_contiguous:
        return None
    if b is not None and (type(b) is not np.ndarray or b.dtype != y.dtype or not b.flags.c_contiguous):
        return None
    return jit()


def fc_bias_act(xp, y, b, act=None):
    """In place on the product ``y``: add the bias ``b`` (or None), then activation ``act`` (or
    None); one pass for relu or a bias alone when the C kernels serve."""
    jk = dense_kernels(y, b) if act in (None, "relu") else None
    if jk is not None:
        jk.bias_act(y, b, 1 if act else 0)
        return y
    if b is not None:
        y += b
    return y if act is None else activate(xp, act, y, out=y)


def _fc_fwd(attrs, ins, ctx):
    tune_allocator()
    y, b, oshape = fc_product(attrs, ins, ctx)
    if b is not None:
        fc_bias_act(ctx.xp, y, b)
    return y.reshape(oshape)


def bind_dense(attrs, ins, ctx, act=None):
    """``OpDef.bind`` of FullyConnected, followed by activation ``act`` (or None) in place."""
    x, w, b = _split_inputs("FullyConnected", ins, attrs.no_bias)
    x2shape, oshape = _memo(_fc_check, attrs, x, w, b)
    if b is not None and b.ndim != 1:
        return None
    xp, bias = ctx.xp, b is not None
    return lambda ins: fc_bias_act(xp, xp.matmul(ins[0].reshape(x2shape), ins[1].T),
                                   ins[2] if bias else None, act).reshape(oshape)


def fc_product_grads(attrs, dy, ins, ctx):
    """``[d data, d weight]`` of ``data @ weight.T`` for the 2-D output gradient ``dy``; the
    weight's goes to the buffer autograd offers when there is one."""
    x, w = ins[0], ins[1]
    x2shape, _ = _fc_dims(attrs, x.shape)
    xp = ctx.xp
    dx = xp.matmul(dy, w).reshape(x.shape) if _need_grad(ctx, 0) else None
    return [dx, xp.matmul(dy.T, x.reshape(x2shape), out=ctx.grad_buffer(1, w.shape, dy.dtype))]


def _fc_bwd(attrs, og, ins, outs, ctx, state):
    x, w, b = _split_inputs("FullyConnected", ins, attrs.no_bias)
    dy = og[0].reshape(-1, attrs.num_hidden)
    grads = fc_product_grads(attrs, dy, ins, ctx)
    if b is not None:
        # a BLAS product with ones: ~4x faster than sum(axis=0) over rows (700x10000: 0.6 vs 2.4 ms)
        xp = ctx.xp
        db = xp.matmul(xp.ones(dy.shape[0], dy.dtype), dy, out=ctx.grad_buffer(2, (dy.shape[1],), dy.dtype))
        grads.append(db.reshape(b.shape))
    return grads


def _fc_graph(attrs, og, ins, outs):
    """The gradient as recorded NDArray operations (``autograd.grad(..., create_graph=True)``)."""
    from ..ndarray.ndarray import invoke
    from .registry import get_op
    reshape, dot = get_op("Reshape"), get_op("dot")
    x, w = ins[0], ins[1]
    dy = invoke(reshape, [og[0]], {"shape": (-1, attrs.num_hidden)})
    grads = [invoke(reshape, [invoke(dot, [dy, w])], {"shape": x.shape}),
             invoke(dot, [dy, invoke(reshape, [x], {"shape": (-1, w.shape[1])})], {"transpose_a": True})]
    if not attrs.no_bias:
        grads.append(invoke(get_op("sum"), [dy], {"axis": 0}))
    return grads


def _fc_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None]
    x2shape, oshape = _fc_dims(attrs, d)
    shapes[1] = (attrs.num_hidden, x2shape[1])
    if len(shapes) > 2 and (shapes[2] is None or tuple(shapes[2]) != (attrs.num_hidden, 1)):
        shapes[2] = (attrs.num_hidden,)
    return shapes, [oshape]


def _fc_shape_back(attrs, shapes, outs):
    """The data dimensions a known output decides: the batch (all but the last axis when not
    flattening)."""
    d, o = shapes[0], outs[0]
    if d is None or o is None:
        return shapes
    lead = 1 if attrs.flatten else len(d) - 1
    if len(o) != lead + 1:
        return shapes
    return [tuple(a or b for a, b in zip(d[:lead], o[:lead])) + tuple(d[lead:])] + shapes[1:]


register("FullyConnected", _fc_fwd, inputs=("data", "weight", "bias"), params=(
    Param("num_hidden", "int", doc="number of output units"),
    Param("no_bias", "bool", False, "leave out the bias"),
    Param("flatten", "bool", True, "flatten all axes after the first; else apply to the last axis")),
    backward=_fc_bwd, backward_graph=_fc_graph, infer_shape=_fc_shape, infer_shape_back=_fc_shape_back, bind=bind_dense,
    doc="Dense layer: ``data @ weight.T + bias``.")


# -- shared convolution geometry --------------------------------------------------------
def _conv_geom(opname, attrs, data_ndim=None):
    kernel = tuple(attrs.kernel)
    nd = len(kernel)
    if nd not in (1, 2, 3):
        raise MXNetError(f"Operator {opname}: kernel {_shape_str(kernel)} must have 1, 2 or 3 entries")
    if any(k <= 0 for k in kernel):
        raise MXNetError(f"Operator {opname}: kernel {_shape_str(kernel)} must be positive")
    _check_layout(opname, attrs.layout, nd, data_ndim)
    stride = _tuple_param(opname, "stride", attrs.stride, nd, 1)
    dilate = _tuple_param(opname, "dilate", attrs.dilate, nd, 1)
    pad = _tuple_param(opname, "pad", attrs.pad, nd, 0)
    if any(s <= 0 for s in stride) or any(d <= 0 for d in dilate):
        raise MXNetError(f"Operator {opname}: stride and dilate must be positive, got "
                         f"{_shape_str(stride)} and {_shape_str(dilate)}")
    if attrs.num_group <= 0 or attrs.num_filter % attrs.num_group:
        raise MXNetError(f"Operator {opname}: num_filter={attrs.num_filter} must be a multiple of "
                         f"num_group={attrs.num_group}")
    return kernel, stride, dilate, pad


def _weight_shape(lead, second, kernel, layout):
    if _channels_last(layout):
        return (lead,) + kernel + (second,)
    return (lead, second) + kernel


_CONV_PARAMS_HEAD = (
    Param("kernel", "shape", doc="kernel size: (w,), (h, w) or (d, h, w)"),
    Param("stride", "shape", (), "stride per spatial axis (default 1)"),
    Param("dilate", "shape", (), "dilation per spatial axis (default 1)"),
    Param("pad", "shape", (), "zero padding per spatial axis (default 0)"),
)


def _cudnn_params(workspace):
    return (Param("workspace", "int", workspace, "accepted for compatibility; unused"),)


# -- Convolution ------------------------------------------------------------------------
def _conv_shapes(attrs, dshape):
    """(nchw data shape, weight shape, out shape) for a data shape, with checks."""
    kernel, stride, dilate, pad = _conv_geom("Convolution", attrs, len(dshape))
    ds = _nchw_shape(dshape, attrs.layout)
    c = ds[1]
    if c % attrs.num_group:
        raise MXNetError(f"Operator Convolution: data channels {c} must be a multiple of "
                         f"num_group={attrs.num_group}")
    out = []
    for i, k in enumerate(kernel):
        size = ds[2 + i] + 2 * pad[i]
        if dilate[i] * (k - 1) + 1 > size:
            raise MXNetError(f"Operator Convolution: kernel {_shape_str(kernel)} with dilate "
                             f"{_shape_str(dilate)} exceeds the padded data {_shape_str(ds[2:])} + "
                             f"2*{_shape_str(pad)}")
        out.append(K.conv_out_len(ds[2 + i], k, stride[i], dilate[i], pad[i]))
    wshape = _weight_shape(attrs.num_filter, c // attrs.num_group, kernel, attrs.layout)
    oshape = _from_nchw_shape((ds[0], attrs.num_filter) + tuple(out), attrs.layout)
    return wshape, oshape, (kernel, stride, dilate, pad)


def _filter_check(opname, geometry):
    """The input check of a convolution-like op: weight and bias shapes against those its
    ``geometry(attrs, data_shape)`` derives; returns the geometry's last item."""
    def check(attrs, x, w, b):
        wshape, _, geom = geometry(attrs, x.shape)
        why = (f"data {_shape_str(x.shape)}, num_filter={attrs.num_filter}, kernel={_shape_str(geom[0])}, "
               f"num_group={attrs.num_group}")
        _check_shape(opname, "weight", w.shape, wshape, why)
        if b is not None:
            _check_shape(opname, "bias", b.shape, (attrs.num_filter,), why)
        return geom
    return check


_conv_check = _filter_check("Convolution", _conv_shapes)


def _conv_fwd(attrs, ins, ctx):
    tune_allocator()
    xp = ctx.xp
    x, w, b = _split_inputs("Convolution", ins, attrs.no_bias)
    geom = _memo(_conv_check, attrs, x, w, b)
    last = _channels_last(attrs.layout)
    if last:
        x, w = _to_first(xp, x), _to_first(xp, w)
    y, cols = K.conv_forward(xp, x, w, b, *geom, attrs.num_group)
    return (_to_last(xp, y) if last else y), cols


def _conv_bind(attrs, ins, ctx):
    """``OpDef.bind``: channels-first convolutions that a direct C kernel takes."""
    if _channels_last(attrs.layout):
        return None
    x, w, b = _split_inputs("Convolution", ins, attrs.no_bias)
    run = K.bind_conv_forward(ctx.xp, x, w, *_memo(_conv_check, attrs, x, w, b), attrs.num_group)
    if run is None:
        return None
    bias = b is not None
    return lambda ins: run(ins[0], ins[1], ins[2] if bias else None)


def _conv_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x, w, b = _split_inputs("Convolution", ins, attrs.no_bias)
    geom = _memo(_conv_check, attrs, x, w, b)
    dy = og[0]
    last = _channels_last(attrs.layout)
    if last:
        x, w, dy = _to_first(xp, x), _to_first(xp, w), _to_first(xp, dy)
    dx, dw, db = K.conv_backward(xp, dy, x, w, state, *geom, attrs.num_group, b is not None,
                                 _need_grad(ctx, 0), None if last else ctx.grad_buffer(1, w.shape, w.dtype))
    if last:
        dx, dw = (None if dx is None else _to_last(xp, dx)), _to_last(xp, dw)
    return [dx, dw] if b is None else [dx, dw, db]


def _filter_shape(geometry):
    """``infer_shape`` of a convolution-like op whose ``geometry(attrs, data_shape)`` gives
    (weight shape, output shape, ...): weight and bias shapes follow from the data's."""
    def infer(attrs, shapes):
        d = shapes[0]
        if d is None:
            return shapes, [None]
        ds = _nchw_shape(d, attrs.layout)
        # unknown (0) spatial sizes: any size that passes the checks, and unknown outputs there
        probe = _from_nchw_shape(ds[:2] + tuple(x or 4096 for x in ds[2:]), attrs.layout)
        wshape, oshape, _ = geometry(attrs, probe)
        os = _nchw_shape(oshape, attrs.layout)
        oshape = _from_nchw_shape(os[:2] + tuple(o if x else 0 for o, x in zip(os[2:], ds[2:])),
                                  attrs.layout)
        shapes[1] = wshape
        if len(shapes) > 2:
            shapes[2] = (attrs.num_filter,)
        return shapes, [oshape]
    return infer


def _conv_shape_back(attrs, shapes, outs):
    """The data dimensions a known output decides: the batch, and the spatial sizes along
    axes of stride 1."""
    d, o = shapes[0], outs[0]
    if o is None or (d is not None and len(d) != len(o)):
        return shapes
    kernel, stride, dilate, pad = _conv_geom("Convolution", attrs, len(o))
    os = _nchw_shape(o, attrs.layout)
    ds = list(_nchw_shape(d, attrs.layout)) if d is not None else [0] * len(o)
    ds[0] = ds[0] or os[0]
    for i, k in enumerate(kernel):
        if not ds[2 + i] and os[2 + i] and stride[i] == 1:
            ds[2 + i] = os[2 + i] + dilate[i] * (k - 1) - 2 * pad[i]
    return [_from_nchw_shape(tuple(ds), attrs.layout)] + shapes[1:]


register("Convolution", _conv_fwd, inputs=("data", "weight", "bias"), params=_CONV_PARAMS_HEAD + (
    Param("num_filter", "int", doc="number of output channels"),
    Param("num_group", "int", 1, "number of channel groups"),
    ) + _cudnn_params(1024) + (
    Param("no_bias", "bool", False, "leave out the bias"),
    Param("cudnn_tune", "str", None, "accepted for compatibility; unused", choices=_CUDNN_TUNE),
    Param("cudnn_off", "bool", False, "accepted for compatibility; unused"),
    Param("layout", "str", None, "data layout (default channels-first)", choices=_CONV_LAYOUTS)),
    backward=_conv_bwd, infer_shape=_filter_shape(_conv_shapes), infer_shape_back=_conv_shape_back,
    save_state=True, bind=_conv_bind,
    doc="1-D/2-D/3-D convolution (im2col + GEMM), with groups, stride, dilation and padding.")


# -- Deconvolution ----------------------------------------------------------------------
def _deconv_geom(attrs, dshape):
    """(weight shape, out shape, (kernel, stride, dilate, pad, out_spatial)) for a data shape."""
    kernel, stride, dilate, pad = _conv_geom("Deconvolution", attrs, len(dshape))
    nd = len(kernel)
    ds = _nchw_shape(dshape, attrs.layout)
    adj = _tuple_param("Deconvolution", "adj", attrs.adj, nd, 0)
    target = tuple(attrs.target_shape) if attrs.target_shape and any(attrs.target_shape) else None
    if target is not None and len(target) != nd:
        raise MXNetError(f"Operator Deconvolution: target_shape {_shape_str(target)} must have {nd} "
                         f"entries, like kernel")
    out, pads = [], []
    for i in range(nd):
        full = K.deconv_full_len(ds[2 + i], kernel[i], stride[i], dilate[i])
        if target is not None:
            total = full - target[i]
            if total < 0:
                raise MXNetError(f"Operator Deconvolution: target_shape {_shape_str(target)} is too "
                                 f"big for data {_shape_str(dshape)} (at most {full} on axis {i})")
            p, a = (total + 1) // 2, total % 2
        else:
            p, a = pad[i], adj[i]
            if a >= stride[i]:
                raise MXNetError(f"Operator Deconvolution: adj {_shape_str(adj)} must be smaller than "
                                 f"stride {_shape_str(stride)}")
        o = full - 2 * p + a
        if o <= 0:
            raise MXNetError(f"Operator Deconvolution: pad {_shape_str(pad)} leaves no output for data "
                             f"{_shape_str(dshape)}")
        out.append(o)
        pads.append(p)
    c = ds[1]
    if c % attrs.num_group:
        raise MXNetError(f"Operator Deconvolution: data channels {c} must be a multiple of "
                         f"num_group={attrs.num_group}")
    wshape = _weight_shape(c, attrs.num_filter // attrs.num_group, kernel, attrs.layout)
    oshape = _from_nchw_shape((ds[0], attrs.num_filter) + tuple(out), attrs.layout)
    return wshape, oshape, (kernel, stride, dilate, tuple(pads), tuple(out))


_deconv_check = _filter_check("Deconvolution", _deconv_geom)


def _deconv_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x, w, b = _split_inputs("Deconvolution", ins, attrs.no_bias)
    kernel, stride, dilate, pad, out = _memo(_deconv_check, attrs, x, w, b)
    last = _channels_last(attrs.layout)
    if last:
        x, w = _to_first(xp, x), _to_first(xp, w)
    y = K.deconv_forward(xp, x, w, b, kernel, stride, dilate, pad, out, attrs.num_group)
    return _to_last(xp, y) if last else y


def _deconv_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x, w, b = _split_inputs("Deconvolution", ins, attrs.no_bias)
    kernel, stride, dilate, pad, _ = _memo(_deconv_check, attrs, x, w, b)
    dy = og[0]
    last = _channels_last(attrs.layout)
    if last:
        x, w, dy = _to_first(xp, x), _to_first(xp, w), _to_first(xp, dy)
    dx, dw, db = K.deconv_backward(xp, dy, x, w, kernel, stride, dilate, pad, attrs.num_group,
                                   b is not None)
    if last:
        dx, dw = _to_last(xp, dx), _to_last(xp, dw)
    return [dx, dw] if b is None else [dx, dw, db]


register("Deconvolution", _deconv_fwd, inputs=("data", "weight", "bias"), params=_CONV_PARAMS_HEAD + (
    Param("adj", "shape", (), "extra output size at the high end of each axis"),
    Param("target_shape", "shape", (), "output spatial shape (overrides pad and adj)"),
    Param("num_filter", "int", doc="number of output channels"),
    Param("num_group", "int", 1, "number of channel groups"),
    ) + _cudnn_params(512) + (
    Param("no_bias", "bool", True, "leave out the bias"),
    Param("cudnn_tune", "str", None, "accepted for compatibility; unused", choices=_CUDNN_TUNE),
    Param("cudnn_off", "bool", False, "accepted for compatibility; unused"),
    Param("layout", "str", None, "data layout (default channels-first)", choices=_CONV_LAYOUTS)),
    backward=_deconv_bwd, infer_shape=_filter_shape(_deconv_geom),
    doc="Transposed convolution (the gradient of Convolution with respect to its data).")


# -- Pooling ----------------------------------------------------------------------------
def _pool_geom(attrs, dshape):
    """(kernel, stride, pad, out) in channels-first terms, with MXNet's checks."""
    if len(dshape) not in (3, 4, 5):
        raise MXNetError(f"Operator Pooling: data must be 3-D (N, C, W), 4-D or 5-D, got shape "
                         f"{_shape_str(dshape)}")
    nd = len(dshape) - 2
    _check_layout("Pooling", attrs.layout, nd)
    spatial = _nchw_shape(dshape, attrs.layout)[2:]
    if attrs.pool_type == "lp" and attrs.p_value is None:
        raise MXNetError("Operator Pooling: p_value is required for pool_type='lp'")
    if attrs.pooling_convention == "same" and not attrs.global_pool:
        if nd != 1 or _channels_last(attrs.layout):
            raise MXNetError("Operator Pooling: pooling_convention='same' supports 1-D pooling of "
                             f"(N, C, W) data only, got shape {_shape_str(dshape)}")
        kernel = tuple(attrs.kernel)
        stride = _tuple_param("Pooling", "stride", attrs.stride, 1, 1)
        if len(kernel) != 1 or kernel[0] <= 0 or stride[0] <= 0:
            raise MXNetError(f"Operator Pooling: kernel {_shape_str(kernel)} and stride "
                             f"{_shape_str(stride)} must be positive and 1-D")
        if any(attrs.pad or ()):
            raise MXNetError(f"Operator Pooling: pooling_convention='same' pads by itself; got pad "
                             f"{_shape_str(attrs.pad)}")
        return kernel, stride, (0,), (-(-spatial[0] // stride[0]),)
    if attrs.global_pool:
        return spatial, (1,) * nd, (0,) * nd, (1,) * nd
    kernel = tuple(attrs.kernel)
    if len(kernel) != nd:
        raise MXNetError(f"Operator Pooling: kernel {_shape_str(kernel)} does not fit data of shape "
                         f"{_shape_str(dshape)} ({nd} spatial axes)")
    stride = _tuple_param("Pooling", "stride", attrs.stride, nd, 1)
    pad = _tuple_param("Pooling", "pad", attrs.pad, nd, 0)
    for i in range(nd):
        if not 0 < kernel[i] <= spatial[i] + 2 * pad[i]:
            raise MXNetError(f"Operator Pooling: kernel {_shape_str(kernel)} exceeds data "
                             f"{_shape_str(spatial)} padded by {_shape_str(pad)}")
        if stride[i] <= 0:
            raise MXNetError(f"Operator Pooling: stride {_shape_str(stride)} must be positive")
    out = tuple(K.pool_out_len(spatial[i], kernel[i], stride[i], pad[i], attrs.pooling_convention)
                for i in range(nd))
    return kernel, stride, pad, out


def _same_as_valid(attrs, x, xp):
    """pooling_convention='same' (1-D): ceil(width / stride) windows from the left edge, those at
    the end clipped; that is, valid pooling of the data padded on the right.  Returns the valid
    pooling's attributes, the padded data and, for avg, each window's size over the kernel's."""
    kernel, stride, _, out = _memo(_pool_geom, attrs, x.shape)
    k, st, w = kernel[0], stride[0], x.shape[-1]
    extra = max((out[0] - 1) * st + k - w, 0)
    if extra:
        fill = -np.inf if attrs.pool_type == "max" else 0
        x = xp.concatenate([x, xp.full(x.shape[:-1] + (extra,), fill, dtype=x.dtype)], axis=-1)
    counts = xp.minimum(k, w - xp.arange(out[0]) * st).astype(x.dtype) / x.dtype.type(k)
    return Attrs({**attrs, "pooling_convention": "valid", "pad": (0,)}), x, counts


def _pool_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    if attrs.pooling_convention == "same" and not attrs.global_pool:
        valid, xpad, counts = _same_as_valid(attrs, x, xp)
        y, state = _pool_fwd(valid, [xpad], ctx)
        return (y / counts if attrs.pool_type == "avg" else y), state
    kernel, stride, pad, out = _memo(_pool_geom, attrs, x.shape)
    last = _channels_last(attrs.layout)
    if last:
        x = _to_first(xp, x)
    state = None
    ptype = attrs.pool_type
    if attrs.global_pool:
        y, state = _global_pool(xp, attrs, x)
    elif ptype == "max":
        y, state = K.max_pool_forward(xp, x, kernel, stride, pad, out)
    elif ptype == "lp":
        y = K.sum_pool_forward(xp, x, kernel, stride, pad, out, attrs.p_value)
        y = _root(xp, y, attrs.p_value)
    else:
        y = K.sum_pool_forward(xp, x, kernel, stride, pad, out)
        if ptype == "avg":
            include = attrs.count_include_pad is None or attrs.count_include_pad
            y /= K.pool_divisor(xp, x.shape, kernel, stride, pad, out, include, y.dtype)
    return (_to_last(xp, y) if last else y), state


def bind_pool(attrs, ins, ctx, nan_flag=False):
    """``OpDef.bind`` of Pooling: channels-first 2-D max pooling that the C kernel takes (with
    ``nan_flag``, its function also says whether the input held NaN)."""
    x = ins[0]
    if attrs.global_pool or attrs.pool_type != "max" or _channels_last(attrs.layout) or \
            attrs.pooling_convention == "same":
        return None
    kernel, stride, pad, out = _memo(_pool_geom, attrs, x.shape)
    return K.bind_max_pool(ctx.xp, x, kernel, stride, pad, out, nan_flag)


def max_pool_checking_nan(attrs, ins, ctx):
    """Pooling's forward for the executor's Activation -> Pooling fusion (unpadded channels-first
    max pooling): (y, state, whether the input held NaN)."""
    x = ins[0]
    kernel, stride, pad, out = _memo(_pool_geom, attrs, x.shape)
    y, state = K.max_pool_forward(ctx.xp, x, kernel, stride, pad, out, check_nan=True)
    return y, state, K.pool_saw_nan(ctx.xp, x, state)


def _root(xp, y, p):
    if p == 1:
        return y
    if p == 2:
        return xp.sqrt(y)
    return xp.cbrt(y) if p == 3 else y ** (1.0 / p)


def _global_pool(xp, attrs, x):
    flat = x.reshape(x.shape[:2] + (-1,))
    keep = x.shape[:2] + (1,) * (x.ndim - 2)
    if attrs.pool_type == "max":
        idx = flat.argmax(axis=-1)
        y = xp.take_along_axis(flat, idx[..., None], axis=-1)
        if flat.dtype.kind == "f":
            low = np.finfo(flat.dtype).min
            if not (y >= low).all():
                # MXNet's max skips NaN and starts from the lowest finite value: a plane of NaN
                # and -inf alone gives that value, its gradient going to the first element
                idx = xp.where(xp.isnan(flat), -xp.inf, flat).argmax(axis=-1)
                y = xp.fmax(xp.take_along_axis(flat, idx[..., None], axis=-1), low)
        return y.reshape(keep), idx
    if attrs.pool_type == "lp":
        p = attrs.p_value
        return _root(xp, (flat if p == 1 else flat ** p).sum(axis=-1), p).reshape(keep), None
    y = flat.sum(axis=-1).reshape(keep)
    if attrs.pool_type == "avg":
        y /= y.dtype.type(flat.shape[-1])
    return y, None


def _pool_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x, y, dy = ins[0], outs[0], og[0]
    if attrs.pooling_convention == "same" and not attrs.global_pool:
        valid, xpad, counts = _same_as_valid(attrs, x, xp)
        if attrs.pool_type == "avg":
            y, dy = y * counts, dy / counts
        return [_pool_bwd(valid, [dy], [xpad], [y], ctx, state)[0][..., :x.shape[-1]]]
    kernel, stride, pad, out = _memo(_pool_geom, attrs, x.shape)
    last = _channels_last(attrs.layout)
    if last:
        x, y, dy = _to_first(xp, x), _to_first(xp, y), _to_first(xp, dy)
    ptype = attrs.pool_type
    if attrs.global_pool:
        dx = _global_pool_bwd(xp, attrs, x, y, dy, state)
    elif ptype == "max":
        dx = K.max_pool_backward(xp, dy, state, x.shape, kernel, stride, pad, out, x, y)
    elif ptype == "lp" and attrs.p_value != 1:
        # d y / d x = (x / y) ** (p - 1) for y = (sum x**p) ** (1/p)
        p = attrs.p_value
        lo, hi = K.pool_pads(x.shape, kernel, stride, pad, out)
        weight = K.pad_spatial(xp, x ** (p - 1), lo, hi)
        dx = K.spread_pool_grad(xp, _safe_div(xp, dy, y ** (p - 1)), x.shape, kernel, stride, pad, out,
                                weight)
    else:
        g = dy
        if ptype == "avg":
            include = attrs.count_include_pad is None or attrs.count_include_pad
            g = dy / K.pool_divisor(xp, x.shape, kernel, stride, pad, out, include, dy.dtype)
        dx = K.spread_pool_grad(xp, g, x.shape, kernel, stride, pad, out)
    return [_to_last(xp, dx) if last else dx]


def _safe_div(xp, a, b):
    # an all-zero window has no gradient (MXNet gives 0 rather than nan)
    zero = b == 0
    return xp.where(zero, 0, a / xp.where(zero, 1, b)).astype(a.dtype, copy=False)


def _global_pool_bwd(xp, attrs, x, y, dy, idx):
    n, c = x.shape[:2]
    g = dy.reshape(n, c, 1)
    if attrs.pool_type == "max":
        dx = xp.zeros((n, c, x[0, 0].size), dtype=dy.dtype)
        xp.put_along_axis(dx, idx[..., None], g, axis=-1)
        return dx.reshape(x.shape)
    flat = x.reshape(n, c, -1)
    if attrs.pool_type == "lp" and attrs.p_value != 1:
        p = attrs.p_value
        return (_safe_div(xp, g, y.reshape(n, c, 1) ** (p - 1)) * flat ** (p - 1)).reshape(x.shape)
    if attrs.pool_type == "avg":
        g = g / g.dtype.type(flat.shape[-1])
    return xp.broadcast_to(g, flat.shape).reshape(x.shape)


def _pool_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None]
    out = _pool_geom(attrs, d)[3]
    ds = _nchw_shape(d, attrs.layout)
    return shapes, [_from_nchw_shape(ds[:2] + tuple(out), attrs.layout)]


register("Pooling", _pool_fwd, params=(
    Param("kernel", "shape", (), "window size: (w,), (h, w) or (d, h, w)"),
    Param("pool_type", "str", "max", "reduction over each window", choices=("avg", "lp", "max", "sum")),
    Param("global_pool", "bool", False, "pool over the whole spatial extent, ignoring kernel"),
    Param("cudnn_off", "bool", False, "accepted for compatibility; unused"),
    Param("pooling_convention", "str", "valid", "'valid' floors the output size, 'full' rounds up",
          choices=("full", "same", "valid")),
    Param("stride", "shape", (), "stride per spatial axis (default 1)"),
    Param("pad", "shape", (), "padding per spatial axis (default 0)"),
    Param("p_value", "int", None, "p of Lp pooling"),
    Param("count_include_pad", "bool", None, "avg pooling: count padded elements (default True)"),
    Param("layout", "str", None, "data layout (default channels-first)", choices=_POOL_LAYOUTS)),
    backward=_pool_bwd, infer_shape=_pool_shape, save_state=True, bind=bind_pool,
    doc="Max, average, sum or Lp pooling over 1-D/2-D/3-D windows.")


# -- UpSampling -------------------------------------------------------------------------
def _bilinear_geom(scale):
    k = 2 * scale - scale % 2
    p = -(-(scale - 1) // 2)
    return (k, k), (scale, scale), (1, 1), (p, p)


def _up_nearest(xp, x, s):
    n, c, h, w = x.shape
    y = xp.broadcast_to(x[:, :, :, None, :, None], (n, c, h, s, w, s))
    return y.reshape(n, c, h * s, w * s)


def _up_scales(attrs, ins):
    if attrs.scale <= 0:
        raise MXNetError(f"Operator UpSampling: scale must be positive, got {attrs.scale}")
    for i, a in enumerate(ins):
        if a.ndim != 4:
            raise MXNetError(f"Operator UpSampling: input {i} must be 4-D (N, C, H, W), got shape "
                             f"{_shape_str(a.shape)}")
    oh, ow = ins[0].shape[2] * attrs.scale, ins[0].shape[3] * attrs.scale
    scales = []
    for i, a in enumerate(ins):
        if oh % a.shape[2] or ow % a.shape[3] or oh // a.shape[2] != ow // a.shape[3]:
            raise MXNetError(f"Operator UpSampling: input {i} of shape {_shape_str(a.shape)} cannot be "
                             f"scaled to {oh}x{ow} by an integer factor")
        scales.append(oh // a.shape[2])
    if attrs.multi_input_mode == "sum" and any(a.shape[1] != ins[0].shape[1] for a in ins):
        raise MXNetError("Operator UpSampling: multi_input_mode='sum' needs the same number of "
                         f"channels in every input, got {[a.shape[1] for a in ins]}")
    return scales


def _bilinear_check(attrs, ins):
    if len(ins) != 2:
        raise MXNetError(f"Operator UpSampling: sample_type='bilinear' takes 2 inputs (data, weight), "
                         f"got {len(ins)}")
    x, w = ins
    kernel = _bilinear_geom(attrs.scale)[0]
    c = x.shape[1]
    if attrs.num_filter != c:
        raise MXNetError(f"Operator UpSampling: num_filter={attrs.num_filter} must equal the data "
                         f"channels {c} for bilinear sampling")
    _check_shape("UpSampling", "weight", w.shape, (c, 1) + kernel, f"scale={attrs.scale}, data "
                 f"{_shape_str(x.shape)}")


def _up_fwd(attrs, ins, ctx):
    xp = ctx.xp
    if attrs.sample_type == "bilinear":
        _bilinear_check(attrs, ins)
        x, w = ins
        kernel, stride, dilate, pad = _bilinear_geom(attrs.scale)
        out = tuple(K.deconv_full_len(s, k, st, 1) - 2 * p for s, k, st, p in
                    zip(x.shape[2:], kernel, stride, pad))
        return K.deconv_forward(xp, x, w, None, kernel, stride, dilate, pad, out, x.shape[1])
    scales = _up_scales(attrs, ins)
    ups = [_up_nearest(xp, a, s) for a, s in zip(ins, scales)]
    if len(ups) == 1:
        return ups[0]
    if attrs.multi_input_mode == "sum":
        y = ups[0].copy()
        for u in ups[1:]:
            y += u
        return y
    return xp.concatenate(ups, axis=1)


def _up_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    dy = og[0]
    if attrs.sample_type == "bilinear":
        x, w = ins
        kernel, stride, dilate, pad = _bilinear_geom(attrs.scale)
        dx, dw, _ = K.deconv_backward(xp, dy, x, w, kernel, stride, dilate, pad, x.shape[1], False)
        return [dx, dw]
    scales = _up_scales(attrs, ins)
    grads, start = [], 0
    for a, s in zip(ins, scales):
        n, c, h, w = a.shape
        if attrs.multi_input_mode == "sum" or len(ins) == 1:
            part = dy
        else:
            part = dy[:, start:start + c]
            start += c
        grads.append(part.reshape(n, c, h, s, w, s).sum(axis=(3, 5)))
    return grads


def _up_shape(attrs, shapes):
    x, sc = shapes[0], attrs.scale
    if attrs.sample_type == "bilinear":
        # the weight's shape follows from the data's channels and the scale
        if x is None or len(x) != 4 or len(shapes) != 2:
            return shapes, [None]
        out = (x[0], x[1], x[2] * sc, x[3] * sc)
        return [x, (x[1], 1) + _bilinear_geom(sc)[0]], [out]
    if any(s is None or len(s) != 4 for s in shapes):
        return shapes, [None]
    c = x[1] if attrs.multi_input_mode == "sum" else sum(s[1] for s in shapes)
    return shapes, [(x[0], c, x[2] * sc, x[3] * sc)]


register("UpSampling", _up_fwd, inputs=("data",), variadic="num_args", params=(
    Param("scale", "int", doc="upsampling factor"),
    Param("num_filter", "int", 0, "channels of the data (bilinear only)"),
    Param("sample_type", "str", doc="'nearest' or 'bilinear'", choices=("bilinear", "nearest")),
    Param("multi_input_mode", "str", "concat", "combine several inputs by 'concat' or 'sum'",
          choices=("concat", "sum")),
    Param("num_args", "int", 1, "number of inputs"),
    Param("workspace", "int", 512, "accepted for compatibility; unused")),
    backward=_up_bwd, infer_shape=_up_shape,
    doc="Nearest-neighbour or bilinear (a depthwise deconvolution with a given weight) upsampling.")


# -- im2col / col2im --------------------------------------------------------------------
def _cols_geom(opname, attrs, ndim):
    kernel = tuple(attrs.kernel)
    nd = len(kernel)
    if nd not in (1, 2, 3) or ndim != nd + 2:
        raise MXNetError(f"Operator {opname}: kernel {_shape_str(kernel)} needs data of {nd + 2} "
                         f"dimensions (1-3 spatial axes), got {ndim}")
    stride = _tuple_param(opname, "stride", attrs.stride, nd, 1)
    dilate = _tuple_param(opname, "dilate", attrs.dilate, nd, 1)
    pad = _tuple_param(opname, "pad", attrs.pad, nd, 0)
    return kernel, stride, dilate, pad


def _im2col_run(xp, x, kernel, stride, dilate, pad):
    n, c = x.shape[:2]
    out = tuple(K.conv_out_len(x.shape[2 + i], kernel[i], stride[i], dilate[i], pad[i])
                for i in range(len(kernel)))
    if min(out) <= 0:
        raise MXNetError(f"Operator im2col: kernel {_shape_str(kernel)} does not fit data "
                         f"{_shape_str(x.shape)} with pad {_shape_str(pad)}")
    cols = K.im2col_image(xp, K.pad_spatial(xp, x, pad, pad), kernel, stride, dilate, out)
    return cols.reshape(n, -1, K._prod(out))


def _col2im_run(xp, cols, out_size, kernel, stride, dilate, pad):
    n, ck, nblocks = cols.shape
    kk = K._prod(kernel)
    out = tuple(K.conv_out_len(out_size[i], kernel[i], stride[i], dilate[i], pad[i])
                for i in range(len(kernel)))
    if ck % kk or K._prod(out) != nblocks:
        raise MXNetError(f"Operator col2im: data of shape {_shape_str(cols.shape)} does not match "
                         f"kernel {_shape_str(kernel)} and output_size {_shape_str(out_size)} "
                         f"({K._prod(out)} blocks)")
    c = ck // kk
    padded = tuple(s + 2 * p for s, p in zip(out_size, pad))
    img = K.col2im_image(xp, cols.reshape((n, c) + kernel + out), padded, kernel, stride, dilate, out)
    return xp.ascontiguousarray(img[(slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in
                                                                       zip(pad, out_size))])


def _im2col_fwd(attrs, ins, ctx):
    return _im2col_run(ctx.xp, ins[0], *_cols_geom("im2col", attrs, ins[0].ndim))


def _im2col_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    geom = _cols_geom("im2col", attrs, x.ndim)
    return [_col2im_run(ctx.xp, og[0], x.shape[2:], *geom)]


def _col2im_fwd(attrs, ins, ctx):
    geom = _cols_geom("col2im", attrs, len(attrs.output_size) + 2)
    if ins[0].ndim != 3:
        raise MXNetError(f"Operator col2im: data must be 3-D (N, C*prod(kernel), blocks), got shape "
                         f"{_shape_str(ins[0].shape)}")
    return _col2im_run(ctx.xp, ins[0], tuple(attrs.output_size), *geom)


def _col2im_bwd(attrs, og, ins, outs, ctx, state):
    geom = _cols_geom("col2im", attrs, len(attrs.output_size) + 2)
    return [_im2col_run(ctx.xp, og[0], *geom)]


_COLS_PARAMS = (
    Param("kernel", "shape", doc="window size: (w,), (h, w) or (d, h, w)"),
    Param("stride", "shape", (), "stride per spatial axis (default 1)"),
    Param("dilate", "shape", (), "dilation per spatial axis (default 1)"),
    Param("pad", "shape", (), "zero padding per spatial axis (default 0)"))

register("im2col", _im2col_fwd, params=_COLS_PARAMS, backward=_im2col_bwd,
         doc="Sliding windows of (N, C, *S) as columns (N, C*prod(kernel), blocks).")
register("col2im", _col2im_fwd, params=(
    Param("output_size", "shape", doc="spatial shape of the image"),) + _COLS_PARAMS,
    backward=_col2im_bwd, doc="Sums columns (N, C*prod(kernel), blocks) back into an image (N, C, *S).")
