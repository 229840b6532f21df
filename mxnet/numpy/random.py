"""``mx.np.random``: samplers drawing from the same generator as ``mx.random``."""
import numbers

import numpy as _onp

from ..base import MXNetError, np_dtype
from .multiarray import invoke, _ctx_of
from ._funcs import _to_nd
from ..ndarray.ndarray import NDArray

__all__ = ["seed", "uniform", "normal", "randint", "rand", "randn", "choice", "shuffle", "gamma",
           "exponential", "beta", "chisquare", "lognormal", "logistic", "gumbel", "multinomial",
           "rayleigh", "weibull", "pareto", "power", "multivariate_normal"]


def seed(seed, ctx="all"):  # noqa: A002
    from .. import random as _r
    _r.seed(seed, ctx)


def _size(size):
    if size is None:
        return ()
    return (size,) if isinstance(size, numbers.Integral) else tuple(size)


def _check(name, params, positive):
    """MXNet's ValueError for parameters out of their domain (> 0, or >= 0 when not strict)."""
    for pname, v in params:
        if pname not in positive or v is None:
            continue
        vals = v.asnumpy() if isinstance(v, NDArray) else _onp.asarray(v)
        if _onp.any(vals <= 0) if positive[pname] else _onp.any(vals < 0):
            raise ValueError(f"{name}: {pname} must be {'positive' if positive[pname] else 'non-negative'}")


def _sample(name, params, size, dtype, ctx, out=None, positive=None):
    """Draw from operator ``_npi_<name>``: array parameters become inputs, numbers attributes."""
    _check(name, params, positive or {})
    arrays = [_to_nd(v) for _, v in params if isinstance(v, NDArray)]
    kw = {p: (None if isinstance(v, NDArray) else v) for p, v in params}
    ctx = arrays[0].ctx if arrays and ctx is None else _ctx_of(ctx)
    kw.update(size=None if size is None else _size(size), ctx=str(ctx),
              dtype=np_dtype(dtype if dtype is not None else _onp.float32))
    return invoke(f"_npi_{name}", arrays, kw, ctx=ctx, out=out)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples uniform in ``[low, high)``; array parameters broadcast and get gradients."""
    return _sample("uniform", [("low", low), ("high", high)], size, dtype, ctx, out)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Normal samples of mean ``loc`` and standard deviation ``scale``."""
    return _sample("normal", [("loc", loc), ("scale", scale)], size, dtype, ctx, out)


def randn(*size, **kwargs):
    return normal(0.0, 1.0, size, **kwargs)


def rand(*size, **kwargs):
    return uniform(0.0, 1.0, size, **kwargs)


