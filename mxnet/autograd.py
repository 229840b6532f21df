"""Autograd: a tape of operator calls, replayed backwards with the registry's gradients."""
import threading

from .base import MXNetError
from .ops.registry import OpContext


class _State(threading.local):
    recording = False
    training = False


_state = _State()


class Leaf:
    """The autograd entry of a variable (an array with ``attach_grad``)."""

    __slots__ = ("grad", "grad_req", "fresh")

    def __init__(self, grad, grad_req):
        self.grad = grad
        self.grad_req = grad_req
        self.fresh = False


class Node:
    """One recorded operator call: what its backward needs."""

    __slots__ = ("op", "attrs", "in_entries", "inputs", "outputs", "state", "is_train",
                 "out_arrays", "freed", "in_arrays", "__weakref__")

    def __init__(self, op, attrs, in_entries, inputs, outputs, state, is_train, in_arrays, out_arrays):
        self.op = op
        self.attrs = attrs
        self.in_entries = in_entries
        self.inputs = inputs
        self.outputs = outputs
        self.state = state
        self.is_train = is_train
        self.in_arrays = in_arrays
        self.out_arrays = out_arrays
        self.freed = False


def _record(op, attrs, args, datas, outs, state):
    entries = [a._entry for a in args]
    if not any(e is not None for e in entries):
        return
    node = Node(op, attrs, entries, datas, [o._data for o in outs], state, _state.training,
                list(args), None)
    for i, o in enumerate(outs):
        o._entry = (node, i)
    # keep output NDArrays only when a graph-building backward may need them
    if op.backward_graph is not None:
        import weakref
        node.out_arrays = [weakref.ref(o) for o in outs]


def _record_custom(node_op, attrs, args, outs, state):
    """Record a node whose op is not in the registry (autograd.Function)."""
    _record(node_op, attrs, args, [a._data for a in args], outs, state)


class _Scope:
    __slots__ = ("_rec", "_train", "_prev")

    def __init__(self, recording, training):
        self._rec = recording
        self._train = training

    def __enter__(self):
        self._prev = (_state.recording, _state.training)
        if self._rec is not None:
            _state.recording = self._rec
        if self._train is not None:
            _state.training = self._train
        return self

    def __exit__(self, *exc):
        _state.recording, _state.training = self._prev


def record(train_mode=True):
    """Scope in which operator calls are recorded for ``backward``."""
    return _Scope(True, train_mode)


def pause(train_mode=False):
    """Scope in which recording is off."""
    return _Scope(False, train_mode)


def train_mode():
    """Scope in which operators behave as in training (dropout active, ...)."""
    return _Scope(None, True)


def predict_mode():
    """Scope in which operators behave as in inference."""
    return _Scope(None, False)


def is_recording():
    return _state.recording


def is_training():
    return _state.training


def set_recording(is_recording):  # noqa: F811 - MXNet's name
    prev = _state.recording
    _state.recording = bool(is_recording)
    return prev


def set_training(train_mode):  # noqa: F811 - MXNet's name
    prev = _state.training
    _state.training = bool(train_mode)
    return prev


def mark_variables(variables, gradients, grad_reqs="write"):
    """Mark arrays as variables whose gradients go into the given buffers."""
    from .ndarray.ndarray import NDArray
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    if len(variables) != len(gradients) or len(variables) != len(grad_reqs):
        raise MXNetError("mark_variables: variables, gradients and grad_reqs differ in length")
    for v, g, r in zip(variables, gradients, grad_reqs):
        if r not in ("write", "add", "null"):
            raise MXNetError(f"mark_variables: invalid grad_req {r!r}")
        v._entry = Leaf(g, r)


def _topo(heads):
    """Nodes reachable from the head entries, in topological order (inputs first).  A node a
    backward without ``retain_graph`` has freed is a constant, as in MXNet, and cuts the walk."""
    order = []
    seen = set()
    stack = []
    for h in heads:
        if type(h) is tuple:
            stack.append((h[0], False))
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for e in node.in_entries:
            if type(e) is tuple and id(e[0]) not in seen and not e[0].freed:
                stack.append((e[0], False))
    return order


# OpDef -> ``fn(node, raw_ograds, need)``: the gradients of a recorded operator whose gradient
# may be sparse (a row_sparse weight gradient), or None for its dense backward; filled by
# ndarray.sparse_grad
_SPARSE_BACKWARD = {}


