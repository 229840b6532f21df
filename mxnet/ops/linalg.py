"""Linear algebra: dot, batch_dot, khatri_rao and the ``_linalg_*`` family (BLAS/LAPACK via NumPy).

Matrices live in the last two axes; leading axes are a batch.  Products run in
the input dtype (float32 stays float32).  ``_linalg_<op>`` is also exposed as
``linalg_<op>`` and ``mx.nd.linalg.<op>``.
"""
import numpy as np

from ..base import MXNetError
from ._util import check_alloc_size, check_int32, finite_for_lapack
from .registry import register, Param


def _float_inputs(opname, ins, min_ndim=2):
    d0 = ins[0].dtype
    for x in ins:
        if x.dtype != d0:
            raise MXNetError(f"Operator {opname}: all inputs must have the same dtype, "
                             f"got {d0} and {x.dtype}")
        if x.ndim < min_ndim:
            raise MXNetError(f"Operator {opname}: inputs need at least {min_ndim} dimensions, got {x.shape}")
    if d0 not in (np.float16, np.float32, np.float64):
        raise MXNetError(f"Operator {opname}: only floating-point inputs are supported, got {d0}")


def _T(x):
    return x.swapaxes(-1, -2)


def _lapack(opname, fn, *args):
    try:
        return fn(*args)
    except np.linalg.LinAlgError as e:
        raise MXNetError(f"Operator {opname}: {e} (the input matrix may be singular or not "
                         "symmetric positive definite)") from None


# -- dot, batch_dot --------------------------------------------------------------------------------
def _dot_2d(attrs, a, b):
    """dot as one matrix product: (A2, B2, output shape)."""
    if a.ndim == 1 and b.ndim == 1 and (attrs.transpose_a or attrs.transpose_b):
        raise MXNetError("Operator dot: cannot transpose vectors")
    ta, tb = attrs.transpose_a, attrs.transpose_b
    a2 = a.reshape(a.shape[0], -1).T if ta else a.reshape(-1, a.shape[-1])
    b2 = b.reshape(-1, b.shape[-1]).T if tb else b.reshape(b.shape[0], -1)
    if a2.shape[1] != b2.shape[0]:
        raise MXNetError(f"Operator dot: shapes {a.shape} and {b.shape} do not align "
                         f"(transpose_a={ta}, transpose_b={tb})")
    out = (a.shape[1:] if ta else a.shape[:-1]) + (b.shape[:-1] if tb else b.shape[1:])
    return a2, b2, out or (1,)


def _dot_fwd(attrs, ins, ctx):
    _float_inputs("dot", ins, 1)
    a2, b2, shape = _dot_2d(attrs, *ins)
    return (a2 @ b2).reshape(shape)


def _dot_bwd(attrs, og, ins, outs, ctx, state):
    a, b = ins
    a2, b2, _ = _dot_2d(attrs, a, b)
    g = og[0].reshape(a2.shape[0], b2.shape[1])
    ga, gb = g @ b2.T, a2.T @ g
    ga = ga.T if attrs.transpose_a else ga
    gb = gb.T if attrs.transpose_b else gb
    return [ga.reshape(a.shape), gb.reshape(b.shape)]


_dot_params = (Param("transpose_a", "bool", False, "transpose the first input"),
               Param("transpose_b", "bool", False, "transpose the second input"),
               Param("forward_stype", "str", None, "storage type of the output (dense only here)",
                     choices=("csr", "default", "row_sparse")))
register("dot", _dot_fwd, inputs=("lhs", "rhs"), params=_dot_params, backward=_dot_bwd,
         doc="Dot product: contracts the last axis of lhs with the first axis of rhs.")