def gamma(shape=1.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Gamma samples (no gradient)."""
    return _sample("gamma", [("shape", shape), ("scale", scale)], size, dtype, ctx, out,
                   {"shape": True, "scale": True})


def exponential(scale=1.0, size=None, ctx=None, out=None):
    """Exponential samples of mean ``scale``."""
    return _sample("exponential", [("scale", scale)], size, None, ctx, out, {"scale": False})


def randint(low, high=None, size=None, dtype=None, ctx=None, out=None):
    if high is None:
        low, high = 0, low
    ctx = _ctx_of(ctx)
    return invoke("_npi_random_randint", [], {"low": low, "high": high, "size": _size(size), "ctx": str(ctx),
                                              "dtype": np_dtype(dtype if dtype is not None else _onp.int64)},
                  ctx=ctx)


def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Random integers from range(a) (or elements of array a)."""
    ctx = _ctx_of(ctx)
    n = a if isinstance(a, numbers.Integral) else _to_nd(a).shape[0]
    kw = {"a": n, "size": _size(size), "ctx": str(ctx), "replace": replace, "weighted": p is not None}
    idx = invoke("_npi_choice", [_to_nd(p)] if p is not None else [], kw, ctx=ctx)
    return idx if isinstance(a, numbers.Integral) else _to_nd(a)[idx]


def shuffle(x):
    """Shuffle ``x`` in place along its first axis."""
    x._data[...] = invoke("_npi_shuffle", [x])._data


def _host(draw):
    # samplers without an operator: drawn on the host from the shared generator
    def fn(*args, size=None, dtype=None, ctx=None, out=None, **kwargs):
        from ..backend import get_backend
        from ._funcs import array
        ctx = _ctx_of(ctx)
        r = draw(get_backend(ctx).rng, *args, size=_size(size) if size is not None else None, **kwargs)
        r = _onp.asarray(r)
        return array(r, dtype=dtype or (_onp.float32 if r.dtype.kind == "f" else r.dtype), ctx=ctx)
    fn.__name__ = draw.__name__
    return fn


def beta(a, b, size=None, dtype=None, ctx=None):
    """Beta samples (no gradient)."""
    return _sample("beta", [("a", a), ("b", b)], size, dtype, ctx, None, {"a": True, "b": True})


def chisquare(df, size=None, dtype=None, ctx=None):
    """Chi-square samples (no gradient)."""
    return _sample("chisquare", [("df", df)], size, dtype, ctx, None, {"df": True})


def lognormal(mean=0.0, sigma=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples whose logarithm is normal of mean ``mean`` and standard deviation ``sigma``."""
    return _sample("lognormal", [("mean", mean), ("sigma", sigma)], size, dtype, ctx, out, {"sigma": False})


def logistic(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    """Logistic samples."""
    return _sample("logistic", [("loc", loc), ("scale", scale)], size, None, ctx, out, {"scale": False})


def gumbel(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    """Gumbel samples."""
    return _sample("gumbel", [("loc", loc), ("scale", scale)], size, None, ctx, out, {"scale": False})


def rayleigh(scale=1.0, size=None, ctx=None, out=None):
    """Rayleigh samples of mode ``scale``."""
    return _sample("rayleigh", [("scale", scale)], size, None, ctx, out, {"scale": False})


def weibull(a, size=None, ctx=None, out=None):
    """Weibull samples of shape ``a``."""
    return _sample("weibull", [("a", a)], size, None, ctx, out, {"a": True})


def pareto(a, size=None, ctx=None, out=None):
    """Pareto (Lomax) samples of shape ``a``."""
    return _sample("pareto", [("a", a)], size, None, ctx, out, {"a": True})


def power(a, size=None, ctx=None, out=None):
    """Samples in [0, 1] of the power distribution of exponent ``a - 1``."""
    return _sample("powerd", [("a", a)], size, None, ctx, out, {"a": True})


def multinomial(n, pvals, size=None):
    """Counts of ``n`` draws over the categories with probabilities ``pvals`` (int64)."""
    p = pvals.asnumpy() if hasattr(pvals, "asnumpy") else _onp.asarray(pvals, dtype=_onp.float64)
    # MXNet checks the sum of all of them, in their own precision (float32 pvals summing to 1 in
    # float32 pass, though their float64 sum may exceed 1 by a rounding error)
    if p.sum(dtype=p.dtype) > 1.0 + 1e-12:
        raise MXNetError("multinomial: sum(pvals[:-1]) > 1.0")
    if p.size == 0:  # no categories: empty counts
        return _host(lambda r, size: _onp.zeros(_size(size) + (0,), _onp.int64))(size=size)
    pv = p.astype(_onp.float64)
    head = pv[:-1].sum()
    if head > 1.0:
        pv[:-1] /= head
    return _host(lambda r, n, p, size: r.multinomial(n, p, size))(n, pv, size=size, dtype=_onp.int64)


def multivariate_normal(mean, cov, size=None, check_valid=None, tol=None):
    """Multivariate normal samples of shape ``size + batch + (k,)``: ``mean`` (..., k) and ``cov``
    (..., k, k) broadcast over their batch dimensions (no gradient)."""
    if check_valid is not None or tol is not None:
        raise NotImplementedError("multivariate_normal: check_valid and tol are not supported")
    mean, cov = _to_nd(mean), _to_nd(cov)
    return invoke("_npi_mvn_fallback", [mean, cov], {"size": None if size is None else _size(size),
                                                     "ctx": str(mean.ctx)})
