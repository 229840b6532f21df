"""``mx.random``: seeding the generators, plus the ``mx.nd.random`` samplers."""
from .base import integer_types
from .context import Context
from .ndarray.random import (uniform, normal, randn, poisson, exponential, gamma, multinomial,  # noqa: F401
                             negative_binomial, generalized_negative_binomial, shuffle, randint)


def seed(seed_state, ctx="all"):
    """Seed the random generators of every device (``ctx='all'``) or of one context.

    After ``seed(n)`` the same sequence of random operators gives the same numbers.
    Like MXNet, the seed is taken as a 32-bit integer.
    """
    if not isinstance(seed_state, integer_types):
        raise ValueError("seed_state must be int")
    state = int(seed_state) % (1 << 32)
    from . import backend
    if isinstance(ctx, str) and ctx == "all":
        backend.NUMPY_BACKEND.seed(state)
        for be in list(backend._gpu_backends.values()):
            be.seed(state)
        return
    if not isinstance(ctx, Context):
        ctx = Context(ctx)
    backend.get_backend(ctx).seed(state)


__all__ = ["seed", "uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint", "Context"]