def _bdot_operands(attrs, a, b):
    if a.ndim < 3 or a.ndim != b.ndim or a.shape[:-2] != b.shape[:-2]:
        raise MXNetError(f"Operator batch_dot: inputs must be N-D (N >= 3) with equal batch dimensions, "
                         f"got {a.shape} and {b.shape}")
    a = _T(a) if attrs.transpose_a else a
    b = _T(b) if attrs.transpose_b else b
    if a.shape[-1] != b.shape[-2]:
        raise MXNetError(f"Operator batch_dot: shapes {a.shape} x {b.shape} do not align (after "
                         f"transpose_a={attrs.transpose_a}, transpose_b={attrs.transpose_b})")
    return a, b


def _bdot_fwd(attrs, ins, ctx):
    _float_inputs("batch_dot", ins, 3)
    a, b = _bdot_operands(attrs, *ins)
    return ctx.xp.matmul(a, b)


def _bdot_bwd(attrs, og, ins, outs, ctx, state):
    a, b = _bdot_operands(attrs, *ins)
    g = og[0]
    ga, gb = g @ _T(b), _T(a) @ g
    return [_T(ga) if attrs.transpose_a else ga, _T(gb) if attrs.transpose_b else gb]


register("batch_dot", _bdot_fwd, inputs=("lhs", "rhs"), params=_dot_params, backward=_bdot_bwd,
         doc="Batched matrix product over the last two axes.")


def _khatri_rao_fwd(attrs, ins, ctx):
    r = ins[0].shape[-1]
    for x in ins:
        if x.ndim != 2 or x.shape[1] != r:
            raise MXNetError(f"Operator khatri_rao: inputs must be matrices with {r} columns, got {x.shape}")
    out = ins[0]
    for x in ins[1:]:
        out = (out[:, None, :] * x[None, :, :]).reshape(-1, r)
    return out


register("khatri_rao", _khatri_rao_fwd, inputs=("args",), variadic="num_args", fgradient=False,
         params=(Param("num_args", "int", doc="number of input matrices"),),
         doc="Column-wise Kronecker product of matrices with the same number of columns.")


# -- gemm, gemm2 -----------------------------------------------------------------------------------
def _move(x, axis):
    """Put the row axis ``axis`` at position -2 (a view)."""
    a = axis % x.ndim
    return x if a == x.ndim - 2 else x.swapaxes(a, -2)


def _gemm_ops(opname, attrs, ins):
    _float_inputs(opname, ins)
    if attrs.axis % ins[0].ndim == ins[0].ndim - 1 or not -ins[0].ndim <= attrs.axis < ins[0].ndim:
        raise MXNetError(f"Operator {opname}: axis={attrs.axis} must leave a column axis after it")
    m = [_move(x, attrs.axis) for x in ins]
    a = _T(m[0]) if attrs.transpose_a else m[0]
    b = _T(m[1]) if attrs.transpose_b else m[1]
    if a.shape[:-2] != b.shape[:-2] or a.shape[-1] != b.shape[-2]:
        raise MXNetError(f"Operator {opname}: shapes {ins[0].shape} and {ins[1].shape} do not align "
                         f"(transpose_a={attrs.transpose_a}, transpose_b={attrs.transpose_b}, "
                         f"axis={attrs.axis})")
    return a, b, m[2:]


def _gemm_fwd(attrs, ins, ctx):
    a, b, rest = _gemm_ops("_linalg_gemm", attrs, ins)
    prod = a @ b
    if rest and rest[0].shape != prod.shape:
        raise MXNetError(f"Operator _linalg_gemm: C has shape {ins[2].shape}, which does not match A*B")
    dt = a.dtype.type
    out = dt(attrs.alpha) * prod
    if rest:
        out += dt(attrs.beta) * rest[0]
    return _move(out, attrs.axis)


def _gemm_bwd(attrs, og, ins, outs, ctx, state):
    a, b, rest = _gemm_ops("_linalg_gemm", attrs, ins)
    g = _move(og[0], attrs.axis)
    dt = g.dtype.type
    alpha = dt(attrs.alpha)
    ga = alpha * (g @ _T(b))
    gb = alpha * (_T(a) @ g)
    ga = _T(ga) if attrs.transpose_a else ga
    gb = _T(gb) if attrs.transpose_b else gb
    res = [_move(ga, attrs.axis).copy(), _move(gb, attrs.axis).copy()]
    if rest:
        res.append(_move(dt(attrs.beta) * g, attrs.axis).copy())
    return res


