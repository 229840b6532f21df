"""Operator family nn_extra: SVMOutput, Crop, IdentityAttachKLSparseReg and the legacy ``*_v1``
layers (BatchNorm_v1, Convolution_v1, Pooling_v1, run by the current layers' kernels)."""
import numpy as np

from ..base import MXNetError
from .registry import register, get_op, Attrs, OpDef, Param


# -- SVMOutput ---------------------------------------------------------------------------------
def _svm_rows(data, label):
    n = data.shape[0] if data.ndim else 1
    if label.size != n:
        raise MXNetError(f"Operator SVMOutput: label must hold one class per row of data ({n}), got "
                         f"shape {tuple(label.shape)}")
    return data.reshape(n, -1), label.reshape(n).astype(np.int64)


def _svm_bwd(attrs, og, ins, outs, ctx, state):
    # like the other *Output layers, the gradient is the loss's, whatever the head gradient
    xp = ctx.xp
    x, y = _svm_rows(*ins)
    dt = x.dtype.type
    rows = xp.arange(x.shape[0])
    sign = xp.ones(x.shape, dtype=x.dtype)
    sign[rows, y % x.shape[1]] = -1
    slack = xp.maximum(dt(attrs.margin) + sign * x, 0)   # margin + x_j (j != y), margin - x_y
    if attrs.use_linear:
        g = sign * (slack > 0) * dt(attrs.regularization_coefficient)
    else:
        g = sign * slack * dt(2 * attrs.regularization_coefficient)
    return [g.astype(x.dtype).reshape(ins[0].shape), xp.zeros(ins[1].shape, dtype=ins[1].dtype)]


def _svm_shape(attrs, shapes):
    d = shapes[0]
    if d is None:
        return shapes, [None]
    shapes[1] = (d[0],)
    return shapes, [tuple(d)]


register("SVMOutput", lambda attrs, ins, ctx: _svm_rows(*ins)[0].reshape(ins[0].shape).copy(),
         inputs=("data", "label"), params=(
             Param("margin", "float", 1.0, "the hinge margin"),
             Param("regularization_coefficient", "float", 1.0, "scale of the gradient"),
             Param("use_linear", "bool", False, "L1 hinge (linear) instead of the squared L2 hinge")),
         backward=_svm_bwd, infer_shape=_svm_shape,
         doc="Identity forward; backward gives the gradient of a one-vs-rest (squared) hinge loss "
             "for the integer class labels.")


# -- Crop --------------------------------------------------------------------------------------
def _crop_box(attrs, ins):
    x = ins[0]
    if x.ndim != 4:
        raise MXNetError(f"Operator Crop: data must be 4-D (N, C, H, W), got shape {tuple(x.shape)}")
    H, W = x.shape[2:]
    if len(ins) == 2:
        h, w = ins[1].shape[2:4]
    else:
        h, w = attrs.h_w
    if attrs.center_crop:
        oy, ox = (H - h) // 2, (W - w) // 2
    else:
        oy, ox = attrs.offset
    if h <= 0 or w <= 0 or oy < 0 or ox < 0 or oy + h > H or ox + w > W:
        raise MXNetError(f"Operator Crop: crop of size {(h, w)} at offset {(oy, ox)} does not fit in "
                         f"data of spatial shape {(H, W)}")
    return slice(oy, oy + h), slice(ox, ox + w)


def _crop_fwd(attrs, ins, ctx):
    sy, sx = _crop_box(attrs, ins)
    return ins[0][:, :, sy, sx].copy()


def _crop_bwd(attrs, og, ins, outs, ctx, state):
    sy, sx = _crop_box(attrs, ins)
    g = ctx.xp.zeros(ins[0].shape, dtype=ins[0].dtype)
    g[:, :, sy, sx] = og[0]
    return [g] + [ctx.xp.zeros(a.shape, dtype=a.dtype) for a in ins[1:]]


