"""``mx.sym.random``'s distribution functions, with MXNet's signatures: Symbol distribution
parameters draw ``shape`` samples per element (``_sample_*``), numbers draw from one
distribution (``_random_*``)."""
from ..base import _Null, numeric_types
from . import _internal  # the generated operator functions (the package creates them first)
from .symbol import Symbol

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint"]

def _draw(random_name, sample_name, params, shape, dtype, kwargs):
    kwargs = {k: v for k, v in kwargs.items() if v is not _Null}
    if shape is not _Null:
        kwargs["shape"] = shape
    if dtype is not _Null:
        kwargs["dtype"] = dtype
    first = params[0]
    if isinstance(first, Symbol):
        for p in params[1:]:
            assert isinstance(p, Symbol), ("Distribution parameters must all have the same type, but got "
                                           f"both {type(first)} and {type(p)}.")
        if sample_name is None:
            raise TypeError(f"{random_name} takes numbers as its distribution parameters, not Symbols")
        return getattr(_internal, sample_name)(*params, **kwargs)
    if isinstance(first, numeric_types):
        for p in params[1:]:
            assert isinstance(p, numeric_types), ("Distribution parameters must all have the same type, but "
                                                  f"got both {type(first)} and {type(p)}.")
        # the _random_ operators have no inputs: Symbol keywords (randn's data=) play no part
        kwargs = {k: v for k, v in kwargs.items() if not isinstance(v, Symbol)}
        return getattr(_internal, random_name)(*params, **kwargs)
    raise ValueError(f"Distribution parameters must be either Symbol or numbers, but got {type(first)}.")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from U[low, high)."""
    return _draw("_random_uniform", "_sample_uniform", [low, high], shape, dtype, kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a normal distribution with mean ``loc`` and standard deviation ``scale``."""
    return _draw("_random_normal", "_sample_normal", [loc, scale], shape, dtype, kwargs)


def randn(*shape, **kwargs):
    """Normal samples of the given shape (``loc``, ``scale``, ``dtype`` by keyword)."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    assert isinstance(loc, (int, float, Symbol))
    assert isinstance(scale, (int, float, Symbol))
    return _draw("_random_normal", "_sample_normal", [loc, scale], shape, dtype, kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a Poisson distribution with rate ``lam``."""
    return _draw("_random_poisson", "_sample_poisson", [lam], shape, dtype, kwargs)


def exponential(scale=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from an exponential distribution with scale ``scale`` (rate ``1 / scale``)."""
    return _draw("_random_exponential", "_sample_exponential", [1.0 / scale], shape, dtype, kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a gamma distribution with shape ``alpha`` and scale ``beta``."""
    return _draw("_random_gamma", "_sample_gamma", [alpha, beta], shape, dtype, kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, **kwargs):
    """Failures before the ``k``-th success of trials succeeding with probability ``p``."""
    return _draw("_random_negative_binomial", "_sample_negative_binomial", [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples with mean ``mu`` and variance ``mu + alpha * mu**2``."""
    return _draw("_random_generalized_negative_binomial", "_sample_generalized_negative_binomial",
                 [mu, alpha], shape, dtype, kwargs)


def multinomial(data, shape=_Null, get_prob=True, dtype="int32", **kwargs):
    """Category indices drawn from the distributions along the last axis of ``data``; with
    ``get_prob`` (the default here) also the log probability of each draw."""
    if shape is not _Null:
        kwargs["shape"] = shape
    return _internal._sample_multinomial(data, get_prob=get_prob, dtype=dtype, **kwargs)


def shuffle(data, **kwargs):
    """``data`` with its first axis randomly permuted."""
    return _internal._shuffle(data, **kwargs)


def randint(low, high, shape=_Null, dtype=_Null, **kwargs):
    """Integers drawn uniformly from [low, high)."""
    return _draw("_random_randint", None, [low, high], shape, dtype, kwargs)


def install(module):
    """Put these functions into the generated ``mx.sym.random`` module."""
    for name in __all__:
        setattr(module, name, globals()[name])
