"""Operator family misc_ops: moments, histogram, (un)ravel_multi_index, fill_element_0index, AMP
casts, cast_storage, and the legacy names cumsum/choose_element_0index.  Also the Python-level
``histogram`` and ``split_v2`` wrappers that MXNet keeps in ``mx.nd``."""
import warnings

import numpy as np

from ..base import MXNetError
from ._util import check_alloc_size, check_int32, like_data, norm_axes
from .registry import register, add_alias, Param

add_alias("cumsum", "_np_cumsum")
add_alias("choose_element_0index", "pick")


# -- moments -----------------------------------------------------------------------------------
def _moments_axes(attrs, x):
    if not attrs.axes:
        raise MXNetError("Operator moments: empty axes is not supported; pass every axis for global "
                         "moments")
    ax = norm_axes(attrs.axes, x.ndim, "moments")
    if len(ax) != len(attrs.axes):   # norm_axes merges repeated axes
        raise MXNetError(f"Operator moments: reduction axes have duplicates {list(attrs.axes)}")
    return ax


def _moments_fwd(attrs, ins, ctx):
    x = ins[0]
    ax = _moments_axes(attrs, x)
    mean = x.mean(axis=ax, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=ax, keepdims=True)
    if not attrs.keepdims:
        mean, var = mean.squeeze(ax), var.squeeze(ax)
    return mean.astype(x.dtype, copy=False), var.astype(x.dtype, copy=False)


def _moments_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    ax = _moments_axes(attrs, x)
    n = x.dtype.type(np.prod([x.shape[a] for a in ax]))
    mean = x.mean(axis=ax, keepdims=True)
    g = ctx.xp.zeros(x.shape, dtype=x.dtype)
    kept = tuple(1 if i in ax else s for i, s in enumerate(x.shape))
    if og[0] is not None:
        g += og[0].reshape(kept) / n
    if og[1] is not None:
        g += og[1].reshape(kept) * (x - mean) * (2 / n)
    return [g.astype(x.dtype, copy=False)]


register("moments", _moments_fwd, params=(
    Param("axes", "shape", None, "axes to reduce over"),
    Param("keepdims", "bool", False, "keep the reduced axes with size 1")),
    backward=_moments_bwd, num_outputs=2, output_names=("mean", "var"),
    doc="Mean and (biased) variance of data over the given axes.")


# -- histogram ---------------------------------------------------------------------------------
def _hist_inputs(attrs, names):
    return ["data"] if attrs.bin_cnt is not None else ["data", "bins"]


def _hist_fwd(attrs, ins, ctx):
    xp = ctx.xp
    data = ins[0].ravel()
    if attrs.bin_cnt is not None:
        rng = attrs.range
        if rng is None or len(rng) != 2 or not rng[0] < rng[1]:
            raise MXNetError(f"Operator _histogram: range must be a pair (min, max) with min < max when "
                             f"bin_cnt is given, got {rng}")
        check_int32("_histogram", "bin_cnt", attrs.bin_cnt)
        check_alloc_size("_histogram", (attrs.bin_cnt + 1,))
        edges = xp.linspace(rng[0], rng[1], attrs.bin_cnt + 1, dtype=np.float64).astype(data.dtype)
    else:
        if len(ins) < 2 or ins[1].ndim != 1 or ins[1].size < 2:
            raise MXNetError("Operator _histogram: bins must be a 1-D array of at least two edges")
        edges = ins[1]
    counts, _ = xp.histogram(data, bins=edges)
    return counts.astype(np.int64), (edges.astype(data.dtype) if attrs.bin_cnt is not None else edges.copy())


register("_histogram", _hist_fwd, inputs=("data", "bins"), fgradient=False, params=(
    Param("bin_cnt", "int", None, "number of equal bins over range (instead of a bins array)"),
    Param("range", "floats", None, "(min, max) of the equal bins")),
    num_outputs=2, input_filter=_hist_inputs, infer_type=lambda a, t: (t, [np.dtype(np.int64), t[0]]),
    doc="Counts of data in each bin (values outside the edges are dropped) and the bin edges.")


