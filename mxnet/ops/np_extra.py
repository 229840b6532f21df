"""More NumPy-interface operators: ``_np_diag``, ``_np_diagflat``, ``_np_trace``, ``_npi_pad``,
``_npi_diff``, ``_npi_ediff1d``, ``_npi_hsplit``, ``_np_atleast_*d``, ``_npi_resize_fallback``,
``_npi_nan_to_num``, ``_npi_polyval``, ``_npi_percentile``, ``_npi_bincount``, ``_npi_indices``,
``_npi_logspace``, ``_npi_unravel_index_fallback``, ``_npi_diag_indices_from``, ``_npi_average``.

Ops that only move elements and fill the rest with a constant get their gradient as the
``gather_op`` ones do, from the forward run on flat element indices: here the indices start at 1
so that the filled positions (index 0) receive no gradient.
"""
import numpy as np

from ..base import MXNetError, MXNetValueError
from ._util import check_alloc_size, check_int32, diag_offset
from .registry import register, Param
from .np_shape import gather_op


def _fill_gather_backward(fwd):
    def backward(attrs, og, ins, outs, ctx, state):
        xp = ctx.xp
        x = ins[0]
        idx = xp.arange(1, x.size + 1, dtype=np.int64).reshape(x.shape)
        r = fwd(attrs, [idx], xp)
        g = xp.bincount(r.ravel(), weights=og[0].ravel().astype(np.float64), minlength=x.size + 1)
        return [g[1:].reshape(x.shape).astype(x.dtype)] + [None] * (len(ins) - 1)
    return backward


def fill_gather_op(name, fwd, inputs=("data",), params=(), doc=""):
    """Register an op that moves elements of its first input and fills the rest; ``fwd(attrs,
    arrays, xp)`` must fill with zeros when given integer index arrays."""
    register(name, lambda a, i, c: fwd(a, i, c.xp), inputs=inputs, params=params,
             backward=_fill_gather_backward(fwd), doc=doc)


# -- diagonals --------------------------------------------------------------------------------
def _diag(attrs, x, xp):
    a = x[0]
    if a.ndim not in (1, 2):
        raise MXNetError(f"Operator _np_diag: input must be 1- or 2-d, got {a.ndim}-d")
    k = check_int32("_np_diag", "k", attrs.k)
    if a.ndim == 2:
        return xp.diag(a, diag_offset(k, a.shape)).copy()
    check_alloc_size("_np_diag", (a.shape[0] + abs(k),) * 2)
    return xp.diag(a, k).copy()


def _diagflat(attrs, x, xp):
    k = check_int32("_np_diagflat", "k", attrs.k)
    check_alloc_size("_np_diagflat", (x[0].size + abs(k),) * 2)
    return xp.diagflat(x[0], k)


fill_gather_op("_np_diag", _diag, params=(Param("k", "int", 0),),
               doc="A 1-d input on a diagonal of a square array, or a 2-d input's diagonal.")
fill_gather_op("_np_diagflat", _diagflat, params=(Param("k", "int", 0),),
               doc="The flattened input on a diagonal of a square array.")


def _trace_check(attrs, shape):
    nd = len(shape)
    if nd < 2:
        raise MXNetError(f"Operator _np_trace: input must be at least 2-d, got {nd}-d")
    a1, a2 = attrs.axis1, attrs.axis2
    if not (-nd <= a1 < nd and -nd <= a2 < nd):
        raise MXNetError(f"Operator _np_trace: axis1={a1} or axis2={a2} out of range for {nd}-d input")
    if a1 % nd == a2 % nd:
        raise MXNetError("Operator _np_trace: axis1 and axis2 cannot refer to the same axis")


def _trace_fwd(attrs, ins, ctx):
    x = ins[0]
    _trace_check(attrs, x.shape)
    acc = np.float32 if x.dtype == np.float16 else None
    k = diag_offset(attrs.offset, x.shape, attrs.axis1, attrs.axis2)
    return ctx.xp.asarray(ctx.xp.trace(x, k, attrs.axis1, attrs.axis2, dtype=acc)).astype(x.dtype)


def _trace_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x = ins[0]
    idx = xp.arange(1, x.size + 1, dtype=np.int64).reshape(x.shape)
    d = xp.diagonal(idx, diag_offset(attrs.offset, x.shape, attrs.axis1, attrs.axis2), attrs.axis1,
                    attrs.axis2)
    w = xp.broadcast_to(og[0][..., None], d.shape)
    g = xp.bincount(d.ravel(), weights=w.ravel().astype(np.float64), minlength=x.size + 1)
    return [g[1:].reshape(x.shape).astype(x.dtype)]


