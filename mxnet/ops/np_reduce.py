"""NumPy-interface reductions, products and linear algebra (``_np_sum``, ``_npi_mean``,
``_np_dot``, ``_npi_matmul``, ``_npi_inv``, ...), with MXNet 1.9.1's result dtypes:
integer sums keep the input dtype (bool sums give int64), integer means give float32."""
import numpy as np

from ..base import MXNetError
from ._util import finite_for_lapack as _finite
from .registry import register, Param


def _axis(a):
    ax = a.axis
    # an empty tuple reduces over no axis (NumPy's rule); None reduces over all
    return tuple(ax) if isinstance(ax, list) else ax


def _expand(g, x, attrs):
    """Broadcast a reduced gradient back to the input's shape."""
    ax = _axis(attrs)
    if not attrs.get("keepdims", False):
        axes = range(x.ndim) if ax is None else ((ax,) if isinstance(ax, int) else ax)
        g = g.reshape([1 if i in {a % x.ndim for a in axes} else s for i, s in enumerate(x.shape)])
    return g


_RED = (Param("axis", "any", None), Param("dtype", "dtype", None), Param("keepdims", "bool", False),
        Param("initial", "float", None))


def _sum_dt(attrs, x):
    if attrs.dtype is not None:
        return np.dtype(attrs.dtype)
    return np.dtype(np.int64) if x.dtype == np.bool_ else x.dtype


def _sum_fwd(attrs, ins, ctx):
    x = ins[0]
    dt = _sum_dt(attrs, x)
    # half precision accumulates in float32, as in MXNet
    acc = np.promote_types(dt, np.float32) if dt.kind == "f" else dt
    r = ctx.xp.sum(x, axis=_axis(attrs), keepdims=attrs.keepdims, dtype=acc)
    if attrs.initial is not None:
        r = r + attrs.initial
    return ctx.xp.asarray(r).astype(dt, copy=False)


def _sum_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    return [ctx.xp.broadcast_to(_expand(og[0], x, attrs), x.shape).astype(x.dtype)]


register("_np_sum", _sum_fwd, inputs=("a",), params=_RED, backward=_sum_bwd, doc="Sum over axes.")


def _mean_dt(attrs, x):
    if attrs.dtype is not None:
        return np.dtype(attrs.dtype)
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _mean_fwd(attrs, ins, ctx):
    x = ins[0]
    dt = _mean_dt(attrs, x)
    # MXNet accumulates half precision in float32 whatever the result dtype
    acc = np.promote_types(dt, np.float32) if dt.kind == "f" else dt
    return ctx.xp.asarray(ctx.xp.mean(x, axis=_axis(attrs), keepdims=attrs.keepdims, dtype=acc)).astype(dt)


def _mean_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    n = x.size / max(outs[0].size, 1)
    g = og[0].astype(x.dtype, copy=False) if x.dtype.kind == "f" else og[0]
    return [ctx.xp.broadcast_to(_expand(g, x, attrs) / n, x.shape).astype(x.dtype)]


register("_npi_mean", _mean_fwd, inputs=("a",), params=_RED, backward=_mean_bwd, doc="Mean over axes.")


def _prod_fwd(attrs, ins, ctx):
    x = ins[0]
    return ctx.xp.asarray(ctx.xp.prod(x, axis=_axis(attrs), keepdims=attrs.keepdims, dtype=_sum_dt(attrs, x)))


def _prod_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    with np.errstate(all="ignore"):
        g = _expand(og[0] * outs[0], x, attrs) / x
    return [g.astype(x.dtype)]


register("_np_prod", _prod_fwd, inputs=("a",), params=_RED, backward=_prod_bwd, aliases=("_np_product",),
         doc="Product over axes.")


def _minmax(fn):
    def fwd(attrs, ins, ctx):
        x = ins[0]
        if x.size == 0 and attrs.initial is None:
            raise MXNetError(f"Operator _np_{fn}: zero-size array to reduction operation {fn} "
                             "which has no identity")
        return ctx.xp.asarray(getattr(ctx.xp, fn)(x, axis=_axis(attrs), keepdims=attrs.keepdims))

    def bwd(attrs, og, ins, outs, ctx, state):
        x = ins[0]
        m = x == _expand(outs[0], x, attrs)
        return [(_expand(og[0], x, attrs) * m).astype(x.dtype)]
    return fwd, bwd