def histogram(a, bins=10, range=None):  # noqa: A002 - MXNet's signature
    """Histogram of ``a``: ``bins`` is an NDArray of edges or a bin count (with ``range``)."""
    from ..ndarray import NDArray, array
    from ..ndarray.ndarray import invoke
    from .registry import get_op
    op = get_op("_histogram")
    if isinstance(bins, NDArray):
        return tuple(invoke(op, [a, bins], {}))
    if isinstance(bins, int):
        if range is None:
            warnings.warn("range is not specified, using numpy's result to ensure consistency with numpy")
            counts, edges = np.histogram(a.asnumpy(), bins=bins)
            return array(counts, ctx=a.context), array(edges, ctx=a.context)
        return tuple(invoke(op, [a], {"bin_cnt": bins, "range": range}))
    raise ValueError("bins argument should be either an integer or an NDArray")


def symbol_histogram(a, bins=10, range=None, **kwargs):  # noqa: A002 - MXNet's signature
    """``mx.sym.histogram``: a histogram symbol; ``bins`` is a Symbol of edges or a bin count."""
    from ..symbol import Symbol, _internal
    if isinstance(bins, Symbol):
        return _internal._histogram(data=a, bins=bins, **kwargs)
    if isinstance(bins, int):
        if range is None:
            raise ValueError("null range is not supported in symbol mode")
        return _internal._histogram(data=a, bin_cnt=bins, range=range, **kwargs)
    raise ValueError("bins argument should be either an integer or an NDArray")


