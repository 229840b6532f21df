"""Operator family: random sampling.

* ``_random_<dist>``: scalar distribution parameters, a ``shape``; no array inputs.
* ``_random_<dist>_like``: scalar parameters, shape and dtype taken from ``data``.
* ``_sample_<dist>``: one distribution per element of the parameter arrays; the output
  shape is the parameters' shape followed by ``shape``.
* ``_sample_multinomial`` and ``_shuffle``.

Every draw comes from ``ctx.rng`` (a NumPy ``Generator`` on CPU, CuPy's on GPU), so
``mx.random.seed`` makes them reproducible.  The numbers differ from MXNet's own
generator; the distributions are the same.
"""
import numpy as np

from ..base import MXNetError, DeferredOpError
from ..util import is_np_shape
from .registry import register, Param

_F32 = np.dtype(np.float32)
_FLOAT_CHOICES = ("float16", "float32", "float64")


# -- drawing helpers (xp-generic: NumPy and CuPy Generators share these methods) -------
def _std_uniform(rng, size, dt):
    if dt == np.float64:
        return rng.random(size, dtype=np.float64)
    return rng.random(size, dtype=np.float32).astype(dt, copy=False)


def _std_normal(rng, size, dt):
    if dt == np.float64:
        return rng.standard_normal(size, dtype=np.float64)
    return rng.standard_normal(size, dtype=np.float32).astype(dt, copy=False)


def _std_exponential(rng, size, dt):
    if dt == np.float64:
        return rng.standard_exponential(size, dtype=np.float64)
    return rng.standard_exponential(size, dtype=np.float32).astype(dt, copy=False)


def _std_gamma(rng, xp, alpha, size, dt):
    """Gamma(alpha, 1) draws; ``alpha`` is a scalar or an array broadcastable to ``size``."""
    wdt = np.float64 if dt == np.float64 else np.float32
    a = xp.broadcast_to(xp.asarray(alpha, dtype=wdt), size)
    return rng.standard_gamma(a, dtype=wdt).astype(dt, copy=False)


def _poisson(rng, xp, lam, size, dt):
    lam = xp.broadcast_to(xp.asarray(lam, dtype=np.float64), size)
    return rng.poisson(lam).astype(dt)


def _neg_binomial(rng, xp, k, p, size, dt):
    # failures before the k-th success: Poisson with a Gamma(k, (1-p)/p) rate
    k = xp.asarray(k, dtype=np.float64)
    p = xp.asarray(p, dtype=np.float64)
    safe_k = xp.where(k > 0, k, 1.0)
    lam = _std_gamma(rng, xp, safe_k, size, np.dtype(np.float64)) * ((1.0 - p) / p)
    # p > 1 has no meaning; MXNet returns zeros there, as a zero rate does
    lam = xp.where(xp.broadcast_to(k > 0, size), xp.maximum(lam, 0.0), 0.0)
    return _poisson(rng, xp, lam, size, dt)


def _gen_neg_binomial(rng, xp, mu, alpha, size, dt):
    # mean mu, variance mu + alpha * mu^2; alpha == 0 is plain Poisson(mu)
    mu = xp.broadcast_to(xp.asarray(mu, dtype=np.float64), size)
    alpha = xp.broadcast_to(xp.asarray(alpha, dtype=np.float64), size)
    safe_a = xp.where(alpha > 0, alpha, 1.0)
    lam = _std_gamma(rng, xp, 1.0 / safe_a, size, np.dtype(np.float64)) * safe_a * mu
    return _poisson(rng, xp, xp.where(alpha > 0, lam, mu), size, dt)


