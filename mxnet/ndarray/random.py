"""``mx.nd.random``: sampling functions over the ``_random_*`` and ``_sample_*`` operators.

Scalar distribution parameters draw ``shape`` samples from one distribution
(``_random_<dist>``); NDArray parameters draw ``shape`` samples for each of their
elements (``_sample_<dist>``), giving an array of shape ``param.shape + shape``.
"""
from ..base import numeric_types
from ..context import current_context
from ..ops.registry import get_op
from .ndarray import NDArray, invoke
from .register import make_function
from ..base import _Null




def _draw(random_op, sample_op, params, shape, dtype, ctx, out, kwargs):
    """Dispatch to ``random_op`` (all parameters numbers) or ``sample_op`` (all NDArrays)."""
    kwargs = {k: v for k, v in kwargs.items() if k != "name"}
    first = params[0]
    if isinstance(first, NDArray):
        for p in params[1:]:
            assert isinstance(p, NDArray), ("Distribution parameters must all have the same type, but got "
                                            f"both {type(first)} and {type(p)}.")
        if sample_op is None:
            raise TypeError(f"{random_op} takes numbers as its distribution parameters, not NDArrays")
        if shape is not _Null:
            kwargs["shape"] = shape
        if dtype is not _Null:
            kwargs["dtype"] = dtype
        return invoke(get_op(sample_op), list(params), kwargs, out=out)
    if isinstance(first, numeric_types):
        for p in params[1:]:
            assert isinstance(p, numeric_types), ("Distribution parameters must all have the same type, but "
                                                  f"got both {type(first)} and {type(p)}.")
        op = get_op(random_op)
        pnames = [p.name for p in op.params[:len(params)]]
        kwargs.update(zip(pnames, params))
        if ctx is None:
            ctx = out.context if out is not None else current_context()
        if shape is _Null:
            # an omitted shape takes the output array's, else one sample
            shape = out.shape if out is not None else (1,)
        if dtype is _Null and out is not None and out._data.dtype.kind == "f" and sample_op is not None:
            dtype = out._data.dtype  # draw at the precision of the array written into
        kwargs["shape"] = shape
        if dtype is not _Null:
            kwargs["dtype"] = dtype
        kwargs["ctx"] = str(ctx)
        return invoke(op, [], kwargs, out=out, ctx=ctx)
    raise ValueError(f"Distribution parameters must be either NDArray or numbers, but got {type(first)}.")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from U[low, high): ``shape`` of them, or ``shape`` per element of NDArray bounds."""
    return _draw("_random_uniform", "_sample_uniform", [low, high], shape, dtype, ctx, out, kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from a normal distribution with mean ``loc`` and standard deviation ``scale``."""
    return _draw("_random_normal", "_sample_normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def randn(*shape, **kwargs):
    """Normal samples of the given shape (``loc``/``scale``/``dtype``/``ctx``/``out`` by keyword;
    NDArray ``loc``/``scale`` draw ``shape`` samples per element)."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    assert isinstance(loc, (int, float, NDArray))
    assert isinstance(scale, (int, float, NDArray))
    return _draw("_random_normal", "_sample_normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from a Poisson distribution with rate ``lam`` (float output)."""
    return _draw("_random_poisson", "_sample_poisson", [lam], shape, dtype, ctx, out, kwargs)


def exponential(scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from an exponential distribution with mean ``scale`` (rate ``1/scale``)."""
    return _draw("_random_exponential", "_sample_exponential", [1.0 / scale], shape, dtype, ctx, out,
                 kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from a gamma distribution with shape ``alpha`` and scale ``beta``."""
    return _draw("_random_gamma", "_sample_gamma", [alpha, beta], shape, dtype, ctx, out, kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Failures before the ``k``-th success of trials that succeed with probability ``p``."""
    return _draw("_random_negative_binomial", "_sample_negative_binomial", [k, p], shape, dtype, ctx, out,
                 kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples with mean ``mu`` and variance ``mu + alpha * mu**2`` (Poisson when alpha is 0)."""
    return _draw("_random_generalized_negative_binomial", "_sample_generalized_negative_binomial",
                 [mu, alpha], shape, dtype, ctx, out, kwargs)


def multinomial(data, shape=_Null, get_prob=False, out=None, dtype="int32", **kwargs):
    """Category indices drawn from the distributions along the last axis of ``data``.

    With ``get_prob`` also returns the log probability of each draw, whose gradient
    reaches ``data`` (for REINFORCE-style training).
    """
    kwargs = {k: v for k, v in kwargs.items() if k != "name"}
    if shape is not _Null:
        kwargs["shape"] = shape
    kwargs.update(get_prob=get_prob, dtype=dtype)
    return invoke(get_op("_sample_multinomial"), [data], kwargs, out=out)


def shuffle(data, **kwargs):
    """A copy of ``data`` with its first axis randomly permuted."""
    out = kwargs.pop("out", None)
    kwargs.pop("name", None)
    return invoke(get_op("_shuffle"), [data], kwargs, out=out)


def randint(low, high, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Integers drawn uniformly from [low, high) (int32 unless ``dtype`` says int64)."""
    return _draw("_random_randint", None, [low, high], shape, dtype, ctx, out, kwargs)


# the *_like samplers have no Python-level wrapper in MXNet: they are the operators themselves
uniform_like = make_function(get_op("_random_uniform_like"), "uniform_like")
normal_like = make_function(get_op("_random_normal_like"), "normal_like")
gamma_like = make_function(get_op("_random_gamma_like"), "gamma_like")
exponential_like = make_function(get_op("_random_exponential_like"), "exponential_like")
poisson_like = make_function(get_op("_random_poisson_like"), "poisson_like")
negative_binomial_like = make_function(get_op("_random_negative_binomial_like"), "negative_binomial_like")
generalized_negative_binomial_like = make_function(get_op("_random_generalized_negative_binomial_like"),
                                                   "generalized_negative_binomial_like")

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint", "uniform_like",
           "normal_like", "gamma_like", "exponential_like", "poisson_like", "negative_binomial_like",
           "generalized_negative_binomial_like"]