# -- split_v2 ----------------------------------------------------------------------------------
def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split ``ary`` into equal sections (an int) or at the given indices (a tuple) along ``axis``."""
    from ..ndarray.ndarray import invoke
    from .registry import get_op
    if isinstance(indices_or_sections, int):
        kw = {"indices": (), "sections": indices_or_sections}
    elif isinstance(indices_or_sections, tuple):
        kw = {"indices": (0,) + tuple(indices_or_sections), "sections": 0}
    else:
        raise ValueError("indices_or_sections must either int or tuple of ints")
    return invoke(get_op("_split_v2"), [ary], dict(kw, axis=axis, squeeze_axis=squeeze_axis))


# -- ravel / unravel ---------------------------------------------------------------------------
def _strides(shape):
    return np.concatenate([np.cumprod(shape[::-1])[::-1][1:], [1]]).astype(np.int64)


def _need_shape(attrs, name):
    if not attrs.shape:
        raise MXNetError(f"Operator {name}: argument 'shape' is required")
    return attrs.shape


def _ravel_fwd(attrs, ins, ctx):
    shape = _need_shape(attrs, "ravel_multi_index")
    data = ins[0]
    if data.ndim < 1 or data.shape[0] != len(shape):
        raise MXNetError(f"Operator ravel_multi_index: data's first dimension must equal len(shape) = "
                         f"{len(shape)}, got data shape {tuple(data.shape)}")
    st = ctx.xp.asarray(_strides(shape)).reshape((-1,) + (1,) * (data.ndim - 1))
    return (data.astype(np.int64) * st).sum(axis=0).astype(data.dtype)


def _unravel_fwd(attrs, ins, ctx):
    shape = _need_shape(attrs, "unravel_index")
    data = ins[0]
    idx = data.astype(np.int64)
    st = ctx.xp.asarray(_strides(shape)).reshape((-1,) + (1,) * data.ndim)
    dims = ctx.xp.asarray(np.array(shape, dtype=np.int64)).reshape(st.shape)
    out = idx[None] // st
    # the leading coordinate is not wrapped: an index past the end gives a coordinate past the end
    out[1:] %= dims[1:]
    return out.astype(data.dtype)


def _zero_bwd(attrs, og, ins, outs, ctx, state):
    return [ctx.xp.zeros(ins[0].shape, dtype=ins[0].dtype)]


_SHAPE = Param("shape", "shape", None, "shape of the array the flat indices refer to")
register("_ravel_multi_index", _ravel_fwd, params=(_SHAPE,), aliases=("ravel_multi_index",), backward=_zero_bwd,
         doc="Flat indices from a (ndim, ...) array of coordinates into an array of the given shape "
             "(zero gradient).")
register("_unravel_index", _unravel_fwd, params=(_SHAPE,), aliases=("unravel_index",), backward=_zero_bwd,
         doc="Coordinates (stacked on a new first axis) of flat indices into an array of the given shape.")


# -- fill_element_0index -----------------------------------------------------------------------
def _fill_check(lhs, mhs, rhs):
    if lhs.ndim != 2 or mhs.shape != (lhs.shape[0],) or rhs.shape != (lhs.shape[0],):
        raise MXNetError(f"Operator fill_element_0index: expected lhs (n, m), mhs (n,), rhs (n,), got "
                         f"{tuple(lhs.shape)}, {tuple(mhs.shape)}, {tuple(rhs.shape)}")
    return rhs.astype(np.int64) % lhs.shape[1]


def _fill_fwd(attrs, ins, ctx):
    lhs, mhs, rhs = ins
    col = _fill_check(lhs, mhs, rhs)
    out = lhs.copy()
    out[ctx.xp.arange(lhs.shape[0]), col] = mhs
    return out


register("fill_element_0index", _fill_fwd, inputs=("lhs", "mhs", "rhs"),
         doc="Copy of lhs (n, m) with lhs[i, rhs[i]] set to mhs[i] (no gradient, as in MXNet).")


# -- AMP casts ---------------------------------------------------------------------------------
_AMP_TYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


def _amp_check(attrs):
    if attrs.dtype == "bfloat16":
        raise MXNetError("Operator amp_cast: dtype bfloat16 is not supported here (NumPy has no "
                         "bfloat16 type)")


def _amp_target(attrs):
    return np.dtype(attrs.dtype)


def _amp_cast_fwd(attrs, ins, ctx):
    x = ins[0]
    # only floating inputs are cast; integer data passes through unchanged
    return x.astype(_amp_target(attrs)) if x.dtype.kind == "f" else x.copy()


def _amp_cast_type(attrs, types):
    t = types[0]
    return types, [(_amp_target(attrs) if t.kind == "f" else t) if t is not None else None]


def _cast_back_bwd(attrs, og, ins, outs, ctx, state):
    return [None if g is None else g.astype(x.dtype) for g, x in zip(og, ins)]


register("amp_cast", _amp_cast_fwd, params=(Param("dtype", "str", doc="target type", choices=_AMP_TYPES),),
         backward=_cast_back_bwd, infer_type=_amp_cast_type, attr_check=_amp_check, **like_data(),
         doc="Casts floating-point data to dtype (for mixed precision); other data is passed through.")


def _amp_multi_target(attrs, dtypes):
    """Only float16 and float32 take part (float64 and integers pass through): cast to one of them."""
    fl = {d for d in dtypes if d is not None and d in (np.dtype(np.float16), np.dtype(np.float32))}
    if len(fl) < 2:
        return None
    return np.dtype(np.float16) if attrs.cast_narrow else np.dtype(np.float32)


def _amp_cast_one(x, t):
    return x.astype(t) if t is not None and x.dtype in (np.float16, np.float32) else x.copy()


def _amp_multicast_fwd(attrs, ins, ctx):
    if len(ins) != attrs.num_outputs:
        raise MXNetError(f"Operator amp_multicast: num_outputs={attrs.num_outputs} but got {len(ins)} inputs")
    t = _amp_multi_target(attrs, [x.dtype for x in ins])
    return tuple(_amp_cast_one(x, t) for x in ins)


def _amp_multicast_type(attrs, types):
    t = _amp_multi_target(attrs, types)
    return types, [d if d is None or t is None or d not in (np.float16, np.float32) else t for d in types]


register("amp_multicast", _amp_multicast_fwd, inputs=("data",), variadic="num_outputs", params=(
    Param("num_outputs", "int", doc="number of inputs (and outputs)"),
    Param("cast_narrow", "bool", False, "cast to the narrowest float type instead of the widest")),
    backward=_cast_back_bwd, num_outputs=lambda a: a.num_outputs, infer_type=_amp_multicast_type,
    doc="Casts float16 and float32 inputs to one of the two (float32, or float16 with cast_narrow).")


# -- cast_storage ------------------------------------------------------------------------------
def _cast_storage_fwd(attrs, ins, ctx):
    # on dense arrays a copy: the sparse targets are the operator's storage form
    # (ndarray/sparse_ops.py), which the dispatcher runs
    return ins[0].copy()


register("cast_storage", _cast_storage_fwd, params=(
    Param("stype", "str", doc="target storage type", choices=("csr", "default", "row_sparse")),),
    backward=lambda a, og, ins, outs, ctx, st: [og[0]], aliases=("_sparse_cast_storage",),
    doc="Converts between storage types (default, csr, row_sparse).")


# -- random_pdf_*: densities of samples under per-row distribution parameters -------------------
# Each entry: (parameter names, log-density fn, gradient fn, sample has a gradient).  The functions
# take float64 arrays (sample, *params broadcast against it) and return log p, and
# (d log p / d sample, [d log p / d param]).  Discrete laws and the uniform give the sample no gradient,
# as in MXNet; the uniform's density ignores its support, as in MXNet.
def _lp_uniform(xp, x, lo, hi):
    return -xp.log(hi - lo) + 0 * x


def _g_uniform(xp, x, lo, hi):
    w = 1 / (hi - lo)
    return None, [w + 0 * x, -w + 0 * x]


def _lp_normal(xp, x, mu, sigma):
    z = (x - mu) / sigma
    return -0.5 * z * z - xp.log(sigma) - 0.5 * np.log(2 * np.pi)


def _g_normal(xp, x, mu, sigma):
    d = (x - mu) / (sigma * sigma)
    return -d, [d, (x - mu) * d / sigma - 1 / sigma]


def _lp_gamma(xp, x, alpha, beta):
    from ._util import gammaln
    return alpha * xp.log(beta) + (alpha - 1) * xp.log(x) - beta * x - gammaln(xp, alpha)


def _g_gamma(xp, x, alpha, beta):
    from ._util import digamma
    return (alpha - 1) / x - beta, [xp.log(beta) + xp.log(x) - digamma(xp, alpha), alpha / beta - x]


def _lp_exponential(xp, x, lam):
    return xp.log(lam) - lam * x


def _g_exponential(xp, x, lam):
    return -lam + 0 * x, [1 / lam - x]


def _lp_poisson(xp, x, lam):
    from ._util import gammaln
    return x * xp.log(lam) - lam - gammaln(xp, x + 1)


def _g_poisson(xp, x, lam):
    return None, [x / lam - 1]


def _lp_negbin(xp, x, k, p):
    from ._util import gammaln
    return (gammaln(xp, x + k) - gammaln(xp, x + 1) - gammaln(xp, k) + k * xp.log(p)
            + x * xp.log(1 - p))


def _g_negbin(xp, x, k, p):
    from ._util import digamma
    return None, [digamma(xp, x + k) - digamma(xp, k) + xp.log(p), k / p - x / (1 - p)]


def _gnb_kp(mu, alpha):
    return 1 / alpha, 1 / (1 + alpha * mu)


def _lp_gen_negbin(xp, x, mu, alpha):
    return _lp_negbin(xp, x, *_gnb_kp(mu, alpha))


def _g_gen_negbin(xp, x, mu, alpha):
    k, p = _gnb_kp(mu, alpha)
    _, (dk, dp) = _g_negbin(xp, x, k, p)
    q = (1 + alpha * mu) ** 2
    return None, [dp * (-alpha / q), dk * (-1 / (alpha * alpha)) + dp * (-mu / q)]


_PDFS = {
    "uniform": (("low", "high"), _lp_uniform, _g_uniform),
    "normal": (("mu", "sigma"), _lp_normal, _g_normal),
    "gamma": (("alpha", "beta"), _lp_gamma, _g_gamma),
    "exponential": (("lam",), _lp_exponential, _g_exponential),
    "poisson": (("lam",), _lp_poisson, _g_poisson),
    "negative_binomial": (("k", "p"), _lp_negbin, _g_negbin),
    "generalized_negative_binomial": (("mu", "alpha"), _lp_gen_negbin, _g_gen_negbin),
}


def _pdf_params(name, ins):
    """Parameters reshaped to broadcast against the sample (their shape is a prefix of its shape)."""
    x = ins[0]
    out = []
    for p in ins[1:]:
        if x.ndim <= p.ndim or x.shape[:p.ndim] != p.shape:
            raise MXNetError(f"Operator _random_pdf_{name}: the parameters' shape {tuple(p.shape)} must be "
                             f"a proper prefix of the sample's shape {tuple(x.shape)}")
        out.append(p.astype(np.float64).reshape(p.shape + (1,) * (x.ndim - p.ndim)))
    return x.astype(np.float64), out


def _make_pdf(name, pnames, lp_fn, g_fn):
    def fwd(attrs, ins, ctx):
        x, ps = _pdf_params(name, ins)
        with np.errstate(all="ignore"):
            lp = lp_fn(ctx.xp, x, *ps)
        return (lp if attrs.is_log else ctx.xp.exp(lp)).astype(ins[0].dtype)

    def bwd(attrs, og, ins, outs, ctx, state):
        x, ps = _pdf_params(name, ins)
        g = og[0].astype(np.float64)
        with np.errstate(all="ignore"):
            dx, dps = g_fn(ctx.xp, x, *ps)
        scale = g if attrs.is_log else g * outs[0].astype(np.float64)
        res = [ctx.xp.zeros(x.shape, dtype=ins[0].dtype) if dx is None else (scale * dx).astype(ins[0].dtype)]
        for p, d in zip(ins[1:], dps):
            s = scale * d
            res.append(s.reshape(p.shape + (-1,)).sum(axis=-1).astype(p.dtype))
        return res

    register(f"_random_pdf_{name}", fwd, inputs=("sample",) + pnames,
             params=(Param("is_log", "bool", False, "return the log-density"),),
             backward=bwd, aliases=(f"random_pdf_{name}",),
             doc=f"The {name.replace('_', ' ')} density (or log-density) of each sample under the "
                 f"distribution whose parameters are given per leading index of sample.")


for _n, (_pn, _lp, _g) in _PDFS.items():
    _make_pdf(_n, _pn, _lp, _g)


def _dirichlet_check(ins):
    x, a = ins
    if a.ndim < 1 or x.ndim < a.ndim + 1 or x.shape[:a.ndim - 1] != a.shape[:-1] or x.shape[-1] != a.shape[-1]:
        raise MXNetError(f"Operator _random_pdf_dirichlet: sample {tuple(x.shape)} must be alpha's leading "
                         f"shape, then sample dims, then alpha's last dim; alpha is {tuple(a.shape)}")
    a64 = a.astype(np.float64)
    return x.astype(np.float64), a64.reshape(a.shape[:-1] + (1,) * (x.ndim - a.ndim) + a.shape[-1:])


def _dirichlet_fwd(attrs, ins, ctx):
    from ._util import gammaln
    xp = ctx.xp
    x, a = _dirichlet_check(ins)
    with np.errstate(all="ignore"):
        lp = (gammaln(xp, a.sum(axis=-1)) - gammaln(xp, a).sum(axis=-1)
              + ((a - 1) * xp.log(x)).sum(axis=-1))
    return (lp if attrs.is_log else xp.exp(lp)).astype(ins[0].dtype)


def _dirichlet_bwd(attrs, og, ins, outs, ctx, state):
    from ._util import digamma
    xp = ctx.xp
    x, a = _dirichlet_check(ins)
    g = og[0].astype(np.float64)
    scale = (g if attrs.is_log else g * outs[0].astype(np.float64))[..., None]
    with np.errstate(all="ignore"):
        dx = scale * (a - 1) / x
        da = scale * (digamma(xp, a.sum(axis=-1, keepdims=True)) - digamma(xp, a) + xp.log(x))
    alpha = ins[1]
    da = da.reshape(alpha.shape[:-1] + (-1, alpha.shape[-1])).sum(axis=-2)
    return [dx.astype(ins[0].dtype), da.astype(alpha.dtype)]


register("_random_pdf_dirichlet", _dirichlet_fwd, inputs=("sample", "alpha"),
         params=(Param("is_log", "bool", False, "return the log-density"),),
         backward=_dirichlet_bwd, aliases=("random_pdf_dirichlet",),
         doc="The Dirichlet density (or log-density) of each sample vector (last axis) under the "
             "concentrations alpha given per leading index of sample.")