def _draw(dist, rng, xp, p, size, dt):
    """Draw ``dist`` with parameters ``p`` (scalars or arrays broadcastable to ``size``)."""
    if dist == "uniform":
        low, high = p
        return (low + (high - low) * _std_uniform(rng, size, dt)).astype(dt, copy=False)
    if dist == "normal":
        loc, scale = p
        return (loc + scale * _std_normal(rng, size, dt)).astype(dt, copy=False)
    if dist == "exponential":
        return (_std_exponential(rng, size, dt) / p[0]).astype(dt, copy=False)
    if dist == "gamma":
        alpha, beta = p
        return (_std_gamma(rng, xp, alpha, size, dt) * beta).astype(dt, copy=False)
    if dist == "poisson":
        return _poisson(rng, xp, p[0], size, dt)
    if dist == "negative_binomial":
        return _neg_binomial(rng, xp, p[0], p[1], size, dt)
    return _gen_neg_binomial(rng, xp, p[0], p[1], size, dt)


# distribution -> (MXNet parameter names and defaults for _random_*, input names for _sample_*)
_DISTS = {
    "uniform": ((("low", "float", 0.0), ("high", "float", 1.0)), ("low", "high")),
    "normal": ((("loc", "float", 0.0), ("scale", "float", 1.0)), ("mu", "sigma")),
    "gamma": ((("alpha", "float", 1.0), ("beta", "float", 1.0)), ("alpha", "beta")),
    "exponential": ((("lam", "float", 1.0),), ("lam",)),
    "poisson": ((("lam", "float", 1.0),), ("lam",)),
    "negative_binomial": ((("k", "int", 1), ("p", "float", 1.0)), ("k", "p")),
    "generalized_negative_binomial": ((("mu", "float", 1.0), ("alpha", "float", 1.0)), ("mu", "alpha")),
}


def _check_scalar_params(name, dist, a, xp, size, dtype):
    """The argument checks MXNet makes on scalar distribution parameters; as MXNet's samplers
    check them while running, a failure is reported when the (zero) result is read."""
    checks = {
        "uniform": (a.get("high", 0) >= a.get("low", 0), "low must be less or equal to high"),
        "normal": (a.get("scale", 1) > 0, "scale must be positive"),
        "gamma": (a.get("alpha", 1) > 0 and a.get("beta", 1) > 0, "alpha and beta must be positive"),
        "exponential": (a.get("lam", 1) > 0, "lam must be positive"),
        "poisson": (a.get("lam", 1) >= 0, "lam must be non-negative"),
        "negative_binomial": (a.get("k", 1) >= 0, "k must be non-negative"),
        "generalized_negative_binomial": (a.get("alpha", 1) >= 0, "alpha must be non-negative"),
    }
    ok, msg = checks[dist]
    if not ok:
        vals = ", ".join(f"{p[0]}={a[p[0]]}" for p in _DISTS[dist][0])
        raise DeferredOpError(f"Operator {name}: {msg} ({vals})", xp.zeros(size, dtype))


def _out_shape(name, shape):
    if shape is None or (len(shape) == 0 and not is_np_shape()):  # () is a scalar's shape under np shapes
        raise MXNetError(f"Operator {name}: cannot infer the output shape: argument 'shape' must be "
                         f"a non-empty tuple, got {shape}")
    if any(d is None or d < 0 for d in shape):
        raise MXNetError(f"Operator {name}: shape {shape} must have non-negative dimensions")
    if 0 in shape and not is_np_shape():  # legacy shapes read 0 as an unknown dimension
        raise MXNetError(f"Operator {name}: cannot infer the output shape: shape {tuple(shape)} has "
                         f"an unknown (zero) dimension")
    return tuple(shape)


def _float_dt(dt):
    """Output dtype of a float sampler: float32 unless ``dtype`` says otherwise."""
    return _F32 if dt is None else dt