for _n, _a in (("max", "_np_amax"), ("min", "_np_amin")):
    _f, _b = _minmax(_n)
    register(f"_np_{_n}", _f, inputs=("a",), backward=_b, aliases=(_a,),
             params=(Param("axis", "any", None), Param("keepdims", "bool", False),
                     Param("initial", "float", None)), doc=f"{_n.capitalize()}imum over axes.")


def _moments(name):
    def fwd(attrs, ins, ctx):
        x = ins[0]
        dt = np.dtype(attrs.dtype) if attrs.dtype is not None else x.dtype
        r = getattr(ctx.xp, name)(x.astype(np.float64) if x.dtype.kind != "f" else x, axis=_axis(attrs),
                                  ddof=attrs.ddof, keepdims=attrs.keepdims)
        return ctx.xp.asarray(r).astype(dt)

    def bwd(attrs, og, ins, outs, ctx, state):
        x = ins[0]
        n = x.size / max(outs[0].size, 1)
        mean = ctx.xp.mean(x, axis=_axis(attrs), keepdims=True)
        g = _expand(og[0], x, attrs) * 2 * (x - mean) / (n - attrs.ddof)
        if name == "std":
            g = g / (2 * _expand(outs[0], x, attrs))
        return [g.astype(x.dtype)]
    return fwd, bwd


for _n in ("std", "var"):
    _f, _b = _moments(_n)
    register(f"_npi_{_n}", _f, inputs=("a",), backward=_b,
             params=(Param("axis", "any", None), Param("dtype", "dtype", None), Param("ddof", "int", 0),
                     Param("keepdims", "bool", False)), doc=f"{_n} over axes.")


def _arg(fn):
    def fwd(attrs, ins, ctx):
        r = getattr(ctx.xp, fn)(ins[0], axis=attrs.axis, keepdims=attrs.keepdims)
        return ctx.xp.asarray(r).astype(np.int64)
    return fwd


for _n in ("argmax", "argmin"):
    register(f"_npi_{_n}", _arg(_n), inputs=("data",),
             params=(Param("axis", "int", None), Param("keepdims", "bool", False)), doc=f"{_n} along an axis.")


def _bool_red(fn):
    def fwd(attrs, ins, ctx):
        return ctx.xp.asarray(getattr(ctx.xp, fn)(ins[0], axis=_axis(attrs), keepdims=attrs.keepdims))
    return fwd


register("_np_all", _bool_red("all"), params=(Param("axis", "any", None), Param("keepdims", "bool", False)),
         doc="Whether all elements are true.")
register("_np_any", _bool_red("any"), params=(Param("axis", "any", None), Param("keepdims", "bool", False)),
         aliases=("_np_sometrue",), doc="Whether any element is true.")


def _cumsum_fwd(attrs, ins, ctx):
    x = ins[0]
    ax = attrs.axis
    if ax is None:
        x, ax = x.ravel(), 0
    return ctx.xp.cumsum(x, axis=ax, dtype=_sum_dt(attrs, ins[0]))


def _cumsum_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    ax = 0 if attrs.axis is None else attrs.axis
    g = ctx.xp.flip(ctx.xp.cumsum(ctx.xp.flip(og[0], ax), axis=ax), ax)
    return [g.reshape(x.shape).astype(x.dtype)]


register("_np_cumsum", _cumsum_fwd, inputs=("a",), backward=_cumsum_bwd,
         params=(Param("axis", "int", None), Param("dtype", "dtype", None)), doc="Cumulative sum.")


# -- products ---------------------------------------------------------------------------------
def _check_float_pair(name, a, b):
    if a.dtype != b.dtype:
        raise MXNetError(f"Operator {name}: operands must have the same dtype, got {a.dtype} and {b.dtype}")


def _dot_fwd(attrs, ins, ctx):
    a, b = ins
    _check_float_pair("_np_dot", a, b)
    return ctx.xp.asarray(ctx.xp.dot(a, b))