_gemm_common = (Param("transpose_a", "bool", False, "use the transpose of A"),
                Param("transpose_b", "bool", False, "use the transpose of B"),
                Param("alpha", "float", 1.0, "scale of A*B"))
_gemm_axis = Param("axis", "int", -2, "the row axis of the matrices (columns are the last axis)")
register("_linalg_gemm", _gemm_fwd, inputs=("A", "B", "C"),
         params=_gemm_common + (Param("beta", "float", 1.0, "scale of C"), _gemm_axis),
         backward=_gemm_bwd, aliases=("linalg_gemm",), doc="alpha * op(A) @ op(B) + beta * C.")
register("_linalg_gemm2", _gemm_fwd, inputs=("A", "B"), params=_gemm_common + (_gemm_axis,),
         backward=_gemm_bwd, aliases=("linalg_gemm2",), doc="alpha * op(A) @ op(B).")


# -- Cholesky family: potrf, potri, trmm, trsm, syrk, sumlogdiag ---------------------------------------
def _square(opname, x):
    _float_inputs(opname, [x])
    if x.shape[-1] != x.shape[-2]:
        raise MXNetError(f"Operator {opname}: matrices must be square, got shape {x.shape}")


def _potrf_fwd(attrs, ins, ctx):
    _square("_linalg_potrf", ins[0])
    L = _lapack("_linalg_potrf", ctx.xp.linalg.cholesky, ins[0])
    return L if attrs.lower else _T(L).copy()     # upper: U = L^T, A = U^T U


def _phi(x, xp):
    """Lower triangle with the diagonal halved."""
    return xp.tril(x) - 0.5 * xp.tril(xp.triu(x))


def _potrf_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    L, g = outs[0], og[0]
    if not attrs.lower:     # the upper factor is L^T: the same rule on the transposes
        L, g = _T(L), _T(g)
    Linv = xp.linalg.inv(L)
    s = _T(Linv) @ _phi(_T(L) @ g, xp) @ Linv
    return [(0.5 * (s + _T(s))).astype(L.dtype, copy=False)]


def _potri_factor(attrs, a, xp):
    """The lower Cholesky factor L held in A (its lower triangle, or the transpose of its upper)."""
    return xp.tril(a) if attrs.lower else _T(xp.triu(a))


def _potri_fwd(attrs, ins, ctx):
    _square("_linalg_potri", ins[0])
    Linv = _lapack("_linalg_potri", ctx.xp.linalg.inv, _potri_factor(attrs, ins[0], ctx.xp))
    return _T(Linv) @ Linv


def _potri_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    o, g = outs[0], og[0]
    gl = xp.tril(-(o @ (g + _T(g)) @ o) @ _potri_factor(attrs, ins[0], xp))
    return [gl if attrs.lower else _T(gl).copy()]


def _tri(attrs, a, xp):
    return xp.tril(a) if attrs.lower else xp.triu(a)


def _tri_mask(attrs, g, xp):
    return xp.tril(g) if attrs.lower else xp.triu(g)


def _trmm_fwd(attrs, ins, ctx):
    a, b = ins
    _square("_linalg_trmm", a)
    _float_inputs("_linalg_trmm", ins)
    m = _tri(attrs, a, ctx.xp)
    m = _T(m) if attrs.transpose else m
    prod = b @ m if attrs.rightside else m @ b
    return a.dtype.type(attrs.alpha) * prod


def _trmm_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    g = og[0]
    alpha = a.dtype.type(attrs.alpha)
    m = _tri(attrs, a, xp)
    m = _T(m) if attrs.transpose else m
    if attrs.rightside:
        gb, gm = alpha * (g @ _T(m)), alpha * (_T(b) @ g)
    else:
        gb, gm = alpha * (_T(m) @ g), alpha * (g @ _T(b))
    return [_tri_mask(attrs, _T(gm) if attrs.transpose else gm, xp), gb]


