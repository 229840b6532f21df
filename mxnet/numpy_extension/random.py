"""``mx.npx.random``: seeding and batch-shaped samplers."""
from ..numpy import random as _npr

__all__ = ["seed", "uniform_n", "normal_n", "bernoulli"]


def seed(seed, ctx="all"):  # noqa: A002
    _npr.seed(seed, ctx)


def _batch(batch_shape):
    if batch_shape is None:
        return ()
    return (batch_shape,) if isinstance(batch_shape, int) else tuple(batch_shape)


def uniform_n(low=0.0, high=1.0, batch_shape=None, dtype=None, ctx=None):
    return _npr.uniform(low, high, _batch(batch_shape), dtype, ctx)


def normal_n(loc=0.0, scale=1.0, batch_shape=None, dtype=None, ctx=None):
    return _npr.normal(loc, scale, _batch(batch_shape), dtype, ctx)


def bernoulli(prob=None, logit=None, size=None, dtype=None, ctx=None, out=None):
    """0/1 samples with probability ``prob`` (or ``sigmoid(logit)``)."""
    import numbers
    from ..numpy.multiarray import invoke, _ctx_of
    from ..numpy._funcs import _to_nd
    from .. import numpy as np
    if (prob is None) == (logit is None):
        raise ValueError("bernoulli: give exactly one of prob and logit")
    p = prob if logit is None else (1 / (1 + np.exp(-_to_nd(logit))) if not isinstance(logit, numbers.Number)
                                    else 1 / (1 + np.exp(-logit)))
    dtype = dtype or "float32"
    if isinstance(p, numbers.Number):
        ctx = _ctx_of(ctx)
        return invoke("_npi_bernoulli", [], {"prob": float(p), "size": _batch(size), "ctx": str(ctx),
                                             "dtype": dtype}, ctx=ctx)
    p = _to_nd(p)
    u = _npr.uniform(0.0, 1.0, _batch(size) or p.shape, None, p.ctx)
    return (u < p).astype(dtype)