def _dot_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    g = og[0]
    if a.ndim == 0 or b.ndim == 0:
        return [xp.asarray(xp.sum(g * b)).reshape(a.shape) if a.ndim == 0 else (g * b).astype(a.dtype),
                xp.asarray(xp.sum(g * a)).reshape(b.shape) if b.ndim == 0 else (g * a).astype(b.dtype)]
    # a: (..., k), b: (k,) or (..., k, m); contract the gradient with the other operand
    bm = b if b.ndim > 1 else b[:, None]
    gm = g.reshape(a.shape[:-1] + bm.shape[:-2] + bm.shape[-1:])
    # explicit sizes, not -1: any of them may be 0
    n_a = int(np.prod(a.shape[:-1], dtype=np.int64))
    n_b = int(np.prod(bm.shape[:-2] + bm.shape[-1:], dtype=np.int64))
    k = a.shape[-1]
    bk = xp.moveaxis(bm, -2, 0).reshape(k, n_b)                  # (k, B*m)
    ga = gm.reshape(n_a, n_b) @ bk.T                              # (A, k)
    gb = a.reshape(n_a, k).T @ gm.reshape(n_a, n_b)
    gb = xp.moveaxis(gb.reshape((bm.shape[-2],) + bm.shape[:-2] + bm.shape[-1:]), 0, -2)
    return [ga.reshape(a.shape).astype(a.dtype), gb.reshape(b.shape).astype(b.dtype)]


def _dot_shape(attrs, shapes):
    """NumPy dot's output shape; an unknown (0) contracted dimension of one operand is taken from
    the other, so that a deferred weight gets its shape from the data."""
    a, b = shapes
    if a is None or b is None:
        return shapes, [None]
    if len(a) == 0 or len(b) == 0:
        return shapes, [b if len(a) == 0 else a]
    kb = len(b) - 2 if len(b) > 1 else 0  # the axis of b that a's last axis contracts with
    k = a[-1] or b[kb]
    if a[-1] and b[kb] and a[-1] != b[kb]:
        raise MXNetError(f"Operator _np_dot: shapes {a} and {b} not aligned: {a[-1]} (dim {len(a) - 1}) "
                         f"!= {b[kb]} (dim {kb})")
    a = a[:-1] + (k,)
    b = b[:kb] + (k,) + b[kb + 1:]
    return [a, b], [a[:-1] + b[:kb] + b[kb + 1:]]


register("_np_dot", _dot_fwd, inputs=("a", "b"), backward=_dot_bwd, infer_shape=_dot_shape,
         doc="Dot product (NumPy rules).")


def _matmul_fwd(attrs, ins, ctx):
    a, b = ins
    _check_float_pair("_npi_matmul", a, b)
    return ctx.xp.matmul(a, b)


def _matmul_bwd(attrs, og, ins, outs, ctx, state):
    from ._util import sum_to
    xp = ctx.xp
    a, b = ins
    g = og[0]
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    # restore the axes a 1-d operand dropped (b's first: with two vectors the product is 0-d)
    g2 = xp.expand_dims(g, -1) if b.ndim == 1 else g
    if a.ndim == 1:
        g2 = xp.expand_dims(g2, -2)
    ga = g2 @ xp.swapaxes(b2, -1, -2)
    gb = xp.swapaxes(a2, -1, -2) @ g2
    ga = sum_to(xp, ga, a2.shape).reshape(a.shape)
    gb = sum_to(xp, gb, b2.shape).reshape(b.shape)
    return [ga.astype(a.dtype), gb.astype(b.dtype)]


register("_npi_matmul", _matmul_fwd, inputs=("a", "b"), backward=_matmul_bwd, doc="Matrix product.")


def _tensordot_axes(attrs, a):
    if "axes" in attrs:
        n = attrs.axes
        if not 0 <= n <= a.ndim:     # range(n) would be built before NumPy's check (GBs)
            raise MXNetError(f"Operator _npi_tensordot_int_axes: axes={n} must be between 0 and "
                             f"the operands' number of dimensions ({a.ndim})")
        return list(range(a.ndim - n, a.ndim)), list(range(n))
    return list(attrs.a_axes_summed), list(attrs.b_axes_summed)


def _tensordot_fwd(attrs, ins, ctx):
    a, b = ins
    return ctx.xp.asarray(ctx.xp.tensordot(a, b, _tensordot_axes(attrs, a)))


def _tensordot_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    aa, ba = _tensordot_axes(attrs, a)
    aa = [x % a.ndim for x in aa]
    ba = [x % b.ndim for x in ba]
    af = [i for i in range(a.ndim) if i not in aa]
    bf = [i for i in range(b.ndim) if i not in ba]
    g = og[0]
    # g has axes af + bf; tensordot keeps the uncontracted axes of each operand in their order
    ga = xp.tensordot(g, b, (list(range(len(af), g.ndim)), bf))
    ga = xp.transpose(ga, np.argsort(af + [aa[ba.index(s)] for s in sorted(ba)]))
    gb = xp.tensordot(a, g, (af, list(range(len(af)))))
    gb = xp.transpose(gb, np.argsort([ba[aa.index(s)] for s in sorted(aa)] + bf))
    return [ga.astype(a.dtype), gb.astype(b.dtype)]


