"""``mx.np.random``: samplers drawing from the same generator as ``mx.random``."""
import numbers

import numpy as _onp

from ..base import MXNetError, np_dtype
from .multiarray import invoke, _ctx_of
from ._funcs import _to_nd

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


def _draw(opname, size, dtype, ctx, **kw):
    ctx = _ctx_of(ctx)
    return invoke(opname, [], dict(kw, size=_size(size), ctx=str(ctx),
                                   dtype=np_dtype(dtype if dtype is not None else _onp.float32)), ctx=ctx)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    return _draw("_npi_uniform", size, dtype, ctx, low=low, high=high)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    return _draw("_npi_normal", size, dtype, ctx, loc=loc, scale=scale)


def randn(*size, **kwargs):
    return normal(0.0, 1.0, size, **kwargs)


def rand(*size, **kwargs):
    return uniform(0.0, 1.0, size, **kwargs)


def gamma(shape=1.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    return _draw("_npi_gamma", size, dtype, ctx, shape=shape, scale=scale)


def exponential(scale=1.0, size=None, ctx=None, out=None):
    return _draw("_npi_exponential", size, None, ctx, scale=scale)


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
    return _host(lambda r, a, b, size: r.beta(a, b, size))(a, b, size=size, dtype=dtype, ctx=ctx)


def chisquare(df, size=None, dtype=None, ctx=None):
    return _host(lambda r, df, size: r.chisquare(df, size))(df, size=size, dtype=dtype, ctx=ctx)


def lognormal(mean=0.0, sigma=1.0, size=None, dtype=None, ctx=None, out=None):
    return _host(lambda r, m, s, size: r.lognormal(m, s, size))(mean, sigma, size=size, dtype=dtype, ctx=ctx)


def logistic(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    return _host(lambda r, m, s, size: r.logistic(m, s, size))(loc, scale, size=size, ctx=ctx)


def gumbel(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    return _host(lambda r, m, s, size: r.gumbel(m, s, size))(loc, scale, size=size, ctx=ctx)


def rayleigh(scale=1.0, size=None, ctx=None, out=None):
    return _host(lambda r, s, size: r.rayleigh(s, size))(scale, size=size, ctx=ctx)


def weibull(a, size=None, ctx=None, out=None):
    return _host(lambda r, a, size: r.weibull(a, size))(a, size=size, ctx=ctx)


def pareto(a, size=None, ctx=None, out=None):
    return _host(lambda r, a, size: r.pareto(a, size))(a, size=size, ctx=ctx)


def power(a, size=None, ctx=None, out=None):
    return _host(lambda r, a, size: r.power(a, size))(a, size=size, ctx=ctx)


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
    m = _onp.asarray(mean.asnumpy() if hasattr(mean, "asnumpy") else mean, dtype=_onp.float64)
    c = _onp.asarray(cov.asnumpy() if hasattr(cov, "asnumpy") else cov, dtype=_onp.float64)
    return _host(lambda r, m, c, size: r.multivariate_normal(m, c, size))(m, c, size=size)
