"""``mx.sym.npx.random``: batch-shaped samplers and Bernoulli draws as graph nodes."""
import numbers

from ..numpy.random import _draw

__all__ = ["uniform_n", "normal_n", "bernoulli"]


def _batch(batch_shape):
    if batch_shape is None:
        return ()
    return (batch_shape,) if isinstance(batch_shape, numbers.Integral) else tuple(batch_shape)


def uniform_n(low=0.0, high=1.0, batch_shape=None, dtype=None, ctx=None):
    """Uniform draws of shape ``batch_shape + broadcast(low, high).shape``."""
    return _draw("uniform_n", [("low", low), ("high", high)], _batch(batch_shape), dtype, ctx, "uniform_n")


def normal_n(loc=0.0, scale=1.0, batch_shape=None, dtype=None, ctx=None):
    """Normal draws of shape ``batch_shape + broadcast(loc, scale).shape``."""
    return _draw("normal_n", [("loc", loc), ("scale", scale)], _batch(batch_shape), dtype, ctx, "normal_n")


def bernoulli(prob=None, logit=None, size=None, dtype=None, ctx=None, out=None):
    """0/1 draws that are 1 with probability ``prob`` (or ``sigmoid(logit)``)."""
    if (prob is None) == (logit is None):
        raise ValueError("Either `prob` or `logit` must be specified, but not both.")
    if logit is not None:
        return _draw("bernoulli", [("logit", logit)], size, dtype, ctx, extra={"is_logit": True})
    return _draw("bernoulli", [("prob", prob)], size, dtype, ctx)
