"""``mx.sym`` functions written in Python rather than generated: creation helpers, scalar-aware
binary functions, and the conversion of a recorded autograd graph into a Symbol."""
import numpy as np

from ..base import MXNetError
from .symbol import Node, Symbol, _call


def zeros(shape, dtype=None, **kwargs):
    """A symbol of zeros (float32 unless ``dtype`` says otherwise)."""
    return _call("_zeros", shape=shape, dtype=np.float32 if dtype is None else dtype, **kwargs)


def ones(shape, dtype=None, **kwargs):
    """A symbol of ones (float32 unless ``dtype`` says otherwise)."""
    return _call("_ones", shape=shape, dtype=np.float32 if dtype is None else dtype, **kwargs)


def full(shape, val, dtype=None, **kwargs):
    """A symbol filled with ``val``."""
    return _call("_full", shape=shape, dtype=np.float32 if dtype is None else dtype, value=float(val),
                 **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``."""
    return _call("_arange", start=start, stop=stop, step=step, repeat=repeat, infer_range=infer_range,
                 name=name, dtype=np.float32 if dtype is None else dtype)


def pow(base, exp):
    """``base ** exp`` for symbols and/or numbers."""
    if isinstance(base, Symbol):
        return base ** exp
    if isinstance(exp, Symbol):
        return exp.__rpow__(base)
    return base ** exp


power = pow


def hypot(left, right):
    """``sqrt(left**2 + right**2)`` for symbols and/or numbers."""
    if isinstance(left, Symbol) and isinstance(right, Symbol):
        return _call("_hypot", left, right)
    if isinstance(left, Symbol):
        return _call("_hypot_scalar", left, scalar=right)
    if isinstance(right, Symbol):
        return _call("_hypot_scalar", right, scalar=left)
    return float(np.hypot(left, right))


def eye(N, M=0, k=0, dtype=None, **kwargs):
    """A 2-D symbol with ones on the k-th diagonal."""
    return _call("_eye", N=N, M=M, k=k, dtype=np.float32 if dtype is None else dtype, **kwargs)


def linspace(start, stop, num, endpoint=True, name=None, dtype=None):
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    return _call("_linspace", start=start, stop=stop, num=num, endpoint=endpoint, name=name,
                 dtype=np.float32 if dtype is None else dtype)


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split along ``axis`` into equal sections (an int) or at the given indices (a tuple)."""
    if isinstance(indices_or_sections, int):
        return _call("_split_v2", ary, indices=(), axis=axis, squeeze_axis=squeeze_axis,
                     sections=indices_or_sections)
    return _call("_split_v2", ary, indices=(0,) + tuple(indices_or_sections), axis=axis,
                 squeeze_axis=squeeze_axis)


def maximum(left, right):
    if isinstance(left, Symbol) and isinstance(right, Symbol):
        return _call("_Maximum", left, right)
    if isinstance(left, Symbol):
        return _call("_MaximumScalar", left, scalar=right)
    if isinstance(right, Symbol):
        return _call("_MaximumScalar", right, scalar=left)
    return max(left, right)


def minimum(left, right):
    if isinstance(left, Symbol) and isinstance(right, Symbol):
        return _call("_Minimum", left, right)
    if isinstance(left, Symbol):
        return _call("_MinimumScalar", left, scalar=right)
    if isinstance(right, Symbol):
        return _call("_MinimumScalar", right, scalar=left)
    return min(left, right)


def _from_autograd(x):
    """The recorded computation behind NDArray ``x`` as a Symbol (``autograd.get_symbol``):
    variables with gradients are ``var<k>``, other inputs ``null<k>``, operators ``node_<j>``."""
    from .. import autograd as ag
    entry = x._entry
    if not isinstance(entry, tuple):
        raise MXNetError("get_symbol: the array was not computed by a recorded operation")
    made, counters = {}, [0, 0]
    outs = {}   # id(recorded node) -> the symbol entry of each of its outputs

    def var_for(e, arr):
        key = id(e) if e is not None else ("const", id(arr))
        if key not in made:
            made[key] = Node(None, f"{'var' if isinstance(e, ag.Leaf) else 'null'}{counters[0]}")
            counters[0] += 1
        return made[key]

    stack = [(entry[0], 0)]
    while stack:
        anode, j = stack.pop()
        if id(anode) in outs:
            continue
        ins = anode.in_entries
        while j < len(ins) and not (isinstance(ins[j], tuple) and id(ins[j][0]) not in outs):
            if not isinstance(ins[j], tuple):
                var_for(ins[j], anode.in_arrays[j] if anode.in_arrays else None)
            j += 1
        if j < len(ins):
            stack.append((anode, j))
            stack.append((ins[j][0], 0))
            continue
        inputs = []
        for k, e in enumerate(ins):
            if isinstance(e, tuple):
                inputs.append(outs[id(e[0])][e[1]])
            else:
                inputs.append((var_for(e, anode.in_arrays[k] if anode.in_arrays else None), 0))
        op = anode.op
        if anode.attrs is None and hasattr(op, "plan"):   # a hybridized block's graph (CachedOp)
            outs[id(anode)] = _cached_op_entries(op, inputs, counters, var_for)
            continue
        given = {k: v for k, v in anode.attrs.items() if op._defaults.get(k, _MISSING) != v}
        strs = op.attrs_to_strings(given)
        node = Node(op, f"node_{counters[1]}", strs, inputs, parsed=anode.attrs)
        counters[1] += 1
        outs[id(anode)] = [(node, i) for i in range(node.num_outputs())]
    return Symbol([outs[id(entry[0])][entry[1]]])


class _CachedOpDef:
    """What a symbol node needs from its operator, for the ``_CachedOp`` nodes of get_symbol
    (the graph is the node's subgraph)."""

    name = "_CachedOp"

    @staticmethod
    def num_outputs(parsed):
        return len(parsed["subgraphs"][0]._outputs)

    num_visible_outputs = num_outputs

    @staticmethod
    def list_outputs(parsed):
        return [f"output{i}" for i in range(len(parsed["subgraphs"][0]._outputs))]

    @staticmethod
    def mutated_inputs(parsed):
        return ()


def _cached_op_entries(cop, inputs, counters, var_for):
    """The symbol entries of a recorded CachedOp call's outputs (``inputs``: the graph's
    arguments). A graph of at most ``inline_limit`` operators (without static_alloc) is inlined,
    its operators renamed ``node_<j>``, as MXNet records such graphs operator by operator;
    a larger one becomes one ``_CachedOp`` node."""
    graph = cop.plan.symbol
    order = graph._order()
    flags = cop.flags
    n_ops = sum(1 for n in order if n.op is not None)
    if flags.get("static_alloc", False) or n_ops > int(flags.get("inline_limit", 2)):
        node = Node(_CachedOpDef, f"node_{counters[1]}", None, inputs, parsed={"subgraphs": (graph,)})
        counters[1] += 1
        return [(node, i) for i in range(node.num_outputs())]
    args = dict(zip(cop.plan.arg_names, inputs))
    new = {}
    for n in order:
        if n.op is None:
            # auxiliary states are not recorded inputs: they enter as constants
            new[id(n)] = [args[n.name] if n.name in args else (var_for(None, n), 0)]
            continue
        node = Node(n.op, f"node_{counters[1]}", n.attrs, [new[id(c)][i] for c, i in n.inputs],
                    parsed=n.parsed)
        counters[1] += 1
        new[id(n)] = [(node, i) for i in range(node.num_outputs())]
    return [new[id(h)][i] for h, i in graph._outputs]


_MISSING = object()
