"""Array kernels behind convolution, deconvolution and pooling (channels-first, 1-3 spatial dims).

Written once against the array namespace ``xp``.  Convolutions are im2col + one
GEMM with the batch folded into the GEMM's columns: the column buffer is laid
out ``(C, *kernel, N, *out)`` so that the weight times it gives ``(F, N*P)``
directly, and its transpose feeds the weight gradient without a copy.  Loops
run over kernel offsets only, each step a whole-array strided operation.
"""
import itertools


def conv_out_len(size, k, s, d, p):
    """Output length of a convolution along one axis."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def pad_spatial(xp, x, lo, hi, value=0):
    """``x`` (N, C, *S) padded by ``lo``/``hi`` per spatial axis (negative ``hi`` crops)."""
    if not any(lo) and not any(hi):
        return x
    shape = x.shape[:2] + tuple(s + a + b for s, a, b in zip(x.shape[2:], lo, hi))
    out = xp.full(shape, value, dtype=x.dtype) if value else xp.zeros(shape, dtype=x.dtype)
    dst = (slice(None), slice(None)) + tuple(slice(a, a + min(s, s + b)) for s, a, b in
                                             zip(x.shape[2:], lo, hi))
    src = (slice(None), slice(None)) + tuple(slice(0, min(s, s + b)) for s, b in zip(x.shape[2:], hi))
    out[dst] = x[src]
    return out


def offset_slices(offs, stride, dilate, out):
    """Slices of a padded image read by kernel offset ``offs`` over all output positions."""
    return tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                 for o, s, d, n in zip(offs, stride, dilate, out))


def kernel_offsets(kernel):
    return itertools.product(*(range(k) for k in kernel))


def im2col(xp, xpd, kernel, stride, dilate, out):
    """Columns ``(C, *kernel, N, *out)`` (contiguous) of the padded image ``xpd`` (N, C, *S)."""
    n, c = xpd.shape[:2]
    nd = len(kernel)
    st = xpd.strides
    shape = (c,) + tuple(kernel) + (n,) + tuple(out)
    strides = ((st[1],) + tuple(st[2 + i] * dilate[i] for i in range(nd)) + (st[0],)
               + tuple(st[2 + i] * stride[i] for i in range(nd)))
    view = xp.lib.stride_tricks.as_strided(xpd, shape, strides)
    cols = xp.empty(shape, dtype=xpd.dtype)
    cols[...] = view
    return cols


def col2im(xp, cols, n, padded, kernel, stride, dilate, out):
    """Sum columns ``(C, *kernel, N, *out)`` back into a padded image ``(N, C, *padded)``."""
    c = cols.shape[0]
    img = xp.zeros((n, c) + tuple(padded), dtype=cols.dtype)
    img_t = img.swapaxes(0, 1)
    overlap = any(k * d > s for k, s, d in zip(kernel, stride, dilate))
    for offs in kernel_offsets(kernel):
        dst = (slice(None), slice(None)) + offset_slices(offs, stride, dilate, out)
        src = cols[(slice(None),) + offs]
        if overlap:
            img_t[dst] += src
        else:
            img_t[dst] = src
    return img


# -- convolution ------------------------------------------------------------------------
def conv_forward(xp, x, w, b, kernel, stride, dilate, pad, groups):
    """Returns ``(y, cols)``; ``cols`` is kept for the backward."""
    n, c = x.shape[:2]
    f = w.shape[0]
    out = tuple(conv_out_len(x.shape[2 + i], kernel[i], stride[i], dilate[i], pad[i])
                for i in range(len(kernel)))
    cols = im2col(xp, pad_spatial(xp, x, pad, pad), kernel, stride, dilate, out)
    npix = n * _prod(out)
    y = _gmatmul(xp, w.reshape(groups, f // groups, -1), cols.reshape(groups, -1, npix))
    y = y.reshape(f, n, -1).swapaxes(0, 1)
    res = xp.empty((n, f) + out, dtype=x.dtype)
    if b is not None:
        xp.add(y, b.reshape(f, 1), out=res.reshape(n, f, -1))
    else:
        res.reshape(n, f, -1)[...] = y
    return res, cols


def conv_backward(xp, dy, x, w, cols, kernel, stride, dilate, pad, groups, with_bias):
    """Gradients ``(dx, dw, db)`` of ``conv_forward``."""
    n, c = x.shape[:2]
    f = w.shape[0]
    out = dy.shape[2:]
    dy2 = _to_group_cols(xp, dy, groups)
    if cols is None:
        cols = im2col(xp, pad_spatial(xp, x, pad, pad), kernel, stride, dilate, out)
    colsg = cols.reshape(groups, -1, dy2.shape[-1])
    wm = w.reshape(groups, f // groups, -1)
    dw = _gmatmul(xp, dy2, colsg.swapaxes(1, 2)).reshape(w.shape)
    dcols = _gmatmul(xp, wm.swapaxes(1, 2), dy2).reshape(cols.shape)
    padded = tuple(s + 2 * p for s, p in zip(x.shape[2:], pad))
    dxp = col2im(xp, dcols, n, padded, kernel, stride, dilate, out)
    dx = dxp[(slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in zip(pad, x.shape[2:]))]
    db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))) if with_bias else None
    return xp.ascontiguousarray(dx), dw, db


def _gmatmul(xp, a, b):
    """Grouped matmul of (G, m, k) by (G, k, n); one plain GEMM when G == 1 (NumPy's stacked
    matmul is markedly slower than its 2-D BLAS call)."""
    if a.shape[0] == 1:
        return xp.matmul(a[0], b[0])[None]
    return xp.matmul(a, b)


def _to_group_cols(xp, a, groups):
    """(N, C, *S) -> (G, C/G, N*prod(S)), one copy."""
    n, c = a.shape[:2]
    t = a.reshape(n, groups, c // groups, -1).transpose(1, 2, 0, 3)
    return xp.ascontiguousarray(t).reshape(groups, c // groups, -1)


def _from_group_rows(xp, y, n, spatial, dtype):
    """(G, F/G, N*P) -> (N, F, *spatial), one copy."""
    f = y.shape[0] * y.shape[1]
    res = xp.empty((n, f) + tuple(spatial), dtype=dtype)
    res.reshape(n, f, -1)[...] = y.reshape(f, n, -1).swapaxes(0, 1)
    return res


# -- deconvolution (the transpose of convolution) ---------------------------------------
def deconv_full_len(size, k, s, d):
    return (size - 1) * s + d * (k - 1) + 1


def deconv_forward(xp, x, w, b, kernel, stride, dilate, pad, out, groups):
    """``x`` (N, Cin, *S), ``w`` (Cin, F/G, *k) -> (N, F, *out) cropped at ``pad``."""
    n, cin = x.shape[:2]
    fg = w.shape[1]
    f = fg * groups
    spatial = x.shape[2:]
    x2 = _to_group_cols(xp, x, groups)
    wm = w.reshape(groups, cin // groups, -1)
    cols = _gmatmul(xp, wm.swapaxes(1, 2), x2).reshape((f,) + tuple(kernel) + (n,) + tuple(spatial))
    full = tuple(max(deconv_full_len(spatial[i], kernel[i], stride[i], dilate[i]), pad[i] + out[i])
                 for i in range(len(kernel)))
    img = col2im(xp, cols, n, full, kernel, stride, dilate, spatial)
    y = img[(slice(None), slice(None)) + tuple(slice(p, p + o) for p, o in zip(pad, out))]
    if b is not None:
        y = y + b.reshape((f,) + (1,) * len(kernel))
    return xp.ascontiguousarray(y)


def deconv_backward(xp, dy, x, w, kernel, stride, dilate, pad, groups, with_bias):
    n, cin = x.shape[:2]
    spatial = x.shape[2:]
    full = tuple(deconv_full_len(spatial[i], kernel[i], stride[i], dilate[i]) for i in range(len(kernel)))
    hi = tuple(fl - p - o for fl, p, o in zip(full, pad, dy.shape[2:]))
    dyp = pad_spatial(xp, dy, pad, hi)
    cols = im2col(xp, dyp, kernel, stride, dilate, spatial)
    colsg = cols.reshape(groups, -1, n * _prod(spatial))
    wm = w.reshape(groups, cin // groups, -1)
    dx = _from_group_rows(xp, _gmatmul(xp, wm, colsg), n, spatial, x.dtype)
    x2 = _to_group_cols(xp, x, groups)
    dw = _gmatmul(xp, x2, colsg.swapaxes(1, 2)).reshape(w.shape)
    db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))) if with_bias else None
    return dx, dw, db


# -- pooling ----------------------------------------------------------------------------
def pool_out_len(size, k, s, p, convention):
    if convention == "full":
        return -(-(size + 2 * p - k) // s) + 1
    return (size + 2 * p - k) // s + 1


def pool_pads(shape, kernel, stride, pad, out):
    """Low and high padding of each spatial axis so that every window fits."""
    hi = tuple(max((o - 1) * s + k - sz - p, 0) for o, s, k, sz, p in
               zip(out, stride, kernel, shape[2:], pad))
    return tuple(pad), hi


def max_pool_forward(xp, x, kernel, stride, pad, out):
    """Returns ``(y, idx)``: the max and the kernel offset (row-major) of the first max."""
    lo, hi = pool_pads(x.shape, kernel, stride, pad, out)
    xpd = pad_spatial(xp, x, lo, hi, value=-xp.inf)
    ones = (1,) * len(kernel)
    offs = list(kernel_offsets(kernel))
    best = xp.array(xpd[(Ellipsis,) + offset_slices(offs[0], stride, ones, out)])
    idx = xp.zeros(best.shape, dtype=xp.uint8 if len(offs) < 256 else xp.int32)
    for k, o in enumerate(offs[1:], 1):
        v = xpd[(Ellipsis,) + offset_slices(o, stride, ones, out)]
        m = v > best
        xp.copyto(best, v, where=m)
        xp.copyto(idx, k, where=m)
    return best, idx


def max_pool_backward(xp, dy, idx, shape, kernel, stride, pad, out):
    lo, hi = pool_pads(shape, kernel, stride, pad, out)
    padded = tuple(s + a + b for s, a, b in zip(shape[2:], lo, hi))
    dxp = xp.zeros(tuple(shape[:2]) + padded, dtype=dy.dtype)
    ones = (1,) * len(kernel)
    overlap = any(k > s for k, s in zip(kernel, stride))
    for k, o in enumerate(kernel_offsets(kernel)):
        dst = dxp[(Ellipsis,) + offset_slices(o, stride, ones, out)]
        if overlap:
            dst += xp.where(idx == k, dy, 0)
        else:
            xp.copyto(dst, dy, where=idx == k)
    return _crop(dxp, lo, shape)


def sum_pool_forward(xp, x, kernel, stride, pad, out, power=None):
    """Window sums of ``x`` (of ``x**power`` when given), zero padded."""
    lo, hi = pool_pads(x.shape, kernel, stride, pad, out)
    src = x if power is None or power == 1 else x ** power
    xpd = pad_spatial(xp, src, lo, hi)
    ones = (1,) * len(kernel)
    acc = None
    for o in kernel_offsets(kernel):
        v = xpd[(Ellipsis,) + offset_slices(o, stride, ones, out)]
        if acc is None:
            acc = xp.array(v)
        else:
            acc += v
    return acc


def spread_pool_grad(xp, g, shape, kernel, stride, pad, out, weight=None):
    """Gradient of a window sum: ``g`` (N, C, *out) added back to every window element,
    multiplied elementwise by the padded ``weight`` image when given."""
    lo, hi = pool_pads(shape, kernel, stride, pad, out)
    padded = tuple(s + a + b for s, a, b in zip(shape[2:], lo, hi))
    dxp = xp.zeros(tuple(shape[:2]) + padded, dtype=g.dtype)
    ones = (1,) * len(kernel)
    for o in kernel_offsets(kernel):
        sl = (Ellipsis,) + offset_slices(o, stride, ones, out)
        dxp[sl] += g if weight is None else g * weight[sl]
    return _crop(dxp, lo, shape)


def pool_divisor(xp, shape, kernel, stride, pad, out, include_pad, dtype):
    """Per-output element counts of average pooling, as MXNet counts them."""
    div = None
    for i, (sz, k, s, p, o) in enumerate(zip(shape[2:], kernel, stride, pad, out)):
        start = xp.arange(o) * s
        if include_pad:
            cnt = xp.minimum(start + k, sz + 2 * p) - start
        else:
            cnt = xp.minimum(start - p + k, sz) - xp.maximum(start - p, 0)
        view = (1,) * i + (o,) + (1,) * (len(out) - i - 1)
        cnt = cnt.reshape(view)
        div = cnt if div is None else div * cnt
    return xp.maximum(div, 1).astype(dtype)


def _crop(a, lo, shape):
    if a.shape[2:] == tuple(shape[2:]):
        return a
    return a[(slice(None), slice(None)) + tuple(slice(l, l + s) for l, s in zip(lo, shape[2:]))].copy()


def _prod(t):
    r = 1
    for v in t:
        r *= v
    return r