register("_np_trace", _trace_fwd, inputs=("data",), backward=_trace_bwd,
         params=(Param("offset", "int", 0), Param("axis1", "int", 0), Param("axis2", "int", 1)),
         doc="Sum along a diagonal.")


# -- splitting and shaping ---------------------------------------------------------------------
def _hsplit(attrs, x, xp):
    a = x[0]
    if a.ndim == 0:
        raise MXNetError("Operator _npi_hsplit: hsplit only works on arrays of 1 or more dimensions")
    axis = 0 if a.ndim == 1 else attrs.axis
    if attrs.sections > 0:
        if a.shape[axis] % attrs.sections:
            raise MXNetError("Operator _npi_hsplit: array split does not result in an equal division")
        parts = xp.split(a, attrs.sections, axis=axis)
    else:
        ind = list(attrs.indices)
        parts = xp.split(a, ind[1:] if ind and ind[0] == 0 else ind, axis=axis)
    return [p.copy() for p in parts]


def _nparts(attrs):
    if attrs.sections > 0:
        return attrs.sections
    ind = attrs.indices
    return len(ind) if ind and ind[0] == 0 else len(ind) + 1


gather_op("_npi_hsplit", _hsplit, inputs=("data",), num_outputs=_nparts,
          params=(Param("indices", "shape", ()), Param("axis", "int", 1), Param("squeeze_axis", "bool", False),
                  Param("sections", "int", 0)),
          doc="Split along the second axis (the first for 1-d inputs).")


def _atleast(n):
    def fwd(attrs, x, xp):
        fn = {1: xp.atleast_1d, 2: xp.atleast_2d, 3: xp.atleast_3d}[n]
        return [fn(a).copy() for a in x]
    gather_op(f"_np_atleast_{n}d", fwd, inputs=("arys",), variadic="num_args",
              num_outputs=lambda a: a.num_args, params=(Param("num_args", "int"),),
              doc=f"Each input viewed with at least {n} dimensions.")


for _n in (1, 2, 3):
    _atleast(_n)


def _resize(attrs, x, xp):
    a = x[0]
    shape = attrs.new_shape
    n = int(np.prod(shape))
    if a.size == 0 or n == 0:
        # NumPy fills with zeros when there is nothing to repeat
        return xp.zeros(shape, a.dtype)
    return xp.resize(a, shape)


register("_npi_resize_fallback", lambda a, i, c: _resize(a, i, c.xp), inputs=("a",),
         params=(Param("new_shape", "shape"),), doc="The input's elements repeated to fill a new shape.")


# -- differences ---------------------------------------------------------------------------------
def _diff_fwd(attrs, ins, ctx):
    x = ins[0]
    if x.ndim == 0:
        raise MXNetError("Operator _npi_diff: diff requires input that is at least one dimensional")
    return ctx.xp.diff(x, attrs.n, attrs.axis)


def _diff_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x = ins[0]
    axis = attrs.axis % x.ndim
    g = og[0]
    if g.size == 0:
        return [xp.zeros_like(x)]
    pad = [(0, 0)] * x.ndim
    for _ in range(attrs.n):
        # the transpose of one first difference: g[i-1] - g[i] with zeros outside
        pad[axis] = (1, 0)
        lo = xp.pad(g, pad)
        pad[axis] = (0, 1)
        g = lo - xp.pad(g, pad)
    return [g.astype(x.dtype)]


register("_npi_diff", _diff_fwd, inputs=("a",), backward=_diff_bwd,
         params=(Param("n", "int", 1), Param("axis", "int", -1)), doc="n-th discrete difference along an axis.")


def _ediff_inputs(attrs):
    names = ["input1"]
    if attrs is None or attrs.get("to_begin_arr_given"):
        names.append("input2")
    if attrs is None or attrs.get("to_end_arr_given"):
        names.append("input3")
    return names


def _ediff_parts(attrs, ins, xp):
    x = ins[0]
    rest = list(ins[1:])
    begin = rest.pop(0).ravel() if attrs.to_begin_arr_given else None
    end = rest.pop(0).ravel() if attrs.to_end_arr_given else None
    if begin is None and attrs.to_begin_scalar is not None:
        begin = xp.asarray([attrs.to_begin_scalar], dtype=x.dtype)
    if end is None and attrs.to_end_scalar is not None:
        end = xp.asarray([attrs.to_end_scalar], dtype=x.dtype)
    return x, begin, end