def _trsm_fwd(attrs, ins, ctx):
    a, b = ins
    _square("_linalg_trsm", a)
    _float_inputs("_linalg_trsm", ins)
    xp = ctx.xp
    m = _tri(attrs, a, xp)
    m = _T(m) if attrs.transpose else m
    alpha = a.dtype.type(attrs.alpha)
    if attrs.rightside:    # X m = alpha B  <=>  m^T X^T = alpha B^T
        return _T(_lapack("_linalg_trsm", xp.linalg.solve, _T(m), alpha * _T(b)))
    return _lapack("_linalg_trsm", xp.linalg.solve, m, alpha * b)


def _trsm_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, b = ins
    x, g = outs[0], og[0]
    alpha = a.dtype.type(attrs.alpha)
    m = _tri(attrs, a, xp)
    m = _T(m) if attrs.transpose else m
    if attrs.rightside:
        gb = alpha * _T(xp.linalg.solve(m, _T(g)))     # alpha G m^-T
        gm = -(_T(x) @ gb) / alpha
    else:
        gb = alpha * xp.linalg.solve(_T(m), g)         # alpha m^-T G
        gm = -(gb @ _T(x)) / alpha
    return [_tri_mask(attrs, _T(gm) if attrs.transpose else gm, xp), gb]


_tr_params = (Param("transpose", "bool", False, "use the transpose of the triangular A"),
              Param("rightside", "bool", False, "multiply from the right"),
              Param("lower", "bool", True, "A is lower (else upper) triangular"),
              Param("alpha", "float", 1.0, "scale factor"))


# Explicit shape rules: the default inference runs the forward on zeros, which these reject as
# singular (symbols and deferred initialisation would fail)
def _shape_of_a(attrs, shapes):
    return shapes, [shapes[0]]


def _shape_of_b(attrs, shapes):
    return shapes, [shapes[1]]


_chol_lower = Param("lower", "bool", True, "the factor is lower triangular (else upper, A = U^T U)")
register("_linalg_potrf", _potrf_fwd, inputs=("A",), params=(_chol_lower,), backward=_potrf_bwd,
         aliases=("linalg_potrf",), infer_shape=_shape_of_a,
         doc="Cholesky factor L (lower) of symmetric positive-definite A = L L^T, or U = L^T.")
register("_linalg_potri", _potri_fwd, inputs=("A",), params=(_chol_lower,), backward=_potri_bwd,
         aliases=("linalg_potri",), infer_shape=_shape_of_a,
         doc="Inverse (L L^T)^-1 from a Cholesky factor L (or (U^T U)^-1 from U).")
register("_linalg_trmm", _trmm_fwd, inputs=("A", "B"), params=_tr_params, backward=_trmm_bwd,
         aliases=("linalg_trmm",), doc="alpha * op(A) @ B (or B @ op(A)) with triangular A.")
register("_linalg_trsm", _trsm_fwd, inputs=("A", "B"), params=_tr_params, backward=_trsm_bwd,
         infer_shape=_shape_of_b,
         aliases=("linalg_trsm",), doc="Solves op(A) X = alpha B (or X op(A) = alpha B), A triangular.")


def _syrk_fwd(attrs, ins, ctx):
    a = ins[0]
    _float_inputs("_linalg_syrk", ins)
    prod = _T(a) @ a if attrs.transpose else a @ _T(a)
    return a.dtype.type(attrs.alpha) * prod


def _syrk_bwd(attrs, og, ins, outs, ctx, state):
    a, g = ins[0], og[0]
    s = a.dtype.type(attrs.alpha) * (g + _T(g))
    return [a @ s if attrs.transpose else s @ a]


