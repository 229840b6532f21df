"""Symbolic control flow of ``mx.sym.contrib``: ``foreach``, ``while_loop`` and ``cond``.

Each traces the user's Python functions once on fresh variables, inside
``AttrScope(__subgraph_name__=<unique name>)`` so that the nodes built for the body can be told
from the nodes of the enclosing graph that the body refers to.  The body graph is then cut at
those outer references: each becomes a variable of the body and an input of the control-flow
node (as do outer variables the body reads).  The node (``_foreach``, ``_while_loop``, ``_cond``
of ``mxnet/ops/control_flow.py``) carries the body graphs and the positions of its inputs.
"""
from .._nested import flatten, regroup as _regroup
from ..attribute import AttrScope
from ..name import NameManager
from .symbol import Node, Symbol, var


def _flatten(args, what):
    """``(flat list of single-output Symbols, format)``; the format is 0 for one Symbol, n for a
    group of n outputs and a list of formats for a (nested) list."""
    def leaf(a):
        if not isinstance(a, Symbol):
            raise ValueError(f"{what} must be a (nested) list of Symbols, got {type(a).__name__}")
        if len(a._outputs) == 1:
            return [a], 0
        return [Symbol([e]) for e in a._outputs], len(a._outputs)
    return flatten(args, leaf)


def _unique_name(name):
    """``name`` numbered per name (``foreach0``, ``foreach1``), prefixed by the enclosing body's."""
    outer = AttrScope.current.get(None).get("__subgraph_name__", "")
    if outer:
        name = f"{outer}${name}"
    count = AttrScope._subgraph_names[name]
    AttrScope._subgraph_names[name] = count + 1
    return f"{name}{count}"


def _input_var(sym):
    """A body variable standing for the outer symbol ``sym`` (``<node name>-<output index>``)."""
    node, i = sym._outputs[0]
    return var(f"{node.name}-{i}")


def _heads(syms, name):
    """The body outputs as entries; one that is a variable, comes from outside the body or repeats
    an earlier output goes through ``identity`` so that each output is a distinct body node."""
    from .. import symbol as _sym
    entries = []
    for s in syms:
        node, _ = s._outputs[0]
        if node.op is None or node.attrs.get("__subgraph_name__") != name \
                or s._outputs[0] in entries:
            s = _sym.identity(s)
        entries.append(s._outputs[0])
    return entries


def _cut(heads, name):
    """The body graph of ``heads`` with every outer operator output it reads replaced by a new
    variable: ``(body Symbol, {id(cut variable): outer entry})``."""
    def inside(n):
        return n.op is not None and n.attrs.get("__subgraph_name__") == name

    order, seen = [], set()
    for h, _ in heads:
        if id(h) in seen:
            continue
        seen.add(id(h))
        stack = [(h, iter(h.inputs))]
        while stack:
            node, it = stack[-1]
            for c, _ in it:
                if id(c) not in seen and (c.op is None or inside(c)):
                    seen.add(id(c))
                    stack.append((c, iter(c.inputs if c.op is not None else ())))
                    break
            else:
                stack.pop()
                order.append(node)
    new, cuts, sources = {}, {}, {}
    for n in order:
        if n.op is None:
            new[id(n)] = n
            continue
        inputs = []
        for c, i in n.inputs:
            if c.op is None or inside(c):
                inputs.append((new[id(c)], i))
                continue
            v = cuts.get((id(c), i))
            if v is None:
                v = cuts[(id(c), i)] = Node(None, c.output_names()[i])
                sources[id(v)] = (c, i)
            inputs.append((v, 0))
        new[id(n)] = Node(n.op, n.name, n.attrs, inputs, n.parsed)
    return Symbol([(new[id(h)], i) for h, i in heads]), sources


def _body_inputs(body):
    return [n for n in body._order() if n.op is None]


def _source(v, sources):
    """The outer entry feeding body variable ``v``: what it was cut from, else the variable."""
    return sources.get(id(v), (v, 0))


