"""NumPy-interface operators for shapes, joining, indexing, creation and reductions
(``_np_*``/``_npi_*`` names as MXNet 1.9.1 records them in symbol JSON).

Shape and indexing ops only move elements, so one gradient serves them all: run the
forward on the inputs' flat element indices and scatter-add the output gradient back
(``bincount``), which is exact for any gather, including repeated indices.
"""
import numpy as np

from ..base import MXNetError
from ._util import check_alloc_size, check_int32, diag_offset, repeat_shape, tile_shape
from .registry import register, Param


def _gather_backward(fwd):
    def backward(attrs, og, ins, outs, ctx, state):
        xp = ctx.xp
        sizes = [int(x.size) for x in ins]
        offs = np.cumsum([0] + sizes)
        idx = [xp.arange(o, o + s, dtype=np.int64).reshape(x.shape) for o, s, x in zip(offs, sizes, ins)]
        res = fwd(attrs, idx, xp)
        res = res if isinstance(res, (tuple, list)) else (res,)
        total = xp.zeros(int(offs[-1]), dtype=np.float64)
        for r, g in zip(res, og):
            if g is not None:
                total += xp.bincount(r.ravel(), weights=g.ravel().astype(np.float64), minlength=int(offs[-1]))
        return [total[o:o + s].reshape(x.shape).astype(x.dtype) for o, s, x in zip(offs, sizes, ins)]
    return backward


def gather_op(name, fwd, inputs=("a",), params=(), num_outputs=1, variadic=None, doc=""):
    """Register an element-moving op; ``fwd(attrs, arrays, xp)`` must not depend on values."""
    def forward(attrs, ins, ctx):
        r = fwd(attrs, ins, ctx.xp)
        return tuple(r) if isinstance(r, list) else r
    register(name, forward, inputs=inputs, params=params, backward=_gather_backward(fwd),
             num_outputs=num_outputs, variadic=variadic, doc=doc)


def _axes_param(name="axis", default=None):
    return Param(name, "any", default)


gather_op("_np_reshape", lambda a, x, xp: x[0].reshape(a.newshape, order=a.order),
          params=(Param("newshape", "shape"), Param("order", "str", "C")), doc="Reshape (NumPy rules).")
gather_op("_np_transpose", lambda a, x, xp: xp.transpose(x[0], a.axes), params=(_axes_param("axes"),),
          doc="Permute the axes.")
gather_op("_npi_swapaxes", lambda a, x, xp: xp.swapaxes(x[0], a.dim1, a.dim2),
          params=(Param("dim1", "int", 0), Param("dim2", "int", 0)), doc="Swap two axes.")
gather_op("_np_moveaxis", lambda a, x, xp: xp.moveaxis(x[0], a.source, a.destination),
          params=(_axes_param("source", 0), _axes_param("destination", 0)), doc="Move axes.")
gather_op("_npi_expand_dims", lambda a, x, xp: xp.expand_dims(x[0], a.axis),
          params=(Param("axis", "int"),), doc="Insert a size-1 axis.")
gather_op("_np_squeeze", lambda a, x, xp: xp.squeeze(x[0], a.axis), params=(_axes_param(),),
          doc="Remove size-1 axes.")
gather_op("_npi_flip", lambda a, x, xp: xp.flip(x[0], a.axis), params=(_axes_param(),), doc="Reverse axes.")
gather_op("_np_roll", lambda a, x, xp: xp.roll(x[0], a.shift, a.axis),
          params=(_axes_param("shift"), _axes_param()), doc="Roll elements along axes.")
gather_op("_npi_rot90", lambda a, x, xp: xp.rot90(x[0], a.k, a.axes),
          params=(Param("k", "int", 1), Param("axes", "shape", (0, 1))), doc="Rotate by 90 degrees.")
def _np_tile(a, x, xp):
    tile_shape("_npi_tile", x[0].shape, a.reps)
    return xp.tile(x[0], a.reps)