register("_linalg_syrk", _syrk_fwd, inputs=("A",), params=(
    Param("transpose", "bool", False, "compute A^T A instead of A A^T"),
    Param("alpha", "float", 1.0, "scale factor")),
    backward=_syrk_bwd, aliases=("linalg_syrk",), doc="alpha * A @ A^T (or A^T @ A).")


def _batch_scalar(x):
    """Per-matrix results of a 2-D input have shape (1,) like MXNet's, or () under np-shape
    semantics (``npx.set_np()``), where MXNet has 0-d arrays."""
    if x.ndim == 0:
        from ..util import is_np_shape
        return x if is_np_shape() else x.reshape(1)
    return x


def _sumlogdiag_fwd(attrs, ins, ctx):
    _square("_linalg_sumlogdiag", ins[0])
    return _batch_scalar(ctx.xp.log(ctx.xp.diagonal(ins[0], axis1=-2, axis2=-1)).sum(axis=-1))


def _sumlogdiag_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a = ins[0]
    g = og[0].reshape(a.shape[:-2] + (1,))
    d = xp.diagonal(a, axis1=-2, axis2=-1)
    return [(g / d)[..., None] * xp.eye(a.shape[-1], dtype=a.dtype)]


register("_linalg_sumlogdiag", _sumlogdiag_fwd, inputs=("A",), backward=_sumlogdiag_bwd,
         aliases=("linalg_sumlogdiag",), doc="Sum of the logarithms of the diagonal of each matrix.")


# -- diagonals and triangles ---------------------------------------------------------------------
def _diag_index(n, offset, xp):
    k = n - abs(offset)
    i = xp.arange(max(k, 0))
    return (i + max(-offset, 0), i + max(offset, 0))


def _extractdiag_fwd(attrs, ins, ctx):
    a = ins[0]
    _float_inputs("_linalg_extractdiag", ins)
    r, c = _diag_index_rect(a.shape, attrs.offset, ctx.xp)
    return a[..., r, c]


def _diag_index_rect(shape, offset, xp):
    n = min(shape[-2] - max(-offset, 0), shape[-1] - max(offset, 0))
    if n <= 0:
        raise MXNetError(f"Operator _linalg_extractdiag: offset {offset} is outside matrices "
                         f"of shape {shape}")
    i = xp.arange(n)
    return i + max(-offset, 0), i + max(offset, 0)


def _extractdiag_bwd(attrs, og, ins, outs, ctx, state):
    gx = ctx.xp.zeros_like(ins[0])
    r, c = _diag_index_rect(gx.shape, attrs.offset, ctx.xp)
    gx[..., r, c] = og[0]
    return [gx]


def _makediag_fwd(attrs, ins, ctx):
    v = ins[0]
    _float_inputs("_linalg_makediag", ins, 1)
    n = v.shape[-1] + abs(attrs.offset)
    out = ctx.xp.zeros(v.shape[:-1] + (n, n), v.dtype)
    r, c = _diag_index(n, attrs.offset, ctx.xp)
    out[..., r, c] = v
    return out


def _makediag_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    r, c = _diag_index(g.shape[-1], attrs.offset, ctx.xp)
    return [g[..., r, c]]


_offset = Param("offset", "int", 0, "diagonal offset (positive: above the main diagonal)")
register("_linalg_extractdiag", _extractdiag_fwd, inputs=("A",), params=(_offset,),
         backward=_extractdiag_bwd, aliases=("linalg_extractdiag",),
         doc="Extracts a diagonal of each matrix.")
register("_linalg_makediag", _makediag_fwd, inputs=("A",), params=(_offset,), backward=_makediag_bwd,
         aliases=("linalg_makediag",), doc="Builds square matrices with the input on a diagonal.")


def _trian_plan(attrs, n, xp):
    """(upper?, row indices, column indices) of the stored triangle, in MXNet's order."""
    off = attrs.offset
    upper = off > 0 or (off == 0 and not attrs.lower)
    # an upper triangle is stored as the lower triangle of the transpose, row by row
    r, c = np.tril_indices(n, -abs(off))
    return upper, xp.asarray(r), xp.asarray(c)


