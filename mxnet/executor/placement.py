"""Device placement for ``group2ctx`` (model parallelism), as MXNet's PlaceDevice pass does it."""
from ..base import MXNetError
from ..symbol.symbol import topo_order


def place_nodes(symbol, group2ctx, default_ctx):
    """``{id(node): Context}`` for every node of ``symbol``.

    A node made under ``AttrScope(ctx_group=g)`` runs on ``group2ctx[g]`` (MXNetError when ``g`` is
    not mapped); an operator outside any group runs where its first placed input runs, else where
    its first placed consumer runs, else on ``default_ctx``.  Variables outside any group stay on
    ``default_ctx`` (where ``simple_bind`` allocates them)."""
    order = topo_order(symbol._outputs)
    if not group2ctx:
        return {id(n): default_ctx for n in order}
    placed = {}
    for node in order:
        group = node.attrs.get("__ctx_group__")
        if group is not None:
            if group not in group2ctx:
                raise MXNetError(f"The device assignment not found for group {group} "
                                 f"(group2ctx maps {sorted(group2ctx)})")
            placed[id(node)] = group2ctx[group]
        elif node.op is not None:
            for child, _ in node.inputs:
                if id(child) in placed:
                    placed[id(node)] = placed[id(child)]
                    break
    for node in reversed(order):  # consumers place the operators still unplaced before them
        if id(node) not in placed:
            continue
        for child, _ in node.inputs:
            if child.op is not None and id(child) not in placed:
                placed[id(child)] = placed[id(node)]
    return {id(n): placed.get(id(n), default_ctx) for n in order}


def output_contexts(symbol, group2ctx, default_ctx):
    """The context of each output of ``symbol``."""
    placed = place_nodes(symbol, group2ctx, default_ctx)
    return [placed[id(node)] for node, _ in symbol._outputs]
