"""``mx.np.random`` samplers as operators (``_npi_uniform``, ``_npi_normal``, ``_npi_gamma``, ...).

Each distribution parameter is either a number (an attribute) or an array (an input): an
attribute set to None marks the parameters given as arrays, in order.  Samples have the shape
``size``, or the parameters' broadcast shape when ``size`` is None.  Continuous samplers that are
a transform of parameter-free noise keep that noise as the op's state, and their gradient with
respect to the array parameters is the derivative of that transform (reparameterisation).
"""
import numpy as np

from ..base import MXNetError
from .registry import register, Param
from ._util import finite_for_lapack, sum_to

_SIZE = Param("size", "shape", None)
_CTX = Param("ctx", "str", "cpu")
_DTYPE = Param("dtype", "dtype", "float32")


def _noise_u(rng, shape):
    return rng.random(shape)


def _noise_n(rng, shape):
    return rng.standard_normal(shape)


def _noise_e(rng, shape):
    return rng.standard_exponential(shape)


# name -> (parameter names and defaults, noise, sample(params, noise), d sample / d param per param)
_DISTS = {
    "uniform": ((("low", 0.0), ("high", 1.0)), _noise_u,
                lambda p, u: p[0] + (p[1] - p[0]) * u,
                lambda p, u, x: [1 - u, u]),
    "normal": ((("loc", 0.0), ("scale", 1.0)), _noise_n,
               lambda p, e: p[0] + p[1] * e,
               lambda p, e, x: [np.ones_like(e), e]),
    "lognormal": ((("mean", 0.0), ("sigma", 1.0)), _noise_n,
                  lambda p, e: np.exp(p[0] + p[1] * e),
                  lambda p, e, x: [x, x * e]),
    "logistic": ((("loc", 0.0), ("scale", 1.0)), lambda rng, s: np.log(1 / _open_u(rng, s) - 1),
                 lambda p, n: p[0] + p[1] * n,
                 lambda p, n, x: [np.ones_like(n), n]),
    "gumbel": ((("loc", 0.0), ("scale", 1.0)), lambda rng, s: -np.log(-np.log(_open_u(rng, s))),
               lambda p, n: p[0] + p[1] * n,
               lambda p, n, x: [np.ones_like(n), n]),
    "exponential": ((("scale", 1.0),), _noise_e,
                    lambda p, e: p[0] * e,
                    lambda p, e, x: [e]),
    "rayleigh": ((("scale", 1.0),), lambda rng, s: np.sqrt(2 * rng.standard_exponential(s)),
                 lambda p, n: p[0] * n,
                 lambda p, n, x: [n]),
    "weibull": ((("a", None),), _noise_e,
                lambda p, e: e ** (1 / p[0]),
                lambda p, e, x: [-x * np.log(e) / p[0] ** 2]),
    "pareto": ((("a", None),), _noise_e,
               lambda p, e: np.expm1(e / p[0]),
               lambda p, e, x: [-(x + 1) * e / p[0] ** 2]),
    "powerd": ((("a", None),), lambda rng, s: _open_u(rng, s),
               lambda p, u: u ** (1 / p[0]),
               lambda p, u, x: [-x * np.log(u) / p[0] ** 2]),
}


def _open_u(rng, shape):
    """Uniform noise in (0, 1): logs of it stay finite."""
    u = rng.random(shape)
    return np.where(u == 0, np.nextafter(0, 1), u)


def _tensor_params(attrs, names):
    return [n for n in names if attrs.get(n) is None]


def _inputs_of(names):
    def inputs(attrs):
        if attrs is None:
            return [f"input{i + 1}" for i in range(len(names))]
        return [f"input{i + 1}" for i in range(len(_tensor_params(attrs, names)))]
    return inputs


def _params(attrs, names, ins, batch=False):
    """Each parameter as a float64 NumPy array (broadcastable), and the output shape (with
    ``batch``, ``size`` is a batch shape put before the parameters' broadcast shape)."""
    it = iter(ins)
    vals = []
    for n in names:
        v = attrs.get(n)
        if v is None:
            a = next(it)
            v = np.asarray(a.get() if hasattr(a, "get") else a, dtype=np.float64)
        vals.append(np.float64(v) if np.ndim(v) == 0 and not isinstance(v, np.ndarray) else v)
    pshape = np.broadcast_shapes(*[np.shape(v) for v in vals])
    if batch:
        return vals, tuple(attrs.size or ()) + pshape
    return vals, tuple(attrs.size if attrs.size is not None else pshape)