def _make_node(opname, subgraphs, inputs, params):
    from ..ops.registry import get_op
    op = get_op(opname)
    strs = {k: str(list(v)) if isinstance(v, (list, tuple)) else str(v) for k, v in params.items()}
    strs["num_args"] = str(len(inputs) + len(subgraphs))
    attrs = dict(AttrScope.current.get(None))
    attrs.update(strs)
    node = Node(op, NameManager.current.get(None, opname), attrs, inputs)
    node.set_subgraphs(subgraphs)
    return [Symbol([(node, i)]) for i in range(node.num_outputs())]


def _build(name, outer_vars, fn):
    """Trace ``fn(fresh variables)`` into a body: ``(body, sources, own vars, n_out, out_fmt)``;
    ``fn`` returns ``(outputs, states)`` as flat lists plus the output format."""
    with AttrScope(__subgraph_name__=name):
        own = [_input_var(s) for s in outer_vars]
        outs, states, out_fmt = fn(own)
        heads = _heads(outs + states, name)
    body, sources = _cut(heads, name)
    return body, sources, [s._outputs[0][0] for s in own], len(outs), out_fmt


def foreach(body, data, init_states, name="foreach"):
    """Run ``body(data slice, states) -> (outputs, new states)`` over axis 0 of ``data``.

    ``data`` is a Symbol or a list of them, ``init_states`` a Symbol or nested lists of them.
    Returns ``(outputs, states)``: each output stacked over the steps, and the last states, in the
    formats ``body`` returned them.
    """
    flat_data, data_fmt = _flatten(data, "foreach input")
    flat_states, state_fmt = _flatten(init_states, "foreach states")

    def trace(own):
        in_eles, _ = _regroup(own[:len(flat_data)], data_fmt)
        states, _ = _regroup(own[len(flat_data):], state_fmt)
        outs, new_states = body(in_eles, states)
        outs, out_fmt = _flatten(outs, "foreach output")
        new_states, new_fmt = _flatten(new_states, "foreach loop_vars")
        if new_fmt != state_fmt:
            raise ValueError("The input and output loop_vars have different format")
        return outs, new_states, out_fmt

    g, sources, own, num_out_data, out_fmt = _build(_unique_name(name), flat_data + flat_states, trace)
    body_vars = _body_inputs(g)
    pos = {id(v): k for k, v in enumerate(body_vars)}
    for what, vs in (("data", own[:len(flat_data)]), ("state", own[len(flat_data):])):
        if any(id(v) not in pos for v in vs):
            raise AssertionError(f"foreach: the {what} arrays have to be used in the loop body")
    own_ids = {id(v) for v in own}
    remain = [k for k, v in enumerate(body_vars) if id(v) not in own_ids]
    inputs = [s._outputs[0] for s in flat_data + flat_states]
    inputs += [_source(body_vars[k], sources) for k in remain]
    outs = _make_node("_foreach", [g], inputs, dict(
        num_outputs=num_out_data + len(flat_states), num_out_data=num_out_data,
        in_state_locs=[pos[id(v)] for v in own[len(flat_data):]],
        in_data_locs=[pos[id(v)] for v in own[:len(flat_data)]], remain_locs=remain))
    outputs, _ = _regroup(outs[:num_out_data], out_fmt)
    states, _ = _regroup(outs[num_out_data:], state_fmt)
    return outputs, states


def _union_inputs(graphs):
    """Node inputs shared by several bodies: ``(outer entries, per body its input locations)``.
    ``graphs`` are ``(body, sources, {id(own var): key})`` with keys naming the loop variables."""
    inputs, index, locs = [], {}, []
    for body, sources, own in graphs:
        body_locs = []
        for v in _body_inputs(body):
            if id(v) in own:
                key, entry = own[id(v)]
            else:
                entry = _source(v, sources)
                key = ("entry", id(entry[0]), entry[1])
            if key not in index:
                index[key] = len(inputs)
                inputs.append(entry)
            body_locs.append(index[key])
        locs.append(body_locs)
    return inputs, locs