register("_npi_tensordot", _tensordot_fwd, inputs=("a", "b"), backward=_tensordot_bwd,
         params=(Param("a_axes_summed", "shape"), Param("b_axes_summed", "shape")), doc="Tensor dot product.")
register("_npi_tensordot_int_axes", _tensordot_fwd, inputs=("a", "b"), backward=_tensordot_bwd,
         params=(Param("axes", "int"),), doc="Tensor dot product over the last/first axes.")


def _einsum_fwd(attrs, ins, ctx):
    return ctx.xp.asarray(ctx.xp.einsum(attrs.subscripts, *ins))


def _einsum_terms(sub, ins):
    """(input terms, output term) of an einsum with '...' spelled out in unused letters."""
    sub = sub.replace(" ", "")
    lhs, arrow, out = sub.partition("->")
    terms = lhs.split(",")
    free = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in sub)
    nell = max([x.ndim - (len(t) - 3) for t, x in zip(terms, ins) if "..." in t] or [0])
    ell = "".join(next(free) for _ in range(nell))
    # each operand's '...' covers its own trailing share of the broadcast dimensions
    terms = [t.replace("...", ell[nell - (x.ndim - (len(t) - 3)):]) if "..." in t else t
             for t, x in zip(terms, ins)]
    if arrow:
        out = out.replace("...", ell)
    else:
        single = sorted(c for c in set("".join(terms)) if "".join(terms).count(c) == 1 and c not in ell)
        out = ell + "".join(single)
    return terms, out


def _einsum_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    terms, out = _einsum_terms(attrs.subscripts, ins)
    size = {}
    for t, x in zip(terms, ins):
        for c, d in zip(t, x.shape):
            if size.get(c, 1) == 1:  # a size-1 dimension broadcasts (also to 0)
                size[c] = d
    # operands broadcast to the full sizes, so that every letter has one size
    full = [xp.broadcast_to(x, [size[c] for c in t]) for t, x in zip(terms, ins)]
    grads = []
    for i, x in enumerate(ins):
        uniq = "".join(dict.fromkeys(terms[i]))
        others = [t for j, t in enumerate(terms) if j != i]
        ops = [og[0]] + [full[j] for j in range(len(ins)) if j != i]
        # letters only operand i has are summed in the forward: their gradient is broadcast
        missing = "".join(c for c in uniq if c not in "".join([out] + others))
        specs = [out] + others
        if missing:
            specs.append(missing)
            ops.append(xp.ones([size[c] for c in missing], dtype=og[0].dtype))
        g = xp.einsum(",".join(specs) + "->" + uniq, *ops)
        dims = {c: d for c, d in zip(terms[i], x.shape)}
        shrink = tuple(k for k, c in enumerate(uniq) if dims[c] != size[c])
        if shrink:
            g = g.sum(axis=shrink, keepdims=True)
        if len(uniq) != len(terms[i]):
            # a repeated letter reads a diagonal: the gradient goes back onto it
            grid = xp.indices(g.shape)
            gx = xp.zeros(x.shape, dtype=g.dtype)
            gx[tuple(grid[uniq.index(c)] for c in terms[i])] = g
            g = gx
        grads.append(g.reshape(x.shape).astype(x.dtype))
    return grads


register("_npi_einsum", _einsum_fwd, inputs=("data",), variadic="num_args", backward=_einsum_bwd,
         params=(Param("num_args", "int", None), Param("subscripts", "str", ""), Param("optimize", "int", 0)),
         doc="Einstein summation.")


# -- linear algebra --------------------------------------------------------------------------
def _inv_bwd(attrs, og, ins, outs, ctx, state):
    y = outs[0]
    yt = ctx.xp.swapaxes(y, -1, -2)
    return [-(yt @ og[0] @ yt)]


register("_npi_inv", lambda a, i, c: c.xp.linalg.inv(i[0]), inputs=("A",), backward=_inv_bwd,
         doc="Matrix inverse.")


