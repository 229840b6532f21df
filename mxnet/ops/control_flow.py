"""Control-flow operators whose bodies are graphs: ``_foreach``, ``_while_loop``, ``_cond``.

A node of these operators carries its bodies as Symbols in ``attrs["subgraphs"]`` (attached by
``mx.sym.contrib.foreach``/``while_loop``/``cond`` or by the JSON reader).  Inputs are matched to
a body's variables by position: ``*_locs`` parameters say which node input (or which loop slot)
feeds which body variable, in the body's ``list_inputs()`` order.  The forward runs a body once per
step with a ``GraphPlan`` and keeps every step's saved values; the backward replays the steps in
reverse through the plans' ``grad``, carrying the gradients of the loop states between steps.
"""
from ..base import MXNetError
from .registry import Param, register


class _Body:
    """A body graph compiled once: runs on values given per body input (``list_inputs`` order)."""

    def __init__(self, sym):
        from ..executor.plan import GraphPlan
        from ..symbol.symbol import topo_order, aux_node_ids
        self.sym = sym
        self.plan = GraphPlan(sym)
        order = topo_order(sym._outputs)
        aux = aux_node_ids(order)
        self.vars = [n for n in order if n.op is None]
        self.order = order
        self.arg_pos = [k for k, v in enumerate(self.vars) if id(v) not in aux]
        self.aux_pos = [k for k, v in enumerate(self.vars) if id(v) in aux]

    def run(self, vals, ctx):
        """``(outputs, saved)`` of one run on ``vals`` (one raw array per body input)."""
        return self.plan.run([vals[k] for k in self.arg_pos], [vals[k] for k in self.aux_pos],
                             ctx.is_train, ctx.backend)

    def grad(self, saved, head_grads):
        """Gradients per body input (None where none flows) for the run that gave ``saved``."""
        out = [None] * len(self.vars)
        for k, g in zip(self.arg_pos, self.plan.grad(saved, head_grads)):
            out[k] = g
        return out

    def infer(self, in_values, what):
        """Shapes (``what="shape"``) or dtypes of the body inputs and outputs given some inputs."""
        from ..symbol.infer import infer_shapes, infer_types
        known = {v.name: s for v, s in zip(self.vars, in_values) if s is not None}
        fn = infer_shapes if what == "shape" else infer_types
        res = fn(self.order, self.sym._outputs, known)
        return [res.get((id(v), 0)) for v in self.vars], [res.get((id(n), i)) for n, i in self.sym._outputs]


def _body(attrs, k):
    subgraphs = attrs.get("subgraphs")
    if not subgraphs or len(subgraphs) <= k:
        raise MXNetError("control-flow operator without its body graphs: build it with "
                         "mx.sym.contrib.foreach/while_loop/cond or load it from JSON")
    # compiled once per node: the parsed attributes belong to the node (and to its copies, which
    # share its bodies)
    bodies = attrs.get("_bodies")
    if bodies is None:
        bodies = attrs["_bodies"] = [None] * len(subgraphs)
    if bodies[k] is None:
        bodies[k] = _Body(subgraphs[k])
    return bodies[k]


def _is_true(pred):
    if pred.size != 1:
        raise MXNetError(f"the condition of a control-flow operator must have one element, "
                         f"got shape {tuple(pred.shape)}")
    return bool(pred.reshape(-1)[0])


def _fill(grads, inputs, xp):
    """Zeros where no gradient flowed, so that every input gets one."""
    return [xp.zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]


def _add(acc, g):
    if g is None:
        return acc
    return g if acc is None else acc + g


def _locs(name, doc):
    return Param(name, "shape", (), doc)


def _replay(body, saved, ograds, nout, step_grads):
    """Backward through a loop's steps, last first: each step's heads are its row of the stacked
    outputs' gradients plus the state gradients carried back; ``step_grads(t, input_grads)``
    returns the next carry.  Returns the initial states' gradients."""
    carry = list(ograds[nout:])
    for t in range(len(saved) - 1, -1, -1):
        heads = [None if g is None else g[t] for g in ograds[:nout]] + carry
        carry = step_grads(t, body.grad(saved[t], heads))
    return carry


# -- foreach --------------------------------------------------------------------------------------
def _foreach_split(attrs, items):
    nd, ns = len(attrs.in_data_locs), len(attrs.in_state_locs)
    return items[:nd], items[nd:nd + ns], items[nd + ns:]