def _crop_check(attrs):
    if attrs.num_args not in (1, 2):
        raise MXNetError(f"Operator Crop: num_args must be 1 or 2, got {attrs.num_args}")
    if len(attrs.offset) != 2 or len(attrs.h_w) != 2:
        raise MXNetError("Operator Crop: offset and h_w must have two entries (y, x) and (h, w)")


register("Crop", _crop_fwd, inputs=("data",), variadic="num_args", params=(
    Param("num_args", "int", doc="1 (crop to h_w) or 2 (crop to the second input's height and width)"),
    Param("offset", "shape", (0, 0), "(y, x) of the crop's top-left corner"),
    Param("h_w", "shape", (0, 0), "(height, width) of the crop when num_args is 1"),
    Param("center_crop", "bool", False, "centre the crop, ignoring offset")),
    backward=_crop_bwd, attr_check=_crop_check,
    doc="Crops the spatial dimensions of NCHW data, to h_w or to the shape of a second input.")


# -- IdentityAttachKLSparseReg -----------------------------------------------------------------
def _kl_check(ins):
    x, avg = ins
    if x.ndim != 2 or avg.shape != (x.shape[1],):
        raise MXNetError(f"Operator IdentityAttachKLSparseReg: expected data (N, C) and moving_avg (C,), "
                         f"got {tuple(x.shape)} and {tuple(avg.shape)}")


def _kl_fwd(attrs, ins, ctx):
    _kl_check(ins)
    return ins[0].copy()


def _kl_bwd(attrs, og, ins, outs, ctx, state):
    x, avg = ins
    _kl_check(ins)
    m = avg.dtype.type(attrs.momentum)
    # the moving average of the mean activation is updated in the backward pass, as in MXNet
    avg *= m
    avg += (x.mean(axis=0) * (1 - m)).astype(avg.dtype, copy=False)
    t = attrs.sparseness_target
    reg = (attrs.penalty * (-t / avg + (1 - t) / (1 - avg))).astype(x.dtype)
    g = og[0] if og[0] is not None else ctx.xp.zeros(x.shape, dtype=x.dtype)
    return [g + reg[None, :], None]


register("IdentityAttachKLSparseReg", _kl_fwd, inputs=("data", "moving_avg"), params=(
    Param("sparseness_target", "float", 0.1, "target mean activation"),
    Param("penalty", "float", 0.001, "weight of the KL sparseness penalty"),
    Param("momentum", "float", 0.9, "weight of the old value in the moving average")),
    backward=_kl_bwd, mutate_inputs=(1,),
    infer_shape=lambda a, s: (s[:1] + [None if s[0] is None else (s[0][1],)], [s[0]]),
    doc="Identity forward; backward adds the gradient of a KL-divergence sparseness penalty on the "
        "moving average of each column's mean activation.")


# -- legacy *_v1 layers ------------------------------------------------------------------------
def _legacy(name, base_name, params, doc, publish=True):
    """``name`` with its own (older) parameter list, run by ``base_name``'s definition; registered
    unless ``publish`` is False (then the OpDef is returned for internal use)."""
    base = get_op(base_name)

    def full(attrs):
        a = Attrs(base._defaults)
        a.update(attrs)
        return a

    def shape_fn(attrs, shapes):
        return base.infer_shape(full(attrs), shapes)

    def type_fn(attrs, types):
        return base.infer_type(full(attrs), types)

    def count(n):
        return (lambda attrs: n(full(attrs))) if callable(n) else n

    bwd = base.backward
    return (register if publish else OpDef)(
        name, lambda attrs, ins, ctx: base.forward(full(attrs), ins, ctx),
        inputs=base.inputs, params=params,
        backward=None if bwd is None else
        (lambda attrs, og, ins, outs, ctx, st: bwd(full(attrs), og, ins, outs, ctx, st)),
        num_outputs=count(base._num_outputs), num_visible_outputs=count(base._num_visible),
        output_names=base.output_names, infer_shape=shape_fn, infer_type=type_fn,
        mutate_inputs=base.mutate_inputs, save_state=base.save_state, uses_train=base.uses_train,
        doc=doc)


