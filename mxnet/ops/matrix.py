"""Shape, layout and indexing operators."""
import numpy as np

from ..base import MXNetError
from .registry import register, Param


# -- Cast ---------------------------------------------------------------------------
def _cast_fwd(attrs, ins, ctx):
    return ins[0].astype(attrs.dtype)


def _cast_bwd(attrs, og, ins, outs, ctx, state):
    return [None if og[0] is None else og[0].astype(ins[0].dtype)]


def _cast_type(attrs, types):
    return types, [attrs.dtype]


register("Cast", _cast_fwd, params=(Param("dtype", "dtype", doc="output data type"),),
         backward=_cast_bwd, infer_type=_cast_type, aliases=("cast",),
         doc="Casts all elements of the input to a new type.")


# -- Reshape with MXNet's special codes -------------------------------------------------
def infer_reshape(src, target, reverse=False, opname="Reshape"):
    """Resolve MXNet's reshape codes 0, -1, -2, -3, -4 against ``src``."""
    src = tuple(src)
    target = tuple(target)
    if reverse:
        # read the codes right to left: mirror both, keeping each -4 group's pair in order
        out = infer_reshape(src[::-1], _reverse_codes(list(target)), False, opname)
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


def _reverse_codes(t):
    # reverse the code list, keeping each "-4, a, b" group readable left to right
    groups, j = [], 0
    while j < len(t):
        if t[j] == -4:
            groups.append([-4, t[j + 2], t[j + 1]])
            j += 3
        else:
            groups.append([t[j]])
            j += 1
    out = []
    for g in reversed(groups):
        out.extend(g)
    return out


def _reshape_fwd(attrs, ins, ctx):
    x = ins[0]
    return x.reshape(infer_reshape(x.shape, attrs.shape, attrs.reverse))


def _reshape_bwd(attrs, og, ins, outs, ctx, state):
    return [None if og[0] is None else og[0].reshape(ins[0].shape)]


def _reshape_bwd_graph(attrs, og, ins, outs):
    return [og[0].reshape(ins[0].shape)]


def _reshape_shape(attrs, shapes):
    s = shapes[0]
    if s is None:
        return shapes, [None]
    return shapes, [infer_reshape(s, attrs.shape, attrs.reverse)]


register("Reshape", _reshape_fwd, params=(
    Param("shape", "shape", (), "the target shape, with MXNet's codes 0, -1, -2, -3, -4"),
    Param("reverse", "bool", False, "read the special codes from right to left"),
    Param("target_shape", "shape", (), "deprecated"),
    Param("keep_highest", "bool", False, "deprecated")),
    backward=_reshape_bwd, backward_graph=_reshape_bwd_graph, infer_shape=_reshape_shape,
    aliases=("reshape",), doc="Reshapes the input array (a view where possible).")


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