def _step(t, vector):
    """Index of step ``t`` along axis 0: a 1-D array's steps keep one element under legacy
    shapes, which have no scalars (MXNet's slices are (1,) there)."""
    return slice(t, t + 1) if vector else t


def _vector_steps(x):
    from ..util import is_np_shape
    return x.ndim == 1 and not is_np_shape()


def _foreach_forward(attrs, inputs, ctx):
    body = _body(attrs, 0)
    xp = ctx.xp
    data, states, remain = _foreach_split(attrs, inputs)
    if not data:
        raise MXNetError("foreach: there must be at least one data input")
    steps = data[0].shape[0] if data[0].ndim else 0
    if any(d.ndim == 0 or d.shape[0] != steps for d in data):
        raise MXNetError("foreach: every data input must have the same length along axis 0, got "
                         f"{[tuple(d.shape) for d in data]}")
    if steps == 0:
        raise MXNetError("foreach: the data has no elements along axis 0")
    vals = [None] * len(body.vars)
    for x, loc in zip(remain, attrs.remain_locs):
        vals[loc] = x
    nout = attrs.num_out_data
    per_step, saved = [], []
    vector = [_vector_steps(x) for x in data]
    for t in range(steps):
        for x, loc, v in zip(data, attrs.in_data_locs, vector):
            vals[loc] = x[_step(t, v)]
        for x, loc in zip(states, attrs.in_state_locs):
            vals[loc] = x
        outs, sv = body.run(vals, ctx)
        per_step.append(outs[:nout])
        states = outs[nout:]
        saved.append(sv)
    stacked = [xp.stack([o[j] for o in per_step]) for j in range(nout)]
    return tuple(stacked) + tuple(states), saved


def _foreach_backward(attrs, ograds, inputs, outputs, ctx, saved):
    body = _body(attrs, 0)
    xp = ctx.xp
    data, states, remain = _foreach_split(attrs, inputs)
    gdata = [xp.zeros_like(d) for d in data]
    gremain = [None] * len(remain)
    vector = [_vector_steps(x) for x in data]

    def step_grads(t, g):
        for k, loc in enumerate(attrs.in_data_locs):
            if g[loc] is not None:
                gdata[k][_step(t, vector[k])] = g[loc]
        for k, loc in enumerate(attrs.remain_locs):
            gremain[k] = _add(gremain[k], g[loc])
        return [g[loc] for loc in attrs.in_state_locs]

    carry = _replay(body, saved, ograds, attrs.num_out_data, step_grads)
    return gdata + _fill(carry, states, xp) + _fill(gremain, remain, xp)


def _foreach_infer(attrs, ins, what):
    from ..util import is_np_shape
    body = _body(attrs, 0)
    data, states, remain = _foreach_split(attrs, list(ins))
    sub = [None] * len(body.vars)
    steps = 0
    for s, loc in zip(data, attrs.in_data_locs):
        if what == "shape":
            if s is not None and len(s):
                sub[loc] = tuple(s[1:]) or (() if is_np_shape() else (1,))
                steps = steps or s[0]
        else:
            sub[loc] = s
    for s, loc in zip(states, attrs.in_state_locs):
        sub[loc] = s
    for s, loc in zip(remain, attrs.remain_locs):
        sub[loc] = s
    sub_in, heads = body.infer(sub, what)
    nout = attrs.num_out_data

    def outer(s):   # a per-step shape as the stacked one (a dtype stays as it is)
        return None if s is None else ((steps,) + tuple(s) if what == "shape" else s)

    new_data = [outer(sub_in[loc]) for loc in attrs.in_data_locs]
    new_states = [sub_in[loc] if sub_in[loc] is not None else heads[nout + k]
                  for k, loc in enumerate(attrs.in_state_locs)]
    new_remain = [sub_in[loc] for loc in attrs.remain_locs]
    outs = [outer(h) for h in heads[:nout]]
    outs += [h if h is not None else s for h, s in zip(heads[nout:], new_states)]
    return new_data + new_states + new_remain, outs


register(
    "_foreach", _foreach_forward, inputs=("data",), variadic="num_args", save_state=True,
    backward=_foreach_backward,
    params=[Param("num_args", "int", doc="Number of inputs, the body graph included."),
            Param("num_outputs", "int", doc="Number of outputs."),
            Param("num_out_data", "int", doc="Number of per-step outputs (stacked along axis 0)."),
            _locs("in_state_locs", "Body inputs that receive the loop states."),
            _locs("in_data_locs", "Body inputs that receive the data slices."),
            _locs("remain_locs", "Body inputs that receive the other inputs.")],
    num_outputs=lambda a: a.num_outputs,
    infer_shape=lambda a, s: _foreach_infer(a, s, "shape"),
    infer_type=lambda a, t: _foreach_infer(a, t, "type"),
    doc="Runs a body graph over axis 0 of the data, carrying loop states between the steps.")


