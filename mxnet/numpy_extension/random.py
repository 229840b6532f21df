"""``mx.npx.random``: seeding, batch-shaped samplers and Bernoulli draws."""
import math
import numbers

import numpy as _onp

from ..numpy import random as _npr

__all__ = ["seed", "uniform_n", "normal_n", "bernoulli"]


def seed(seed, ctx="all"):  # noqa: A002
    _npr.seed(seed, ctx)


def _batch(batch_shape):
    if batch_shape is None:
        return ()
    return (batch_shape,) if isinstance(batch_shape, numbers.Integral) else tuple(batch_shape)


def uniform_n(low=0.0, high=1.0, batch_shape=None, dtype=None, ctx=None):
    """Uniform samples of shape ``batch_shape + broadcast(low, high).shape``."""
    return _npr._sample("uniform_n", [("low", low), ("high", high)], _batch(batch_shape), dtype, ctx)


def normal_n(loc=0.0, scale=1.0, batch_shape=None, dtype=None, ctx=None):
    """Normal samples of shape ``batch_shape + broadcast(loc, scale).shape``."""
    return _npr._sample("normal_n", [("loc", loc), ("scale", scale)], _batch(batch_shape), dtype, ctx)


def bernoulli(prob=None, logit=None, size=None, dtype=None, ctx=None, out=None):
    """0/1 samples that are 1 with probability ``prob`` (or ``sigmoid(logit)``)."""
    from .. import numpy as np
    from ..ndarray.ndarray import NDArray
    if (prob is None) == (logit is None):
        raise ValueError("Either `prob` or `logit` must be specified, but not both. "
                         f"Received prob={prob}, logit={logit}")
    if logit is not None:
        prob = 1 / (1 + np.exp(-logit)) if isinstance(logit, NDArray) else 1 / (1 + math.exp(-logit))
    vals = _onp.asarray(prob.asnumpy() if isinstance(prob, NDArray) else prob)
    if _onp.any(vals < 0) or _onp.any(vals > 1):
        raise ValueError("bernoulli: prob must be in [0, 1]")
    return _npr._sample("bernoulli", [("prob", prob)], size, dtype, ctx, out)