def _accumulate(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if getattr(a, "_is_sparse", False) or getattr(b, "_is_sparse", False):
        from .ndarray.sparse_grad import grad_sum
        return grad_sum(a, b)
    return a + b


def _run_backward(heads, head_grads, retain_graph, train_mode, create_graph, variables=None):
    from .ndarray.ndarray import NDArray, _wrap, _opctx
    from .backend import get_backend

    head_entries = []
    for h in heads:
        if not isinstance(h, NDArray):
            raise MXNetError(f"backward: heads must be NDArrays, got {type(h).__name__}")
        e = h._entry
        if e is None or (type(e) is tuple and e[0].freed):
            raise MXNetError(_NOT_IN_GRAPH)
        head_entries.append(e)
    if head_grads is None:
        head_grads = [None] * len(heads)
    if len(head_grads) != len(heads):
        raise MXNetError("backward: head_grads must have one entry per head")

    xp_of = {}
    grads = {}       # id(node) -> list of output grads (raw arrays, or NDArrays when create_graph)
    leaf_grads = {}  # id(leaf) -> (leaf, grad)

    def add_grad(entry, g):
        if g is None or entry is None:
            return
        if type(entry) is tuple:
            node, i = entry
            if node.freed:  # a constant now (see _topo)
                return
            lst = grads.get(id(node))
            if lst is None:
                lst = grads[id(node)] = [None] * len(node.outputs)
            lst[i] = _accumulate(lst[i], g)
        else:
            k = id(entry)
            prev = leaf_grads.get(k)
            leaf_grads[k] = (entry, _accumulate(prev[1] if prev else None, g))

    # as in MXNet, a head listed twice takes the last head gradient given for it
    last = {}
    for h, e, hg in zip(heads, head_entries, head_grads):
        last[id(e[0]) if type(e) is tuple else id(e), e[1] if type(e) is tuple else 0] = (h, e, hg)
    for h, e, hg in last.values():
        if hg is None:
            xp = get_backend(h._ctx).xp
            g = xp.ones_like(h._data)
            g = _wrap(g, h._ctx) if create_graph else g
        elif isinstance(hg, NDArray):
            g = hg if create_graph else hg._data
        else:
            xp = get_backend(h._ctx).xp
            g = xp.asarray(hg, dtype=h._data.dtype)
            g = _wrap(g, h._ctx) if create_graph else g
        if tuple(g.shape) != tuple(h.shape):
            if g.size < h.size:
                raise MXNetError(f"backward: head gradient of shape {tuple(g.shape)} does not match "
                                 f"the head's shape {tuple(h.shape)}")
            # MXNet reads the buffer given as the head's shape without checking: the leading values
            g = g.reshape(-1)[:h.size].reshape(h.shape)
        add_grad(e, g)

    order = _topo(head_entries)
    _check_reachable(head_entries, order, variables)
    direct = None if (create_graph or variables is not None) else _direct_grad_leaves(order, head_entries)
    prev_rec, prev_train = _state.recording, _state.training
    _state.recording = bool(create_graph)
    _state.training = bool(train_mode)
    try:
        for node in reversed(order):
            ograds = grads.pop(id(node), None)
            if ograds is None:
                continue
            op = node.op
            try:
                in_grads = _node_backward(node, op, ograds, create_graph, xp_of, _wrap, _opctx,
                                          get_backend, NDArray, direct)
            except MXNetError:
                raise
            except Exception as e:   # as the forward's errors in invoke: MXNetError naming the op
                shapes = ", ".join(f"{tuple(d.shape)}:{d.dtype}" for d in (node.inputs or ()))
                raise MXNetError(f"Operator {op.name} (backward): {type(e).__name__}: {e} "
                                 f"(inputs: {shapes or 'none'})") from e
            for e, g in zip(node.in_entries, in_grads):
                add_grad(e, g)
            if not retain_graph:
                node.freed = True
                node.inputs = node.outputs = node.state = None
    finally:
        _state.recording, _state.training = prev_rec, prev_train

    if variables is not None:
        out = []
        for v in variables:
            lg = leaf_grads.get(id(v._entry))
            g = lg[1] if lg else None
            if g is None:
                g = get_backend(v._ctx).xp.zeros_like(v._data)
            out.append(g if isinstance(g, NDArray) else _wrap(g, v._ctx))
        return out

    for leaf, g in leaf_grads.values():
        req = leaf.grad_req
        if req == "null" or leaf.grad is None:
            continue
        if leaf.grad._is_sparse or (isinstance(g, NDArray) and g._is_sparse):
            from .ndarray.sparse_grad import write_grad
            write_grad(leaf.grad, g, req)
            leaf.fresh = True
            continue
        gd = g._data if isinstance(g, NDArray) else g
        tgt = leaf.grad._data
        if gd is tgt:   # the operator wrote it in place (see _direct_grad_leaves)
            leaf.fresh = True
            continue
        if gd.shape != tgt.shape:
            gd = gd.reshape(tgt.shape)
        if req == "add":
            tgt += gd
        else:
            tgt[...] = gd
        if isinstance(g, NDArray) and create_graph:
            leaf.grad._entry = g._entry
        leaf.fresh = True
    return None


_NOT_IN_GRAPH = ("Cannot differentiate node because it is not in a computational graph. You need to set "
                 "is_recording to true or use autograd.record() to save computational graphs for "
                 "backward. If you want to differentiate the same graph twice, you need to pass "
                 "retain_graph=True to backward.")


def _check_reachable(head_entries, order, variables):
    """MXNet's checks: ``grad`` variables must be reachable, ``backward`` needs a live variable."""
    leaves = {id(e) for e in head_entries if isinstance(e, Leaf)}
    for node in order:
        leaves.update(id(e) for e in node.in_entries if isinstance(e, Leaf))
    if variables is not None:
        for i, v in enumerate(variables):
            if id(v._entry) not in leaves:
                raise MXNetError(f"Cannot differentiate with respect to the {i + 1}-th variable "
                                 "because it is unreachable from the outputs.")
        return
    wanted = [e for e in head_entries if isinstance(e, Leaf) and e.grad_req != "null"]
    wanted += [e for n in order for e in n.in_entries if isinstance(e, Leaf) and e.grad_req != "null"]
    if not wanted:
        raise MXNetError("There are no inputs in computation graph that require gradients.")
    # as in MXNet, a backward leaves the variables with grad_req='null' without a gradient buffer
    for n in order:
        for e in n.in_entries:
            if type(e) is Leaf and e.grad_req == "null":
                e.grad = None


def _direct_grad_leaves(order, head_entries):
    """Ids of the leaves whose gradient an operator may write straight into the leaf's buffer:
    one use in the graph, ``grad_req='write'``, and a buffer no recorded operator reads.  This
    saves copying every parameter gradient (a full pass over the model's weights per step)."""
    uses = {}
    read = set()
    for e in head_entries:
        if type(e) is Leaf:
            uses[id(e)] = 2
    for node in order:
        for e in node.in_entries:
            if type(e) is Leaf:
                uses[id(e)] = uses.get(id(e), 0) + 1
        read.update(map(id, node.inputs))
    direct = set()
    for node in order:
        for e in node.in_entries:
            if (type(e) is Leaf and uses[id(e)] == 1 and e.grad_req == "write" and e.grad is not None
                    and not e.grad._is_sparse and id(e.grad._data) not in read):
                direct.add(id(e))
    return direct


def _node_backward(node, op, ograds, create_graph, xp_of, _wrap, _opctx, get_backend, NDArray,
                   direct=None):
    if create_graph and op.backward_graph is not None:
        ins = node.in_arrays
        outs = [r() if r is not None else None for r in (node.out_arrays or [])]
        if any(o is None for o in outs):
            outs = [_wrap(d, ins[0]._ctx if ins else None) for d in node.outputs]
        ctx = ins[0]._ctx if ins else None
        og = [g if (g is None or isinstance(g, NDArray)) else _wrap(g, ctx) for g in ograds]
        res = op.backward_graph(node.attrs, og, ins, outs)
        if _state.recording and any(isinstance(r, NDArray) and r._entry is None for r in res):
            res = [_link_to_inputs(r, ins) if isinstance(r, NDArray) and r._entry is None else r
                   for r in res]
        return res
    # plain backward on raw arrays
    ctx = node.in_arrays[0]._ctx if node.in_arrays else None
    raw = [(g._dense() if g._is_sparse else g._data) if isinstance(g, NDArray) else g for g in ograds]
    backend = get_backend(ctx) if ctx is not None else None
    need = tuple(e is not None and not (type(e) is Leaf and e.grad_req == "null") for e in node.in_entries)
    if _SPARSE_BACKWARD and not create_graph:
        sparse_bwd = _SPARSE_BACKWARD.get(op)
        if sparse_bwd is not None:
            res = sparse_bwd(node, raw, need)
            if res is not None:
                return res
    out = None
    if direct:
        out = tuple(e.grad._data if type(e) is Leaf and id(e) in direct else None for e in node.in_entries)
        if not any(o is not None for o in out):
            out = None
    if all(need) and out is None:
        octx = _opctx(backend, node.is_train)
    else:  # tell the kernels which input gradients nobody reads (e.g. the data of a first layer)
        octx = OpContext(backend, node.is_train, need_grad=None if all(need) else need, grad_out=out)
    res = op.backward(node.attrs, raw, node.inputs, node.outputs, octx, node.state)
    if create_graph:
        return [None if r is None else _wrap(r, ctx) for r in res]
    return res


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):
    """Compute the gradients of ``heads`` with respect to the marked variables."""
    from .ndarray.ndarray import NDArray
    if isinstance(heads, NDArray):
        heads = [heads]
        if head_grads is not None and not isinstance(head_grads, (list, tuple)):
            head_grads = [head_grads]
    _run_backward(list(heads), head_grads, retain_graph, train_mode, False)


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph=False, train_mode=True):
    """Return the gradients of ``heads`` with respect to ``variables`` (no buffers written)."""
    from .ndarray.ndarray import NDArray
    single = isinstance(variables, NDArray)
    if single:
        variables = [variables]
    if isinstance(heads, NDArray):
        heads = [heads]
        if head_grads is not None and not isinstance(head_grads, (list, tuple)):
            head_grads = [head_grads]
    for v in variables:
        if not isinstance(v._entry, Leaf):
            raise MXNetError("autograd.grad: every variable must have had attach_grad() called "
                             "(or be marked with mark_variables) before recording")
    if retain_graph is None:
        retain_graph = create_graph
    res = _run_backward(list(heads), head_grads, retain_graph, train_mode, create_graph,
                        variables=variables)
    return res