def _extracttrian_fwd(attrs, ins, ctx):
    a = ins[0]
    _square("_linalg_extracttrian", a)
    upper, r, c = _trian_plan(attrs, a.shape[-1], ctx.xp)
    if abs(attrs.offset) >= a.shape[-1]:
        raise MXNetError(f"Operator _linalg_extracttrian: offset {attrs.offset} is outside {a.shape}")
    return (_T(a) if upper else a)[..., r, c]


def _extracttrian_bwd(attrs, og, ins, outs, ctx, state):
    a = ins[0]
    upper, r, c = _trian_plan(attrs, a.shape[-1], ctx.xp)
    gx = ctx.xp.zeros_like(a)
    (_T(gx) if upper else gx)[..., r, c] = og[0]
    return [gx]


def _trian_size(m, offset):
    t = int(round((np.sqrt(8 * m + 1) - 1) / 2))
    if t * (t + 1) // 2 != m:
        raise MXNetError(f"Operator _linalg_maketrian: {m} is not a triangular number of elements")
    return t + abs(offset)


def _maketrian_fwd(attrs, ins, ctx):
    v = ins[0]
    _float_inputs("_linalg_maketrian", ins, 1)
    n = _trian_size(v.shape[-1], check_int32("_linalg_maketrian", "offset", attrs.offset))
    check_alloc_size("_linalg_maketrian", v.shape[:-1] + (n, n))
    upper, r, c = _trian_plan(attrs, n, ctx.xp)
    out = ctx.xp.zeros(v.shape[:-1] + (n, n), v.dtype)
    (_T(out) if upper else out)[..., r, c] = v
    return out


def _maketrian_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    upper, r, c = _trian_plan(attrs, g.shape[-1], ctx.xp)
    return [(_T(g) if upper else g)[..., r, c]]


_lower = Param("lower", "bool", True, "use the lower triangle (when offset is 0)")
register("_linalg_extracttrian", _extracttrian_fwd, inputs=("A",), params=(_offset, _lower),
         backward=_extracttrian_bwd, aliases=("linalg_extracttrian",),
         doc="Extracts a triangle of each matrix into a vector.")
register("_linalg_maketrian", _maketrian_fwd, inputs=("A",), params=(_offset, _lower),
         backward=_maketrian_bwd, aliases=("linalg_maketrian",),
         doc="Builds triangular matrices from packed vectors (inverse of extracttrian).")


# -- inverse, det, slogdet -------------------------------------------------------------------------
def _inverse_fwd(attrs, ins, ctx):
    _square("_linalg_inverse", ins[0])
    return _lapack("_linalg_inverse", ctx.xp.linalg.inv, ins[0])


def _inverse_bwd(attrs, og, ins, outs, ctx, state):
    inv = outs[0]
    return [-(_T(inv) @ og[0] @ _T(inv))]


def _det_fwd(attrs, ins, ctx):
    _square("_linalg_det", ins[0])
    return _batch_scalar(ctx.xp.linalg.det(ins[0]))


def _det_bwd(attrs, og, ins, outs, ctx, state):
    a = ins[0]
    g = (og[0] * outs[0]).reshape(a.shape[:-2] + (1, 1))
    return [g * _T(_lapack("_linalg_det", ctx.xp.linalg.inv, a))]


def _slogdet_fwd(attrs, ins, ctx):
    _square("_linalg_slogdet", ins[0])
    sign, logdet = ctx.xp.linalg.slogdet(ins[0])
    return _batch_scalar(sign), _batch_scalar(logdet)


def _slogdet_bwd(attrs, og, ins, outs, ctx, state):
    a, g = ins[0], og[1]
    if g is None:
        return [ctx.xp.zeros_like(a)]
    return [g.reshape(a.shape[:-2] + (1, 1)) * _T(_lapack("_linalg_slogdet", ctx.xp.linalg.inv, a))]