def _det_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    inv_t = xp.swapaxes(xp.linalg.inv(ins[0]), -1, -2)
    return [(og[0] * outs[0])[..., None, None] * inv_t]


register("_npi_det", lambda a, i, c: c.xp.asarray(c.xp.linalg.det(i[0])), inputs=("A",), backward=_det_bwd,
         doc="Determinant.")


def _slogdet_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    if og[1] is None:
        return [xp.zeros_like(ins[0])]
    return [og[1][..., None, None] * xp.swapaxes(xp.linalg.inv(ins[0]), -1, -2)]


register("_npi_slogdet", lambda a, i, c: tuple(c.xp.asarray(r) for r in c.xp.linalg.slogdet(i[0])),
         inputs=("A",), num_outputs=2, backward=_slogdet_bwd, doc="Sign and log of |determinant|.")


def _solve(xp, a, b):
    """``a x = b`` with MXNet's (and NumPy 1.x's) rule: ``b`` of one dimension fewer than ``a``
    is a stack of vectors (NumPy 2 reads any ``b`` of more than one dimension as matrices)."""
    if b.ndim == a.ndim - 1:
        return xp.linalg.solve(a, b[..., None])[..., 0]
    if b.ndim != a.ndim:
        raise MXNetError(f"Operator _npi_solve: A's and B's dimensions don't match: A{a.shape}, B{b.shape}")
    return xp.linalg.solve(a, b)


def _solve_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    x = outs[0]
    gb = _solve(xp, xp.swapaxes(a, -1, -2), og[0])
    x2 = x[..., None] if x.ndim == a.ndim - 1 else x
    gb2 = gb[..., None] if gb.ndim == a.ndim - 1 else gb
    return [-(gb2 @ xp.swapaxes(x2, -1, -2)), gb]


register("_npi_solve", lambda a, i, c: _solve(c.xp, *i), inputs=("A", "B"), backward=_solve_bwd,
         doc="Solve A x = B.")


def _cholesky_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    L = outs[0]
    phi = lambda m: xp.tril(m) - 0.5 * xp.tril(xp.triu(m))  # noqa: E731 - lower part, halved diagonal
    Lt = xp.swapaxes(L, -1, -2)
    P = phi(Lt @ og[0])
    Linv = xp.linalg.inv(L)
    S = xp.swapaxes(Linv, -1, -2) @ P @ Linv
    return [0.5 * (S + xp.swapaxes(S, -1, -2))]


register("_npi_cholesky", lambda a, i, c: c.xp.linalg.cholesky(i[0]), inputs=("A",), backward=_cholesky_bwd,
         doc="Cholesky factor (lower).")
def _svd_bwd(attrs, og, ins, outs, ctx, state):
    """Gradient of A = UT diag(L) V (m <= n, distinct non-zero singular values)."""
    xp = ctx.xp
    ut, l, v = outs
    if ut.shape[-2] > v.shape[-1]:
        raise MXNetError("Operator _npi_svd: the gradient needs m <= n (as MXNet's svd itself)")
    m = l.shape[-1]
    g_ut, g_l, g_v = (xp.zeros_like(o) if g is None else g for g, o in zip(og, outs))
    vt = xp.swapaxes(v, -1, -2)
    with np.errstate(all="ignore"):
        inv_l = 1.0 / l
        li, lj = l[..., :, None], l[..., None, :]
        # E[i, j] = 1 / (L_i^2 - L_j^2) above the diagonal, antisymmetric
        e = 1.0 / (xp.maximum(li - lj, 1e-20) * xp.maximum(li + lj, 1e-20))
        upper = xp.triu(xp.ones((m, m), dtype=bool), 1)
        e = xp.where(upper, e, 0)
        e = e - xp.swapaxes(e, -1, -2)
        dvv = g_v @ vt
        g1 = (inv_l[..., :, None] * dvv) * lj + xp.swapaxes(g_ut, -1, -2) @ ut
        x = g1 * e
        eye = xp.eye(m, dtype=l.dtype)
        g2 = (g_l[..., None, :] * eye + (x + xp.swapaxes(x, -1, -2)) * lj
              - inv_l[..., :, None] * dvv * eye)
        ga = ut @ (g2 @ v + inv_l[..., :, None] * g_v)
    return [ga.astype(ins[0].dtype)]