def _ediff_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x, begin, end = _ediff_parts(attrs, ins, xp)
    parts = [p.astype(x.dtype) for p in (begin, xp.diff(x.ravel()), end) if p is not None]
    return xp.concatenate(parts)


def _ediff_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    x, begin, end = _ediff_parts(attrs, ins, xp)
    g = og[0]
    nb = 0 if begin is None else begin.size
    n = max(x.size - 1, 0)
    gd = g[nb:nb + n]
    gx = xp.zeros(x.size, dtype=np.float64)
    if n:
        gx[1:] += gd
        gx[:-1] -= gd
    grads = [gx.reshape(x.shape).astype(x.dtype)]
    # the ends are copied into the output
    if attrs.to_begin_arr_given:
        grads.append(g[:nb].reshape(ins[1].shape).astype(ins[1].dtype))
    if attrs.to_end_arr_given:
        e = ins[-1]
        grads.append(g[g.shape[0] - e.size:].reshape(e.shape).astype(e.dtype))
    return grads


register("_npi_ediff1d", _ediff_fwd, inputs=_ediff_inputs, backward=_ediff_bwd,
         params=(Param("to_begin_arr_given", "bool", False), Param("to_end_arr_given", "bool", False),
                 Param("to_begin_scalar", "float", None), Param("to_end_scalar", "float", None)),
         doc="Differences between consecutive elements of the flattened input, with values before "
             "and after.")


# -- padding --------------------------------------------------------------------------------------
def _pad_width(attrs, ndim):
    pw = np.broadcast_to(np.asarray(attrs.pad_width, dtype=np.int64).reshape(-1, 2) if np.size(
        attrs.pad_width) != 1 else np.asarray(attrs.pad_width, dtype=np.int64).reshape(1, 1), (ndim, 2))
    return [tuple(int(v) for v in row) for row in pw]


def _pad(attrs, x, xp):
    a = x[0]
    pw = _pad_width(attrs, a.ndim)
    if attrs.mode == "constant":
        # integer index arrays (the gradient) fill with zeros, data with the constant
        c = attrs.constant_value if a.dtype.kind == "f" else 0
        return xp.pad(a, pw, mode="constant", constant_values=c).astype(a.dtype, copy=False)
    if attrs.mode in ("maximum", "minimum"):
        return xp.pad(a, pw, mode=attrs.mode)
    kw = {"reflect_type": attrs.reflect_type} if attrs.mode in ("reflect", "symmetric") else {}
    return xp.pad(a, pw, mode=attrs.mode, **kw)


def _pad_fwd(attrs, ins, ctx):
    a = ins[0]
    if attrs.mode == "constant":
        return ctx.xp.pad(a, _pad_width(attrs, a.ndim), mode="constant",
                          constant_values=attrs.constant_value).astype(a.dtype, copy=False)
    return _pad(attrs, ins, ctx.xp)


def _pad_bwd(attrs, og, ins, outs, ctx, state):
    if attrs.mode not in ("constant", "edge", "reflect", "symmetric", "wrap"):
        raise MXNetError(f"Operator _npi_pad: no gradient for mode {attrs.mode!r}")
    return _fill_gather_backward(_pad)(attrs, og, ins, outs, ctx, state)


register("_npi_pad", _pad_fwd, inputs=("data",), backward=_pad_bwd,
         params=(Param("pad_width", "any"), Param("mode", "str", "constant",
                                                  choices=("constant", "edge", "reflect", "symmetric", "wrap",
                                                           "maximum", "minimum")),
                 Param("constant_value", "float", 0.0), Param("reflect_type", "str", "even")),
         doc="Pad an array.")


# -- elementwise ------------------------------------------------------------------------------
def _nan_to_num_fwd(attrs, ins, ctx):
    x = ins[0]
    if x.dtype.kind != "f":
        return x.copy()
    return ctx.xp.nan_to_num(x, copy=True, nan=attrs.nan, posinf=attrs.posinf, neginf=attrs.neginf)


def _nan_to_num_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    if x.dtype.kind != "f":
        return [ctx.xp.zeros_like(x)]
    return [(og[0] * ctx.xp.isfinite(x)).astype(x.dtype)]