def _np_repeat(a, x, xp):
    axis = a.axis
    if axis is not None:
        # checked here: NumPy reads axis=-2**31 as None (the flattened input)
        if not -x[0].ndim <= axis < x[0].ndim:
            raise MXNetError(f"Operator _np_repeat: axis={axis} is out of range for an input of "
                             f"{x[0].ndim} dimensions")
        axis %= x[0].ndim
    repeat_shape("_np_repeat", x[0].shape, a.repeats, axis)
    return xp.repeat(x[0], a.repeats, axis)


gather_op("_npi_tile", _np_tile, params=(Param("reps", "shape"),), doc="Tile an array.")
gather_op("_np_repeat", _np_repeat,
          params=(Param("repeats", "int"), Param("axis", "int", None)), doc="Repeat elements.")
def _broadcast_shape(shape, target):
    """``target`` with npx's -2 entries taken from ``shape`` (both aligned on the right)."""
    lead = len(target) - len(shape)
    return tuple(shape[i - lead] if d == -2 and i >= lead else d for i, d in enumerate(target))


gather_op("_npi_broadcast_to",
          lambda a, x, xp: xp.ascontiguousarray(xp.broadcast_to(x[0], _broadcast_shape(x[0].shape, a.shape))),
          inputs=("array",), params=(Param("shape", "shape"),), doc="Broadcast to a shape.")
gather_op("_np_diagonal",
          lambda a, x, xp: xp.diagonal(x[0], diag_offset(a.offset, x[0].shape, a.axis1, a.axis2),
                                       a.axis1, a.axis2).copy(),
          inputs=("data",), params=(Param("offset", "int", 0), Param("axis1", "int", 0), Param("axis2", "int", 1)),
          doc="Diagonals of an array.")
gather_op("_npi_getitem", lambda a, x, xp: x[0][a.key], params=(Param("key", "any", ()),),
          doc="NumPy basic/advanced/boolean indexing of mx.np arrays (mxnext's internal op).")


def _take_fwd(attrs, ins, ctx):
    a, idx = ins
    return ctx.xp.take(a, idx.astype(np.int64), axis=attrs.axis, mode=attrs.mode)


def _take_bwd(attrs, og, ins, outs, ctx, state):
    a, idx = ins
    xp = ctx.xp
    ia = xp.arange(a.size, dtype=np.int64).reshape(a.shape)
    r = xp.take(ia, idx.astype(np.int64), axis=attrs.axis, mode=attrs.mode)
    g = xp.bincount(r.ravel(), weights=og[0].ravel().astype(np.float64), minlength=a.size)
    return [g.reshape(a.shape).astype(a.dtype), xp.zeros_like(idx)]


register("_npi_take", _take_fwd, inputs=("a", "indices"), backward=_take_bwd,
         params=(Param("axis", "int", None), Param("mode", "str", "clip")), doc="Take elements by index.")


def _variadic(name, fn, doc, axis_optional=False):
    gather_op(name, lambda a, x, xp: fn(a, list(x), xp), inputs=("data",), variadic="num_args",
              params=(Param("num_args", "int", None), Param("axis", "int", 0, optional=axis_optional)),
              doc=doc)


# axis=None joins the flattened arrays
_variadic("_npi_concatenate", lambda a, x, xp: xp.concatenate(
    x if a.axis is not None else [v.ravel() for v in x], axis=a.axis), "Join arrays along an axis.",
    axis_optional=True)
_variadic("_npi_stack", lambda a, x, xp: xp.stack(x, axis=a.axis), "Stack arrays along a new axis.")
_variadic("_npi_vstack", lambda a, x, xp: xp.vstack(x), "Stack arrays vertically.")
_variadic("_npi_hstack", lambda a, x, xp: xp.hstack(x), "Stack arrays horizontally.")
_variadic("_npi_dstack", lambda a, x, xp: xp.dstack(x), "Stack arrays along the third axis.")
_variadic("_npi_column_stack", lambda a, x, xp: xp.column_stack(x), "Stack 1-D arrays as columns.")