register("_linalg_inverse", _inverse_fwd, inputs=("A",), backward=_inverse_bwd, aliases=("linalg_inverse",),
         infer_shape=_shape_of_a,
         doc="Inverse of each square matrix.")
register("_linalg_det", _det_fwd, inputs=("A",), backward=_det_bwd, aliases=("linalg_det",),
         doc="Determinant of each square matrix.")
register("_linalg_slogdet", _slogdet_fwd, inputs=("A",), backward=_slogdet_bwd, num_outputs=2,
         aliases=("linalg_slogdet",), doc="Sign and log of the absolute determinant of each matrix.")


# -- gelqf, syevd -------------------------------------------------------------------------------------
def _gelqf_fwd(attrs, ins, ctx):
    a = ins[0]
    _float_inputs("_linalg_gelqf", ins)
    if a.shape[-2] > a.shape[-1]:
        raise MXNetError(f"Operator _linalg_gelqf: matrices need rows <= columns, got {a.shape}")
    q, r = ctx.xp.linalg.qr(_T(a))       # A^T = QR  =>  A = R^T Q^T = L Q
    return _T(q).copy(), _T(r).copy()


def _gelqf_bwd(attrs, og, ins, outs, ctx, state):
    # A = L Q:  dA = L^-T (dQ + sym(M) Q),  M = L^T dL - dQ Q^T, with sym(M) M's lower
    # triangle mirrored onto its upper one
    xp = ctx.xp
    q, lo = outs
    dq = xp.zeros_like(q) if og[0] is None else og[0]
    dl = xp.zeros_like(lo) if og[1] is None else og[1]
    m = _T(lo) @ dl - dq @ _T(q)
    low = xp.tril(m)
    sym = low + _T(xp.tril(m, -1))
    return [_lapack("_linalg_gelqf", xp.linalg.solve, _T(lo), dq + sym @ q).astype(q.dtype, copy=False)]


def _syevd_fwd(attrs, ins, ctx):
    xp = ctx.xp
    _square("_linalg_syevd", ins[0])
    w, v = xp.linalg.eigh(finite_for_lapack("_linalg_syevd", ins[0]))
    u = _T(v)
    # fix each eigenvector's sign: its largest-magnitude entry is positive
    big = xp.take_along_axis(u, xp.abs(u).argmax(axis=-1)[..., None], axis=-1)
    return (u * xp.where(big < 0, -1, 1).astype(u.dtype)).copy(), w


register("_linalg_gelqf", _gelqf_fwd, inputs=("A",), backward=_gelqf_bwd, num_outputs=2,
         aliases=("linalg_gelqf",),
         doc="LQ factorisation A = L Q (Q with orthonormal rows); returns (Q, L).")
def _syevd_bwd(attrs, og, ins, outs, ctx, state):
    # A = U^T diag(L) U:  dA = U^T (diag(dL) + F o (U dU^T)) U, F_ij = 1 / (L_j - L_i) off the
    # diagonal, then made symmetric
    xp = ctx.xp
    u, lam = outs
    du = xp.zeros_like(u) if og[0] is None else og[0]
    dl = xp.zeros_like(lam) if og[1] is None else og[1]
    diff = lam[..., None, :] - lam[..., :, None]
    n = lam.shape[-1]
    off = ~xp.eye(n, dtype=bool)
    f = xp.where(off, 1 / xp.where(off, diff, 1), 0)
    inner = f * (u @ _T(du))
    inner = inner + dl[..., :, None] * xp.eye(n, dtype=u.dtype)
    g = _T(u) @ inner @ u
    return [((g + _T(g)) / 2).astype(u.dtype, copy=False)]


register("_linalg_syevd", _syevd_fwd, inputs=("A",), backward=_syevd_bwd, num_outputs=2,
         doc="Eigendecomposition of symmetric A = U^T diag(L) U; returns (U, L), L ascending.")