register("_npi_nan_to_num", _nan_to_num_fwd, inputs=("data",), backward=_nan_to_num_bwd,
         params=(Param("copy", "bool", True), Param("nan", "float", 0.0), Param("posinf", "float", None),
                 Param("neginf", "float", None)),
         doc="NaN and infinities replaced by finite numbers.")


def _polyval_fwd(attrs, ins, ctx):
    p, x = ins
    from .np_elemwise import promote
    return ctx.xp.polyval(p, x).astype(promote(p.dtype, x.dtype), copy=False)


def _polyval_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    p, x = ins
    g = og[0]
    n = p.shape[0]
    # d/dp[i] = x**(n-1-i); d/dx = polyval of the derivative's coefficients
    powers = xp.stack([x ** (n - 1 - i) for i in range(n)]) if n else xp.zeros((0,) + x.shape)
    gp = (powers * g).reshape(n, -1).sum(axis=1)
    dp = p[:-1] * xp.arange(n - 1, 0, -1) if n > 1 else xp.zeros(1, p.dtype)
    gx = g * xp.polyval(dp, x)
    return [gp.astype(p.dtype), gx.astype(x.dtype)]


register("_npi_polyval", _polyval_fwd, inputs=("p", "x"), backward=_polyval_bwd,
         doc="A polynomial with coefficients p (highest degree first) evaluated at x.")


# -- statistics --------------------------------------------------------------------------------
def _percentile_inputs(attrs):
    return ["a", "q"] if attrs is None or attrs.get("q_scalar") is None else ["a"]


def _percentile_fwd(attrs, ins, ctx):
    xp = ctx.xp
    a = ins[0]
    q = attrs.q_scalar if attrs.q_scalar is not None else ins[1]
    if xp.any(xp.asarray(q) < 0) or xp.any(xp.asarray(q) > 100):
        raise MXNetError("Operator _npi_percentile: percentiles must be in the range [0, 100]")
    axis = attrs.axis
    axis = tuple(axis) if isinstance(axis, list) else axis
    # float inputs interpolate in their own precision, as NumPy's and MXNet's kernels do
    r = xp.percentile(a if a.dtype.kind == "f" else a.astype(np.float64), q, axis=axis,
                      method=attrs.interpolation, keepdims=attrs.keepdims)
    return xp.asarray(r).astype(a.dtype if a.dtype.kind == "f" else np.float32)


register("_npi_percentile", _percentile_fwd, inputs=_percentile_inputs,
         params=(Param("axis", "any", None), Param("interpolation", "str", "linear",
                                                   choices=("linear", "lower", "higher", "midpoint", "nearest")),
                 Param("keepdims", "bool", False), Param("q_scalar", "float", None)),
         doc="q-th percentiles along an axis (no gradient).")


def _bincount_inputs(attrs):
    return ["data", "weights"] if attrs is None or attrs.get("has_weights") else ["data"]


def _bincount_fwd(attrs, ins, ctx):
    xp = ctx.xp
    x = ins[0]
    if x.dtype.kind not in "iub":
        raise MXNetError("Operator _npi_bincount: input must be an integer array")
    if x.size and int(x.min()) < 0:
        raise MXNetError("Operator _npi_bincount: input must be non-negative")
    if attrs.minlength < 0:
        raise MXNetError("Operator _npi_bincount: minlength must be non-negative")
    w = ins[1] if attrs.has_weights else None
    r = xp.bincount(x.ravel(), weights=None if w is None else w.ravel(), minlength=attrs.minlength)
    return r.astype(w.dtype) if w is not None else r.astype(np.int64)


register("_npi_bincount", _bincount_fwd, inputs=_bincount_inputs,
         params=(Param("minlength", "int", 0), Param("has_weights", "bool", False)),
         doc="Number (or weight sum) of occurrences of each non-negative integer.")


def _average_inputs(attrs):
    return ["a", "weights"] if attrs is None or attrs.get("weighted", True) else ["a"]


def _avg_axes(attrs, ndim):
    ax = attrs.axis
    if ax is None:
        return tuple(range(ndim))
    ax = (ax,) if isinstance(ax, int) else tuple(ax)
    return tuple(a % ndim for a in ax)


def _avg_weights(attrs, a, w, xp):
    """The weights broadcast against ``a`` (a 1-d weight follows the single reduced axis)."""
    if w.shape == a.shape:
        return w
    axes = _avg_axes(attrs, a.ndim)
    if w.ndim != 1 or len(axes) != 1:
        raise MXNetError("Operator _npi_average: weights must have the shape of a, or be 1-d along the "
                         "one reduced axis")
    if w.shape[0] != a.shape[axes[0]]:
        raise MXNetError("Operator _npi_average: length of weights differs from that of the axis")
    shape = [1] * a.ndim
    shape[axes[0]] = -1
    return w.reshape(shape)


