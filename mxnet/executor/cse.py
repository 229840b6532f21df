"""Common subexpression elimination over a Symbol, as MXNet's executors do when binding
(``MXNET_ELIMINATE_COMMON_EXPR``, on by default).

Two operator nodes merge when they apply the same operator with the same attributes to the
same (already merged) inputs, and the operator's result depends on nothing else: operators
that draw random numbers, update inputs in place, keep state or run user code never merge.
Graph outputs that end up on one entry get ``_copy`` nodes so that each output stays a
separate array.
"""
import os

from ..ops.registry import get_op
from ..symbol.symbol import Node, Symbol

# operators whose outputs are not a function of their inputs and attributes alone
_STATEFUL = frozenset({"Custom", "RNN", "_CachedOp"})


def enabled():
    """Whether binding eliminates common subexpressions (``MXNET_ELIMINATE_COMMON_EXPR``)."""
    return os.environ.get("MXNET_ELIMINATE_COMMON_EXPR", "1").strip().lower() not in ("0", "false")


def _mergeable(node):
    op = node.op
    return not (op.needs_rng or op.mutate_inputs or op.name in _STATEFUL or node.subgraphs)


def eliminate_common_expr(sym):
    """A copy of ``sym`` with repeated computations merged (the first of each kept)."""
    new = {}
    seen = {}
    for n in sym._order():
        if n.op is None:
            new[id(n)] = n
            continue
        inputs = [(new[id(c)], i) for c, i in n.inputs]
        key = None
        if _mergeable(n):
            key = (n.op.name, tuple(sorted(n.attrs.items())),
                   tuple((id(c), i) for c, i in inputs))
            hit = seen.get(key)
            if hit is not None:
                new[id(n)] = hit
                continue
        m = Node(n.op, n.name, n.attrs, inputs, n.parsed)
        if key is not None:
            seen[key] = m
        new[id(n)] = m
    outputs, taken = [], set()
    copy = get_op("_copy")
    for n, i in sym._outputs:
        entry = (new[id(n)], i)
        k = (id(entry[0]), i)
        if k in taken and entry[0].op is not None:
            entry = (Node(copy, f"{entry[0].name}_{i}_copy", {}, [entry]), 0)
        taken.add(k)
        outputs.append(entry)
    return Symbol(outputs)