def while_loop(cond, func, loop_vars, max_iterations=None, name="while_loop"):
    """Repeat ``func(*loop_vars) -> (step_output, new_loop_vars)`` while ``cond(*loop_vars)``.

    Returns ``(outputs, final loop_vars)``; each output stacks the steps' outputs along a new
    axis 0 of length ``max_iterations`` (rows past the last step are zeros).
    """
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    try:
        max_iterations = int(max_iterations.asscalar() if hasattr(max_iterations, "asscalar")
                             else max_iterations)
    except (TypeError, ValueError):
        raise ValueError("Cannot convert max_iteration to python int") from None
    flat_vars, var_fmt = _flatten(loop_vars, "while loop_vars")
    if not flat_vars:
        raise ValueError("loop_vars should contain at least one element")

    def grouped(own):
        return _regroup(own, var_fmt)[0] if var_fmt != 0 else [own[0]]

    def trace_cond(own):
        pred = cond(*grouped(own))
        if not isinstance(pred, Symbol):
            raise ValueError("Return of cond must be a Symbol")
        return [], [pred], 0

    def trace_func(own):
        step_output, new_vars = func(*grouped(own))
        step_output, out_fmt = _flatten([] if step_output is None else step_output, "while output")
        new_vars, _ = _flatten([] if new_vars is None else new_vars, "while loop_vars")
        if len(new_vars) != len(flat_vars):
            raise ValueError("The number of loop_vars should be consistent during the loop")
        return step_output, new_vars, out_fmt

    graphs, out_fmt, num_out_data = [], None, 0
    for suffix, trace in (("_cond", trace_cond), ("_func", trace_func)):
        g, sources, own, n_out, fmt = _build(_unique_name(name + suffix), flat_vars, trace)
        keys = {id(v): (("loop", k), flat_vars[k]._outputs[0]) for k, v in enumerate(own)}
        graphs.append((g, sources, keys))
        if suffix == "_func":
            out_fmt, num_out_data = fmt, n_out
            func_own = own
    inputs, (cond_locs, func_locs) = _union_inputs(graphs)
    func_vars = {id(v): p for p, v in enumerate(_body_inputs(graphs[1][0]))}
    var_locs = []
    for k, v in enumerate(func_own):
        if id(v) not in func_vars:
            raise ValueError(f"The {k + 1}-th loop_var doesn't involve into the computation")
        var_locs.append(func_vars[id(v)])
    outs = _make_node("_while_loop", [graphs[0][0], graphs[1][0]], inputs, dict(
        max_iterations=max_iterations, cond_input_locs=cond_locs, func_input_locs=func_locs,
        func_var_locs=var_locs, num_out_data=num_out_data,
        num_outputs=num_out_data + len(flat_vars)))
    outputs, _ = _regroup(outs[:num_out_data], out_fmt)
    final, _ = _regroup(outs[num_out_data:], var_fmt)
    return outputs, final


def cond(pred, then_func, else_func, name="cond"):
    """``then_func()`` where the one-element Symbol ``pred`` is non-zero, else ``else_func()``;
    both must give the same number of outputs (of the same shapes and dtypes)."""
    fmts = []

    def branch(fn):
        def trace(_own):
            outs, fmt = _flatten(fn(), "cond output")
            fmts.append(fmt)
            return outs, [], fmt
        return trace

    graphs, counts = [], []
    for suffix, fn in (("_pred", lambda: pred), ("_then", then_func), ("_else", else_func)):
        g, sources, _, n_out, _ = _build(_unique_name(name + suffix), [], branch(fn))
        graphs.append((g, sources, {}))
        counts.append(n_out)
    if counts[0] != 1:
        raise ValueError("pred should always be a single output")
    if counts[1] != counts[2]:
        raise ValueError("Number of outputs differs between then-branch and else-branch")
    inputs, (cond_locs, then_locs, else_locs) = _union_inputs(graphs)
    outs = _make_node("_cond", [g for g, _, _ in graphs], inputs, dict(
        cond_input_locs=cond_locs, then_input_locs=then_locs, else_input_locs=else_locs,
        num_outputs=counts[1]))
    return _regroup(outs, fmts[1])[0]


def install(module):
    """Expose these functions on the generated ``mx.sym.contrib`` module."""
    for fn in (foreach, while_loop, cond):
        setattr(module, fn.__name__, fn)
