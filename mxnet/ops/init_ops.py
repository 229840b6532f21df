"""Operators that create arrays from parameters alone: zeros, ones, full, arange, linspace, eye."""
import numpy as np

from ..base import MXNetError
from ._util import check_alloc_size
from .registry import register, Param

_CREATE = (Param("shape", "shape", (), "the output shape"),
           Param("ctx", "str", "", "context (set by the front end)"),
           Param("dtype", "dtype", np.dtype(np.float32), "the output data type"))


def _dt(attrs):
    return attrs.dtype if attrs.dtype is not None else np.dtype(np.float32)


def _check_shape(name, shape):
    if any(d is None or d < 0 for d in shape):
        raise MXNetError(f"Operator {name}: shape {shape} must have non-negative dimensions")
    return shape


def _create_shape(attrs, shapes):
    # in a graph, negative (and legacy 0) dimensions are unknown, left for inference to fill in
    return [], [attrs.shape]


register("_zeros", lambda a, ins, ctx: ctx.xp.zeros(_check_shape("_zeros", a.shape), dtype=_dt(a)),
         inputs=(), params=_CREATE, infer_shape=_create_shape, doc="An array of zeros.")
register("_ones", lambda a, ins, ctx: ctx.xp.ones(_check_shape("_ones", a.shape), dtype=_dt(a)),
         inputs=(), params=_CREATE, infer_shape=_create_shape, doc="An array of ones.")
register("_full", lambda a, ins, ctx: ctx.xp.full(_check_shape("_full", a.shape), a.value, dtype=_dt(a)),
         inputs=(), params=_CREATE + (Param("value", "float", doc="the fill value"),),
         infer_shape=_create_shape, doc="An array filled with one value.")


def _arange(a, ins, ctx):
    start, stop, step = a.start, a.stop, a.step
    if stop is None:
        start, stop = 0.0, start
    if step == 0:
        raise MXNetError("Operator _arange: step must not be 0")
    n = int(np.ceil((stop - start) / step))
    if n <= 0:
        raise MXNetError(f"Operator _arange: empty range start={start} stop={stop} step={step}")
    xp = ctx.xp
    if _dt(a).kind in "iu":
        # MXNet steps in the output's integer type: start and step truncate first
        base = xp.arange(n, dtype=np.int64) * int(step) + int(start)
    else:
        base = xp.arange(n, dtype=np.float64) * step + start
    if a.repeat != 1:
        base = xp.repeat(base, a.repeat)
    return base.astype(_dt(a))


register("_arange", _arange, inputs=(), params=(
    Param("start", "float", doc="start of the interval"),
    Param("stop", "float", None, "end of the interval"),
    Param("step", "float", 1.0, "spacing between values"),
    Param("repeat", "int", 1, "times each element is repeated"),
    Param("infer_range", "bool", False, "infer the range from the output shape (symbolic only)"),
    Param("ctx", "str", ""),
    Param("dtype", "dtype", np.dtype(np.float32))), doc="Evenly spaced values in an interval.")


def _linspace(a, ins, ctx):
    r = ctx.xp.linspace(a.start, a.stop, a.num, endpoint=a.endpoint)
    if _dt(a).kind in "iu":
        from ..util import is_np_array
        # under NumPy semantics (mx.np graphs) integer results round down, as NumPy's do
        if is_np_array():
            r = ctx.xp.floor(r)
    return r.astype(_dt(a))


register("_linspace", _linspace, inputs=(), params=(
    Param("start", "float"), Param("stop", "float", None), Param("step", "float", 1.0),
    Param("repeat", "int", 1), Param("infer_range", "bool", False),
    Param("num", "int", 50), Param("endpoint", "bool", True),
    Param("ctx", "str", ""), Param("dtype", "dtype", np.dtype(np.float32))),
    doc="Evenly spaced numbers over an interval.")


def _eye(a, ins, ctx):
    m = a.M if a.M else a.N
    check_alloc_size("_eye", (a.N, m))
    return ctx.xp.eye(a.N, m, a.k, dtype=_dt(a))


register("_eye", _eye, inputs=(), params=(
    Param("N", "int"), Param("M", "int", 0), Param("k", "int", 0),
    Param("ctx", "str", ""), Param("dtype", "dtype", np.dtype(np.float32))),
    doc="A 2-D array with ones on a diagonal.")
