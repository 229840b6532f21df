"""ONNX converters of the tensor operators: shape manipulation, slicing, joining, arithmetic,
comparisons, reductions, indexing and creation."""
import numpy as np

from ..base import MXNetError
from ._registry import converter

_INT_MAX = np.iinfo(np.int64).max
_INT_MIN = np.iinfo(np.int64).min


def _to_shape(g, x, ins):
    """Reshape ``x`` to the node's (first) output shape (dynamic sizes read from ``ins``)."""
    return g.add("Reshape", [x, g.shape_tensor(g.out_shapes[0], ins, allow_infer=True)])


# -- shape manipulation ------------------------------------------------------------------------
@converter("Reshape", "reshape_like", "_npx_reshape", "_np_reshape")
def _reshape(g, node, ins, a):
    # mxnext's shape inference has already applied MXNet's special codes (0, -1, -2, -3, -4,
    # reverse): the output shape is known, and only dynamic dimensions are read at run time
    return g.add("Reshape", [ins[0], g.shape_tensor(g.out_shapes[0], ins, allow_infer=True)])


@converter("transpose")
def _transpose(g, node, ins, a):
    ndim = g.ndim(ins[0])
    perm = [ax % ndim for ax in a.axes] if a.axes else list(range(ndim))[::-1]
    return g.add("Transpose", ins, perm=perm)


@converter("SwapAxis")
def _swapaxes(g, node, ins, a):
    ndim = g.ndim(ins[0])
    perm = list(range(ndim))
    d1, d2 = a.dim1 % ndim, a.dim2 % ndim
    perm[d1], perm[d2] = perm[d2], perm[d1]
    return g.add("Transpose", ins, perm=perm)


@converter("expand_dims")
def _expand_dims(g, node, ins, a):
    return g.unsqueeze(ins[0], [a.axis % (g.ndim(ins[0]) + 1)])


@converter("squeeze")
def _squeeze(g, node, ins, a):
    shape = g.shape(ins[0])
    if a.axis is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    else:
        axes = [ax % len(shape) for ax in (a.axis if isinstance(a.axis, tuple) else (a.axis,))]
    if not axes:
        return ins[0]
    return g.squeeze(ins[0], axes)


@converter("depth_to_space")
def _depth_to_space(g, node, ins, a):
    return g.add("DepthToSpace", ins, blocksize=a.block_size, mode="DCR")


@converter("space_to_depth")
def _space_to_depth(g, node, ins, a):
    return g.add("SpaceToDepth", ins, blocksize=a.block_size)


# -- slicing and joining -------------------------------------------------------------------------
@converter("slice")
def _slice(g, node, ins, a):
    starts, ends, axes, steps = [], [], [], []
    step = a.step or ()
    for i, (b, e) in enumerate(zip(a.begin, a.end)):
        s = step[i] if i < len(step) and step[i] is not None else 1
        if b is None and e is None and s == 1:
            continue
        starts.append(b if b is not None else (0 if s > 0 else -1))
        ends.append(e if e is not None else (_INT_MAX if s > 0 else _INT_MIN))
        axes.append(i)
        steps.append(s)
    if not axes:
        return ins[0]
    return g.slice(ins[0], starts, ends, axes, steps)


@converter("slice_axis")
def _slice_axis(g, node, ins, a):
    end = _INT_MAX if a.end is None else a.end
    return g.slice(ins[0], [a.begin], [end], [a.axis % g.ndim(ins[0])])


@converter("slice_like")
def _slice_like(g, node, ins, a):
    x, like = ins
    ndim = g.ndim(x)
    axes = [ax % ndim for ax in a.axes] if a.axes else list(range(min(ndim, g.ndim(like))))
    ends = g.add("Gather", [g.add("Shape", [like]), g.ints(axes)], axis=0)
    return g.add("Slice", [x, g.ints([0] * len(axes)), ends, g.ints(axes)])


@converter("reverse")
def _reverse(g, node, ins, a):
    ndim = g.ndim(ins[0])
    axes = [ax % ndim for ax in (a.axis if isinstance(a.axis, tuple) else (a.axis,))]
    return g.slice(ins[0], [-1] * len(axes), [_INT_MIN] * len(axes), axes, [-1] * len(axes))


