"""Shape, layout and indexing operators."""
import numpy as np

from ..base import MXNetError
from ..util import is_np_shape
from ._util import (check_alloc_size, check_int32, like_data, merge_shapes, norm_axis, repeat_shape,
                    sum_to, tile_shape)
from .registry import register, Param


# -- Cast ---------------------------------------------------------------------------
def _cast_fwd(attrs, ins, ctx):
    return ins[0].astype(attrs.dtype)


def _cast_bwd(attrs, og, ins, outs, ctx, state):
    return [None if og[0] is None else og[0].astype(ins[0].dtype)]


def _cast_type(attrs, types):
    return types, [attrs.dtype]


register("Cast", _cast_fwd, params=(Param("dtype", "dtype", doc="output data type"),),
         backward=_cast_bwd, infer_type=_cast_type, aliases=("cast",), **like_data(),
         doc="Casts all elements of the input to a new type.")


# -- Reshape with MXNet's special codes -------------------------------------------------
def infer_reshape(src, target, reverse=False, opname="Reshape"):
    """Resolve MXNet's reshape codes 0, -1, -2, -3, -4 against ``src``."""
    src = tuple(src)
    target = tuple(target)
    if reverse:
        # MXNet mirrors the input shape and the whole code list (a -4 then follows its pair)
        out = infer_reshape(src[::-1], target[::-1], False, opname)
        return tuple(out[::-1])
    out = []
    i = 0          # position in src
    j = 0
    unknown = -1
    while j < len(target):
        d = target[j]
        if d == 0:
            if i >= len(src):
                raise MXNetError(f"Operator {opname}: shape code 0 at position {j} has no input dimension")
            out.append(src[i])
            i += 1
        elif d == -1:
            if unknown >= 0:
                raise MXNetError(f"Operator {opname}: more than one -1 in shape {target}")
            unknown = len(out)
            out.append(-1)
            i += 1
        elif d == -2:
            out.extend(src[i:])
            i = len(src)
        elif d == -3:
            if i + 1 >= len(src):
                raise MXNetError(f"Operator {opname}: -3 needs two input dimensions at position {i}")
            out.append(src[i] * src[i + 1])
            i += 2
        elif d == -4:
            if j + 2 >= len(target) or i >= len(src):
                raise MXNetError(f"Operator {opname}: -4 must be followed by two dimensions")
            a, b = target[j + 1], target[j + 2]
            s = src[i]
            if a == -1 and b == -1:
                raise MXNetError(f"Operator {opname}: -4 split cannot have both parts -1")
            if a == -1:
                a = s // b
            if b == -1:
                b = s // a
            if a * b != s:
                raise MXNetError(f"Operator {opname}: cannot split dimension {s} into ({a}, {b})")
            out.extend([a, b])
            i += 1
            j += 2
        elif d > 0:
            out.append(d)
            i += 1
        else:
            raise MXNetError(f"Operator {opname}: invalid shape code {d} in {target}")
        j += 1
    total = int(np.prod(src)) if src else 1
    if unknown >= 0:
        known = int(np.prod([x for k, x in enumerate(out) if k != unknown])) if len(out) > 1 else 1
        if known == 0 or total % known:
            raise MXNetError(f"Operator {opname}: cannot reshape array of shape {src} into {target}")
        out[unknown] = total // known
    if int(np.prod(out)) != total:
        raise MXNetError(f"Operator {opname}: cannot reshape array of shape {src} into shape "
                         f"{tuple(out)} (target {target}): sizes differ")
    return tuple(out)


def _reshape_target(attrs, src):
    if attrs.shape or not attrs.target_shape:
        return infer_reshape(src, attrs.shape, attrs.reverse)
    # the deprecated target_shape: plain sizes where one 0 stands for the inferred size
    if attrs.keep_highest:
        raise MXNetError("Operator Reshape: keep_highest (deprecated) is not supported; use shape codes")
    return infer_reshape(src, tuple(-1 if d == 0 else d for d in attrs.target_shape))


def _reshape_fwd(attrs, ins, ctx):
    x = ins[0]
    return x.reshape(_reshape_target(attrs, x.shape))


def _reshape_bwd(attrs, og, ins, outs, ctx, state):
    return [None if og[0] is None else og[0].reshape(ins[0].shape)]


def _reshape_bwd_graph(attrs, og, ins, outs):
    return [og[0].reshape(ins[0].shape)]