def _split(attrs, x, xp):
    a = x[0]
    ind = attrs.indices
    _nsplit(attrs)
    if attrs.sections > 0:
        parts = xp.array_split(a, attrs.sections, axis=attrs.axis)
    else:
        parts = xp.split(a, list(ind[1:]) if ind and ind[0] == 0 else list(ind), axis=attrs.axis)
    if attrs.squeeze:
        parts = [p.squeeze(attrs.axis) for p in parts]
    return [p.copy() for p in parts]


def _nsplit(attrs):
    # a C int in MXNet; larger counts built that many (empty) parts (GBs)
    check_int32("_npi_split", "sections", attrs.sections)
    if attrs.sections > 0:
        return attrs.sections
    ind = attrs.indices
    return len(ind) if ind and ind[0] == 0 else len(ind) + 1


gather_op("_npi_split", _split, inputs=("data",), num_outputs=_nsplit,
          params=(Param("indices", "shape", ()), Param("axis", "int", 0), Param("squeeze", "bool", False),
                  Param("sections", "int", 0)), doc="Split into sub-arrays.")


# -- masked / selecting ops ------------------------------------------------------------------
def _tril_fwd(attrs, ins, ctx):
    return ctx.xp.tril(ins[0], attrs.k) if attrs.lower else ctx.xp.triu(ins[0], attrs.k)


def _tril_bwd(attrs, og, ins, outs, ctx, state):
    g = _tril_fwd(attrs, [og[0]], ctx)
    # a 1-d input was repeated along the rows of the result
    return [g.sum(axis=0).astype(g.dtype, copy=False) if ins[0].ndim == 1 else g]


register("_npi_tril", _tril_fwd, inputs=("data",), params=(Param("k", "int", 0), Param("lower", "bool", True)),
         backward=_tril_bwd, doc="Lower (or upper) triangle.")


def _clip_fwd(attrs, ins, ctx):
    return ctx.xp.clip(ins[0], attrs.a_min, attrs.a_max).astype(ins[0].dtype, copy=False)


def _clip_bwd(attrs, og, ins, outs, ctx, state):
    x = ins[0]
    m = ctx.xp.ones(x.shape, dtype=bool)
    if attrs.a_min is not None:
        m &= x >= attrs.a_min
    if attrs.a_max is not None:
        m &= x <= attrs.a_max
    return [(og[0] * m).astype(x.dtype)]


register("_npi_clip", _clip_fwd, inputs=("a",), backward=_clip_bwd,
         params=(Param("a_min", "float", None), Param("a_max", "float", None)), doc="Clip values to a range.")


def _where_fwd(attrs, ins, ctx):
    c, x, y = ins
    from .np_elemwise import promote
    return ctx.xp.where(c != 0, x, y).astype(promote(x.dtype, y.dtype), copy=False)


def _where_bwd(attrs, og, ins, outs, ctx, state):
    from ._util import sum_to
    c, x, y = ins
    g = og[0]
    m = ctx.xp.broadcast_to(c != 0, g.shape)
    return [ctx.xp.zeros_like(c), sum_to(ctx.xp, g * m, x.shape).astype(x.dtype),
            sum_to(ctx.xp, g * ~m, y.shape).astype(y.dtype)]


register("_npi_where", _where_fwd, inputs=("condition", "x", "y"), backward=_where_bwd,
         doc="Pick from x where condition holds, else y.")


def _where_s(kind):
    def fwd(attrs, ins, ctx):
        c, x = ins
        s = attrs.scalar
        a, b = (s, x) if kind == "l" else (x, s)
        return ctx.xp.where(c != 0, a, b).astype(x.dtype, copy=False)

    def bwd(attrs, og, ins, outs, ctx, state):
        c, x = ins
        m = ctx.xp.broadcast_to(c != 0, og[0].shape)
        from ._util import sum_to
        keep = ~m if kind == "l" else m
        return [ctx.xp.zeros_like(c), sum_to(ctx.xp, og[0] * keep, x.shape).astype(x.dtype)]
    return fwd, bwd


