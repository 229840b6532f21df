"""The table of MXNet-operator -> ONNX converters: one function per MXNet operator.

A converter is ``fn(g, node, ins, attrs) -> tensor name or list of names``: ``g`` is the
graph being built (``_graph.ExportGraph``), ``node`` the MXNet graph node, ``ins`` the ONNX
tensor names of its inputs and ``attrs`` its parsed parameters.  It returns the names of the
node's visible outputs, in order.
"""
from ..ops import registry as _ops

CONVERTERS = {}     # canonical MXNet operator name -> converter


def converter(*names):
    """Register the decorated function as the converter of the MXNet operators ``names``
    (their aliases included: the table is keyed by canonical name)."""
    def deco(fn):
        for name in names:
            canonical = _ops.get_op(name).name
            if canonical in CONVERTERS:
                raise ValueError(f"ONNX converter for {name} registered twice")
            CONVERTERS[canonical] = fn
        return fn
    return deco


# creation operators without inputs: with a static shape (always, unless inference takes it from
# a dynamic dimension) the exporter stores their result as a constant
FOLDED = ("_zeros", "_ones", "_full", "_arange", "_eye", "_linspace", "_contrib_MultiBoxPrior")


def supported_ops():
    """Every MXNet operator name (aliases included) that has a converter or exports as a
    constant, sorted."""
    names = set()
    for canonical in list(CONVERTERS) + [_ops.get_op(n).name for n in FOLDED]:
        op = _ops.get_op(canonical)
        names.add(op.name)
        names.update(op.aliases)
    return sorted(names)