def _reshape_partial(src, target, reverse):
    """The output of MXNet's reshape codes for an input with unknown (0) dimensions: 0 wherever
    the output depends on one (a -1 always does); the sizes are checked once all are known."""
    if reverse:
        return _reshape_partial(src[::-1], target[::-1], False)[::-1]
    out, i, j = [], 0, 0
    while j < len(target):
        d = target[j]
        if d == -2:
            out.extend(src[i:])
            i = len(src)
        elif d == -3:
            out.append(src[i] * src[i + 1] if i + 1 < len(src) else 0)
            i += 2
        elif d == -4:
            a, b = target[j + 1], target[j + 2]
            s = src[i] if i < len(src) else 0
            out.extend([a if a != -1 else (s // b if s else 0), b if b != -1 else (s // a if s else 0)])
            i += 1
            j += 2
        else:
            out.append(src[i] if d == 0 and i < len(src) else max(d, 0))
            i += 1
        j += 1
    return tuple(out)


def _reshape_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    if not all(s):
        target = attrs.shape if attrs.shape or not attrs.target_shape else \
            tuple(-1 if d == 0 else d for d in attrs.target_shape)
        return shapes, [_reshape_partial(tuple(s), tuple(target), attrs.reverse)]
    return shapes, [_reshape_target(attrs, s)]


def _reshape_shape_back(attrs, shapes, outs):
    """The one unknown (0) input dimension from a known output: its size over the known ones."""
    s, o = shapes[0], outs[0]
    if s is None or o is None or not all(o) or sum(1 for d in s if not d) != 1:
        return shapes
    known = int(np.prod([d for d in s if d]))
    total = int(np.prod(o))
    if total % known:
        return shapes
    return [tuple(d if d else total // known for d in s)] + list(shapes[1:])


register("Reshape", _reshape_fwd, params=(
    Param("shape", "shape", (), "the target shape, with MXNet's codes 0, -1, -2, -3, -4"),
    Param("reverse", "bool", False, "read the special codes from right to left"),
    Param("target_shape", "shape", (), "deprecated"),
    Param("keep_highest", "bool", False, "deprecated")),
    backward=_reshape_bwd, backward_graph=_reshape_bwd_graph, infer_shape=_reshape_shape,
    infer_shape_back=_reshape_shape_back, aliases=("reshape",), doc="Reshapes the input array (a view where possible).")


# -- indexing used by NDArray.__getitem__ ----------------------------------------------
def _getitem_fwd(attrs, ins, ctx):
    r = ins[0][attrs.key]
    return r.reshape((1,)) if r.ndim == 0 else r


def _getitem_bwd(attrs, og, ins, outs, ctx, state):
    if og[0] is None:
        return [None]
    xp = ctx.xp
    g = xp.zeros_like(ins[0])
    gv = og[0]
    sub = g[attrs.key]
    gv = gv.reshape(sub.shape)
    if any(not isinstance(k, (slice, int, type(None), type(Ellipsis))) for k in attrs.key):
        xp.add.at(g, attrs.key, gv)
    else:
        g[attrs.key] += gv
    return [g]


register("_getitem", _getitem_fwd, params=(Param("key", "any", ()),), backward=_getitem_bwd,
         doc="Basic and advanced indexing (NDArray.__getitem__).")


# -- shared helpers ----------------------------------------------------------------------
def _axis(axis, ndim, opname, argname="axis", allow_negative=True):
    """Normalise one axis; MXNet rejects negative values for some operators."""
    if not allow_negative and axis < 0:
        raise MXNetError(f"Operator {opname}: {argname}={axis} must be in range [0, {ndim})")
    return norm_axis(axis, ndim, opname, argname)


def _same_dtype(opname, arrays):
    d0 = arrays[0].dtype
    for a in arrays[1:]:
        if a.dtype != d0:
            raise MXNetError(f"Operator {opname}: all inputs must have the same dtype, "
                             f"got {d0} and {a.dtype}")


def _one(fn):
    """A backward from ``fn(attrs, g, ins, ctx)`` for single-output, single-gradient operators."""
    def backward(attrs, og, ins, outs, ctx, state):
        g = og[0]
        res = [None] * len(ins)
        if g is not None:
            res[0] = fn(attrs, g, ins, ctx)
        return res
    return backward



# -- reshape_like, Flatten ----------------------------------------------------------------------
def _range_bounds(b, e, n, opname, which):
    b = 0 if b is None else b
    e = n if e is None else e
    b = b + n if b < 0 else b
    e = e + n if e < 0 else e
    if not 0 <= b <= e <= n:
        raise MXNetError(f"Operator {opname}: invalid {which}_begin/{which}_end for {n} dimensions")
    return b, e


def _reshape_like_shape(attrs, lshape, rshape):
    lb, le = _range_bounds(attrs.lhs_begin, attrs.lhs_end, len(lshape), "reshape_like", "lhs")
    rb, re_ = _range_bounds(attrs.rhs_begin, attrs.rhs_end, len(rshape), "reshape_like", "rhs")
    out = tuple(lshape[:lb]) + tuple(rshape[rb:re_]) + tuple(lshape[le:])
    if int(np.prod(out)) != int(np.prod(lshape)):
        raise MXNetError(f"Operator reshape_like: cannot reshape lhs of shape {tuple(lshape)} to "
                         f"{out}: sizes differ")
    return out


register("reshape_like", lambda attrs, ins, ctx: ins[0].reshape(
    _reshape_like_shape(attrs, ins[0].shape, ins[1].shape)),
    inputs=("lhs", "rhs"), params=(
        Param("lhs_begin", "int", None, "first lhs axis to replace"),
        Param("lhs_end", "int", None, "end of the lhs axes to replace"),
        Param("rhs_begin", "int", None, "first rhs axis to copy"),
        Param("rhs_end", "int", None, "end of the rhs axes to copy")),
    backward=_one(lambda attrs, g, ins, ctx: g.reshape(ins[0].shape)),
    doc="Reshapes lhs to the shape of (a range of axes of) rhs.")


def _flat_shape(s):
    if len(s) == 0:
        return (1, 1)
    return (s[0], int(np.prod(s[1:])) if len(s) > 1 else 1)


def _flatten_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    if len(s) > 1 and any(d == 0 for d in s[1:]):
        return shapes, [(s[0], 0)]
    return shapes, [_flat_shape(s)]


register("Flatten", lambda attrs, ins, ctx: ins[0].reshape(_flat_shape(ins[0].shape)),
         backward=_one(lambda attrs, g, ins, ctx: g.reshape(ins[0].shape)),
         backward_graph=_reshape_bwd_graph, infer_shape=_flatten_shape, aliases=("flatten",),
         doc="Collapses all axes but the first: (d0, d1*...*dk).")


# -- transpose, SwapAxis, expand_dims, squeeze -------------------------------------------------
def _perm(attrs, ndim):
    axes = attrs.axes
    if not axes:
        return tuple(range(ndim - 1, -1, -1))
    if len(axes) != ndim:
        raise MXNetError(f"Operator transpose: axes {axes} must list all {ndim} axes of the input")
    if sorted(axes) != list(range(ndim)):
        raise MXNetError(f"Operator transpose: axes {axes} must be a permutation of 0..{ndim - 1}")
    return axes


def _transpose_fwd(attrs, ins, ctx):
    x = ins[0]
    return ctx.xp.ascontiguousarray(x.transpose(_perm(attrs, x.ndim)))


def _transpose_bwd(attrs, g, ins, ctx):
    return ctx.xp.ascontiguousarray(g.transpose(np.argsort(_perm(attrs, g.ndim))))


def _transpose_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    return shapes, [tuple(s[a] for a in _perm(attrs, len(s)))]


def _transpose_shape_back(attrs, shapes, outs):
    o = outs[0]
    if o is None:
        return shapes
    s = [0] * len(o)
    for i, a in enumerate(_perm(attrs, len(o))):
        s[a] = o[i]
    return [tuple(s)]


register("transpose", _transpose_fwd, params=(Param("axes", "shape", (), "the permutation; "
                                                    "empty reverses the axes"),),
         backward=_one(_transpose_bwd), infer_shape=_transpose_shape, infer_shape_back=_transpose_shape_back,
         doc="Permutes the axes of the input (reversed by default).")


def _swap_axes(attrs, ndim):
    return (_axis(attrs.dim1, ndim, "SwapAxis", "dim1"), _axis(attrs.dim2, ndim, "SwapAxis", "dim2"))


def _swap_fwd(attrs, ins, ctx):
    x = ins[0]
    return ctx.xp.ascontiguousarray(x.swapaxes(*_swap_axes(attrs, x.ndim)))


register("SwapAxis", _swap_fwd, params=(Param("dim1", "int", 0, "first axis"),
                                        Param("dim2", "int", 0, "second axis")),
         backward=_one(lambda attrs, g, ins, ctx: ctx.xp.ascontiguousarray(
             g.swapaxes(*_swap_axes(attrs, g.ndim)))),
         aliases=("swapaxes",), doc="Interchanges two axes of the input.")


def _expand_axis(attrs, ndim):
    a = attrs.axis
    if not -ndim - 1 <= a <= ndim:
        raise MXNetError(f"Operator expand_dims: axis must be in range [{-ndim - 1}, {ndim}], got {a}")
    return a % (ndim + 1)


def _expand_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    a = _expand_axis(attrs, len(s))
    return shapes, [tuple(s[:a]) + (1,) + tuple(s[a:])]


register("expand_dims", lambda attrs, ins, ctx: ctx.xp.expand_dims(ins[0], _expand_axis(attrs, ins[0].ndim)),
         params=(Param("axis", "int", doc="position of the new axis"),),
         backward=_one(lambda attrs, g, ins, ctx: g.reshape(ins[0].shape)),
         infer_shape=_expand_shape, doc="Inserts a new axis of size 1.")


def _squeeze_fwd(attrs, ins, ctx):
    x = ins[0]
    if attrs.axis is None:
        shape = tuple(d for d in x.shape if d != 1)
    else:
        axes = {_axis(a, x.ndim, "squeeze") for a in attrs.axis}
        for a in axes:
            if x.shape[a] != 1:
                raise MXNetError(f"Operator squeeze: cannot squeeze axis {a} of size {x.shape[a]} "
                                 f"(input shape {x.shape})")
        shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return x.reshape(shape or (1,))


register("squeeze", _squeeze_fwd, params=(Param("axis", "shape", None, "axes to remove (all of size 1 "
                                                "by default)"),),
         backward=_one(lambda attrs, g, ins, ctx: g.reshape(ins[0].shape)),
         doc="Removes axes of size 1 (a 1-element result keeps shape (1,)).")


# -- Concat, stack, split --------------------------------------------------------------------
def _concat_fwd(attrs, ins, ctx):
    if len(ins) != attrs.num_args:
        raise MXNetError(f"Operator Concat: num_args={attrs.num_args} but {len(ins)} inputs given")
    x0 = ins[0]
    dim = _axis(attrs.dim, x0.ndim, "Concat", "dim")
    for i, x in enumerate(ins[1:], 1):
        if x.ndim != x0.ndim or x.shape[:dim] != x0.shape[:dim] or x.shape[dim + 1:] != x0.shape[dim + 1:]:
            raise MXNetError(f"Operator Concat: input {i} has shape {x.shape}, incompatible with "
                             f"{x0.shape} for concatenation along dim {dim}")
    _same_dtype("Concat", ins)
    return ctx.xp.concatenate(ins, axis=dim)


def _concat_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None] * len(ins)
    dim = attrs.dim % g.ndim
    bounds = np.cumsum([x.shape[dim] for x in ins])[:-1]
    return [p.copy() for p in ctx.xp.split(g, bounds, axis=dim)]


def _merge_dims(opname, shapes, skip):
    """Merge known dims (0 = unknown) of equal-rank shapes, except axis ``skip``."""
    ndim = len(shapes[0])
    out = [0] * ndim
    for s in shapes:
        if len(s) != ndim:
            raise MXNetError(f"Operator {opname}: inputs must have the same number of dimensions, "
                             f"got {[tuple(x) for x in shapes]}")
        for i, d in enumerate(s):
            if i == skip or not d:
                continue
            if out[i] and out[i] != d:
                raise MXNetError(f"Operator {opname}: incompatible input shapes "
                                 f"{[tuple(x) for x in shapes]} at axis {i}")
            out[i] = d
    return out


def _concat_shape(attrs, shapes):
    known = [s for s in shapes if s is not None]
    if not known:
        return shapes, [None]
    ndim = len(known[0])
    dim = _axis(attrs.dim, ndim, "Concat", "dim")
    merged = _merge_dims("Concat", known, dim)
    ins = []
    for s in shapes:
        d = 0 if s is None else s[dim]
        ins.append(tuple(merged[:dim]) + (d,) + tuple(merged[dim + 1:]))
    cat = [s[dim] for s in ins]
    merged[dim] = sum(cat) if all(cat) else 0
    return ins, [tuple(merged)]


def _concat_shape_back(attrs, shapes, outs):
    """Inputs from a known output: every axis but ``dim``, and the one input size along ``dim``
    that the output's size and the others' leave."""
    o = outs[0]
    known = [s for s in shapes if s is not None]
    if o is None or any(len(s) != len(o) for s in known):
        return shapes
    dim = _axis(attrs.dim, len(o), "Concat", "dim")
    ins = [tuple(o[:dim]) + ((s[dim] if s is not None else 0),) + tuple(o[dim + 1:]) for s in shapes]
    missing = [i for i, s in enumerate(ins) if not s[dim]]
    if o[dim] and len(missing) == 1:
        i = missing[0]
        rest = o[dim] - sum(s[dim] for s in ins)
        ins[i] = ins[i][:dim] + (rest,) + ins[i][dim + 1:]
    return ins


register("Concat", _concat_fwd, inputs=("data",), variadic="num_args", params=(
    Param("num_args", "int", doc="number of inputs"),
    Param("dim", "int", 1, "the axis to join along")),
    backward=_concat_bwd, infer_shape=_concat_shape, infer_shape_back=_concat_shape_back,
    aliases=("concat",),
    doc="Joins arrays along an existing axis.")


def _stack_axis(attrs, ndim):
    a = attrs.axis
    if not -ndim - 1 <= a <= ndim:
        raise MXNetError(f"Operator stack: axis must be in range [{-ndim - 1}, {ndim}], got {a}")
    return a % (ndim + 1)


def _stack_fwd(attrs, ins, ctx):
    if len(ins) != attrs.num_args:
        raise MXNetError(f"Operator stack: num_args={attrs.num_args} but {len(ins)} inputs given")
    for i, x in enumerate(ins[1:], 1):
        if x.shape != ins[0].shape:
            raise MXNetError(f"Operator stack: input {i} has shape {x.shape}, expected {ins[0].shape}")
    _same_dtype("stack", ins)
    return ctx.xp.stack(ins, axis=_stack_axis(attrs, ins[0].ndim))


def _stack_bwd(attrs, og, ins, outs, ctx, state):
    g = og[0]
    if g is None:
        return [None] * len(ins)
    a = _stack_axis(attrs, ins[0].ndim)
    return [ctx.xp.take(g, i, axis=a) for i in range(len(ins))]


def _stack_shape(attrs, shapes):
    known = [s for s in shapes if s is not None]
    if not known:
        return shapes, [None]
    merged = _merge_dims("stack", known, -1)
    a = _stack_axis(attrs, len(merged))
    return [tuple(merged)] * len(shapes), [tuple(merged[:a]) + (len(shapes),) + tuple(merged[a:])]


register("stack", _stack_fwd, inputs=("data",), variadic="num_args", params=(
    Param("num_args", "int", doc="number of inputs"),
    Param("axis", "int", 0, "position of the new axis in the result")),
    backward=_stack_bwd, infer_shape=_stack_shape, doc="Joins same-shaped arrays along a new axis.")


def _split_bounds(attrs, shape, opname):
    """(axis, list of (begin, end)) for SliceChannel / _split_v2."""
    axis = _axis(attrs.axis, len(shape), opname)
    n = shape[axis]
    if opname == "SliceChannel":
        k = attrs.num_outputs
        if k < 1 or n % k:
            raise MXNetError(f"Operator SliceChannel: cannot split axis {axis} of shape {tuple(shape)} "
                             f"into num_outputs={k} equal parts")
        step = n // k
        return axis, [(i * step, (i + 1) * step) for i in range(k)]
    if attrs.sections > 0:
        if n % attrs.sections:
            raise MXNetError(f"Operator _split_v2: axis {axis} of size {n} does not divide into "
                             f"{attrs.sections} sections")
        step = n // attrs.sections
        return axis, [(i * step, (i + 1) * step) for i in range(attrs.sections)]
    idx = list(attrs.indices)
    if not idx or idx[0] != 0 or any(b > e for b, e in zip(idx, idx[1:])):
        raise MXNetError(f"Operator _split_v2: indices {attrs.indices} must start at 0 and be "
                         f"non-decreasing")
    # indices past the end give empty parts, as NumPy's split does
    idx = [min(i, n) for i in idx] + [n]
    return axis, list(zip(idx[:-1], idx[1:]))


def _split_defs(opname):
    def forward(attrs, ins, ctx):
        x = ins[0]
        axis, bounds = _split_bounds(attrs, x.shape, opname)
        lead = (slice(None),) * axis
        outs = []
        for b, e in bounds:
            o = x[lead + (slice(b, e),)]
            if attrs.squeeze_axis:
                if e - b != 1:
                    raise MXNetError(f"Operator {opname}: squeeze_axis needs outputs of size 1 on axis "
                                     f"{axis}, got {e - b}")
                o = o.reshape(o.shape[:axis] + o.shape[axis + 1:])
            outs.append(o.copy())
        return tuple(outs)

    def backward(attrs, og, ins, outs, ctx, state):
        x = ins[0]
        axis, bounds = _split_bounds(attrs, x.shape, opname)
        parts = []
        for (b, e), g in zip(bounds, og):
            shape = x.shape[:axis] + (e - b,) + x.shape[axis + 1:]
            parts.append(ctx.xp.zeros(shape, x.dtype) if g is None else g.reshape(shape))
        return [ctx.xp.concatenate(parts, axis=axis)]

    def infer_shape(attrs, shapes):
        s = shapes[0]
        n = num_outputs(attrs)
        if s is None:
            return shapes, [None] * n
        axis = _axis(attrs.axis, len(s), opname)
        if s[axis] == 0:
            sizes = [0] * n
        else:
            sizes = [e - b for b, e in _split_bounds(attrs, s, opname)[1]]
        outs = []
        for d in sizes:
            outs.append(tuple(s[:axis]) + (() if attrs.squeeze_axis else (d,)) + tuple(s[axis + 1:]))
        return shapes, outs

    def infer_shape_back(attrs, shapes, outs):
        # equal parts: the input is any known part widened back along the split axis
        n = num_outputs(attrs)
        ins = shapes[0]
        for o in outs:
            if o is None:
                continue
            ndim = len(o) + 1 if attrs.squeeze_axis else len(o)
            axis = _axis(attrs.axis, ndim, opname)
            if attrs.squeeze_axis:
                full = tuple(o[:axis]) + (n,) + tuple(o[axis:])
            else:
                full = tuple(o[:axis]) + (o[axis] * n,) + tuple(o[axis + 1:])
            ins = merge_shapes([ins, full])
        return [ins]

    def num_outputs(attrs):
        if opname == "SliceChannel":
            return attrs.num_outputs
        return attrs.sections if attrs.sections > 0 else len(attrs.indices)
    return forward, backward, infer_shape, infer_shape_back, num_outputs


_f, _b, _s, _sb, _n = _split_defs("SliceChannel")
register("SliceChannel", _f, attr_check=lambda a: check_int32("SliceChannel", "num_outputs", a.num_outputs),
         params=(
    Param("num_outputs", "int", doc="number of equal parts"),
    Param("axis", "int", 1, "the axis to split"),
    Param("squeeze_axis", "bool", False, "drop the split axis (parts must have size 1)")),
    backward=_b, infer_shape=_s, infer_shape_back=_sb, num_outputs=_n, aliases=("split",),
    doc="Splits an array into equal parts along an axis.")
_f, _b, _s, _sb, _n = _split_defs("_split_v2")
register("_split_v2", _f, params=(
    Param("indices", "shape", doc="start index of each part (first is 0)"),
    Param("axis", "int", 1, "the axis to split"),
    Param("squeeze_axis", "bool", False, "drop the split axis (parts must have size 1)"),
    Param("sections", "int", 0, "number of equal parts (used when > 0)")),
    backward=_b, infer_shape=_s, num_outputs=_n,
    doc="Splits an array at given indices or into equal sections.")


# -- slice, slice_axis, slice_like, _slice_assign ----------------------------------------------
def _slice_key(attrs, shape, opname="slice"):
    begin, end, step = attrs.begin, attrs.end, attrs.step or ()
    if len(begin) != len(end) or (step and len(step) != len(begin)):
        raise MXNetError(f"Operator {opname}: begin {begin}, end {end} and step {step} must have the "
                         "same length")
    if len(begin) > len(shape):
        raise MXNetError(f"Operator {opname}: begin {begin} has more entries than the input has "
                         f"dimensions {tuple(shape)}")
    key = []
    for i, (b, e) in enumerate(zip(begin, end)):
        s = step[i] if step else None
        if s == 0:
            raise MXNetError(f"Operator {opname}: step must not be 0 (axis {i})")
        key.append(slice(b, e, s))
    return tuple(key)


def _slice_bwd(attrs, g, ins, ctx):
    x = ins[0]
    # into the input's own gradient buffer when autograd offers it (sparing a copy of the whole
    # input), else into fresh zeros (calloc'd: pages outside the slice are never touched here)
    gx = ctx.grad_buffer(0, x.shape, x.dtype)
    if gx is None:
        gx = ctx.xp.zeros(x.shape, dtype=x.dtype)
    else:
        gx.fill(0)
    gx[_slice_key(attrs, x.shape)] = g
    return gx


_slice_params = (Param("begin", "shape", doc="start index per axis (None: from the start)"),
                 Param("end", "shape", doc="end index per axis (None: to the end)"),
                 Param("step", "shape", (), "step per axis (None: 1)", optional=True))
register("slice", lambda attrs, ins, ctx: ins[0][_slice_key(attrs, ins[0].shape)].copy(),
         params=_slice_params, backward=_one(_slice_bwd), aliases=("crop",),
         doc="Slices a region of the input, per-axis begin/end/step.")


def _slice_axis_key(attrs, shape):
    axis = _axis(attrs.axis, len(shape), "slice_axis")
    n = shape[axis]
    b = attrs.begin + n if attrs.begin < 0 else attrs.begin
    e = n if attrs.end is None else (attrs.end + n if attrs.end < 0 else attrs.end)
    if not (0 <= b < e <= n):
        raise MXNetError(f"Operator slice_axis: invalid begin={attrs.begin}, end={attrs.end} for axis "
                         f"{axis} of size {n}")
    return axis, b, e


def _slice_axis_fwd(attrs, ins, ctx):
    x = ins[0]
    axis, b, e = _slice_axis_key(attrs, x.shape)
    return x[(slice(None),) * axis + (slice(b, e),)].copy()


def _slice_axis_bwd(attrs, g, ins, ctx):
    x = ins[0]
    axis, b, e = _slice_axis_key(attrs, x.shape)
    gx = ctx.xp.zeros_like(x)
    gx[(slice(None),) * axis + (slice(b, e),)] = g
    return gx


def _slice_axis_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    axis = _axis(attrs.axis, len(s), "slice_axis")
    if s[axis] == 0:
        return shapes, [tuple(s[:axis]) + (0,) + tuple(s[axis + 1:])]
    axis, b, e = _slice_axis_key(attrs, s)
    return shapes, [tuple(s[:axis]) + (e - b,) + tuple(s[axis + 1:])]


register("slice_axis", _slice_axis_fwd, params=(
    Param("axis", "int", doc="the axis to slice"),
    Param("begin", "int", doc="start index (negative counts from the end)"),
    Param("end", "int", None, "end index (None: to the end)", optional=True)),
    backward=_one(_slice_axis_bwd), infer_shape=_slice_axis_shape,
    doc="Slices one axis of the input between begin and end.")


def _slice_like_key(attrs, shape, like):
    if not attrs.axes and len(like) != len(shape):
        raise MXNetError(f"Operator slice_like: data {tuple(shape)} and shape_like {tuple(like)} must have "
                         "the same number of dimensions when axes is not given")
    axes = range(len(shape)) if not attrs.axes else \
        {_axis(a, len(shape), "slice_like") for a in attrs.axes}
    key = [slice(None)] * len(shape)
    for a in axes:
        # axes count in the data's dimensions; shape_like only needs to reach them
        if a >= len(like):
            raise MXNetError(f"Operator slice_like: axis {a} exceeds the dimensions of shape_like "
                             f"{tuple(like)}")
        if like[a] > shape[a]:
            raise MXNetError(f"Operator slice_like: shape_like {tuple(like)} is larger than data "
                             f"{tuple(shape)} on axis {a}")
        key[a] = slice(0, like[a])
    return tuple(key)


def _slice_like_bwd(attrs, g, ins, ctx):
    gx = ctx.xp.zeros_like(ins[0])
    gx[_slice_like_key(attrs, ins[0].shape, ins[1].shape)] = g
    return gx


register("slice_like", lambda attrs, ins, ctx: ins[0][_slice_like_key(attrs, ins[0].shape,
                                                                      ins[1].shape)].copy(),
         inputs=("data", "shape_like"), params=(Param("axes", "shape", (), "axes to slice (all by "
                                                      "default)"),),
         backward=_one(_slice_like_bwd), doc="Slices data to the shape of shape_like on some axes.")


def _slice_assign_fwd(attrs, ins, ctx):
    lhs, rhs = ins
    out = lhs.copy()
    key = _slice_key(attrs, lhs.shape, "_slice_assign")
    if out[key].shape != rhs.shape:
        raise MXNetError(f"Operator _slice_assign: rhs shape {rhs.shape} does not match the slice shape "
                         f"{out[key].shape}")
    out[key] = rhs
    return out


register("_slice_assign", _slice_assign_fwd, inputs=("lhs", "rhs"), params=_slice_params, fgradient=False,
         aliases=("_crop_assign",),
         doc="Returns lhs with a slice replaced by rhs.")


def _slice_assign_scalar_fwd(attrs, ins, ctx):
    out = ins[0].copy()
    out[_slice_key(attrs, out.shape, "_slice_assign_scalar")] = attrs.scalar
    return out


register("_slice_assign_scalar", _slice_assign_scalar_fwd, fgradient=False,
         params=(Param("scalar", "float", 0.0, "the value to write"),) + _slice_params,
         aliases=("_crop_assign_scalar",),
         doc="Returns the input with a slice set to a scalar.")


# -- tile, repeat, pad, flip -------------------------------------------------------------------
def _tile_reps(attrs, ndim):
    reps = tuple(attrs.reps)
    if any(r < 1 for r in reps):
        from ..util import is_np_shape
        # a zero repetition gives an empty axis only under NumPy shape semantics (0 is "unknown" else)
        if any(r < 0 for r in reps) or not is_np_shape():
            raise MXNetError(f"Operator tile: reps {reps} must be positive")
    n = max(ndim, len(reps))
    return (1,) * (n - len(reps)) + reps, n


def _tile_bwd(attrs, g, ins, ctx):
    x = ins[0]
    reps, n = _tile_reps(attrs, x.ndim)
    shape = (1,) * (n - x.ndim) + x.shape
    # view each tiled axis as (rep, size) and sum the rep axes
    split = tuple(v for r, d in zip(reps, shape) for v in (r, d))
    return g.reshape(split).sum(axis=tuple(range(0, 2 * n, 2))).reshape(x.shape)


def _tile(attrs, ins, ctx):
    reps = _tile_reps(attrs, ins[0].ndim)[0]
    tile_shape("tile", ins[0].shape, reps)
    return ctx.xp.tile(ins[0], reps)


register("tile", _tile,
         params=(Param("reps", "shape", doc="repetitions per axis"),), backward=_one(_tile_bwd),
         doc="Repeats the whole array along each axis.")


def _repeat_axis(attrs, x):
    if attrs.repeats < 0:
        raise MXNetError(f"Operator repeat: repeats must be non-negative, got {attrs.repeats}")
    return None if attrs.axis is None else _axis(attrs.axis, x.ndim, "repeat")


def _repeat_bwd(attrs, g, ins, ctx):
    x = ins[0]
    axis = _repeat_axis(attrs, x)
    r = attrs.repeats
    if axis is None:
        return g.reshape(-1, r).sum(axis=1).reshape(x.shape)
    shape = x.shape[:axis + 1] + (r,) + x.shape[axis + 1:]
    return g.reshape(shape).sum(axis=axis + 1)


def _repeat(attrs, ins, ctx):
    axis = _repeat_axis(attrs, ins[0])
    repeat_shape("repeat", ins[0].shape, attrs.repeats, axis)
    return ctx.xp.repeat(ins[0], attrs.repeats, axis)


register("repeat", _repeat,
         params=(Param("repeats", "int", doc="how often each element is repeated"),
                 Param("axis", "int", None, "the axis (None: the flattened input)")),
         backward=_one(_repeat_bwd), doc="Repeats each element of the input.")


def _pad_width(attrs, x):
    pw = tuple(attrs.pad_width)
    if x.ndim not in (4, 5):
        raise MXNetError(f"Operator Pad: only 4-D or 5-D input is supported, got shape {x.shape}")
    if len(pw) != 2 * x.ndim:
        raise MXNetError(f"Operator Pad: pad_width {pw} must have 2 entries per axis ({2 * x.ndim})")
    if any(pw[:4]):
        raise MXNetError(f"Operator Pad: the first two axes cannot be padded, pad_width={pw}")
    if any(p < 0 for p in pw):
        raise MXNetError(f"Operator Pad: pad_width {pw} must be non-negative")
    pairs = [(pw[2 * i], pw[2 * i + 1]) for i in range(x.ndim)]
    if attrs.mode == "reflect":
        for a, (lo, hi) in enumerate(pairs):
            if lo >= x.shape[a] or hi >= x.shape[a]:
                raise MXNetError(f"Operator Pad: reflect padding {pairs[a]} must be smaller than axis "
                                 f"{a} of size {x.shape[a]}")
    return pairs


def _pad_fwd(attrs, ins, ctx):
    x = ins[0]
    pairs = _pad_width(attrs, x)
    if attrs.mode == "constant":
        return ctx.xp.pad(x, pairs, mode="constant", constant_values=x.dtype.type(attrs.constant_value))
    return ctx.xp.pad(x, pairs, mode=attrs.mode)


def _pad_source(mode, n, lo, hi):
    """For each padded position of an axis of size n, the source index it copies."""
    left = np.arange(lo, 0, -1) if mode == "reflect" else np.zeros(lo, dtype=np.int64)
    right = n - 2 - np.arange(hi) if mode == "reflect" else np.full(hi, n - 1)
    return left, right


def _pad_bwd(attrs, g, ins, ctx):
    x = ins[0]
    xp = ctx.xp
    pairs = _pad_width(attrs, x)
    for a, (lo, hi) in enumerate(pairs):
        if not (lo or hi):
            continue
        n = x.shape[a]
        pre = (slice(None),) * a
        inner = g[pre + (slice(lo, lo + n),)].copy()
        if attrs.mode != "constant":
            left, right = _pad_source(attrs.mode, n, lo, hi)
            gm = xp.moveaxis(inner, a, 0)   # a view: add.at writes through
            if lo:
                xp.add.at(gm, xp.asarray(left), xp.moveaxis(g[pre + (slice(0, lo),)], a, 0))
            if hi:
                xp.add.at(gm, xp.asarray(right), xp.moveaxis(g[pre + (slice(lo + n, lo + n + hi),)], a, 0))
        g = inner
    return g


register("Pad", _pad_fwd, params=(
    Param("mode", "str", doc="padding mode", choices=("constant", "edge", "reflect")),
    Param("pad_width", "shape", doc="(before, after) widths per axis, flattened; the first four are 0"),
    Param("constant_value", "float", 0.0, "the fill value of constant mode")),
    backward=_one(_pad_bwd), aliases=("pad",), doc="Pads the spatial axes of a 4-D or 5-D array.")


def _flip_axes(attrs, ndim):
    return tuple(_axis(a, ndim, "reverse", allow_negative=False) for a in attrs.axis)


register("reverse", lambda attrs, ins, ctx: ctx.xp.flip(ins[0], _flip_axes(attrs, ins[0].ndim)).copy(),
         params=(Param("axis", "shape", doc="the axes to reverse"),),
         backward=_one(lambda attrs, g, ins, ctx: ctx.xp.flip(g, _flip_axes(attrs, g.ndim)).copy()),
         aliases=("flip",), doc="Reverses the order of elements along the given axes.")


# -- broadcast_to, broadcast_like, broadcast_axis --------------------------------------------------
def _bcast_check(opname, src, dst):
    if len(src) != len(dst) or any(s != d and s != 1 for s, d in zip(src, dst)):
        raise MXNetError(f"Operator {opname}: cannot broadcast shape {tuple(src)} to {tuple(dst)}")
    return tuple(dst)


def _bcast_to_shape(attrs, src):
    want = attrs.shape
    if len(want) != len(src):
        raise MXNetError(f"Operator broadcast_to: shape {want} must have {len(src)} dimensions like the "
                         f"input {tuple(src)}")
    return _bcast_check("broadcast_to", src, tuple(s if w == 0 else w for s, w in zip(src, want)))


def _bcast_bwd(attrs, g, ins, ctx):
    return sum_to(ctx.xp, g, ins[0].shape)


def _bcast_fwd(shape_fn):
    def forward(attrs, ins, ctx):
        x = ins[0]
        return ctx.xp.broadcast_to(x, shape_fn(attrs, x.shape, *[i.shape for i in ins[1:]])).copy()
    return forward


def _bcast_infer(shape_fn):
    def infer(attrs, shapes):
        if any(s is None for s in shapes) or any(0 in s for s in shapes):
            return shapes, [None]
        return shapes, [shape_fn(attrs, *shapes)]
    return infer


register("broadcast_to", _bcast_fwd(_bcast_to_shape), params=(
    Param("shape", "shape", (), "the target shape; 0 keeps the input's size"),),
    backward=_one(_bcast_bwd), infer_shape=_bcast_infer(_bcast_to_shape),
    doc="Broadcasts the input to a new shape.")


def _bcast_like_shape(attrs, src, like):
    la, ra = attrs.lhs_axes, attrs.rhs_axes
    if la is None or ra is None:  # MXNet broadcasts whole shapes unless both are given
        return _bcast_check("broadcast_like", src, like)
    if len(la) == 0:
        raise MXNetError("Operator broadcast_like: empty axes tuple is not allowed (lhs_axes=())")
    if len(la) != len(ra):
        raise MXNetError(f"Operator broadcast_like: lhs_axes {la} and rhs_axes {ra} must have the "
                         "same length")
    out = list(src)
    for a, b in zip(la, ra):
        out[_axis(a, len(src), "broadcast_like", "lhs_axes")] = like[_axis(b, len(like), "broadcast_like",
                                                                          "rhs_axes")]
    return _bcast_check("broadcast_like", src, out)


register("broadcast_like", _bcast_fwd(_bcast_like_shape), inputs=("lhs", "rhs"), params=(
    Param("lhs_axes", "shape", None, "lhs axes to broadcast"),
    Param("rhs_axes", "shape", None, "rhs axes giving the sizes")),
    backward=_one(_bcast_bwd), infer_shape=_bcast_infer(_bcast_like_shape),
    doc="Broadcasts lhs to the shape of rhs (or of some of its axes).")


def _bcast_axis_shape(attrs, src):
    axis, size = attrs.axis, attrs.size
    if len(axis) != len(size):
        raise MXNetError(f"Operator broadcast_axis: axis {axis} and size {size} must have the same length")
    out = list(src)
    for a, s in zip(axis, size):
        a = _axis(a, len(src), "broadcast_axis", allow_negative=False)
        if src[a] != 1:
            raise MXNetError(f"Operator broadcast_axis: axis {a} has size {src[a]}; only size-1 axes can "
                             "be broadcast")
        out[a] = s
    return tuple(out)


register("broadcast_axis", _bcast_fwd(_bcast_axis_shape), params=(
    Param("axis", "shape", (), "the size-1 axes to broadcast"),
    Param("size", "shape", (), "the new size of each axis")),
    backward=_one(_bcast_bwd), infer_shape=_bcast_infer(_bcast_axis_shape), aliases=("broadcast_axes",),
    doc="Broadcasts size-1 axes to the given sizes.")


# -- diag, depth_to_space, space_to_depth ----------------------------------------------------------
def _diag_axes(attrs, x):
    a1 = _axis(attrs.axis1, x.ndim, "diag", "axis1")
    a2 = _axis(attrs.axis2, x.ndim, "diag", "axis2")
    if a1 == a2:
        raise MXNetError("Operator diag: axis1 and axis2 must differ")
    return a1, a2


def _diag_fwd(attrs, ins, ctx):
    x, k, xp = ins[0], check_int32("diag", "k", attrs.k), ctx.xp
    if x.ndim == 1:
        check_alloc_size("diag", (x.shape[0] + abs(k),) * 2)
        return xp.diag(x, k)
    if x.ndim == 0:
        raise MXNetError("Operator diag: input must have at least one dimension")
    a1, a2 = _diag_axes(attrs, x)
    # checked before NumPy sees k: its diagonal() overflows on offsets near -2**31
    if (k >= x.shape[a2] if k >= 0 else -k >= x.shape[a1]):
        raise MXNetError(f"Operator diag: diagonal k={k} does not exist for input shape {x.shape}")
    out = xp.diagonal(x, k, a1, a2)
    if out.shape[-1] == 0:
        raise MXNetError(f"Operator diag: diagonal k={k} does not exist for input shape {x.shape}")
    return out.copy()


def _diag_bwd(attrs, g, ins, ctx):
    x, k, xp = ins[0], attrs.k, ctx.xp
    if x.ndim == 1:
        return xp.diagonal(g, k).copy()
    a1, a2 = _diag_axes(attrs, x)
    gx = xp.zeros_like(x)
    view = xp.moveaxis(gx, (a1, a2), (-2, -1))
    n = g.shape[-1]
    view[..., xp.arange(n) + max(-k, 0), xp.arange(n) + max(k, 0)] = g
    return gx


register("diag", _diag_fwd, params=(
    Param("k", "int", 0, "diagonal offset (positive: above the main diagonal)"),
    Param("axis1", "int", 0, "first axis of the 2-D sub-arrays"),
    Param("axis2", "int", 1, "second axis of the 2-D sub-arrays")),
    backward=_one(_diag_bwd),
    doc="Extracts a diagonal (N-D input) or builds a diagonal matrix (1-D input).")


def _block(opname, x, b):
    if x.ndim != 4:
        raise MXNetError(f"Operator {opname}: input must be 4-D (N, C, H, W), got {x.shape}")
    if b < 1:
        raise MXNetError(f"Operator {opname}: block_size must be positive, got {b}")
    if 0 in x.shape and not is_np_shape():
        # a legacy shape's 0 means "unknown", which MXNet's shape check rejects
        raise MXNetError(f"Operator {opname}: input shape {x.shape} has an unknown (zero) dimension")


def _d2s(x, b, xp):
    _block("depth_to_space", x, b)
    n, c, h, w = x.shape
    if c % (b * b):
        raise MXNetError(f"Operator depth_to_space: channels {c} must be a multiple of "
                         f"block_size^2 = {b * b}")
    y = x.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2)
    return xp.ascontiguousarray(y).reshape(n, c // (b * b), h * b, w * b)


def _s2d(x, b, xp):
    _block("space_to_depth", x, b)
    n, c, h, w = x.shape
    if h % b or w % b:
        raise MXNetError(f"Operator space_to_depth: height {h} and width {w} must be multiples of "
                         f"block_size {b}")
    y = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    return xp.ascontiguousarray(y).reshape(n, c * b * b, h // b, w // b)


_bs = (Param("block_size", "int", doc="the spatial block size"),)
register("depth_to_space", lambda attrs, ins, ctx: _d2s(ins[0], attrs.block_size, ctx.xp), params=_bs,
         backward=_one(lambda attrs, g, ins, ctx: _s2d(g, attrs.block_size, ctx.xp)),
         doc="Moves blocks of channels into spatial blocks (N, C, H, W) -> (N, C/b^2, H*b, W*b).")
register("space_to_depth", lambda attrs, ins, ctx: _s2d(ins[0], attrs.block_size, ctx.xp), params=_bs,
         backward=_one(lambda attrs, g, ins, ctx: _d2s(g, attrs.block_size, ctx.xp)),
         doc="Moves spatial blocks into channels (N, C, H, W) -> (N, C*b^2, H/b, W/b).")


# -- SequenceMask, SequenceLast, SequenceReverse -------------------------------------------------
def _seq_lengths(opname, attrs, ins, allowed_axes=(0, 1)):
    """(data, time axis, int lengths or None)."""
    x = ins[0]
    axis = attrs.axis
    if axis not in allowed_axes:
        raise MXNetError(f"Operator {opname}: axis must be one of {list(allowed_axes)}, got {axis}")
    if x.ndim < 2:
        raise MXNetError(f"Operator {opname}: data must have at least 2 dimensions, got {x.shape}")
    if not attrs.use_sequence_length:
        if len(ins) > 1:
            raise MXNetError(f"Operator {opname} expects 1 input (data) with "
                             f"use_sequence_length=False, but got {len(ins)}")
        return x, axis, None
    if len(ins) < 2:
        raise MXNetError(f"Operator {opname}: use_sequence_length=True needs the sequence_length input")
    lens = ins[1]
    batch = x.shape[1 - axis]
    if lens.shape != (batch,):
        raise MXNetError(f"Operator {opname}: sequence_length must have shape ({batch},), got {lens.shape}")
    lens = lens.astype(np.int64)
    # (float lengths truncate; SequenceReverse leaves a sequence of length 0 as it is)
    low = 0 if opname == "SequenceReverse" else 1
    if opname != "SequenceMask" and lens.size and (int(lens.min()) < low or int(lens.max()) > x.shape[axis]):
        raise MXNetError(f"Operator {opname}: sequence_length values must be in [{low}, {x.shape[axis]}]")
    return x, axis, lens


def _seq_mask(x, axis, lens, xp):
    """Boolean (T, B) or (B, T) mask of the valid steps, shaped to broadcast against x."""
    t = xp.arange(x.shape[axis])
    m = t[:, None] < lens[None, :] if axis == 0 else lens[:, None] > t[None, :]
    return m.reshape(m.shape + (1,) * (x.ndim - 2))


_seq_params = (Param("use_sequence_length", "bool", False, "use the sequence_length input"),)


def _seq_inputs(attrs, names):
    # sequence_length is an input only when it is used
    return names if attrs.use_sequence_length else names[:1]
_seq_axis = Param("axis", "int", 0, "the time axis (0 or 1)")


def _smask_fwd(attrs, ins, ctx):
    x, axis, lens = _seq_lengths("SequenceMask", attrs, ins)
    if lens is None:
        return x.copy()
    return ctx.xp.where(_seq_mask(x, axis, lens, ctx.xp), x, x.dtype.type(attrs.value))


def _smask_bwd(attrs, og, ins, outs, ctx, state):
    x, axis, lens = _seq_lengths("SequenceMask", attrs, ins)
    g = og[0]
    gx = g if lens is None else g * _seq_mask(x, axis, lens, ctx.xp)
    return [gx] + [None] * (len(ins) - 1)


def _seq_shape(attrs, shapes):
    """Output shape = data shape; sequence_length is (batch,)."""
    s = shapes[0]
    if s is None:
        return shapes, [None]
    ins = list(shapes)
    if attrs.use_sequence_length and len(ins) > 1 and len(s) >= 2:
        ins[1] = (s[1 - attrs.axis],)
    return ins, [tuple(s)]


register("SequenceMask", _smask_fwd, inputs=("data", "sequence_length"), input_filter=_seq_inputs,
         params=_seq_params + (Param("value", "float", 0.0, "the value of masked steps"), _seq_axis),
         backward=_smask_bwd, infer_shape=_seq_shape, doc="Sets the steps beyond each sequence's length to a value.")


def _last_index(x, axis, lens, xp):
    batch = xp.arange(x.shape[1 - axis])
    t = xp.full(batch.shape, x.shape[axis] - 1) if lens is None else lens - 1
    return (t, batch) if axis == 0 else (batch, t)


def _slast_fwd(attrs, ins, ctx):
    x, axis, lens = _seq_lengths("SequenceLast", attrs, ins)
    return x[_last_index(x, axis, lens, ctx.xp)]


def _slast_bwd(attrs, og, ins, outs, ctx, state):
    x, axis, lens = _seq_lengths("SequenceLast", attrs, ins)
    gx = ctx.xp.zeros_like(x)
    gx[_last_index(x, axis, lens, ctx.xp)] = og[0]
    return [gx] + [None] * (len(ins) - 1)


def _slast_shape(attrs, shapes):
    ins, out = _seq_shape(attrs, shapes)
    if out[0] is None:
        return ins, out
    return ins, [tuple(d for i, d in enumerate(out[0]) if i != attrs.axis)]


register("SequenceLast", _slast_fwd, inputs=("data", "sequence_length"), input_filter=_seq_inputs,
         params=_seq_params + (_seq_axis,),
         backward=_slast_bwd, infer_shape=_slast_shape,
         doc="Takes the last valid step of each sequence.")


def _reverse_index(x, lens, xp):
    t = xp.arange(x.shape[0])[:, None]
    b = xp.arange(x.shape[1])[None, :]
    if lens is None:
        return (x.shape[0] - 1 - t) + 0 * b, b
    return xp.where(t < lens[None, :], lens[None, :] - 1 - t, t), b


def _srev_fwd(attrs, ins, ctx):
    x, _, lens = _seq_lengths("SequenceReverse", attrs, ins, (0,))
    return x[_reverse_index(x, lens, ctx.xp)]


def _srev_bwd(attrs, og, ins, outs, ctx, state):
    x, _, lens = _seq_lengths("SequenceReverse", attrs, ins, (0,))
    # the permutation is its own inverse
    return [og[0][_reverse_index(x, lens, ctx.xp)]] + [None] * (len(ins) - 1)


register("SequenceReverse", _srev_fwd, inputs=("data", "sequence_length"), input_filter=_seq_inputs,
         params=_seq_params + (_seq_axis,), backward=_srev_bwd, infer_shape=_seq_shape,
         doc="Reverses the valid steps of each sequence (time axis 0).")