def _average_fwd(attrs, ins, ctx):
    xp = ctx.xp
    a = ins[0]
    axes = _avg_axes(attrs, a.ndim)
    if attrs.weighted:
        w = _avg_weights(attrs, a, ins[1], xp)
        wsum = xp.broadcast_to(w, a.shape).sum(axis=axes, keepdims=attrs.keepdims)
        if xp.any(wsum == 0):
            raise MXNetError("Operator _npi_average: weights sum to zero, can't be normalized")
        avg = (a * w).sum(axis=axes, keepdims=attrs.keepdims) / wsum
    else:
        avg = a.mean(axis=axes, keepdims=attrs.keepdims)
        wsum = xp.full(avg.shape, a.size / max(avg.size, 1))
    dt = a.dtype
    return xp.asarray(avg).astype(dt), xp.asarray(wsum).astype(dt)


def _average_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a = ins[0]
    axes = _avg_axes(attrs, a.ndim)
    g = og[0]
    if not attrs.keepdims:
        g = xp.expand_dims(g, axes)
    if not attrs.weighted:
        return [xp.broadcast_to(g * (outs[0].size / max(a.size, 1)), a.shape).astype(a.dtype)]
    w0 = ins[1]
    w = _avg_weights(attrs, a, w0, xp)
    avg, wsum = outs
    if not attrs.keepdims:
        avg, wsum = xp.expand_dims(avg, axes), xp.expand_dims(wsum, axes)
    ga = xp.broadcast_to(g * w / wsum, a.shape)
    gw = g * (a - avg) / wsum
    if w0.shape != a.shape:
        gw = gw.sum(axis=tuple(i for i in range(a.ndim) if i != axes[0]))
    return [ga.astype(a.dtype), gw.astype(w0.dtype)]


register("_npi_average", _average_fwd, inputs=_average_inputs, backward=_average_bwd, num_outputs=2,
         num_visible_outputs=lambda a: 2 if a.returned else 1,
         params=(Param("axis", "any", None), Param("returned", "bool", False), Param("weighted", "bool", True),
                 Param("keepdims", "bool", False)),
         doc="Weighted average along axes (and the sum of the weights).")


# -- creation ------------------------------------------------------------------------------------
_CTX = Param("ctx", "str", "", "the device")


register("_npi_indices", lambda a, i, c: c.xp.indices(a.dimensions, dtype=np.dtype(a.dtype)), inputs=(),
         params=(Param("dimensions", "shape"), Param("dtype", "dtype", "int32"), _CTX),
         doc="A grid of the indices along each dimension.")


def _logspace(a, i, c):
    r = c.xp.logspace(a.start, a.stop, a.num, endpoint=a.endpoint, base=a.base)
    return r.astype(np.dtype(a.dtype) if a.dtype is not None else np.float32)


register("_npi_logspace", _logspace, inputs=(),
         params=(Param("start", "float"), Param("stop", "float"), Param("num", "int", 50),
                 Param("endpoint", "bool", True), Param("base", "float", 10.0), _CTX,
                 Param("dtype", "dtype", "float32")),
         doc="Numbers evenly spaced on a log scale.")


def _unravel(a, i, c):
    x = i[0]
    return c.xp.stack(c.xp.unravel_index(x.astype(np.int64), a.shape)).astype(x.dtype)


register("_npi_unravel_index_fallback", _unravel, inputs=("indices",), params=(Param("shape", "shape"),),
         doc="Flat indices turned into index tuples, one row per dimension.")


def _diag_indices_from(a, i, c):
    x = i[0]
    if x.ndim < 2 or len(set(x.shape)) != 1:
        raise MXNetError("Operator _npi_diag_indices_from: input must be at least 2-d with all "
                         "dimensions equal")
    return c.xp.stack(c.xp.diag_indices_from(x)).astype(np.int64)


register("_npi_diag_indices_from", _diag_indices_from, inputs=("data",),
         doc="Indices of the main diagonal of an array with all dimensions equal, one row per dimension.")


# -- deleting ------------------------------------------------------------------------------------
def _delete_inputs(attrs):
    given = attrs is None or (attrs.get("int_ind") is None and attrs.get("start") is None
                              and attrs.get("stop") is None and attrs.get("step") is None)
    return ["arr", "obj"] if given else ["arr"]