# -- while_loop -----------------------------------------------------------------------------------
def _var_inputs(attrs):
    """The node input index of each loop variable."""
    return [attrs.func_input_locs[p] for p in attrs.func_var_locs]


def _while_forward(attrs, inputs, ctx):
    cond, func = _body(attrs, 0), _body(attrs, 1)
    xp = ctx.xp
    current = list(inputs)
    var_inputs = _var_inputs(attrs)
    nout = attrs.num_out_data
    per_step, saved = [], []
    while len(saved) < attrs.max_iterations:
        pred, _ = cond.run([current[i] for i in attrs.cond_input_locs], ctx)
        if not _is_true(pred[0]):
            break
        outs, sv = func.run([current[i] for i in attrs.func_input_locs], ctx)
        per_step.append(outs[:nout])
        saved.append(sv)
        for i, v in zip(var_inputs, outs[nout:]):
            current[i] = v
    if per_step:
        stacked = []
        for j in range(nout):
            rows = [o[j] for o in per_step]
            out = xp.zeros((attrs.max_iterations,) + tuple(rows[0].shape), dtype=rows[0].dtype)
            out[:len(rows)] = xp.stack(rows)
            stacked.append(out)
    else:   # the body never ran: zeros of the shapes and dtypes the body would give
        shapes = _while_infer(attrs, [tuple(x.shape) for x in inputs], "shape")[1]
        dtypes = _while_infer(attrs, [x.dtype for x in inputs], "type")[1]
        stacked = [xp.zeros(shapes[j], dtype=dtypes[j]) for j in range(nout)]
    return tuple(stacked) + tuple(current[i] for i in var_inputs), saved


def _while_backward(attrs, ograds, inputs, outputs, ctx, saved):
    func = _body(attrs, 1)
    xp = ctx.xp
    var_inputs = _var_inputs(attrs)
    var_pos = {p: k for k, p in enumerate(attrs.func_var_locs)}
    grads = [None] * len(inputs)

    def step_grads(t, g):
        carry = [None] * len(var_inputs)
        for p, i in enumerate(attrs.func_input_locs):
            if p in var_pos:
                carry[var_pos[p]] = g[p]
            else:
                grads[i] = _add(grads[i], g[p])
        return carry

    carry = _replay(func, saved, ograds, attrs.num_out_data, step_grads)
    for i, g in zip(var_inputs, carry):
        grads[i] = _add(grads[i], g)
    return _fill(grads, inputs, xp)


def _while_infer(attrs, ins, what):
    cond, func = _body(attrs, 0), _body(attrs, 1)
    ins = list(ins)
    var_inputs = _var_inputs(attrs)
    nout = attrs.num_out_data
    for _ in range(2):  # the body may fill in loop variables that the condition reads
        sub_in, heads = func.infer([ins[i] for i in attrs.func_input_locs], what)
        for p, i in enumerate(attrs.func_input_locs):
            ins[i] = ins[i] if ins[i] is not None else sub_in[p]
        for k, i in enumerate(var_inputs):
            ins[i] = ins[i] if ins[i] is not None else heads[nout + k]
        cin, _ = cond.infer([ins[i] for i in attrs.cond_input_locs], what)
        for p, i in enumerate(attrs.cond_input_locs):
            ins[i] = ins[i] if ins[i] is not None else cin[p]
    if what == "shape":
        outs = [None if h is None else (attrs.max_iterations,) + tuple(h) for h in heads[:nout]]
    else:
        outs = list(heads[:nout])
    return ins, outs + [ins[i] for i in var_inputs]


register(
    "_while_loop", _while_forward, inputs=("data",), variadic="num_args", save_state=True,
    backward=_while_backward,
    params=[Param("num_args", "int", doc="Number of inputs, the two body graphs included."),
            Param("num_outputs", "int", doc="Number of outputs."),
            Param("num_out_data", "int", doc="Number of per-step outputs (stacked along axis 0)."),
            Param("max_iterations", "int", doc="Most steps the loop runs."),
            _locs("cond_input_locs", "Node inputs read by the condition graph, per its input."),
            _locs("func_input_locs", "Node inputs read by the body graph, per its input."),
            _locs("func_var_locs", "Body input of each loop variable.")],
    num_outputs=lambda a: a.num_outputs,
    infer_shape=lambda a, s: _while_infer(a, s, "shape"),
    infer_type=lambda a, t: _while_infer(a, t, "type"),
    doc="Runs a body graph while a condition graph gives true, at most max_iterations times; "
        "per-step outputs are stacked and padded with zeros to max_iterations rows.")