register("_npi_svd", lambda a, i, c: tuple(c.xp.linalg.svd(_finite("_npi_svd", i[0]), full_matrices=False)),
         inputs=("A",),
         backward=_svd_bwd,
         num_outputs=3, doc="Singular value decomposition (UT, L, V as MXNet orders them).")
register("_npi_eigh", lambda a, i, c: tuple(c.xp.linalg.eigh(_finite("_npi_eigh", i[0]), UPLO=a.UPLO)),
         inputs=("A",), num_outputs=2,
         params=(Param("UPLO", "str", "L"),), doc="Eigen-decomposition of a symmetric matrix.")
register("_npi_eigvalsh", lambda a, i, c: c.xp.linalg.eigvalsh(_finite("_npi_eigvalsh", i[0]), UPLO=a.UPLO),
         inputs=("A",),
         params=(Param("UPLO", "str", "L"),), doc="Eigenvalues of a symmetric matrix.")
register("_npi_eig", lambda a, i, c: tuple(c.xp.linalg.eig(_finite("_npi_eig", i[0]))), inputs=("A",),
         num_outputs=2,
         doc="Eigen-decomposition (real results only).")
register("_npi_eigvals", lambda a, i, c: c.xp.linalg.eigvals(_finite("_npi_eigvals", i[0])), inputs=("A",),
         doc="Eigenvalues.")
def _pinv_bwd(attrs, og, ins, outs, ctx, state):
    """Gradient of the pseudo-inverse P of A (exact where the rank is constant)."""
    xp = ctx.xp
    a, p, g = ins[0], outs[0], og[0]
    t = lambda m: xp.swapaxes(m, -1, -2)  # noqa: E731
    eye_m, eye_n = xp.eye(a.shape[-2], dtype=a.dtype), xp.eye(a.shape[-1], dtype=a.dtype)
    ga = (-t(p) @ g @ t(p) + (eye_m - a @ p) @ t(g) @ p @ t(p)
          + t(p) @ p @ t(g) @ (eye_n - p @ a))
    return [ga.astype(a.dtype)] + [xp.zeros_like(x) for x in ins[1:]]


register("_npi_pinv", lambda a, i, c: c.xp.linalg.pinv(_finite("_npi_pinv", i[0]), i[1], hermitian=a.hermitian),
         backward=_pinv_bwd,
         inputs=("A", "rcond"), params=(Param("hermitian", "bool", False),), doc="Pseudo-inverse.")
register("_npi_pinv_scalar_rcond",
         lambda a, i, c: c.xp.linalg.pinv(_finite("_npi_pinv_scalar_rcond", i[0]), a.rcond, hermitian=a.hermitian),
         inputs=("A",), params=(Param("rcond", "float", 1e-15), Param("hermitian", "bool", False)),
         backward=_pinv_bwd, doc="Pseudo-inverse with a scalar cutoff.")


def _tensorinv_bwd(attrs, og, ins, outs, ctx, state):
    a, inv = ins[0], outs[0]
    n = int(np.prod(a.shape[:attrs.ind], dtype=np.int64))
    inv2 = inv.reshape(n, -1) if n else inv.reshape(0, 0)
    g2 = og[0].reshape(inv2.shape)
    # d(A^-1) = -A^-1 dA A^-1 on the matrix views
    ga = -(inv2.T @ g2 @ inv2.T)
    return [ga.reshape(a.shape).astype(a.dtype)]


register("_npi_tensorinv", lambda a, i, c: c.xp.linalg.tensorinv(i[0], a.ind), inputs=("a",),
         params=(Param("ind", "int", 2),), backward=_tensorinv_bwd, doc="Tensor inverse.")


def _tensorsolve_parts(attrs, a, b):
    """``a`` with the summed axes moved last, as a square matrix, and the solution's shape."""
    if attrs.a_axes is not None:
        axes = [ax % a.ndim for ax in attrs.a_axes]
        a = np.moveaxis(a, axes, list(range(a.ndim - len(axes), a.ndim)))
    # MXNet's rule: the solution has the last a.ndim - b.ndim axes of a (all of them when equal)
    out_shape = a.shape[-(a.ndim - b.ndim):]
    n = int(np.prod(out_shape, dtype=np.int64))
    return a, a.reshape(-1, n), out_shape


