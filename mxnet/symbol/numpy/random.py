"""``mx.sym.np.random``: random draws as graph nodes (distribution parameters are numbers)."""
from ...context import current_context
from ..symbol import Symbol
from ._symbol import make

__all__ = ["uniform", "normal"]


def _draw(opname, hint, params, size, dtype, ctx):
    if any(isinstance(v, Symbol) for v in params.values()):
        raise NotImplementedError(f"np.random.{hint} symbol: symbolic distribution parameters are not "
                                  f"supported")
    params = dict(params, ctx=str(ctx if ctx is not None else current_context()),
                  dtype=dtype if dtype is not None else "float32", size=size)
    return make(opname, hint, [], params)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Uniform draws in ``[low, high)`` of shape ``size``."""
    return _draw("_npi_uniform", "uniform", {"low": low, "high": high}, size, dtype, ctx)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Normal draws of mean ``loc`` and standard deviation ``scale``, of shape ``size``."""
    return _draw("_npi_normal", "normal", {"loc": loc, "scale": scale}, size, dtype, ctx)