# -- _random_<dist> and _random_<dist>_like ---------------------------------------------
def _make_random(dist):
    name = f"_random_{dist}"
    pspecs = _DISTS[dist][0]
    pnames = [p[0] for p in pspecs]

    def forward(attrs, inputs, ctx):
        size = _out_shape(name, attrs.shape)
        dt = _float_dt(attrs.dtype)
        _check_scalar_params(name, dist, attrs, ctx.xp, size, dt)
        return _draw(dist, ctx.rng, ctx.xp, [attrs[p] for p in pnames], size, dt)

    def infer_shape(attrs, in_shapes):
        shape = attrs.shape if attrs.shape else None
        return [], [tuple(shape) if shape else None]

    def infer_type(attrs, in_types):
        return [], [_float_dt(attrs.dtype)]

    params = tuple(Param(n, k, d, f"the {n} parameter of the {dist} distribution") for n, k, d in pspecs)
    params += (Param("shape", "shape", None, "the output shape"),
               Param("ctx", "str", "", "context of the output (set by the front end)"),
               Param("dtype", "dtype", None, "output type (float32 when None)", choices=_FLOAT_CHOICES))
    register(name, forward, inputs=(), params=params, aliases=(f"random_{dist}",) + (
        (dist,) if dist in ("uniform", "normal") else ()), infer_shape=infer_shape, infer_type=infer_type,
        differentiable=False, needs_rng=True,
        doc=f"Draw samples from a {dist.replace('_', ' ')} distribution with scalar parameters.")

    def forward_like(attrs, inputs, ctx):
        data = inputs[0]
        if data.dtype.kind != "f":
            raise MXNetError(f"Operator {name}_like: only floating point data is supported, "
                             f"got {data.dtype}")
        _check_scalar_params(name + "_like", dist, attrs, ctx.xp, tuple(data.shape), data.dtype)
        return _draw(dist, ctx.rng, ctx.xp, [attrs[p] for p in pnames], tuple(data.shape), data.dtype)

    def backward_like(attrs, ograds, inputs, outputs, ctx, state):
        return [ctx.xp.zeros_like(inputs[0])]

    register(name + "_like", forward_like, inputs=("data",), params=params[:len(pspecs)],
             backward=backward_like, needs_rng=True,
             doc=f"Draw {dist.replace('_', ' ')} samples shaped and typed like ``data``.")


# -- _sample_<dist> --------------------------------------------------------------------
def _make_sample(dist):
    name = f"_sample_{dist}"
    in_names = _DISTS[dist][1]

    def shapes(attrs, param_shape):
        return tuple(param_shape) + tuple(attrs.shape or ())

    def forward(attrs, inputs, ctx):
        p0 = inputs[0]
        for n, x in zip(in_names[1:], inputs[1:]):
            if tuple(x.shape) != tuple(p0.shape):
                raise MXNetError(f"Operator {name}: parameter '{n}' has shape {tuple(x.shape)} but "
                                 f"'{in_names[0]}' has shape {tuple(p0.shape)}; they must match")
        dt = _float_dt(attrs.dtype)
        extra = (1,) * len(attrs.shape or ())
        ps = [x.reshape(tuple(x.shape) + extra).astype(dt if dist in ("uniform", "normal") else x.dtype)
              for x in inputs]
        return _draw(dist, ctx.rng, ctx.xp, ps, shapes(attrs, p0.shape), dt)

    def backward(attrs, ograds, inputs, outputs, ctx, state):
        # samples are not reparameterised: MXNet gives the parameters zero gradient
        return [ctx.xp.zeros_like(x) for x in inputs]

    def infer_shape(attrs, in_shapes):
        known = next((s for s in in_shapes if s is not None), None)
        ins = [known if s is None else s for s in in_shapes]
        return ins, [shapes(attrs, known) if known is not None else None]

    def infer_type(attrs, in_types):
        known = next((t for t in in_types if t is not None), _F32)
        return [known if t is None else t for t in in_types], [_float_dt(attrs.dtype)]

    register(name, forward, inputs=in_names, backward=backward, params=(
        Param("shape", "shape", (), "shape drawn for each parameter element"),
        Param("dtype", "dtype", None, "output type (float32 when None)", choices=_FLOAT_CHOICES)),
        aliases=(f"sample_{dist}",), infer_shape=infer_shape, infer_type=infer_type, needs_rng=True,
        doc=f"Draw {dist.replace('_', ' ')} samples for each element of the parameter arrays.")