@converter("Concat")
def _concat(g, node, ins, a):
    return g.add("Concat", ins, axis=a.dim % g.ndim(ins[0]))


@converter("stack")
def _stack(g, node, ins, a):
    axis = a.axis % (g.ndim(ins[0]) + 1)
    return g.add("Concat", [g.unsqueeze(t, [axis]) for t in ins], axis=axis)


def _split_axis(g, node, x, axis):
    """``(axis, length)`` of the axis a split cuts, which must have a static length."""
    axis = axis % g.ndim(x)
    n = g.shape(x)[axis]
    if n is None:
        raise MXNetError(f"ONNX export: split '{node.name}' along the dynamic axis {axis}")
    return axis, n


def _split(g, node, x, axis, sizes, squeeze):
    outs = g.split(x, axis, sizes) if len(sizes) > 1 else [g.add("Identity", [x])]
    if squeeze:
        outs = [g.squeeze(o, [axis]) for o in outs]
    return outs


@converter("SliceChannel")
def _slice_channel(g, node, ins, a):
    axis, n = _split_axis(g, node, ins[0], a.axis)
    return _split(g, node, ins[0], axis, [n // a.num_outputs] * a.num_outputs, a.squeeze_axis)


@converter("_split_v2")
def _split_v2(g, node, ins, a):
    axis, n = _split_axis(g, node, ins[0], a.axis)
    if a.sections:
        sizes = [n // a.sections] * a.sections
    else:
        bounds = list(a.indices) + [n]
        sizes = [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]
        if bounds[0] != 0:
            sizes = [bounds[0]] + sizes
    return _split(g, node, ins[0], axis, sizes, a.squeeze_axis)


@converter("Pad")
def _pad(g, node, ins, a):
    pw = list(a.pad_width)
    pads = pw[0::2] + pw[1::2]
    mode = {"constant": "constant", "edge": "edge", "reflect": "reflect"}[a.mode]
    value = g.scalar(a.constant_value, ins[0]) if mode == "constant" else ""
    return g.add("Pad", [ins[0], g.ints(pads), value], mode=mode)


@converter("tile")
def _tile(g, node, ins, a):
    x = ins[0]
    reps = list(a.reps)
    ndim = g.ndim(x)
    if len(reps) > ndim:
        x = g.unsqueeze(x, list(range(len(reps) - ndim)))
    reps = [1] * (ndim - len(reps)) + reps
    return g.add("Tile", [x, g.ints(reps)])


@converter("repeat")
def _repeat(g, node, ins, a):
    x = ins[0]
    if a.axis is None:
        x = g.add("Reshape", [x, g.ints([-1])])
        axis = 0
    else:
        axis = a.axis % g.ndim(x)
    ndim = g.ndim(x) if a.axis is not None else 1
    reps = [1] * (ndim + 1)
    reps[axis + 1] = a.repeats
    return _to_shape(g, g.add("Tile", [g.unsqueeze(x, [axis + 1]), g.ints(reps)]), ins)


# -- broadcasting --------------------------------------------------------------------------------
@converter("broadcast_to", "broadcast_axis", "broadcast_like")
def _broadcast(g, node, ins, a):
    return g.add("Expand", [ins[0], g.shape_tensor(g.out_shapes[0], ins, broadcast_ones=True)])


# -- arithmetic ----------------------------------------------------------------------------------
def _binary(op_type):
    def conv(g, node, ins, a):
        return g.add(op_type, ins)
    return conv


for _names, _onnx in ((("elemwise_add", "broadcast_add"), "Add"), (("elemwise_sub", "broadcast_sub"), "Sub"),
                      (("elemwise_mul", "broadcast_mul"), "Mul"), (("elemwise_div", "broadcast_div"), "Div"),
                      (("_power", "broadcast_power"), "Pow"), (("_maximum", "broadcast_maximum"), "Max"),
                      (("_minimum", "broadcast_minimum"), "Min")):
    converter(*_names)(_binary(_onnx))


@converter("broadcast_mod", "_mod")
def _mod(g, node, ins, a):
    # NumPy's remainder (the divisor's sign), 0 where the divisor is 0, as MXNet
    x, y = ins
    fmod = 1 if np.dtype(g.dtype(x)).kind == "f" else 0
    r = g.add("Mod", [x, y], fmod=fmod)
    if fmod:
        zero = g.scalar(0, x)
        fix = g.add("And", [g.add("Not", [g.add("Equal", [r, zero])]),
                            g.add("Not", [g.add("Equal", [g.add("Less", [r, zero]), g.add("Less", [y, zero])])])])
        r = g.add("Where", [fix, g.add("Add", [r, y]), r])
    return g.add("Where", [g.add("Equal", [y, g.scalar(0, x)]), g.scalar(0, x), r])


@converter("_mod_scalar")
def _mod_scalar(g, node, ins, a):
    return _mod(g, node, [ins[0], g.scalar(a.scalar, ins[0])], a)


@converter("add_n")
def _add_n(g, node, ins, a):
    return g.add("Sum", ins) if len(ins) > 1 else ins[0]


def _compare(op_type, negate=False):
    def conv(g, node, ins, a):
        y = g.add(op_type, ins)
        if negate:
            y = g.add("Not", [y])
        return g.cast(y, g.dtype(ins[0]))
    return conv


for _names, _onnx, _neg in ((("_equal", "broadcast_equal"), "Equal", False),
                            (("_not_equal", "broadcast_not_equal"), "Equal", True),
                            (("_greater", "broadcast_greater"), "Greater", False),
                            (("_greater_equal", "broadcast_greater_equal"), "GreaterOrEqual", False),
                            (("_lesser", "broadcast_lesser"), "Less", False),
                            (("_lesser_equal", "broadcast_lesser_equal"), "LessOrEqual", False)):
    converter(*_names)(_compare(_onnx, _neg))


def _logical(op_type):
    def conv(g, node, ins, a):
        y = g.add(op_type, [g.cast(t, np.bool_) for t in ins])
        return g.cast(y, g.dtype(ins[0]))
    return conv


for _names, _onnx in ((("_logical_and", "broadcast_logical_and"), "And"),
                      (("_logical_or", "broadcast_logical_or"), "Or"),
                      (("_logical_xor", "broadcast_logical_xor"), "Xor")):
    converter(*_names)(_logical(_onnx))


def _scalar_op(op_type, reverse=False, post=None):
    def conv(g, node, ins, a):
        s = g.scalar(a.scalar, ins[0])
        y = g.add(op_type, [s, ins[0]] if reverse else [ins[0], s])
        if post == "not":
            y = g.add("Not", [y])
        if post is not None:
            y = g.cast(y, g.dtype(ins[0]))
        return y
    return conv


for _name, _onnx, _rev, _post in (
        ("_plus_scalar", "Add", False, None), ("_minus_scalar", "Sub", False, None),
        ("_rminus_scalar", "Sub", True, None), ("_mul_scalar", "Mul", False, None),
        ("_div_scalar", "Div", False, None), ("_rdiv_scalar", "Div", True, None),
        ("_power_scalar", "Pow", False, None), ("_rpower_scalar", "Pow", True, None),
        ("_maximum_scalar", "Max", False, None), ("_minimum_scalar", "Min", False, None),
        ("_equal_scalar", "Equal", False, "cast"), ("_not_equal_scalar", "Equal", False, "not"),
        ("_greater_scalar", "Greater", False, "cast"), ("_greater_equal_scalar", "GreaterOrEqual", False, "cast"),
        ("_lesser_scalar", "Less", False, "cast"), ("_lesser_equal_scalar", "LessOrEqual", False, "cast")):
    converter(_name)(_scalar_op(_onnx, _rev, _post))


_UNARY = {"abs": "Abs", "negative": "Neg", "exp": "Exp", "log": "Log", "sqrt": "Sqrt", "reciprocal": "Reciprocal",
          "sign": "Sign", "floor": "Floor", "ceil": "Ceil", "rint": "Round", "sin": "Sin", "cos": "Cos",
          "tan": "Tan", "arcsin": "Asin", "arccos": "Acos", "arctan": "Atan", "sinh": "Sinh", "cosh": "Cosh",
          "tanh": "Tanh", "arcsinh": "Asinh", "arccosh": "Acosh", "arctanh": "Atanh", "erf": "Erf"}


def _unary(op_type):
    def conv(g, node, ins, a):
        return g.add(op_type, ins)
    return conv


for _name, _onnx in _UNARY.items():
    converter(_name)(_unary(_onnx))


@converter("square")
def _square(g, node, ins, a):
    return g.add("Mul", [ins[0], ins[0]])


@converter("rsqrt")
def _rsqrt(g, node, ins, a):
    return g.add("Reciprocal", [g.add("Sqrt", ins)])


@converter("log1p")
def _log1p(g, node, ins, a):
    return g.add("Log", [g.add("Add", [ins[0], g.scalar(1, ins[0])])])


@converter("expm1")
def _expm1(g, node, ins, a):
    return g.add("Sub", [g.add("Exp", ins), g.scalar(1, ins[0])])


@converter("log2", "log10")
def _log_base(g, node, ins, a):
    base = 2.0 if node.op.name == "log2" else 10.0
    return g.add("Div", [g.add("Log", ins), g.scalar(np.log(base), ins[0])])


@converter("round")
def _round(g, node, ins, a):
    # MXNet rounds halves away from zero; ONNX's Round goes to even
    x = ins[0]
    r = g.add("Floor", [g.add("Add", [g.add("Abs", [x]), g.scalar(0.5, x)])])
    return g.add("Mul", [g.add("Sign", [x]), r])


@converter("trunc", "fix")
def _trunc(g, node, ins, a):
    x = ins[0]
    return g.add("Mul", [g.add("Sign", [x]), g.add("Floor", [g.add("Abs", [x])])])


@converter("logical_not")
def _logical_not(g, node, ins, a):
    return g.cast(g.add("Not", [g.cast(ins[0], np.bool_)]), g.dtype(ins[0]))


@converter("clip")
def _clip(g, node, ins, a):
    x = ins[0]
    return g.add("Clip", [x, g.scalar(a.a_min, x), g.scalar(a.a_max, x)])


@converter("Cast", "amp_cast")
def _cast(g, node, ins, a):
    return g.cast(ins[0], a.dtype)


@converter("BlockGrad", "_copy", "make_loss", "MakeLoss")
def _identity(g, node, ins, a):
    return g.add("Identity", [ins[0]])


@converter("where")
def _where(g, node, ins, a):
    cond, x, y = ins
    vector = g.ndim(cond) == 1 and g.ndim(x) > 1
    cond = g.cast(cond, np.bool_)
    if vector:
        # MXNet's where selects whole rows with a vector condition
        cond = g.unsqueeze(cond, list(range(1, g.ndim(x))))
    return g.add("Where", [cond, x, y])


# -- reductions ----------------------------------------------------------------------------------
def _axes(g, x, a):
    ndim = g.ndim(x)
    axis = a.get("axis")
    if axis is None or axis == ():
        axes = list(range(ndim))
    else:
        axes = sorted({ax % ndim for ax in (axis if isinstance(axis, tuple) else (axis,))})
    if a.get("exclude"):
        axes = [i for i in range(ndim) if i not in axes]
    return axes


def _as_one(g, y, x, axes, keepdims):
    """MXNet gives shape (1,), not a scalar, where every axis is reduced away."""
    if not keepdims and len(axes) == g.ndim(x):
        return g.add("Reshape", [y, g.ints([1])])
    return y


def _reduction(op_type):
    def conv(g, node, ins, a):
        axes = _axes(g, ins[0], a)
        return _as_one(g, g.reduce(op_type, ins[0], axes, a.keepdims), ins[0], axes, a.keepdims)
    return conv


for _name, _onnx in (("sum", "ReduceSum"), ("mean", "ReduceMean"), ("max", "ReduceMax"),
                     ("min", "ReduceMin"), ("prod", "ReduceProd")):
    converter(_name)(_reduction(_onnx))


@converter("norm")
def _norm(g, node, ins, a):
    if a.ord not in (1, 2):
        raise MXNetError(f"ONNX export: norm '{node.name}': ord {a.ord} has no ONNX form")
    axes = _axes(g, ins[0], a)
    y = _as_one(g, g.reduce("ReduceL1" if a.ord == 1 else "ReduceL2", ins[0], axes, a.keepdims), ins[0], axes,
                a.keepdims)
    if a.out_dtype is not None:
        y = g.cast(y, a.out_dtype)
    return y


def _arg_reduce(op_type):
    def conv(g, node, ins, a):
        x = ins[0]
        if a.axis is None:
            y = g.add(op_type, [g.add("Reshape", [x, g.ints([-1])])], axis=0, keepdims=1)
            if a.keepdims:
                y = g.add("Reshape", [y, g.ints([1] * g.ndim(x))])
        else:
            y = g.add(op_type, [x], axis=a.axis % g.ndim(x), keepdims=int(a.keepdims))
        return g.cast(y, g.dtype(x))     # MXNet returns indices in the input's dtype
    return conv


converter("argmax")(_arg_reduce("ArgMax"))
converter("argmin")(_arg_reduce("ArgMin"))


@converter("topk")
def _topk(g, node, ins, a):
    x = ins[0]
    axis = a.axis % g.ndim(x)
    vals, idx = g.add("TopK", [x, g.ints([a.k])], outputs=2, axis=axis, largest=0 if a.is_ascend else 1, sorted=1)
    idx_out = g.cast(idx, a.dtype)
    if a.ret_typ == "value":
        return vals
    if a.ret_typ == "indices":
        return idx_out
    if a.ret_typ == "both":
        return [vals, idx_out]
    raise MXNetError(f"ONNX export: topk '{node.name}': ret_typ {a.ret_typ} has no ONNX form")


def _sort_like(g, node, x, axis, ascend):
    axis = axis % g.ndim(x)
    n = g.shape(x)[axis]
    k = g.ints([n]) if n is not None else g.slice(g.add("Shape", [x]), [axis], [axis + 1], [0])
    return g.add("TopK", [x, k], outputs=2, axis=axis, largest=0 if ascend else 1, sorted=1)


@converter("sort")
def _sort(g, node, ins, a):
    return _sort_like(g, node, ins[0], a.axis, a.is_ascend)[0]


@converter("argsort")
def _argsort(g, node, ins, a):
    return g.cast(_sort_like(g, node, ins[0], a.axis, a.is_ascend)[1], a.dtype)


# -- products ------------------------------------------------------------------------------------
def _swap_last(g, x):
    ndim = g.ndim(x)
    perm = list(range(ndim - 2)) + [ndim - 1, ndim - 2]
    return g.add("Transpose", [x], perm=perm)


@converter("batch_dot")
def _batch_dot(g, node, ins, a):
    lhs, rhs = ins
    if a.transpose_a:
        lhs = _swap_last(g, lhs)
    if a.transpose_b:
        rhs = _swap_last(g, rhs)
    return g.add("MatMul", [lhs, rhs])


@converter("dot")
def _dot(g, node, ins, a):
    lhs, rhs = ins
    ln, rn = g.ndim(lhs), g.ndim(rhs)
    if a.transpose_a:
        lhs = g.add("Transpose", [lhs], perm=list(range(ln))[::-1])
    if a.transpose_b:
        rhs = g.add("Transpose", [rhs], perm=list(range(rn))[::-1])
    if ln == 1 and rn == 1:
        return g.add("Reshape", [g.add("MatMul", [lhs, rhs]), g.ints([1])])
    if rn <= 2:
        return g.add("MatMul", [lhs, rhs])
    # contract lhs's last axis with rhs's first: rhs as a matrix, then the full output shape
    r2 = g.add("Reshape", [rhs, g.ints([g.concrete_shape(ins[1])[-1 if a.transpose_b else 0], -1])])
    return _to_shape(g, g.add("MatMul", [lhs, r2]), ins)


# -- indexing ------------------------------------------------------------------------------------
def _index(g, idx, n, mode):
    """int64 indices into an axis of size ``n`` (a tensor name), clipped or wrapped as MXNet."""
    idx = g.cast(idx, np.int64)
    if mode == "wrap":
        return g.add("Mod", [g.add("Add", [g.add("Mod", [idx, n]), n]), n])
    if mode == "clip":
        return g.add("Max", [g.add("Min", [idx, g.add("Sub", [n, g.const(np.int64(1))])]),
                             g.const(np.int64(0))])
    return idx


def _axis_size(g, x, axis):
    n = g.shape(x)[axis]
    if n is not None:
        return g.const(np.int64(n))
    return g.squeeze(g.slice(g.add("Shape", [x]), [axis], [axis + 1], [0]), [0])


@converter("take")
def _take(g, node, ins, a):
    x, idx = ins
    axis = a.axis % g.ndim(x)
    return g.add("Gather", [x, _index(g, idx, _axis_size(g, x, axis), a.mode)], axis=axis)


@converter("pick")
def _pick(g, node, ins, a):
    x, idx = ins
    axis = -1 if a.axis is None else a.axis % g.ndim(x)
    i = g.unsqueeze(_index(g, idx, _axis_size(g, x, axis), a.mode), [axis])
    y = g.add("GatherElements", [x, i], axis=axis)
    return y if a.keepdims else g.squeeze(y, [axis])


@converter("one_hot")
def _one_hot(g, node, ins, a):
    values = g.const(np.array([a.off_value, a.on_value], dtype=a.dtype))
    return g.add("OneHot", [g.cast(ins[0], np.int64), g.ints([a.depth]), values], axis=-1)


@converter("gather_nd")
def _gather_nd(g, node, ins, a):
    x, idx = ins
    m = g.ndim(idx)
    idx = g.add("Transpose", [g.cast(idx, np.int64)], perm=list(range(1, m)) + [0])
    return g.add("GatherND", [x, idx])


@converter("SequenceMask")
def _sequence_mask(g, node, ins, a):
    x = ins[0]
    if not a.use_sequence_length:
        return g.add("Identity", [x])
    ndim = g.ndim(x)
    axis = a.axis % ndim          # the time axis, 0 or 1; the batch axis is the other one
    n = g.slice(g.add("Shape", [x]), [axis], [axis + 1], [0])
    pos = g.add("Range", [g.const(np.int64(0)), g.squeeze(n, [0]), g.const(np.int64(1))])
    pos = g.unsqueeze(pos, [1 - axis]) if axis == 0 else g.unsqueeze(pos, [0])
    length = g.cast(ins[1], np.int64)
    length = g.unsqueeze(length, [0]) if axis == 0 else g.unsqueeze(length, [1])
    mask = g.add("Less", [pos, length])
    if ndim > 2:
        mask = g.unsqueeze(mask, list(range(2, ndim)))
    return g.add("Where", [mask, x, g.scalar(a.value, x)])


# -- creation ------------------------------------------------------------------------------------
def _fill_like(value):
    def conv(g, node, ins, a):
        t = g.helper.make_tensor("value", g.onnx_dtype(g.dtype(ins[0])), [1], [value])
        return g.add("ConstantOfShape", [g.add("Shape", [ins[0]])], value=t)
    return conv


converter("zeros_like")(_fill_like(0))


@converter("_zeros")
def _zeros(g, node, ins, a):
    # a zeros whose size follows a dynamic dimension has no input to read that size from; the
    # begin state that Gluon's recurrent layers give the fused RNN operator is the one such use,
    # and ONNX's recurrent operators start from zeros when the state is left out
    users = g.consumers.get(id(node), [])
    if users and all(u.op.name == "RNN" and j in (2, 3) for u, j in users):
        return ""
    raise MXNetError(f"ONNX export: _zeros '{node.name}' has a dynamic shape {g.out_shapes[0][0]} "
                     f"that no input gives")
converter("ones_like")(_fill_like(1))


@converter("shape_array")
def _shape_array(g, node, ins, a):
    return g.add("Shape", ins)


@converter("size_array")
def _size_array(g, node, ins, a):
    return g.add("Reshape", [g.add("Size", ins), g.ints([1])])


@converter("_contrib_arange_like")
def _arange_like(g, node, ins, a):
    x = ins[0]
    if a.repeat != 1:
        raise MXNetError(f"ONNX export: _contrib_arange_like '{node.name}' with repeat != 1")
    if a.axis is None:
        n = g.add("Size", [x])
    else:
        n = _axis_size(g, x, a.axis % g.ndim(x))
    n = g.cast(n, np.float64)
    start = g.const(a.start, dtype=np.float64)
    step = g.const(a.step, dtype=np.float64)
    stop = g.add("Add", [start, g.add("Mul", [n, step])])
    y = g.cast(g.add("Range", [start, stop, step]), g.dtype(x))
    if a.axis is None:
        y = g.add("Reshape", [y, g.add("Shape", [x])])
    return y


@converter("_contrib_div_sqrt_dim")
def _div_sqrt_dim(g, node, ins, a):
    x = ins[0]
    d = g.shape(x)[-1]
    if d is None:
        d_t = g.cast(_axis_size(g, x, g.ndim(x) - 1), g.dtype(x))
        return g.add("Div", [x, g.add("Sqrt", [d_t])])
    return g.add("Div", [x, g.scalar(np.sqrt(d), x)])


@converter("_rnn_param_concat")
def _rnn_param_concat(g, node, ins, a):
    # the fused RNN's packed parameters; folded to a constant when they are parameters
    return g.add("Concat", ins, axis=a.dim % g.ndim(ins[0]))


@converter("SequenceReverse")
def _sequence_reverse(g, node, ins, a):
    x = ins[0]
    if a.axis != 0:
        raise MXNetError(f"ONNX export: SequenceReverse '{node.name}' along axis {a.axis}: only axis 0 converts")
    if not a.use_sequence_length:
        return g.slice(x, [-1], [_INT_MIN], [0], [-1])
    return g.add("ReverseSequence", [x, g.cast(ins[1], np.int64)], batch_axis=1, time_axis=0)


@converter("_linalg_gemm2")
def _gemm2(g, node, ins, a):
    lhs, rhs = ins
    nd = g.ndim(lhs)
    if a.axis % nd != nd - 2:
        raise MXNetError(f"ONNX export: _linalg_gemm2 '{node.name}' with axis {a.axis}: only the default "
                         f"(matrices in the last two axes) converts")
    if a.transpose_a:
        lhs = g.add("Transpose", [lhs], perm=list(range(nd - 2)) + [nd - 1, nd - 2])
    if a.transpose_b:
        rhs = g.add("Transpose", [rhs], perm=list(range(nd - 2)) + [nd - 1, nd - 2])
    y = g.add("MatMul", [lhs, rhs])
    return y if a.alpha == 1.0 else g.add("Mul", [y, g.scalar(a.alpha, ins[0])])


def _random(op_type, keys):
    def conv(g, node, ins, a):
        dtype = np.dtype(a.get("dtype") or np.float32)
        first, second = (float(a[k]) for k in keys)
        kw = {"low": first, "high": second} if op_type.startswith("RandomUniform") else \
            {"mean": first, "scale": second}
        if ins:         # the *_like forms take the shape and dtype of their input
            return g.add(op_type + "Like", [ins[0]], **kw)
        shape = g.out_shapes[0]
        if shape[0] != shape[1]:
            raise MXNetError(f"ONNX export: {node.op.name} '{node.name}' needs a static shape")
        return g.add(op_type, [], shape=list(shape[0]), dtype=g.onnx_dtype(dtype), **kw)
    return conv


converter("_random_uniform", "_random_uniform_like")(_random("RandomUniform", ("low", "high")))
converter("_random_normal", "_random_normal_like")(_random("RandomNormal", ("loc", "scale")))
