"""NumPy-interface sorting, set and search operators, and the ``mx.np.random`` samplers
(``_npi_sort``, ``_npi_unique``, ``_npi_uniform``, ...).  Samplers draw from ``ctx.rng``."""
import numpy as np

from .registry import register, Param
from . import np_random  # noqa: F401 - the distribution samplers


def _sort(attrs, ins, ctx):
    x = ins[0]
    # axis=None sorts the flattened array, as NumPy does
    r = ctx.xp.sort(x.ravel(), axis=-1) if attrs.axis is None else ctx.xp.sort(x, axis=attrs.axis)
    return r[..., ::-1] if attrs.get("is_ascend") is False else r


register("_npi_sort", _sort, params=(Param("axis", "int", -1, optional=True), Param("is_ascend", "bool", True)),
         doc="Sorted copy (no gradient).")


def _argsort(attrs, ins, ctx):
    x = ins[0]
    if attrs.axis is None:
        x, ax = x.ravel(), -1
    else:
        ax = attrs.axis
    r = ctx.xp.argsort(x, axis=ax, kind="stable")
    if not attrs.is_ascend:
        r = ctx.xp.flip(r, ax)
    return r.astype(np.dtype(attrs.dtype))


register("_npi_argsort", _argsort, params=(Param("axis", "int", -1, optional=True), Param("is_ascend", "bool", True),
                                           Param("dtype", "dtype", "float32")), doc="Indices that sort.")


def _unique_outs(attrs):
    return 1 + int(attrs.return_index) + int(attrs.return_inverse) + int(attrs.return_counts)


def _unique(attrs, ins, ctx):
    xp = ctx.xp
    res = np.unique(np.asarray(ins[0].get() if hasattr(ins[0], "get") else ins[0]),
                    return_index=attrs.return_index, return_inverse=attrs.return_inverse,
                    return_counts=attrs.return_counts, axis=attrs.axis)
    res = res if isinstance(res, tuple) else (res,)
    out = [xp.asarray(res[0])] + [xp.asarray(r.reshape(-1)).astype(np.int64) for r in res[1:]]
    return tuple(out) if len(out) > 1 else out[0]


register("_npi_unique", _unique, num_outputs=_unique_outs,
         params=(Param("return_index", "bool", False), Param("return_inverse", "bool", False),
                 Param("return_counts", "bool", False), Param("axis", "int", None)), doc="Unique elements.")
register("_npi_nonzero", lambda a, i, c: c.xp.stack(c.xp.nonzero(i[0]), axis=-1).astype(np.int64)
         if i[0].ndim else c.xp.zeros((int(bool(i[0])), 1), np.int64), inputs=("x",),
         aliases=("_npx_nonzero",), doc="Indices of non-zero elements, one row per element (a 0-d input "
                                        "reads as 1-d).")


# -- random ---------------------------------------------------------------------------------
_SIZE = Param("size", "shape", None)
_CTX = Param("ctx", "str", "cpu")


def _size(attrs):
    return () if attrs.size is None else attrs.size


def _randint(a, i, c):
    return c.xp.asarray(c.rng.integers(int(a.low), int(a.high), _size(a))).astype(np.dtype(a.dtype or np.int64))


register("_npi_random_randint", _randint, inputs=(), needs_rng=True,
         params=(Param("low", "int", 0), Param("high", "int", 1), _SIZE, _CTX, Param("dtype", "dtype", "int64")),
         doc="Random integers in [low, high).")


def _choice_inputs(attrs):
    # the population (when `a` is not a number) and then the weights are inputs
    if attrs is None:
        return ["input1", "input2"]
    return ["input1"] * (attrs.get("a") is None) + ["p"] * bool(attrs.get("weighted"))


def _choice(a, i, c):
    n = a.a if a.a is not None else int(i[0].shape[0])
    p = i[-1] if a.weighted else None
    p = None if p is None else np.asarray(p.get() if hasattr(p, "get") else p, dtype=np.float64)
    r = c.rng.choice(n, size=_size(a), replace=a.replace, p=None if p is None else p / p.sum())
    return c.xp.asarray(r).astype(np.int64)


register("_npi_choice", _choice, inputs=_choice_inputs,
         needs_rng=True, params=(Param("a", "int", None), _SIZE, _CTX, Param("replace", "bool", True),
                                 Param("weighted", "bool", False)),
         doc="Random integers below a (or below the length of the population input), uniform or "
             "weighted by p.")


def _shuffle(a, i, c):
    x = i[0].copy()
    c.rng.shuffle(x, axis=0)
    return x


register("_npi_shuffle", _shuffle, needs_rng=True, doc="A copy shuffled along the first axis.")
