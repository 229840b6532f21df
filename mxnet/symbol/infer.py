"""Shape and dtype inference over a graph, from each operator's ``infer_shape``/``infer_type``.

Results are dicts keyed by ``(id(node), output_index)``.  A shape is a tuple whose unknown
dimensions are 0 (MXNet's legacy convention; None/-1 from operators are read the same way), or
None when nothing is known.  Sweeps repeat until nothing changes, so that shapes flow backwards
too (e.g. ``FullyConnected`` fills in its weight shape, ``elemwise_add`` one operand from the other).
"""
import ast

import numpy as np

from ..base import MXNetError, FLAG_TO_DTYPE
from ..util import is_np_shape


def complete(shape):
    return shape is not None and all(d is not None and d > 0 for d in shape)


def _norm(shape):
    if shape is None:
        return None
    return tuple(0 if d is None or d < 0 else int(d) for d in shape)


def _merge(old, new, node, what):
    new = _norm(new)
    if new is None or old == new:
        return old
    if old is None:
        return new
    if len(old) != len(new):
        if not any(old) or not any(new):
            return old if any(old) else new
        raise MXNetError(f"Error in operator {node.name}: Shape inconsistent, Provided = {old}, "
                         f"inferred shape={new} ({what})")
    out = []
    for a, b in zip(old, new):
        if a and b and a != b:
            raise MXNetError(f"Error in operator {node.name}: Shape inconsistent, Provided = {old}, "
                             f"inferred shape={new} ({what})")
        out.append(a or b)
    return tuple(out)


def _var_shape(node, known):
    s = known.get(node.name)
    if s is None and "__shape__" in node.attrs:
        s = ast.literal_eval(node.attrs["__shape__"])
        if s == () and not is_np_shape():
            return None     # a legacy empty shape means "unknown"
    if s is None:
        return None
    return _norm(tuple(s) if not isinstance(s, int) else (s,))


def infer_shapes(order, heads, known):
    """Shapes of every entry, given ``known`` {variable name: shape}."""
    shapes = {}
    for n in order:
        if n.op is None:
            shapes[(id(n), 0)] = _var_shape(n, known)
    ops = [n for n in order if n.op is not None]
    for _ in range(len(ops) + 2):
        changed = False
        for n in ops:
            keys = [(id(c), i) for c, i in n.inputs]
            ins = [shapes.get(k) for k in keys]
            try:
                new_in, outs = n.op.infer_shape(n.parsed, [None if s is None else tuple(s) for s in ins])
            except Exception as e:
                if all(complete(s) for s in ins):
                    msg = str(e)
                    raise MXNetError(msg if msg.startswith("Error in operator") else
                                     f"Error in operator {n.name}: {msg}") from None
                continue
            for k, s in zip(keys, new_in):
                m = _merge(shapes.get(k), s, n, "input")
                if m != shapes.get(k):
                    shapes[k] = m
                    changed = True
            for i, s in enumerate(outs):
                k = (id(n), i)
                m = _merge(shapes.get(k), s, n, "output")
                if m != shapes.get(k):
                    shapes[k] = m
                    changed = True
            back = n.op.infer_shape_back
            if back is not None and not all(complete(shapes.get(k)) for k in keys):
                outs = [shapes.get((id(n), i)) for i in range(len(outs))]
                if any(s is not None for s in outs):
                    new_in = back(n.parsed, [shapes.get(k) for k in keys], outs)
                    for k, s in zip(keys, new_in):
                        m = _merge(shapes.get(k), s, n, "input")
                        if m != shapes.get(k):
                            shapes[k] = m
                            changed = True
        if not changed:
            break
    return shapes


def _var_type(node, known):
    t = known.get(node.name)
    if t is None and "__dtype__" in node.attrs:
        t = FLAG_TO_DTYPE[int(node.attrs["__dtype__"])]
    return None if t is None else np.dtype(t)


def infer_types(order, heads, known):
    """Dtypes of every entry, given ``known`` {variable name: dtype}."""
    types = {}
    for n in order:
        if n.op is None:
            types[(id(n), 0)] = _var_type(n, known)
    ops = [n for n in order if n.op is not None]
    for _ in range(len(ops) + 2):
        changed = False
        for n in ops:
            keys = [(id(c), i) for c, i in n.inputs]
            ins = [types.get(k) for k in keys]
            new_in, outs = n.op.infer_type(n.parsed, ins)
            if not keys and all(t is None for t in outs):
                # creation operators (_zeros, _arange, ...) take their dtype from a parameter
                outs = [n.parsed.get("dtype") or np.float32] * len(outs)
            for k, t in list(zip(keys, new_in)) + [((id(n), i), t) for i, t in enumerate(outs)]:
                if t is None:
                    continue
                t = np.dtype(t)
                old = types.get(k)
                if old is None:
                    types[k] = t
                    changed = True
                elif old != t:
                    raise MXNetError(f"Error in operator {n.name}: type inconsistent, provided = "
                                     f"{old.name}, inferred type = {t.name}")
        if not changed:
            break
    return types
