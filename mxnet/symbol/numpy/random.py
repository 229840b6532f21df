"""``mx.sym.np.random``: random draws as graph nodes; distribution parameters are numbers or
symbols (the latter become the node's inputs)."""
from ...context import current_context
from ..symbol import Symbol
from ._symbol import make

__all__ = ["uniform", "normal", "lognormal", "logistic", "gumbel", "exponential", "rayleigh", "weibull",
           "pareto", "power", "gamma", "beta", "chisquare", "multivariate_normal", "choice"]


def _draw(name, params, size, dtype, ctx, hint=None, extra=None):
    inputs = [v for _, v in params if isinstance(v, Symbol)]
    attrs = {p: (None if isinstance(v, Symbol) else v) for p, v in params}
    attrs.update(extra or {})
    attrs.update(ctx=str(ctx if ctx is not None else current_context()),
                 dtype=dtype if dtype is not None else "float32", size=size)
    return make(f"_npi_{name}", hint or name, inputs, attrs)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Uniform draws in ``[low, high)`` of shape ``size``."""
    return _draw("uniform", [("low", low), ("high", high)], size, dtype, ctx)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Normal draws of mean ``loc`` and standard deviation ``scale``, of shape ``size``."""
    return _draw("normal", [("loc", loc), ("scale", scale)], size, dtype, ctx)


def lognormal(mean=0.0, sigma=1.0, size=None, dtype=None, ctx=None, out=None):
    return _draw("lognormal", [("mean", mean), ("sigma", sigma)], size, dtype, ctx)


def logistic(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    return _draw("logistic", [("loc", loc), ("scale", scale)], size, None, ctx)


def gumbel(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    return _draw("gumbel", [("loc", loc), ("scale", scale)], size, None, ctx)


def exponential(scale=1.0, size=None, ctx=None, out=None):
    return _draw("exponential", [("scale", scale)], size, None, ctx)


def rayleigh(scale=1.0, size=None, ctx=None, out=None):
    return _draw("rayleigh", [("scale", scale)], size, None, ctx)


def weibull(a, size=None, ctx=None, out=None):
    return _draw("weibull", [("a", a)], size, None, ctx)


def pareto(a, size=None, ctx=None, out=None):
    return _draw("pareto", [("a", a)], size, None, ctx)


def power(a, size=None, ctx=None, out=None):
    return _draw("powerd", [("a", a)], size, None, ctx, "power")


def gamma(shape=1.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    return _draw("gamma", [("shape", shape), ("scale", scale)], size, dtype, ctx)


def beta(a, b, size=None, dtype=None, ctx=None):
    return _draw("beta", [("a", a), ("b", b)], size, dtype, ctx)


def chisquare(df, size=None, dtype=None, ctx=None):
    return _draw("chisquare", [("df", df)], size, dtype, ctx)


def multivariate_normal(mean, cov, size=None, check_valid=None, tol=None):
    if check_valid is not None or tol is not None:
        raise NotImplementedError("multivariate_normal: check_valid and tol are not supported")
    return make("_npi_mvn_fallback", "mvn_fallback", [mean, cov], {"size": size})


def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Random integers below ``a``, or elements of the symbol ``a``, uniform or weighted by ``p``."""
    size = None if size == () else size
    weighted = p is not None
    if isinstance(a, Symbol):
        idx = make("_npi_choice", "choice", [a] + ([p] if weighted else []),
                   {"a": None, "replace": replace, "size": size, "weighted": weighted})
        return make("take", "take", [a, idx])
    return make("_npi_choice", "choice", [p] if weighted else [],
                {"a": a, "ctx": str(ctx if ctx is not None else current_context()), "replace": replace,
                 "size": size, "weighted": weighted})