for _dist in _DISTS:
    _make_random(_dist)
    _make_sample(_dist)


# -- _random_randint ------------------------------------------------------------------
def _randint(attrs, inputs, ctx):
    name = "_random_randint"
    dt = np.dtype(np.int32) if attrs.dtype is None else attrs.dtype
    size = _out_shape(name, attrs.shape)
    if attrs.high < attrs.low:
        raise DeferredOpError(f"Operator {name}: low must be less or equal to high "
                              f"(low={attrs.low}, high={attrs.high})", ctx.xp.zeros(size, dt))
    return ctx.rng.integers(attrs.low, attrs.high, size=size, dtype=np.int64).astype(dt)


register("_random_randint", _randint, inputs=(), params=(
    Param("low", "int", doc="lower bound (inclusive)"),
    Param("high", "int", doc="upper bound (exclusive)"),
    Param("shape", "shape", None, "the output shape"),
    Param("ctx", "str", "", "context of the output (set by the front end)"),
    Param("dtype", "dtype", None, "output type (int32 when None)", choices=("int32", "int64"))),
    aliases=("random_randint",), differentiable=False, needs_rng=True,
    infer_shape=lambda a, s: ([], [tuple(a.shape) if a.shape else None]),
    infer_type=lambda a, t: ([], [np.dtype(np.int32) if a.dtype is None else a.dtype]),
    doc="Draw integers uniformly from [low, high).")


# -- _sample_multinomial --------------------------------------------------------------
def _multinomial_shape(attrs, data_shape):
    shape = tuple(data_shape[:-1]) + tuple(attrs.shape or ())
    return shape or (1,)  # MXNet's legacy shapes have no 0-d arrays


def _multinomial(attrs, inputs, ctx):
    xp = ctx.xp
    data = inputs[0]
    if data.ndim == 0:
        raise MXNetError("Operator _sample_multinomial: data must have at least 1 dimension")
    k = data.shape[-1]
    batch = tuple(data.shape[:-1])
    extra = tuple(attrs.shape or ())
    cdf = xp.cumsum(data.astype(np.float64), axis=-1).reshape(batch + (1,) * len(extra) + (k,))
    u = _std_uniform(ctx.rng, batch + extra, np.dtype(np.float64))
    # index of the first category whose cumulative probability exceeds u; like MXNet,
    # rows that sum to less than 1 can give k
    idx = (cdf <= u[..., None]).sum(axis=-1)
    out_shape = _multinomial_shape(attrs, data.shape)
    samples = idx.astype(attrs.dtype).reshape(out_shape)
    if not attrs.get_prob:
        return samples
    flat = data.reshape(batch + (1,) * len(extra) + (k,))
    picked = xp.take_along_axis(xp.broadcast_to(flat, batch + extra + (k,)),
                                xp.minimum(idx, k - 1)[..., None], axis=-1)[..., 0]
    return samples, xp.log(picked).astype(data.dtype).reshape(out_shape)


def _multinomial_backward(attrs, ograds, inputs, outputs, ctx, state):
    xp = ctx.xp
    data = inputs[0]
    if not attrs.get_prob or ograds[1] is None:
        return [xp.zeros_like(data)]
    k = data.shape[-1]
    batch = tuple(data.shape[:-1])
    extra = tuple(attrs.shape or ())
    idx = outputs[0].reshape(batch + extra).astype(np.int64)
    og = ograds[1].reshape(batch + extra)
    onehot = idx[..., None] == xp.arange(k)
    # d log p[s] / d p[s] = 1 / p[s], summed over every draw of s
    axes = tuple(range(len(batch), len(batch) + len(extra)))
    acc = xp.where(onehot, og[..., None], 0).sum(axis=axes).astype(data.dtype)
    hit = onehot.any(axis=axes)
    safe = xp.where(hit, data, 1)
    return [xp.where(hit, acc / safe, 0).astype(data.dtype)]


