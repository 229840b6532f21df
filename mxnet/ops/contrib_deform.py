"""Deformable convolutions (``_contrib_DeformableConvolution`` / ``_contrib_ModulatedDeformableConvolution``).

Each kernel tap samples the input at its regular grid position plus a learned (dy, dx) offset, with
bilinear interpolation (corners outside the image read as zero, samples at or beyond one pixel outside
read as zero); the modulated variant also scales each tap by a mask. The sampled columns then go
through a grouped GEMM like an ordinary convolution. 2-D, NCHW only.
"""
import numpy as np

from ..base import MXNetError
from .registry import Param, register

_LAYOUTS = ("NCW", "NCHW", "NCDHW")


def _geom(name, attrs, x, offset, w, mask=None, b=None):
    """Validate shapes; returns (kernel, stride, dilate, pad, (Ho, Wo))."""
    if x.ndim != 4 or attrs.layout not in (None, "NCHW"):
        raise MXNetError(f"Operator {name}: only 4-D NCHW data is supported, got data shape {x.shape} "
                         f"and layout {attrs.layout}")
    kernel = tuple(attrs.kernel)
    if len(kernel) != 2:
        raise MXNetError(f"Operator {name}: kernel must have 2 entries, got {kernel}")
    stride = tuple(attrs.stride) or (1, 1)
    dilate = tuple(attrs.dilate) or (1, 1)
    pad = tuple(attrs.pad) or (0, 0)
    n, c, h, wd = x.shape
    g, dg = attrs.num_group, attrs.num_deformable_group
    if c % g or attrs.num_filter % g or c % dg:
        raise MXNetError(f"Operator {name}: channels {c} and num_filter {attrs.num_filter} must be divisible "
                         f"by num_group {g}, and channels by num_deformable_group {dg}")
    out = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                for s, k, p, d, st in zip((h, wd), kernel, pad, dilate, stride))
    kk = kernel[0] * kernel[1]
    want = {"offset": (offset, (n, 2 * kk * dg) + out), "weight": (w, (attrs.num_filter, c // g) + kernel)}
    if mask is not None:
        want["mask"] = (mask, (n, kk * dg) + out)
    if b is not None:
        want["bias"] = (b, (attrs.num_filter,))
    for arg, (a, shape) in want.items():
        if tuple(a.shape) != shape:
            raise MXNetError(f"Operator {name}: {arg} must have shape {shape} for data {x.shape}, "
                             f"kernel {kernel}, num_filter {attrs.num_filter}, num_deformable_group {dg}; "
                             f"got {tuple(a.shape)}")
    return kernel, stride, dilate, pad, out


def _sample(x, offset, geom, dg, clamp=False):
    """Bilinear sampling plan.

    Returns ``idx`` (4 corners, N, dg, L) flat pixel indices (-1 for a corner outside the image),
    ``wts`` (4, N, dg, L) corner weights (zero where the corner or the whole sample is outside), the
    fractional parts (ly, lx), the validity of the sample and whether y / x moved freely (were not
    clamped), all over L = K*Ho*Wo.

    Default (DCNv2): samples with -1 < y < H, -1 < x < W count, corners outside the image read zero.
    ``clamp`` (MXNet's DCNv1): samples need 0 <= y < H, 0 <= x < W, and one at or past the last
    row/column reads that row/column (so it has no gradient along that axis).
    """
    kernel, stride, dilate, pad, (ho, wo) = geom
    n, _, h, w = x.shape
    kk = kernel[0] * kernel[1]
    ki, kj = np.divmod(np.arange(kk), kernel[1])
    base_y = (np.arange(ho)[None, :, None] * stride[0] - pad[0] + ki[:, None, None] * dilate[0])
    base_x = (np.arange(wo)[None, None, :] * stride[1] - pad[1] + kj[:, None, None] * dilate[1])
    off = offset.reshape(n, dg, kk, 2, ho, wo).astype(np.float64)
    y = base_y + off[:, :, :, 0]  # (N, dg, K, Ho, Wo)
    xx = base_x + off[:, :, :, 1]
    if clamp:
        valid = (y >= 0) & (xx >= 0) & (y < h) & (xx < w)
        free_y, free_x = y < h - 1, xx < w - 1
        y, xx = np.minimum(y, h - 1), np.minimum(xx, w - 1)
    else:
        valid = (y > -1) & (xx > -1) & (y < h) & (xx < w)
        free_y = free_x = np.ones(y.shape, dtype=bool)
    y0, x0 = np.floor(y), np.floor(xx)
    ly, lx = y - y0, xx - x0
    y0, x0 = y0.astype(np.int64), x0.astype(np.int64)
    idx, wts = [], []
    for dy, dx, wt in ((0, 0, (1 - ly) * (1 - lx)), (0, 1, (1 - ly) * lx), (1, 0, ly * (1 - lx)), (1, 1, ly * lx)):
        yy, xc = y0 + dy, x0 + dx
        inside = valid & (yy >= 0) & (yy < h) & (xc >= 0) & (xc < w)
        idx.append(np.where(inside, yy * w + xc, -1).reshape(n, dg, -1))
        wts.append(np.where(inside, wt, 0.0).reshape(n, dg, -1))
    flat = [a.reshape(n, dg, -1) for a in (ly, lx, valid, free_y, free_x)]
    return (np.stack(idx), np.stack(wts), *flat)


def _corners(x, idx, dg):
    """Corner values (4, N, dg, C/dg, L) gathered from x (N, C, H, W); zero for outside corners."""
    n, c, h, w = x.shape
    flat = x.reshape(n, dg, c // dg, h * w).astype(np.float64)
    return np.stack([np.where(i[:, :, None, :] >= 0,
                              np.take_along_axis(flat, np.maximum(i, 0)[:, :, None, :], axis=3), 0.0)
                     for i in idx])


def _columns(x, offset, mask, geom, dg, clamp=False):
    """Sampled columns (N, dg, C/dg, L), masked if ``mask``; also the plan, corner values and raw samples."""
    plan = _sample(x, offset, geom, dg, clamp)
    v = _corners(x, plan[0], dg)
    val = (v * plan[1][:, :, :, None, :]).sum(0)
    cols = val if mask is None else val * mask.reshape(mask.shape[0], dg, 1, -1)
    return cols, plan, v, val


def _gemm_shapes(x, w, geom, g):
    n, c = x.shape[:2]
    kk = geom[0][0] * geom[0][1]
    return n, c, kk, w.shape[0], g


def _forward(name, attrs, x, offset, w, b, mask, geom):
    g, dg = attrs.num_group, attrs.num_deformable_group
    n, c, kk, f, _ = _gemm_shapes(x, w, geom, g)
    ho, wo = geom[4]
    cols = _columns(x, offset, mask, geom, dg, clamp=mask is None)[0]
    cols = cols.reshape(n, g, (c // g) * kk, ho * wo)
    wm = w.reshape(g, f // g, (c // g) * kk).astype(np.float64)
    y = np.matmul(wm[None], cols).reshape(n, f, ho, wo)
    if b is not None:
        y = y + b.reshape(1, f, 1, 1)
    return y.astype(x.dtype), cols


def _backward(attrs, dy, x, offset, w, mask, geom, state):
    g, dg = attrs.num_group, attrs.num_deformable_group
    n, c, kk, f, _ = _gemm_shapes(x, w, geom, g)
    ho, wo = geom[4]
    h, wd = x.shape[2:]
    cols = state
    _, (idx, wts, ly, lx, valid, free_y, free_x), v, val = _columns(x, offset, None, geom, dg, clamp=mask is None)
    dyg = dy.reshape(n, g, f // g, ho * wo).astype(np.float64)
    wm = w.reshape(g, f // g, (c // g) * kk).astype(np.float64)
    dw = np.matmul(dyg, cols.transpose(0, 1, 3, 2)).sum(0).reshape(w.shape)
    dcols = np.matmul(wm.transpose(0, 2, 1)[None], dyg).reshape(n, dg, c // dg, -1)  # d(masked columns)
    m = None if mask is None else mask.reshape(n, dg, 1, -1).astype(np.float64)
    dval = dcols if m is None else dcols * m
    # data: scatter each corner's share back onto its pixel
    cg = c // dg
    rows = (np.arange(n * dg * cg) * (h * wd)).reshape(n, dg, cg, 1)
    dx = np.zeros(n * c * h * wd)
    for k in range(4):
        dx += np.bincount((rows + np.maximum(idx[k], 0)[:, :, None, :]).ravel(),  # weight 0 where idx is -1
                          weights=(dval * wts[k][:, :, None, :]).ravel(), minlength=dx.size)
    # offsets: derivative of the bilinear weights w.r.t. the sample position
    vy, vx = (valid & free_y)[:, :, None, :], (valid & free_x)[:, :, None, :]
    gy = (-(1 - lx)[:, :, None] * v[0] - lx[:, :, None] * v[1] + (1 - lx)[:, :, None] * v[2]
          + lx[:, :, None] * v[3])
    gx = (-(1 - ly)[:, :, None] * v[0] + (1 - ly)[:, :, None] * v[1] - ly[:, :, None] * v[2]
          + ly[:, :, None] * v[3])
    doy = np.where(vy, dval * gy, 0).sum(2).reshape(n, dg, kk, 1, ho, wo)
    dox = np.where(vx, dval * gx, 0).sum(2).reshape(n, dg, kk, 1, ho, wo)
    doff = np.concatenate([doy, dox], axis=3).reshape(offset.shape)
    dmask = None if mask is None else (dcols * val).sum(2).reshape(mask.shape).astype(mask.dtype)
    db = dy.sum(axis=(0, 2, 3))
    return dx.reshape(x.shape).astype(x.dtype), doff.astype(offset.dtype), dw.astype(w.dtype), dmask, db


def _unpack(name, ins, no_bias, modulated):
    ins = list(ins)
    x, offset = ins[0], ins[1]
    mask = ins[2] if modulated else None
    w = ins[3 if modulated else 2]
    b = None if no_bias else ins[4 if modulated else 3]
    return x, offset, mask, w, b


def _make(name, modulated):
    def fwd(attrs, ins, ctx):
        x, offset, mask, w, b = _unpack(name, ins, attrs.no_bias, modulated)
        geom = _geom(name, attrs, x, offset, w, mask, b)
        y, state = _forward(name, attrs, x, offset, w, b, mask, geom)
        return y, state

    def bwd(attrs, og, ins, outs, ctx, state):
        x, offset, mask, w, b = _unpack(name, ins, attrs.no_bias, modulated)
        geom = _geom(name, attrs, x, offset, w, mask, b)
        dx, doff, dw, dmask, db = _backward(attrs, og[0], x, offset, w, mask, geom, state)
        grads = [dx, doff] + ([dmask] if modulated else []) + [dw]
        return grads if b is None else grads + [db.astype(b.dtype)]

    def shape(attrs, shapes):
        if shapes[0] is None:
            return shapes, [None]
        n, c, h, w = shapes[0]
        kernel = tuple(attrs.kernel)
        stride = tuple(attrs.stride) or (1, 1)
        dilate = tuple(attrs.dilate) or (1, 1)
        pad = tuple(attrs.pad) or (0, 0)
        out = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                    for s, k, p, d, st in zip((h, w), kernel, pad, dilate, stride))
        kk, dg = kernel[0] * kernel[1], attrs.num_deformable_group
        shapes[1] = (n, 2 * kk * dg) + out
        wpos = 2
        if modulated:
            shapes[2] = (n, kk * dg) + out
            wpos = 3
        shapes[wpos] = (attrs.num_filter, c // attrs.num_group) + kernel
        if len(shapes) > wpos + 1:
            shapes[wpos + 1] = (attrs.num_filter,)
        return shapes, [(n, attrs.num_filter) + out]

    return fwd, bwd, shape


_PARAMS = (
    Param("kernel", "shape", doc="kernel size (h, w)"),
    Param("stride", "shape", (), "stride (default 1)"),
    Param("dilate", "shape", (), "dilation (default 1)"),
    Param("pad", "shape", (), "zero padding (default 0)"),
    Param("num_filter", "int", doc="number of output channels"),
    Param("num_group", "int", 1, "number of channel groups of the convolution"),
    Param("num_deformable_group", "int", 1, "number of channel groups sharing one offset field"),
    Param("workspace", "int", 1024, "accepted for compatibility; unused"),
    Param("no_bias", "bool", False, "leave out the bias"),
)
_LAYOUT = Param("layout", "str", None, "data layout; only NCHW is supported", choices=_LAYOUTS)

_f, _b, _s = _make("DeformableConvolution", False)
register("_contrib_DeformableConvolution", _f, inputs=("data", "offset", "weight", "bias"),
         params=_PARAMS + (_LAYOUT,), backward=_b, infer_shape=_s, save_state=True,
         doc="2-D deformable convolution: kernel taps sampled at learned offsets (bilinear).")
_f, _b, _s = _make("ModulatedDeformableConvolution", True)
register("_contrib_ModulatedDeformableConvolution", _f, inputs=("data", "offset", "mask", "weight", "bias"),
         params=_PARAMS + (Param("im2col_step", "int", 64, "accepted for compatibility; unused"), _LAYOUT),
         backward=_b, infer_shape=_s, save_state=True,
         doc="2-D modulated deformable convolution (DCNv2): deformable taps scaled by a mask.")