def _delete_keep(attrs, ins, xp):
    """(array viewed along the axis, axis, kept positions along it)."""
    a = ins[0]
    axis = attrs.axis
    if axis is None:
        a, axis = a.ravel(), 0
    elif not -a.ndim <= axis < max(a.ndim, 1):
        raise MXNetError(f"Operator _npi_delete: axis {axis} is out of bounds for array of dimension {a.ndim}")
    axis %= max(a.ndim, 1)
    n = a.shape[axis]
    keep = np.ones(n, dtype=bool)
    if attrs.int_ind is not None:
        i = attrs.int_ind
        if not -n <= i < n:
            raise MXNetError(f"Operator _npi_delete: index {i} is out of bounds for axis {axis} with size {n}")
        keep[i % n] = False
    elif len(ins) > 1:
        # MXNet ignores negative and out-of-range entries of an index array
        obj = np.asarray(ins[1].get() if hasattr(ins[1], "get") else ins[1]).astype(np.int64).ravel()
        keep[obj[(obj >= 0) & (obj < n)]] = False
    else:
        keep[slice(attrs.start, attrs.stop, attrs.step)] = False
    return a, axis, xp.asarray(np.nonzero(keep)[0])


def _delete_fwd(attrs, ins, ctx):
    a, axis, kept = _delete_keep(attrs, ins, ctx.xp)
    return ctx.xp.take(a, kept, axis=axis)


def _delete_bwd(attrs, og, ins, outs, ctx, state):
    xp = ctx.xp
    a, axis, kept = _delete_keep(attrs, ins, xp)
    g = xp.zeros(a.shape, dtype=ins[0].dtype)
    idx = [slice(None)] * a.ndim
    idx[axis] = kept
    g[tuple(idx)] = og[0]
    grads = [g.reshape(ins[0].shape)]
    return grads + [xp.zeros_like(ins[1])] if len(ins) > 1 else grads


register("_npi_delete", _delete_fwd, inputs=_delete_inputs, backward=_delete_bwd,
         params=(Param("start", "int", None), Param("stop", "int", None), Param("step", "int", None),
                 Param("int_ind", "int", None), Param("axis", "int", None)),
         doc="The input without the sub-arrays at the given positions along an axis.")


def _window(name):
    def fwd(a, i, c):
        return c.xp.asarray(getattr(np, name)(max(a.M, 0))).astype(np.dtype(a.dtype))
    register(f"_npi_{name}", fwd, inputs=(),
             params=(Param("M", "int"), _CTX, Param("dtype", "dtype", "float32")),
             doc=f"The {name} window of M points (empty for M < 1).")


for _w in ("hanning", "hamming", "blackman"):
    _window(_w)


def _constraint_check(attrs, ins, ctx):
    x = ins[0]
    if x.dtype != np.bool_:
        raise MXNetError(f"Operator _npx_constraint_check: input must be a bool array, got {x.dtype}")
    if not bool(x.all()):
        raise MXNetValueError(attrs.msg)
    return ctx.xp.asarray(True)


register("_npx_constraint_check", _constraint_check, inputs=("input",),
         params=(Param("msg", "str", "Constraint violated."),),
         doc="True when every element of the bool input is; raises ValueError(msg) otherwise.")


# -- boolean-mask assignment (what x[mask] = v runs in MXNet) --------------------------------------
def _mask_assign(name, value_input):
    def forward(attrs, ins, ctx):
        data, mask = ins[0], ins[1]
        start = attrs.start_axis
        if mask.shape != data.shape[start:start + mask.ndim]:
            raise MXNetError(f"Operator {name}: mask of shape {mask.shape} does not match the data's "
                             f"shape {data.shape} from axis {start}")
        out = data.copy()
        # a value array broadcasts against the selection (its selected axis may be 1)
        out[(slice(None),) * start + (mask.astype(bool),)] = ins[2] if value_input else attrs.value
        return out
    register(name, forward, inputs=("data", "mask", "value") if value_input else ("data", "mask"),
             params=(() if value_input else (Param("value", "float"),)) + (Param("start_axis", "int", 0),),
             doc="The data with the elements (or sub-arrays from start_axis) that the bool mask selects "
                 "set to the value.")


_mask_assign("_npi_boolean_mask_assign_scalar", False)
_mask_assign("_npi_boolean_mask_assign_tensor", True)