_BN_V1 = _legacy("BatchNorm_v1", "BatchNorm", (
    Param("eps", "float", 1e-3, "added to the variance to avoid dividing by zero"),
    Param("momentum", "float", 0.9, "weight of the old value in the moving averages"),
    Param("fix_gamma", "bool", True, "use gamma = 1; no gamma gradient"),
    Param("use_global_stats", "bool", False, "normalise with the moving statistics in training too"),
    Param("output_mean_var", "bool", False, "also return the mean and the variance")),
    "", publish=False)


def _as_4d(x):
    # the layer also takes 2-D (N, C) data, as (N, C, 1, 1)
    if x.ndim == 2:
        return x.reshape(x.shape + (1, 1))
    if x.ndim != 4:
        raise MXNetError(f"Operator BatchNorm_v1: data must be 2-D (N, C) or 4-D (N, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    return x


def _bn_v1_fwd(attrs, ins, ctx):
    x = ins[0]
    (out, mean, _), st = _BN_V1.forward(attrs, [_as_4d(x)] + list(ins[1:]), ctx)
    # unlike BatchNorm, the third output is the variance itself, not its inverse square root
    return (out.reshape(x.shape), mean, st[1].astype(mean.dtype, copy=False)), st


def _bn_v1_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    og = [None if g is None or i else _as_4d(g) for i, g in enumerate(og)] if x.ndim == 2 else og
    grads = _BN_V1.backward(attrs, og, [_as_4d(x)] + list(ins[1:]), outs, ctx, state)
    return [None if grads[0] is None else grads[0].reshape(x.shape)] + list(grads[1:])


register("BatchNorm_v1", _bn_v1_fwd, inputs=_BN_V1.inputs, params=_BN_V1.params, backward=_bn_v1_bwd,
         num_outputs=3, num_visible_outputs=_BN_V1._num_visible, output_names=_BN_V1.output_names,
         infer_shape=_BN_V1.infer_shape_fn, infer_type=_BN_V1.infer_type_fn, mutate_inputs=(3, 4),
         save_state=True, uses_train=True,
         doc="The original batch normalisation layer (4-D data, channel axis 1); with output_mean_var "
             "it also returns the batch mean and variance.")

_legacy("Convolution_v1", "Convolution", tuple(
    Param(p.name, p.kind, p.default, p.doc, choices=(None, "NCDHW", "NCHW", "NDHWC", "NHWC"))
    if p.name == "layout" else p for p in get_op("Convolution").params),
    "The original 2-D/3-D convolution layer.")

_POOL_V1 = _legacy("Pooling_v1", "Pooling", (
    Param("kernel", "shape", (), "window size"),
    Param("pool_type", "str", "max", "reduction over each window", choices=("avg", "max", "sum")),
    Param("global_pool", "bool", False, "pool over the whole spatial extent, ignoring kernel"),
    Param("pooling_convention", "str", "valid", "'valid' floors the output size, 'full' rounds up",
          choices=("full", "valid")),
    Param("stride", "shape", (), "stride per spatial axis (default 1)"),
    Param("pad", "shape", (), "padding per spatial axis (default 0)")),
    "", publish=False)


def _pool_v1_split(attrs, x):
    """(attrs for the sum/max kernel, divisor): v1 averages divide by the whole window size, even
    where the window hangs over the padded border."""
    if attrs.pool_type != "avg":
        return attrs, None
    a = Attrs(attrs)
    a["pool_type"] = "sum"
    k = x.shape[2:] if attrs.global_pool else attrs.kernel
    return a, x.dtype.type(np.prod(k))


def _pool_v1_fwd(attrs, ins, ctx):
    a, k = _pool_v1_split(attrs, ins[0])
    out, st = _POOL_V1.forward(a, ins, ctx)
    return (out if k is None else out / k), st


def _pool_v1_bwd(attrs, og, ins, outs, ctx, state):
    a, k = _pool_v1_split(attrs, ins[0])
    g = og[0] if k is None else og[0] / k
    return _POOL_V1.backward(a, [g], ins, outs, ctx, state)


register("Pooling_v1", _pool_v1_fwd, params=_POOL_V1.params, backward=_pool_v1_bwd, save_state=True,
         infer_shape=_POOL_V1.infer_shape_fn,
         doc="The original pooling layer (max, avg or sum); its average divides by the full window size.")


# -- GridGenerator / BilinearSampler / SpatialTransformer --------------------------------------
def _base_grid(xp, H, W, dtype):
    """(3, H*W) homogeneous target coordinates in [-1, 1]: rows x, y, 1."""
    xs = xp.linspace(-1, 1, W, dtype=np.float64) if W > 1 else xp.full(1, -1.0)
    ys = xp.linspace(-1, 1, H, dtype=np.float64) if H > 1 else xp.full(1, -1.0)
    gx, gy = xp.meshgrid(xs, ys)
    return xp.stack([gx.ravel(), gy.ravel(), xp.ones(H * W)]).astype(dtype)


def _affine_target(opname, attrs, theta):
    if theta.ndim != 2 or theta.shape[1] != 6:
        raise MXNetError(f"Operator {opname}: the affine parameters must have shape (batch, 6), got "
                         f"{tuple(theta.shape)}")
    H, W = attrs.target_shape
    if H <= 0 or W <= 0:
        raise MXNetError(f"Operator {opname}: target_shape must be positive (h, w), got {attrs.target_shape}")
    return H, W


def _grid_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    if attrs.transform_type == "affine":
        H, W = _affine_target("GridGenerator", attrs, x)
        return (x.reshape(-1, 2, 3) @ _base_grid(xp, H, W, x.dtype)).reshape(x.shape[0], 2, H, W)
    if x.ndim != 4 or x.shape[1] != 2:
        raise MXNetError(f"Operator GridGenerator: warp flow must have shape (batch, 2, h, w), got "
                         f"{tuple(x.shape)}")
    H, W = x.shape[2:]
    t = x.dtype.type
    jj = xp.arange(W, dtype=x.dtype)[None, :]
    ii = xp.arange(H, dtype=x.dtype)[:, None]
    gx = (x[:, 0] + jj) / t(max(W - 1, 1) / 2) - 1
    gy = (x[:, 1] + ii) / t(max(H - 1, 1) / 2) - 1
    return xp.stack([gx, gy], axis=1)


def _grid_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    g = og[0]
    if attrs.transform_type == "affine":
        H, W = attrs.target_shape
        base = _base_grid(ctx.xp, H, W, x.dtype)
        return [(g.reshape(x.shape[0], 2, H * W) @ base.T).reshape(x.shape)]
    H, W = x.shape[2:]
    scale = ctx.xp.asarray([max(W - 1, 1) / 2, max(H - 1, 1) / 2], dtype=x.dtype).reshape(1, 2, 1, 1)
    return [g / scale]


def _grid_shape(attrs, shapes):
    d = shapes[0]
    if attrs.transform_type == "affine":
        return shapes, [None if d is None else (d[0], 2) + tuple(attrs.target_shape)]
    return shapes, [d]


register("GridGenerator", _grid_fwd, params=(
    Param("transform_type", "str", doc="affine: (batch, 6) matrices; warp: (batch, 2, h, w) flow",
          choices=("affine", "warp")),
    Param("target_shape", "shape", (0, 0), "(h, w) of the affine output grid")),
    backward=_grid_bwd, infer_shape=_grid_shape,
    doc="Sampling grid (batch, 2, h, w) of normalised (x, y) source coordinates, from affine matrices "
        "or from an optical flow.")


def _bilinear_setup(xp, data, grid):
    if data.ndim != 4 or grid.ndim != 4 or grid.shape[1] != 2 or grid.shape[0] != data.shape[0]:
        raise MXNetError(f"Operator BilinearSampler: expected data (N, C, H, W) and grid (N, 2, h, w), got "
                         f"{tuple(data.shape)} and {tuple(grid.shape)}")
    H, W = data.shape[2:]
    t = data.dtype.type
    gx = (grid[:, 0].astype(data.dtype) + 1) * t((W - 1) / 2)
    gy = (grid[:, 1].astype(data.dtype) + 1) * t((H - 1) / 2)
    x0, y0 = xp.floor(gx), xp.floor(gy)
    return gx, gy, x0, y0


def _corners(xp, data, x0, y0, fx, fy):
    """Yields (y index, x index, in-bounds mask, weight, d weight/dx, d weight/dy) per corner."""
    H, W = data.shape[2:]
    for dy in (0, 1):
        for dx in (0, 1):
            yi, xi = y0 + dy, x0 + dx
            ok = (yi >= 0) & (yi < H) & (xi >= 0) & (xi < W)
            wy = fy if dy else 1 - fy
            wx = fx if dx else 1 - fx
            yield (xp.clip(yi, 0, H - 1).astype(np.int64), xp.clip(xi, 0, W - 1).astype(np.int64), ok,
                   wy * wx, wy * (1 if dx else -1), wx * (1 if dy else -1))


def _gather(xp, data, yi, xi):
    n = xp.arange(data.shape[0])[:, None, None]
    return data[n, :, yi, xi]            # (N, h, w, C)


def _bilinear_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data, grid = ins
    gx, gy, x0, y0 = _bilinear_setup(xp, data, grid)
    out = xp.zeros(gx.shape + (data.shape[1],), dtype=data.dtype)
    for yi, xi, ok, w, _, _ in _corners(xp, data, x0, y0, gx - x0, gy - y0):
        out += _gather(xp, data, yi, xi) * (w * ok)[..., None]
    return out.transpose(0, 3, 1, 2).copy()


def _bilinear_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    data, grid = ins
    gx, gy, x0, y0 = _bilinear_setup(xp, data, grid)
    g = og[0].transpose(0, 2, 3, 1)      # (N, h, w, C)
    ddata = xp.zeros(data.shape, dtype=data.dtype)
    dgx = xp.zeros(gx.shape, dtype=data.dtype)
    dgy = xp.zeros(gx.shape, dtype=data.dtype)
    n = xp.arange(data.shape[0])[:, None, None]
    n = xp.broadcast_to(n, gx.shape)
    for yi, xi, ok, w, dwx, dwy in _corners(xp, data, x0, y0, gx - x0, gy - y0):
        v = _gather(xp, data, yi, xi)
        okf = ok.astype(data.dtype)
        xp.add.at(ddata, (n, slice(None), yi, xi), g * (w * okf)[..., None])
        gv = (g * v).sum(axis=-1) * okf
        dgx += gv * dwx
        dgy += gv * dwy
    H, W = data.shape[2:]
    t = data.dtype.type
    dgrid = xp.stack([dgx * t((W - 1) / 2), dgy * t((H - 1) / 2)], axis=1).astype(grid.dtype)
    return [ddata, dgrid]


register("BilinearSampler", _bilinear_fwd, inputs=("data", "grid"), params=(
    Param("cudnn_off", "bool", None, "accepted for compatibility"),),
    backward=_bilinear_bwd,
    infer_shape=lambda a, s: (s, [None if s[0] is None or s[1] is None else
                                  (s[0][0], s[0][1]) + tuple(s[1][2:])]),
    doc="Samples data (N, C, H, W) bilinearly at the normalised grid (N, 2, h, w) positions; points "
        "outside the input read zeros.")


def _st_fwd(attrs, ins, ctx):
    data, loc = ins
    H, W = _affine_target("SpatialTransformer", attrs, loc)
    grid = (loc.reshape(-1, 2, 3) @ _base_grid(ctx.xp, H, W, data.dtype)).reshape(loc.shape[0], 2, H, W)
    return _bilinear_fwd(attrs, [data, grid], ctx)


def _st_bwd(attrs, og, ins, outs, ctx, state):
    data, loc = ins
    H, W = attrs.target_shape
    base = _base_grid(ctx.xp, H, W, data.dtype)
    grid = (loc.reshape(-1, 2, 3) @ base).reshape(loc.shape[0], 2, H, W)
    ddata, dgrid = _bilinear_bwd(attrs, og, [data, grid], outs, ctx, state)
    return [ddata, (dgrid.reshape(loc.shape[0], 2, H * W) @ base.T).reshape(loc.shape)]


register("SpatialTransformer", _st_fwd, inputs=("data", "loc"), params=(
    Param("target_shape", "shape", (0, 0), "(h, w) of the output"),
    Param("transform_type", "str", doc="the transform (affine)", choices=("affine",)),
    Param("sampler_type", "str", doc="the sampler (bilinear)", choices=("bilinear",)),
    Param("cudnn_off", "bool", None, "accepted for compatibility")),
    backward=_st_bwd,
    infer_shape=lambda a, s: (s[:1] + [None if s[0] is None else (s[0][0], 6)],
                              [None if s[0] is None else tuple(s[0][:2]) + tuple(a.target_shape)]),
    doc="Warps data with per-sample affine matrices loc (batch, 6): an affine grid of target_shape, "
        "then bilinear sampling.")


# -- ROIPooling --------------------------------------------------------------------------------
def _round_half_away(xp, v):
    return xp.sign(v) * xp.floor(xp.abs(v) + 0.5)


def _roi_bins(attrs, xp, rois, H, W):
    """(R, ph) start/end rows and (R, pw) start/end columns of each pooled cell, clipped to the map
    (MXNet's integer bins)."""
    s = attrs.spatial_scale
    x1, y1, x2, y2 = (_round_half_away(xp, rois[:, i].astype(np.float64) * s) for i in range(1, 5))
    ph, pw = attrs.pooled_size
    rh = (xp.maximum(y2 - y1 + 1, 1) / ph)[:, None]
    rw = (xp.maximum(x2 - x1 + 1, 1) / pw)[:, None]
    i, j = xp.arange(ph)[None], xp.arange(pw)[None]
    hs = xp.clip(xp.floor(i * rh) + y1[:, None], 0, H)
    he = xp.clip(xp.ceil((i + 1) * rh) + y1[:, None], 0, H)
    ws = xp.clip(xp.floor(j * rw) + x1[:, None], 0, W)
    we = xp.clip(xp.ceil((j + 1) * rw) + x1[:, None], 0, W)
    return hs, he, ws, we


def _roi_check(attrs, data, rois):
    if data.ndim != 4 or rois.ndim != 2 or rois.shape[1] != 5:
        raise MXNetError(f"Operator ROIPooling: expected data (N, C, H, W) and rois (R, 5), got "
                         f"{tuple(data.shape)} and {tuple(rois.shape)}")
    if len(attrs.pooled_size) != 2:
        raise MXNetError(f"Operator ROIPooling: pooled_size must be (h, w), got {attrs.pooled_size}")


def _masked_max(xp, v, inside):
    """Max and argmax of v over its last axis where ``inside`` (broadcastable) holds."""
    m = xp.where(inside, v, xp.asarray(-np.inf, dtype=v.dtype))
    a = m.argmax(axis=-1)
    return xp.take_along_axis(m, a[..., None], -1)[..., 0], a


def _roipool_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data, rois = ins
    _roi_check(attrs, data, rois)
    N, C, H, W = data.shape
    ph, pw = attrs.pooled_size
    bidx = xp.clip(rois[:, 0].astype(np.int64), 0, N - 1)
    feat = data[bidx]                                    # (R, C, H, W)
    R = len(bidx)
    hs, he, ws, we = _roi_bins(attrs, xp, rois, H, W)
    rows, cols = xp.arange(H), xp.arange(W)
    # max is separable: first over each cell's columns, then over its rows
    colmax = xp.empty((R, C, H, pw), dtype=data.dtype)
    colarg = xp.empty((R, C, H, pw), dtype=np.int64)
    for j in range(pw):
        inside = ((cols >= ws[:, j:j + 1]) & (cols < we[:, j:j + 1]))[:, None, None, :]
        colmax[..., j], colarg[..., j] = _masked_max(xp, feat, inside)
    out = xp.empty((R, C, ph, pw), dtype=data.dtype)
    arg = xp.empty((R, C, ph, pw), dtype=np.int64)
    t = colmax.transpose(0, 1, 3, 2)                     # (R, C, pw, H)
    for i in range(ph):
        inside = ((rows >= hs[:, i:i + 1]) & (rows < he[:, i:i + 1]))[:, None, None, :]
        out[:, :, i], h = _masked_max(xp, t, inside)
        w = xp.take_along_axis(colarg.transpose(0, 1, 3, 2), h[..., None], -1)[..., 0]
        arg[:, :, i] = h * W + w
    empty = ((he <= hs)[:, :, None] | (we <= ws)[:, None, :])[:, None]
    out = xp.where(empty, 0, out).astype(data.dtype, copy=False)
    return out, (bidx, xp.where(empty, -1, arg))


def _roipool_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    data, rois = ins
    bidx, arg = state
    N, C, H, W = data.shape
    ddata = xp.zeros((N, C, H * W), dtype=data.dtype)
    ok = arg >= 0
    r = xp.broadcast_to(bidx[:, None, None, None], arg.shape)
    c = xp.broadcast_to(xp.arange(C)[None, :, None, None], arg.shape)
    xp.add.at(ddata, (r[ok], c[ok], arg[ok]), og[0][ok])
    return [ddata.reshape(data.shape), xp.zeros(rois.shape, dtype=rois.dtype)]


register("ROIPooling", _roipool_fwd, inputs=("data", "rois"), params=(
    Param("pooled_size", "shape", doc="(h, w) of each pooled region"),
    Param("spatial_scale", "float", doc="scale from the rois' image coordinates to the feature map")),
    backward=_roipool_bwd, save_state=True,
    infer_shape=lambda a, s: (s, [None if s[0] is None or s[1] is None else
                                  (s[1][0], s[0][1]) + tuple(a.pooled_size)]),
    doc="Max pooling of each region of interest (rows of [batch_index, x1, y1, x2, y2]) into a "
        "fixed pooled_size grid.")


# -- Correlation -------------------------------------------------------------------------------
def _corr_geom(attrs, shape):
    k, d, s1, s2, p = attrs.kernel_size, attrs.max_displacement, attrs.stride1, attrs.stride2, attrs.pad_size
    if k < 1 or k % 2 == 0 or s1 < 1 or s2 < 1:
        raise MXNetError(f"Operator Correlation: kernel_size must be odd and strides positive, got "
                         f"kernel_size={k}, stride1={s1}, stride2={s2}")
    H, W = shape[2] + 2 * p, shape[3] + 2 * p
    border = d + (k - 1) // 2
    oh, ow = -(-(H - 2 * border) // s1), -(-(W - 2 * border) // s1)
    if oh < 1 or ow < 1:
        raise MXNetError(f"Operator Correlation: the padded input {(H, W)} is too small for "
                         f"max_displacement={d} and kernel_size={k}")
    r = d // s2
    shifts = [((i // (2 * r + 1) - r) * s2, (i % (2 * r + 1) - r) * s2) for i in range((2 * r + 1) ** 2)]
    return oh, ow, shifts


def _corr_windows(attrs, oh, ow, dy, dx):
    """Slices of the padded maps read for one displacement and each kernel offset."""
    d, s1, k = attrs.max_displacement, attrs.stride1, attrs.kernel_size
    for h in range(k):
        for w in range(k):
            y, x = d + h, d + w
            a = (slice(None), slice(None), slice(y, y + s1 * (oh - 1) + 1, s1), slice(x, x + s1 * (ow - 1) + 1, s1))
            b = (slice(None), slice(None), slice(y + dy, y + dy + s1 * (oh - 1) + 1, s1),
                 slice(x + dx, x + dx + s1 * (ow - 1) + 1, s1))
            yield a, b


def _corr_pad(xp, attrs, x):
    p = attrs.pad_size
    return xp.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def _corr_fwd(attrs, ins, ctx):
    xp = ctx.xp
    a, b = ins
    if a.ndim != 4 or a.shape != b.shape:
        raise MXNetError(f"Operator Correlation: data1 and data2 must be 4-D of one shape, got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    oh, ow, shifts = _corr_geom(attrs, a.shape)
    pa, pb = _corr_pad(xp, attrs, a), _corr_pad(xp, attrs, b)
    norm = a.dtype.type(attrs.kernel_size ** 2 * a.shape[1])
    out = xp.zeros((a.shape[0], len(shifts), oh, ow), dtype=a.dtype)
    for t, (dy, dx) in enumerate(shifts):
        for sa, sb in _corr_windows(attrs, oh, ow, dy, dx):
            v = pa[sa] * pb[sb] if attrs.is_multiply else xp.abs(pa[sa] - pb[sb])
            out[:, t] += v.sum(axis=1)
    return out / norm


def _corr_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    oh, ow, shifts = _corr_geom(attrs, a.shape)
    pa, pb = _corr_pad(xp, attrs, a), _corr_pad(xp, attrs, b)
    da, db = xp.zeros(pa.shape, dtype=a.dtype), xp.zeros(pb.shape, dtype=a.dtype)
    g = og[0] / a.dtype.type(attrs.kernel_size ** 2 * a.shape[1])
    for t, (dy, dx) in enumerate(shifts):
        gt = g[:, t:t + 1]
        for sa, sb in _corr_windows(attrs, oh, ow, dy, dx):
            if attrs.is_multiply:
                da[sa] += gt * pb[sb]
                db[sb] += gt * pa[sa]
            else:
                # a tie counts as data1 >= data2 (sign +1), as MXNet's kernel does
                sg = gt * xp.where(pa[sa] >= pb[sb], a.dtype.type(1), a.dtype.type(-1))
                da[sa] += sg
                db[sb] -= sg
    p = attrs.pad_size
    H, W = a.shape[2:]
    return [da[:, :, p:p + H, p:p + W], db[:, :, p:p + H, p:p + W]]


def _corr_shape(attrs, shapes):
    d = shapes[0] or shapes[1]
    if d is None:
        return shapes, [None]
    oh, ow, shifts = _corr_geom(attrs, d)
    return [tuple(d), tuple(d)], [(d[0], len(shifts), oh, ow)]


register("Correlation", _corr_fwd, inputs=("data1", "data2"), params=(
    Param("kernel_size", "int", 1, "side of the (odd) patch compared"),
    Param("max_displacement", "int", 1, "largest displacement compared"),
    Param("stride1", "int", 1, "stride over data1 positions"),
    Param("stride2", "int", 1, "stride over displacements"),
    Param("pad_size", "int", 0, "zero padding of both inputs"),
    Param("is_multiply", "bool", True, "multiply patches (else sum absolute differences)")),
    backward=_corr_bwd, infer_shape=_corr_shape,
    doc="FlowNet correlation: for each displacement, the channel-and-patch mean of data1 * data2 "
        "(or |data1 - data2|) shifted by that displacement.")