def _register(name, batch=False):
    pnames, noise, sample, dsample = _DISTS[name]
    names = [p for p, _ in pnames]
    opname = f"_npi_{name}_n" if batch else f"_npi_{name}"

    def forward(attrs, ins, ctx):
        vals, shape = _params(attrs, names, ins, batch)
        try:
            np.broadcast_shapes(shape, *[np.shape(v) for v in vals])
        except ValueError:
            raise MXNetError(f"Operator {opname}: parameter shapes {[np.shape(v) for v in vals]} do not "
                             f"broadcast to size {shape}") from None
        n = noise(ctx.rng, shape)
        with np.errstate(all="ignore"):
            x = np.broadcast_to(sample(vals, n), shape)
        dt = np.dtype(attrs.dtype if attrs.dtype is not None else np.float32)
        return ctx.xp.asarray(x.astype(dt)), ctx.xp.asarray(n)

    def backward(attrs, og, ins, outs, ctx, state):
        xp = ctx.xp
        vals, shape = _params(attrs, names, ins, batch)
        n = np.asarray(state.get() if hasattr(state, "get") else state)
        x = np.asarray(outs[0].get() if hasattr(outs[0], "get") else outs[0], dtype=np.float64)
        g = np.asarray(og[0].get() if hasattr(og[0], "get") else og[0], dtype=np.float64)
        with np.errstate(all="ignore"):
            ds = dsample(vals, n, x)
        grads = []
        for k in (i for i, p in enumerate(names) if attrs.get(p) is None):
            arr = ins[len(grads)]
            grads.append(xp.asarray(sum_to(np, g * ds[k], arr.shape)).astype(arr.dtype))
        return grads

    register(opname, forward, inputs=_inputs_of(names), backward=backward, save_state=True, needs_rng=True,
             params=tuple(Param(p, "float", d, optional=True) for p, d in pnames) + (_SIZE, _CTX, _DTYPE),
             doc=f"Samples of the {name.rstrip('d')} distribution.")


for _name in _DISTS:
    _register(_name)
# npx.random's batch forms: size is the batch shape before the parameters' shape
_register("uniform", batch=True)
_register("normal", batch=True)


def _plain(name, names, draw, doc):
    """A sampler without a gradient: ``draw(rng, params, shape)``."""
    def forward(attrs, ins, ctx):
        vals, shape = _params(attrs, names, ins)
        x = np.broadcast_to(draw(ctx.rng, vals, shape), shape)
        dt = np.dtype(attrs.dtype if attrs.dtype is not None else np.float32)
        return ctx.xp.asarray(x.astype(dt))
    register(f"_npi_{name}", forward, inputs=_inputs_of(names), needs_rng=True,
             params=tuple(Param(p, "float", d, optional=True) for p, d in zip(names, (1.0,) * len(names)))
             + (_SIZE, _CTX, _DTYPE), doc=doc)


def _gamma_draw(rng, vals, shape):
    return rng.standard_gamma(np.broadcast_to(vals[0], shape)) * vals[1]


_plain("gamma", ["shape", "scale"], _gamma_draw, "Samples of the gamma distribution.")
_plain("beta", ["a", "b"], lambda rng, v, s: rng.beta(np.broadcast_to(v[0], s), np.broadcast_to(v[1], s)),
       "Samples of the beta distribution.")
_plain("chisquare", ["df"], lambda rng, v, s: rng.chisquare(np.broadcast_to(v[0], s)),
       "Samples of the chi-square distribution.")


def _bernoulli(attrs, ins, ctx):
    # with is_logit, the parameter (attribute or input) is the logit of the probability
    name = "logit" if attrs.is_logit else "prob"
    vals, shape = _params(attrs, [name], ins)
    p = 1 / (1 + np.exp(-vals[0])) if attrs.is_logit else vals[0]
    x = ctx.rng.random(shape) < np.broadcast_to(p, shape)
    return ctx.xp.asarray(x.astype(np.dtype(attrs.dtype if attrs.dtype is not None else np.float32)))


register("_npi_bernoulli", _bernoulli, needs_rng=True,
         inputs=lambda a: ["input1"] if a is None or a.get("logit" if a.get("is_logit") else "prob") is None else [],
         params=(Param("prob", "float", None), Param("logit", "float", None), Param("is_logit", "bool", False),
                 _SIZE, _CTX, _DTYPE),
         doc="0/1 samples that are 1 with probability prob (or sigmoid(logit) with is_logit).")


def _mvn(attrs, ins, ctx):
    mean, cov = (np.asarray(a.get() if hasattr(a, "get") else a, dtype=np.float64) for a in ins)
    k = mean.shape[-1]
    if cov.shape[-2:] != (k, k):
        raise MXNetError(f"Operator _npi_mvn_fallback: cov of shape {cov.shape} does not match mean of "
                         f"shape {mean.shape}")
    batch = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2])
    shape = tuple(attrs.size or ()) + batch + (k,)
    # a square root of each covariance that also serves positive semi-definite ones
    w, v = np.linalg.eigh(finite_for_lapack("_npi_mvn_fallback", cov))
    root = v * np.sqrt(np.clip(w, 0, None))[..., None, :]
    eps = ctx.rng.standard_normal(shape)
    x = mean + np.einsum("...ij,...j->...i", root, eps)
    return ctx.xp.asarray(x.astype(ins[0].dtype))


register("_npi_mvn_fallback", _mvn, inputs=("mean", "cov"), needs_rng=True, params=(_SIZE, _CTX),
         doc="Multivariate normal samples; mean (..., k) and cov (..., k, k) broadcast over their batch "
             "dimensions, size is put before them.")
