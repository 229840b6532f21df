"""Flatten nested lists of arrays or symbols to a flat list plus a format, and back.

Shared by Gluon's hybridized blocks and the control-flow operators of ``mx.nd.contrib`` and
``mx.sym.contrib``; each caller says what a leaf is.  A format is a list of formats for a (nested)
list, or an int for a leaf: 0 for one item, n > 0 for a group of n items, -1 for a None argument.
"""


def flatten(args, leaf):
    """``(flat list, format)`` of ``args``: lists and tuples are walked, everything else goes to
    ``leaf(item) -> (items, format)``, which raises for what the caller does not accept."""
    if not isinstance(args, (list, tuple)):
        return leaf(args)
    flat, fmt = [], []
    for a in args:
        f, m = flatten(a, leaf)
        flat.extend(f)
        fmt.append(m)
    return flat, fmt


def regroup(flat, fmt):
    """Inverse of ``flatten``: ``(grouped value, remaining items of flat)``."""
    if isinstance(fmt, int):
        if fmt == 0:
            return flat[0], flat[1:]
        if fmt == -1:   # a None argument, which holds its place in the flat list
            if flat[0] is not None:
                raise ValueError("We do not support passing types that are not None when the initial "
                                 "HybridBlock has received NoneType and has been hybridized. Received "
                                 f"arg = {flat[0]}, fmt = {fmt}.")
            return None, flat[1:]
        return flat[:fmt], flat[fmt:]
    out = []
    for f in fmt:
        v, flat = regroup(flat, f)
        out.append(v)
    return out, flat