def _multinomial_infer_shape(attrs, in_shapes):
    s = in_shapes[0]
    return in_shapes, [_multinomial_shape(attrs, s) if s is not None else None] * (2 if attrs.get_prob else 1)


register("_sample_multinomial", _multinomial, inputs=("data",), params=(
    Param("shape", "shape", (), "number of draws per distribution (as a shape)"),
    Param("get_prob", "bool", False, "also return the log probability of each draw"),
    Param("dtype", "dtype", np.dtype(np.int32), "type of the sampled indices",
          choices=("float16", "float32", "float64", "int32", "uint8"))),
    aliases=("sample_multinomial",), backward=_multinomial_backward, needs_rng=True,
    num_outputs=lambda a: 2 if a.get_prob else 1, infer_shape=_multinomial_infer_shape,
    infer_type=lambda a, t: (t, [a.dtype] + ([t[0]] if a.get_prob else [])),
    doc="Draw category indices from the multinomial distributions in the last axis of ``data``.")


# -- _shuffle ---------------------------------------------------------------------------
def _shuffle(attrs, inputs, ctx):
    data = inputs[0]
    if data.ndim == 0:
        raise MXNetError("Operator _shuffle: data must have at least 1 dimension")
    perm = ctx.xp.argsort(_std_uniform(ctx.rng, (data.shape[0],), np.dtype(np.float64)))
    return data[perm]


register("_shuffle", _shuffle, inputs=("data",), aliases=("shuffle",), needs_rng=True, fgradient=False,
         differentiable=False, infer_shape=lambda a, s: (s, [s[0]]),
         doc="Randomly permute ``data`` along its first axis.")


# -- _sample_unique_zipfian -------------------------------------------------------------
def _unique_zipfian(attrs, inputs, ctx):
    name = "_sample_unique_zipfian"
    shape = attrs.shape
    if shape is None or len(shape) != 2:
        raise MXNetError(f"Operator {name}: shape must be 2-D (batch_size, num_sampled), got {shape}")
    batch, num_sampled = shape
    range_max = attrs.range_max
    if num_sampled > range_max:
        raise MXNetError(f"Operator {name}: cannot draw {num_sampled} distinct classes from {range_max}")
    log_range = np.log(range_max + 1)
    out = np.empty((batch, num_sampled), dtype=np.int64)
    trials = np.empty((batch,), dtype=np.int64)
    for b in range(batch):
        seen, tries, chunk = {}, 0, max(2 * num_sampled, 64)
        # draw candidates in chunks; a class counts at its first draw, and the trials are the draws
        # made up to the one that completes the set
        while len(seen) < num_sampled:
            u = ctx.backend.to_numpy(_std_uniform(ctx.rng, (chunk,), np.dtype(np.float64)))
            cand = (np.exp(u * log_range).astype(np.int64) - 1) % range_max
            for c in cand.tolist():
                tries += 1
                if c not in seen:
                    seen[c] = None
                    if len(seen) == num_sampled:
                        break
        out[b] = list(seen)
        trials[b] = tries
    return ctx.xp.asarray(out), ctx.xp.asarray(trials)


register("_sample_unique_zipfian", _unique_zipfian, inputs=(), params=(
    Param("range_max", "int", doc="the number of classes: draws are in [0, range_max)"),
    Param("shape", "shape", None, "(batch_size, num_sampled)")),
    aliases=("sample_unique_zipfian",), differentiable=False, needs_rng=True, num_outputs=2,
    infer_shape=lambda a, s: ([], [tuple(a.shape), (a.shape[0],)] if a.shape else [None, None]),
    infer_type=lambda a, t: ([], [np.dtype(np.int64)] * 2),
    doc="Per batch row, ``num_sampled`` distinct classes drawn from the approximately log-uniform "
        "(Zipfian) distribution P(c) = log((c + 2) / (c + 1)) / log(range_max + 1), and the number of "
        "draws it took.")