for _k in ("l", "r"):
    _f, _b = _where_s(_k)
    register(f"_npi_where_{_k}scalar", _f, inputs=("condition", "x"), backward=_b,
             params=(Param("scalar", "float", 0.0),), doc="where with one scalar branch.")


def _where2(attrs, ins, ctx):
    return ctx.xp.where(ins[0] != 0, attrs.x, attrs.y).astype(np.float32)


register("_npi_where_scalar2", _where2, inputs=("condition",),
         params=(Param("x", "float", 0.0), Param("y", "float", 0.0)), doc="where with two scalars.")


# -- creation ------------------------------------------------------------------------------
_CTX = Param("ctx", "str", "", "the device")


def _dt(attrs, default=np.float32):
    return np.dtype(attrs.dtype if attrs.dtype is not None else default)


register("_npi_zeros", lambda a, i, c: c.xp.zeros(a.shape, _dt(a)), inputs=(),
         params=(Param("shape", "shape", ()), _CTX, Param("dtype", "dtype", "float32")), doc="Zeros.")
register("_npi_ones", lambda a, i, c: c.xp.ones(a.shape, _dt(a)), inputs=(),
         params=(Param("shape", "shape", ()), _CTX, Param("dtype", "dtype", "float32")), doc="Ones.")
register("_npi_full", lambda a, i, c: c.xp.full(a.shape, a.value, _dt(a)), inputs=(),
         params=(Param("shape", "shape", ()), _CTX, Param("dtype", "dtype", "float32"),
                 Param("value", "float", 0.0)), doc="An array filled with a value.")
register("_npi_full_like", lambda a, i, c: c.xp.full(i[0].shape, a.fill_value, _dt(a, i[0].dtype)),
         inputs=("a",), params=(Param("fill_value", "float", 0.0), _CTX, Param("dtype", "dtype", None)),
         doc="An array shaped like a, filled with a value.")
register("_npi_identity", lambda a, i, c: c.xp.eye(a.shape[0], dtype=_dt(a)), inputs=(),
         params=(Param("shape", "shape", ()), _CTX, Param("dtype", "dtype", "float32")), doc="Identity.")
def _np_eye(a, i, c):
    check_alloc_size("_npi_eye", (a.N, a.N if a.M is None else a.M))
    return c.xp.eye(a.N, a.M, a.k, dtype=_dt(a))


register("_npi_eye", _np_eye, inputs=(),
         params=(Param("N", "int"), Param("M", "int", None), Param("k", "int", 0), _CTX,
                 Param("dtype", "dtype", "float32")), doc="Ones on a diagonal.")


def _arange(a, i, c):
    start, stop = (0.0, a.start) if a.stop is None else (a.start, a.stop)
    r = c.xp.arange(start, stop, a.step, dtype=np.float64)
    if a.repeat != 1:
        r = c.xp.repeat(r, a.repeat)
    return r.astype(_dt(a))


register("_npi_arange", _arange, inputs=(),
         params=(Param("start", "float", 0.0), Param("stop", "float", None), Param("step", "float", 1.0),
                 Param("repeat", "int", 1), Param("infer_range", "bool", False), _CTX,
                 Param("dtype", "dtype", "float32")), doc="Evenly spaced values in an interval.")
def _linspace(a, i, c):
    r = c.xp.linspace(a.start, a.stop, a.num, endpoint=a.endpoint)
    # integer results round down, as NumPy's do
    return (c.xp.floor(r) if _dt(a).kind in "iu" else r).astype(_dt(a))


register("_npi_linspace", _linspace,
         inputs=(), params=(Param("start", "float", 0.0), Param("stop", "float", 1.0), Param("num", "int", 50),
                            Param("endpoint", "bool", True), _CTX, Param("dtype", "dtype", "float32")),
         doc="Evenly spaced numbers over an interval.")
