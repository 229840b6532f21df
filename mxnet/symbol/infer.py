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


def _bad_var_attr(node, key, why=""):
    return MXNetError(f"Variable '{node.name}': invalid {key} attribute "
                      f"{node.attrs[key]!r}{why}")


def _var_shape(node, known):
    s = known.get(node.name)
    if s is None and "__shape__" in node.attrs:
        try:
            s = ast.literal_eval(node.attrs["__shape__"])
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise _bad_var_attr(node, "__shape__") from None
        if not (s is None or type(s) is int or (isinstance(s, (tuple, list)) and all(
                type(d) is int or d is None for d in s))):
            raise _bad_var_attr(node, "__shape__", ", expected a tuple of integers")
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
        try:
            t = FLAG_TO_DTYPE[int(node.attrs["__dtype__"])]
        except (ValueError, TypeError, KeyError):
            raise _bad_var_attr(node, "__dtype__", ", expected a dtype flag "
                                f"{sorted(FLAG_TO_DTYPE)}") from None
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
            try:
                new_in, outs = n.op.infer_type(n.parsed, ins)
            except MXNetError:
                raise
            except Exception as e:     # e.g. a loaded graph gave the node a wrong input count
                raise MXNetError(f"Error in operator {n.name}: type inference failed on "
                                 f"{len(ins)} inputs: {type(e).__name__}: {e}") from None
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


_STYPE_OF_ID = {"0": "default", "1": "row_sparse", "2": "csr"}


def var_stype(node, known):
    """A variable's storage type: given in ``known``, else its ``stype`` attribute, else default."""
    s = known.get(node.name)
    if s is None:
        s = _STYPE_OF_ID.get(str(node.attrs.get("__storage_type__", "0")), "default")
    return s


def infer_stypes(order, known):
    """MXNet's storage-type inference: ``(stypes, modes)``, the storage type of every entry
    (keyed as the shapes) and, per operator node id, how it runs ("dense", "sparse" or
    "fallback"; see ``registry.infer_storage``), given ``known`` {variable name: stype}."""
    from ..ops.registry import infer_storage
    stypes, modes = {}, {}
    for n in order:
        if n.op is None:
            stypes[(id(n), 0)] = var_stype(n, known)
            continue
        ins = [stypes[(id(c), i)] for c, i in n.inputs]
        try:
            outs, modes[id(n)] = infer_storage(n.op, n.parsed, ins)
        except MXNetError:
            raise
        except Exception as e:     # e.g. a loaded graph gave the node too few inputs
            raise MXNetError(f"Error in operator {n.name}: storage type inference failed on "
                             f"{len(ins)} inputs: {type(e).__name__}: {e}") from None
        nout = n.num_outputs()
        outs = list(outs) + ["default"] * (nout - len(outs))
        for i in range(nout):
            stypes[(id(n), i)] = outs[i]
    return stypes, modes


def infer_grad_stypes(order, stypes, arg_names):
    """The storage types MXNet gives the gradient buffers of ``simple_bind``: an argument's
    gradient is sparse where every operator reading it declares a sparse gradient for that input
    (``StorageForm.grad``), default otherwise."""
    found = {}
    for n in order:
        if n.op is None:
            continue
        form = n.op.storage
        ins = [stypes[(id(c), i)] for c, i in n.inputs]
        gst = form.grad(n.parsed, tuple(ins)) if form is not None and form.grad is not None else None
        for p, (c, _) in enumerate(n.inputs):
            if c.op is None:
                # (a loaded graph may give a node more inputs than its rule covers)
                g = gst[p] if gst is not None and p < len(gst) else "default"
                found.setdefault(c.name, set()).add(g)
    out = []
    for name in arg_names:
        gs = found.get(name, {"default"})
        out.append(gs.pop() if len(gs) == 1 else "default")
    return out