def _tensorsolve_fwd(attrs, ins, ctx):
    a, b = ins
    _, a2, out_shape = _tensorsolve_parts(attrs, a, b)
    if a2.shape[0] != a2.shape[1]:
        raise MXNetError(f"Operator _npi_tensorsolve: a of shape {a.shape} is not square for b of shape "
                         f"{b.shape}")
    return ctx.xp.linalg.solve(a2, b.reshape(-1)).reshape(out_shape).astype(a.dtype)


def _tensorsolve_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    moved, a2, _ = _tensorsolve_parts(attrs, a, b)
    gb = xp.linalg.solve(a2.T, og[0].reshape(-1))
    ga = -xp.outer(gb, outs[0].reshape(-1)).reshape(moved.shape)
    if attrs.a_axes is not None:
        axes = [ax % a.ndim for ax in attrs.a_axes]
        ga = xp.moveaxis(ga, list(range(a.ndim - len(axes), a.ndim)), axes)
    return [ga.astype(a.dtype), gb.reshape(b.shape).astype(b.dtype)]


register("_npi_tensorsolve", _tensorsolve_fwd, inputs=("a", "b"), backward=_tensorsolve_bwd,
         params=(Param("a_axes", "any", None),), doc="The x with tensordot(a, x, x.ndim) = b.")


def _norm_ord(attrs):
    o = attrs.ord
    return {"inf": np.inf, "-inf": -np.inf}.get(o, o) if isinstance(o, str) else o


def _norm_fwd(attrs, ins, ctx):
    x = ins[0]
    axis = _axis(attrs)
    if _norm_ord(attrs) in (2, -2, "nuc") and (len(axis) == 2 if isinstance(axis, tuple) else
                                              axis is None and x.ndim == 2):
        _finite("_npi_norm", x)      # a matrix norm by SVD
    r = ctx.xp.linalg.norm(x, ord=_norm_ord(attrs), axis=_axis(attrs), keepdims=attrs.keepdims)
    return ctx.xp.asarray(r).astype(x.dtype if x.dtype.kind == "f" else np.float32)


def _norm_axes(attrs, x):
    """The reduced axes as a tuple: one for a vector norm, two for a matrix norm."""
    ax = _axis(attrs)
    if ax is None:
        if attrs.ord is None:
            return tuple(range(x.ndim))
        return tuple(range(x.ndim))[-2:]
    return (ax,) if isinstance(ax, int) else tuple(ax)


def _norm_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x = ins[0]
    o = _norm_ord(attrs)
    axes = tuple(a % x.ndim for a in _norm_axes(attrs, x))
    keep = attrs.keepdims or outs[0].ndim == x.ndim
    y = outs[0] if keep else xp.expand_dims(outs[0], axes)
    g = og[0] if keep else xp.expand_dims(og[0], axes)
    ax = x.ndim - 2, x.ndim - 1
    with np.errstate(all="ignore"):
        if o is None or o == "fro" or (o == 2 and len(axes) == 1):
            d = xp.where(y == 0, 0, x / y)
        elif len(axes) == 1 and o in (np.inf, -np.inf):
            d = xp.sign(x) * (xp.abs(x) == y)
        elif len(axes) == 1:
            d = xp.zeros_like(x) if o == 0 else xp.where(y == 0, 0, xp.sign(x) * (xp.abs(x) / y) ** (o - 1))
        else:
            # matrix norms: work on the two axes moved last
            xm = xp.moveaxis(x, axes, ax)
            if o in ("nuc", 2, -2):
                u, sv, vt = xp.linalg.svd(xm, full_matrices=False)
                if o == "nuc":
                    dm = u @ vt
                else:
                    k = 0 if o == 2 else -1
                    dm = u[..., :, k:k + 1 or None] @ vt[..., k:k + 1 or None, :]
            else:
                # 1/-1 pick a column by its absolute sum, inf/-inf a row
                col = o in (1, -1)
                sums = xp.abs(xm).sum(axis=-2 if col else -1, keepdims=True)
                best = sums.max(axis=-1 if col else -2, keepdims=True) if o in (1, np.inf) else \
                    sums.min(axis=-1 if col else -2, keepdims=True)
                dm = xp.sign(xm) * (sums == best)
            d = xp.moveaxis(dm, ax, axes)
    return [(g * d).astype(x.dtype)]


register("_npi_norm", _norm_fwd, inputs=("x",), backward=_norm_bwd,
         params=(Param("ord", "any", None), Param("axis", "any", None), Param("keepdims", "bool", False)),
         doc="Vector or matrix norm.")