# -- cond -----------------------------------------------------------------------------------------
def _branch_locs(attrs, k):
    return attrs.then_input_locs if k == 1 else attrs.else_input_locs


def _cond_forward(attrs, inputs, ctx):
    pred, _ = _body(attrs, 0).run([inputs[i] for i in attrs.cond_input_locs], ctx)
    k = 1 if _is_true(pred[0]) else 2
    outs, sv = _body(attrs, k).run([inputs[i] for i in _branch_locs(attrs, k)], ctx)
    return tuple(outs), (k, sv)


def _cond_backward(attrs, ograds, inputs, outputs, ctx, state):
    k, saved = state
    grads = [None] * len(inputs)
    g = _body(attrs, k).grad(saved, list(ograds))
    for p, i in enumerate(_branch_locs(attrs, k)):
        grads[i] = _add(grads[i], g[p])
    return _fill(grads, inputs, ctx.xp)


def _cond_infer(attrs, ins, what):
    ins = list(ins)
    outs = [None] * attrs.num_outputs
    for k in (1, 2, 0):
        locs = attrs.cond_input_locs if k == 0 else _branch_locs(attrs, k)
        sub_in, heads = _body(attrs, k).infer([ins[i] for i in locs], what)
        for p, i in enumerate(locs):
            ins[i] = ins[i] if ins[i] is not None else sub_in[p]
        if k:
            outs = [o if o is not None else h for o, h in zip(outs, heads)]
    return ins, outs


register(
    "_cond", _cond_forward, inputs=("data",), variadic="num_args", save_state=True,
    backward=_cond_backward,
    params=[Param("num_args", "int", doc="Number of inputs, the three graphs included."),
            Param("num_outputs", "int", doc="Number of outputs."),
            _locs("cond_input_locs", "Node inputs read by the condition graph, per its input."),
            _locs("then_input_locs", "Node inputs read by the then-branch, per its input."),
            _locs("else_input_locs", "Node inputs read by the else-branch, per its input.")],
    num_outputs=lambda a: a.num_outputs,
    infer_shape=lambda a, s: _cond_infer(a, s, "shape"),
    infer_type=lambda a, t: _cond_infer(a, t, "type"),
    doc="Runs the then-graph when the condition graph gives true, else the else-graph.")


# -- _CachedOp --------------------------------------------------------------------------------------
_CACHED_BODIES = {}     # subgraph JSON -> _Body (a graph compiled once, whichever node uses it)


def _cached_body(attrs):
    js = attrs.subgraph
    body = _CACHED_BODIES.get(js)
    if body is None:
        from ..symbol.symbol import load_json
        if not js:
            raise MXNetError("Operator _CachedOp: the subgraph parameter (a symbol's JSON) is required")
        body = _CACHED_BODIES[js] = _Body(load_json(js))
    return body


def _cached_forward(attrs, inputs, ctx):
    body = _cached_body(attrs)
    if len(inputs) != len(body.vars):
        raise MXNetError(f"Operator _CachedOp: the subgraph has {len(body.vars)} inputs "
                         f"{[v.name for v in body.vars]}, got {len(inputs)} arrays")
    outs, saved = body.run(list(inputs), ctx)
    return tuple(outs), saved


def _cached_backward(attrs, ograds, inputs, outputs, ctx, saved):
    return _fill(_cached_body(attrs).grad(saved, list(ograds)), inputs, ctx.xp)


register(
    "_CachedOp", _cached_forward, inputs=lambda a: [v.name for v in _cached_body(a).vars],
    save_state=True, backward=_cached_backward,
    mutate_inputs=lambda a: _cached_body(a).aux_pos,
    params=[Param("subgraph", "str", "", "the graph to run, as a symbol's JSON")],
    num_outputs=lambda a: len(_cached_body(a).sym._outputs),
    output_names=lambda a: _cached_body(a).sym.list_outputs(),
    infer_shape=lambda a, s: _cached_body(a).infer(list(s), "shape"),
    infer_type=lambda a, t: _cached_body(a).infer(list(t), "type"),
    doc="Runs a graph (given as JSON) as one operator; its inputs are the graph's inputs in "
        "list_inputs() order, its auxiliary states stay auxiliary states.")