def get_symbol(x):
    """The recorded computation that produced ``x``, as a Symbol."""
    from .symbol import _from_autograd  # noqa: F401 - raises until symbols exist
    return _from_autograd(x)


class Function:
    """A user-defined differentiable function: subclass and define forward and backward.

    ``forward`` and ``backward`` take and return NDArrays; ``save_for_backward``
    keeps arrays for backward in ``self.saved_tensors``.
    """

    def __init__(self):
        self._used = False
        self.saved_tensors = ()

    def save_for_backward(self, *args):
        self.saved_tensors = args

    def __call__(self, *inputs):
        from .ndarray.ndarray import NDArray
        # MXNet asserts this
        assert not self._used, ("Each Function instance can only be called once. "
                                "Please create another instance.")
        self._used = True
        with pause():
            outputs = self.forward(*inputs)
        single = isinstance(outputs, NDArray)
        outs = [outputs] if single else list(outputs)
        if _state.recording:
            op = _FunctionOp(self, len(inputs), len(outs))
            _record(op, None, list(inputs), [i._data for i in inputs], outs, None)
        return outputs

    def forward(self, *inputs):
        raise NotImplementedError

    def backward(self, *output_grads):
        raise NotImplementedError


class _GradLink:
    """Tape op of a gradient that does not depend on the forward inputs (``radians``: a constant
    times the head gradient).  MXNet's backward operators take the forward inputs all the same,
    so such a gradient stays in the graph, with zero gradient towards those inputs."""

    name = "_backward_link"
    differentiable = True

    @staticmethod
    def backward(attrs, ograds, inputs, outputs, ctx, state):
        return [ograds[0]] + [None] * (len(inputs) - 1)

    @staticmethod
    def backward_graph(attrs, ograds, inputs, outputs):
        return [ograds[0]] + [None] * (len(inputs) - 1)


def _link_to_inputs(grad, ins):
    """``grad`` recorded as depending on the forward inputs ``ins`` (see ``_GradLink``)."""
    from .ndarray.ndarray import _wrap
    if not any(a._entry is not None for a in ins):
        return grad
    res = _wrap(grad._data, grad._ctx, type(grad))
    _record(_GradLink, None, [grad] + list(ins), [grad._data] + [a._data for a in ins], [res], None)
    return res


class _FunctionOp:
    """Adapter so that a Function node looks like a registry op to the tape."""

    differentiable = True
    backward_graph = None

    def __init__(self, func, n_in, n_out):
        self.func = func
        self.name = type(func).__name__
        self.n_in = n_in
        self.n_out = n_out

    def backward(self, attrs, ograds, inputs, outputs, ctx, state):
        from .ndarray.ndarray import _wrap
        from .context import current_context
        c = current_context()
        og = []
        for g, o in zip(ograds, outputs):
            og.append(_wrap(g if g is not None else ctx.xp.zeros_like(o), c))
        with pause():
            res = self.func.backward(*og)
        from .ndarray.ndarray import NDArray
        if isinstance(res, NDArray):
            res = [res]
        res = list(res)
        if len(res) != self.n_in:
            raise MXNetError(f"autograd.Function {self.name}: backward returned {len(res)} gradients "
                             f"for {self.n_in} inputs")
        return [r._data if r is not None else None for r in res]
