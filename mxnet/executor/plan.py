"""``GraphPlan``: a symbol compiled once into a flat list of steps over raw backend arrays.

Every entry (variable or operator output) gets a slot number; a step is one operator node with
the slots of its inputs and of its first output.  ``forward`` fills the slots, keeping every
value and saved state for ``backward``, which walks the steps in reverse calling each operator's
gradient definition and summing the gradients of entries used more than once.  Auxiliary states
are passed to their operators as the very arrays given, so in-place updates (BatchNorm's moving
statistics) land in the caller's buffers.  Used by ``Executor`` and by anything that needs to run
a graph without binding (hybridized Gluon blocks).
"""
from itertools import repeat

import numpy as np

from ..base import MXNetError, MXNetIndexError, MXNetValueError
from ..ops.registry import OpContext
from ..symbol.symbol import topo_order, aux_node_ids
from .passes import inference_steps, training_steps


class _Step:
    __slots__ = ("node", "op", "attrs", "ins", "out0", "nout")

    def __init__(self, node, ins, out0):
        self.node = node
        self.op = node.op
        self.attrs = node.parsed
        self.ins = ins
        self.out0 = out0
        self.nout = node.num_outputs()


class GraphPlan:
    """Runs a ``Symbol`` on raw arrays: ``forward(args, aux, is_train)``, then ``backward(head_grads)``.

    ``arg_names``/``aux_names``/``output_names`` give the order of ``args``, ``aux`` and the
    returned outputs (``Symbol.list_arguments()``, ``list_auxiliary_states()``, ``list_outputs()``).
    """

    def __init__(self, symbol):
        self.symbol = symbol
        order = topo_order(symbol._outputs)
        aux = aux_node_ids(order)
        slot = {}
        steps = []
        n = 0
        for node in order:
            if node.op is None:
                slot[(id(node), 0)] = n
                n += 1
                continue
            ins = [slot[(id(c), i)] for c, i in node.inputs]
            step = _Step(node, ins, n)
            for i in range(step.nout):
                slot[(id(node), i)] = n + i
            n += step.nout
            steps.append(step)
        self._nslots = n
        self.steps = steps
        self._head_slots = [slot[(id(h), i)] for h, i in symbol._outputs]
        # creation operators whose shape has unknown dimensions, e.g. the zero begin states
        # of symbolic RNN cells: each run uses the shapes inference finds for its arguments
        self._partial = [st for st in steps if _partial_creation(st)]
        if self._partial:
            for st in self._partial:
                st.op = _InferredShape(st.op, st.attrs)
            self._order = order
            self._partial_sig = None
        # runs without a monitor (which must see every node's output) use the fused steps
        self._fused = training_steps(steps, self._head_slots)
        var_nodes = [v for v in order if v.op is None]
        self.arg_names = [v.name for v in var_nodes if id(v) not in aux]
        self.aux_names = [v.name for v in var_nodes if id(v) in aux]
        self._arg_slots = [slot[(id(v), 0)] for v in var_nodes if id(v) not in aux]
        self._aux_slots = [slot[(id(v), 0)] for v in var_nodes if id(v) in aux]
        self.output_names = symbol.list_outputs()
        self.head_ops = [h.op for h, _ in symbol._outputs]
        self._saved = None
        self._infer = None
        self._const_vals = None
        self._bound = None     # (argument signature, inference program) of the last infer
        self._programs = {}
        self._consumers = {}

    def forward(self, args, aux=(), is_train=False, backend=None, monitor=None):
        """Run every step; ``args``/``aux`` are raw arrays in argument/aux order.  Returns the
        outputs (raw).  ``monitor(name, array)`` sees every operator output when given."""
        outs, saved = self.run(args, aux, is_train, backend, monitor)
        self._saved = saved
        return outs

    def run(self, args, aux=(), is_train=False, backend=None, monitor=None):
        """Like ``forward`` but stateless: returns ``(outputs, saved)``; ``saved`` is what
        ``grad`` needs, so several runs of one plan can be differentiated independently."""
        if backend is None:
            from ..backend import NUMPY_BACKEND as backend
        octx = OpContext(backend, bool(is_train))
        if self._partial:
            self._complete_shapes(args, aux)
        vals = self._inputs(args, aux)
        states = {}
        steps = self.steps if monitor is not None else self._fused
        _execute(steps, vals, octx, states, monitor)
        return [vals[s] for s in self._head_slots], (vals, states, octx, steps)

    def storage_modes(self, args, aux):
        """Per operator node id, how it runs for NDArray inputs ``args``/``aux`` of their storage
        types ("dense", "sparse" or "fallback", ``registry.infer_storage``); None when every node
        runs dense (the raw-array paths serve)."""
        key = tuple(a.stype for a in args) + tuple(a.stype for a in aux)
        cache = self.__dict__.setdefault("_storage_cache", {})
        if key not in cache:
            from ..symbol.infer import infer_stypes
            modes = infer_stypes(topo_order(self.symbol._outputs),
                                 dict(zip(self.arg_names + self.aux_names, key)))[1]
            cache[key] = modes if any(m != "dense" for m in modes.values()) else None
        return cache[key]

    def run_storage(self, args, aux, is_train=False, backend=None, modes=None):
        """Run the graph node by node on NDArrays ``args``/``aux`` (any storage types): dense
        operators on their arrays, the others through the storage dispatcher (their sparse forms,
        or MXNet's dense fallback); returns the output NDArrays.  Keeps nothing for a backward;
        under ``autograd.record()`` every operator goes on the tape as an eager call would (sparse
        gradients included), so the outputs carry their own gradient history."""
        from .. import autograd
        from ..ndarray.ndarray import _wrap, invoke
        from ..ndarray.sparse import dispatch
        recording = autograd.is_recording()
        if backend is None:
            from ..backend import NUMPY_BACKEND as backend
        if modes is None:
            modes = self.storage_modes(args, aux) or {}
        if self._partial:
            self._complete_shapes([a._data for a in args], [a._data for a in aux])
        ctx = (list(args) + list(aux))[0].context
        octx = OpContext(backend, bool(is_train))
        vals = self._inputs(list(args), list(aux))
        for st in self.steps:
            ins = [vals[i] for i in st.ins]
            try:
                if recording:
                    res = invoke(st.op, ins, attrs=st.attrs)
                    outs = list(res) if isinstance(res, (tuple, list)) else [res]
                elif modes.get(id(st.node), "dense") == "dense":
                    res = st.op.forward(st.attrs, [a._data for a in ins], octx)
                    res = res[0] if st.op.save_state else res
                    outs = [_wrap(r, ctx) for r in (res if isinstance(res, (tuple, list)) else (res,))]
                else:
                    res = dispatch(st.op, ins, st.attrs, None)
                    outs = list(res) if isinstance(res, (tuple, list)) else [res]
            except MXNetError as e:
                raise MXNetError(f"Error in operator {st.node.name}: {e}") from e
            vals[st.out0:st.out0 + st.nout] = outs + [None] * (st.nout - len(outs))
        return [vals[s] for s in self._head_slots]

    def run_recorded(self, args, aux, ctx):
        """Run the graph node by node through ``invoke`` on NDArrays ``args``/``aux``, so that
        autograd records each operator with its own gradient (an Embedding's row_sparse weight
        gradient stays row_sparse); returns the output NDArrays."""
        from ..ndarray.ndarray import invoke
        if self._partial:
            self._complete_shapes([a._data for a in args], [a._data for a in aux])
        vals = self._inputs(list(args), list(aux))
        for st in self.steps:
            res = invoke(st.op, [vals[i] for i in st.ins], attrs=st.attrs, ctx=ctx)
            outs = list(res) if isinstance(res, (tuple, list)) else [res]
            vals[st.out0:st.out0 + st.nout] = outs + [None] * (st.nout - len(outs))
        return [vals[s] for s in self._head_slots]

    def _complete_shapes(self, args, aux):
        """Give the creation operators with unknown dimensions the shapes inferred from the
        shapes of ``args``/``aux`` (once per distinct set of shapes)."""
        sig = tuple(tuple(a.shape) for a in args) + tuple(tuple(a.shape) for a in aux)
        if sig == self._partial_sig:
            return
        from ..symbol.infer import infer_shapes, complete
        known = dict(zip(self.arg_names + self.aux_names, sig))
        shapes = infer_shapes(self._order, self.symbol._outputs, known)
        for st in self._partial:
            shape = shapes.get((id(st.node), 0))
            if not complete(shape):
                raise MXNetError(f"Error in operator {st.node.name}: cannot infer its shape "
                                 f"{tuple(st.attrs['shape'])} from the shapes of the arguments")
            st.op.set_shape(shape)
        self._partial_sig = sig
        self._const_vals = None

    def _inputs(self, args, aux):
        if len(args) != len(self._arg_slots) or len(aux) != len(self._aux_slots):
            raise MXNetError(f"GraphPlan: expected {len(self._arg_slots)} arguments and "
                             f"{len(self._aux_slots)} auxiliary states, got {len(args)} and {len(aux)}")
        vals = [None] * self._nslots
        for s, a in zip(self._arg_slots, args):
            vals[s] = a
        for s, a in zip(self._aux_slots, aux):
            vals[s] = a
        return vals

    def infer(self, args, aux=(), backend=None):
        """An inference run with the graph passes of ``passes.py`` (identity removal, BatchNorm
        folding, constant folding); keeps nothing for a backward."""
        if backend is None:
            from ..backend import NUMPY_BACKEND as backend
        if self._infer is None:
            self._infer = inference_steps(self._fused, self._head_slots,
                                          self._arg_slots + self._aux_slots)
        steps, heads, consts = self._infer
        octx = OpContext(backend, False)
        if self._partial:
            self._complete_shapes(args, aux)
        sig = [(type(a), a.shape, a.dtype) for a in args]
        sig += [(type(a), a.shape, a.dtype) for a in aux]
        bound = self._bound
        if bound is not None and bound[0] == sig:
            vals = self._inputs_and_consts(args, aux, consts, octx)
            try:
                for fn, ins, out0 in bound[1]:
                    vals[out0] = fn([vals[i] for i in ins])
                return [vals[h] for h in heads]
            except Exception:   # the checked run below reports it (or finds it was a fluke)
                self._bound = None
        vals = self._inputs_and_consts(args, aux, consts, octx)
        program = [] if backend.xp is np else None
        _execute(steps, vals, octx, None, None, program)
        if program is not None:
            self._bound = (sig, program)
        return [vals[h] for h in heads]

    def _inputs_and_consts(self, args, aux, consts, octx):
        vals = self._inputs(args, aux)
        if consts:
            if self._const_vals is None:
                _execute(consts, vals, octx, None, None)
                self._const_vals = {k: vals[k] for st in consts for k in range(st.out0, st.out0 + st.nout)}
            for k, v in self._const_vals.items():
                vals[k] = v
        return vals

    def backward(self, head_grads, need=None, grad_out=None, monitor=None):
        """Gradients of the arguments (raw, None where none flows) given one gradient per output
        (raw, or None).  Needs the values of the last ``forward``; ``need``, ``grad_out`` and
        ``monitor`` as in ``grad``."""
        if self._saved is None:
            raise MXNetError("backward called before forward")
        return self.grad(self._saved, head_grads, need, grad_out, monitor)

    def grad(self, saved, head_grads, need=None, grad_out=None, monitor=None):
        """Argument gradients for the run that returned ``saved`` (see ``run``).  ``need`` (one
        flag per argument, default all) names the arguments whose gradient is wanted: the others
        come back as None, and operators are told which input gradients nobody reads (so a first
        layer skips the gradient of its data).  ``grad_out`` (one buffer or None per argument)
        offers buffers to write gradients into, as ``OpContext.grad_out`` does for one operator.
        ``monitor(name, array)`` sees the input gradients of every operator that runs, named
        ``<node>_backward_output<i>`` as MXNet's backward nodes (zeros where none flows)."""
        vals, states, octx, steps = saved
        grads = [None] * self._nslots
        for s, g in zip(self._head_slots, head_grads):
            if g is not None:
                grads[s] = g if grads[s] is None else grads[s] + g
        direct = self._grad_buffers(grad_out, steps) if grad_out is not None else {}
        for k, st, mask in self._backward_program(need, steps):
            ograds = grads[st.out0:st.out0 + st.nout]
            if all(g is None for g in ograds):
                continue
            # the output gradients are consumed here: dropping them keeps the peak memory of a
            # backward that of the imperative path
            grads[st.out0:st.out0 + st.nout] = [None] * st.nout
            ins = [vals[i] for i in st.ins]
            outs = vals[st.out0:st.out0 + st.nout]
            gout = direct.get(k)
            bctx = octx if mask is None and gout is None else \
                OpContext(octx.backend, octx.is_train, need_grad=mask, grad_out=gout)
            try:
                res = st.op.backward(st.attrs, ograds, ins, outs, bctx, states.get(k))
            except MXNetError:
                raise
            except Exception as e:
                raise MXNetError(f"Error in the gradient of operator {st.node.name} ({st.op.name}): "
                                 f"{type(e).__name__}: {e}") from e
            for i, g, m in zip(st.ins, res, mask or repeat(True)):
                if g is not None and m:
                    grads[i] = g if grads[i] is None else grads[i] + g
            if monitor is not None:
                _monitor_grads(monitor, st, res, ins, self._aux_slots)
        out = [grads[s] for s in self._arg_slots]
        if need is not None:
            out = [g if n else None for g, n in zip(out, need)]
        return out

    def _grad_buffers(self, grad_out, steps):
        """``{step index: grad_out tuple}`` for the offered buffers of arguments that exactly one
        step reads once (no gradients to sum) and that are not outputs."""
        consumers = self._consumers.get(steps is self._fused)
        if consumers is None:
            consumers = {}
            for k, st in enumerate(steps):
                for p, i in enumerate(st.ins):
                    consumers.setdefault(i, []).append((k, p))
            for h in self._head_slots:
                consumers.setdefault(h, []).append(None)
            self._consumers[steps is self._fused] = consumers
        direct = {}
        for s, buf in zip(self._arg_slots, grad_out):
            use = consumers.get(s)
            if buf is not None and use is not None and len(use) == 1 and use[0] is not None:
                k, p = use[0]
                outs = direct.setdefault(k, [None] * len(steps[k].ins))
                outs[p] = buf
        return {k: tuple(v) for k, v in direct.items()}

    def _backward_program(self, need, steps):
        """``(step index, step, input mask)`` in reverse order for the argument mask ``need``; the
        mask is None where every input of the step leads to a wanted gradient."""
        want = None if need is None else tuple(bool(n) for n in need)
        key = (want, steps is self._fused)
        prog = self._programs.get(key)
        if prog is None:
            aux = set(self._aux_slots)
            req = {s for s, n in zip(self._arg_slots, want or repeat(True)) if n}
            masks = []
            for st in steps:
                m = tuple(i in req and i not in aux for i in st.ins)
                if any(m):
                    req.update(range(st.out0, st.out0 + st.nout))
                masks.append(None if all(m) else m)
            # every step runs (BatchNorm updates its moving statistics in its backward, as the
            # imperative path does); the masks only spare the gradients nobody reads
            prog = [(k, steps[k], masks[k]) for k in range(len(steps) - 1, -1, -1)
                    if steps[k].op.backward is not None]
            self._programs[key] = prog
        return prog


def _monitor_grads(monitor, st, res, ins, aux_slots):
    # auxiliary states (BatchNorm's moving statistics) get no gradient entry, as in MXNet
    grads = [(g, x) for g, x, i in zip(res, ins, st.ins) if i not in aux_slots]
    base = f"{st.node.name}_backward_output"
    for p, (g, x) in enumerate(grads):
        name = base if len(grads) == 1 else f"{base}{p}"
        monitor(name, g if g is not None else x * 0)


def _partial_creation(st):
    """Whether step ``st`` creates an array (no inputs) of a legacy shape that is unknown:
    empty, or with unknown (0, -1 or None) dimensions."""
    if st.ins or not st.attrs or "shape" not in st.attrs:
        return False
    from ..util import is_np_shape
    shape = st.attrs["shape"]
    return (isinstance(shape, tuple) and (not shape or any(d is None or d <= 0 for d in shape))
            and not is_np_shape())


class _InferredShape:
    """A creation operator run with the shape its plan inferred rather than its ``shape``
    parameter; otherwise the wrapped operator.  Never folded into a constant, since the shape
    follows the arguments'."""

    input_dependent = True

    def __init__(self, op, attrs):
        self._op = op
        self._attrs = attrs

    def set_shape(self, shape):
        attrs = type(self._attrs)(self._attrs)
        attrs["shape"] = tuple(shape)
        self._attrs = attrs

    def forward(self, attrs, ins, ctx):
        return self._op.forward(self._attrs, ins, ctx)

    def bind(self, attrs, ins, ctx):
        return None

    def __getattr__(self, name):
        return getattr(self._op, name)


def _execute(steps, vals, octx, states, monitor, program=None):
    """Run ``steps`` over the slot list ``vals``; saved states go to ``states`` when given.  With
    a list ``program`` (inference on NumPy), appends ``(fn, input slots, output slot)`` per step,
    a function that reruns the step without its checks (see ``_bind``)."""
    every = monitor is not None and getattr(monitor, "monitor_all", False)
    for k, st in enumerate(steps):
        ins = [vals[i] for i in st.ins]
        if every:
            _monitor_inputs(monitor, st, ins)
        try:
            res = st.op.forward(st.attrs, ins, octx)
        except MXNetError as e:
            # errors MXNet reports as IndexError/ValueError keep that type
            cls = type(e) if type(e) in (MXNetIndexError, MXNetValueError) else MXNetError
            raise cls(f"Error in operator {st.node.name}: {e}") from e
        except Exception as e:
            shapes = ", ".join(f"{tuple(a.shape)}:{a.dtype}" for a in ins)
            raise MXNetError(f"Error in operator {st.node.name} ({st.op.name}): "
                             f"{type(e).__name__}: {e} (inputs: {shapes or 'none'})") from e
        if st.op.save_state:
            res, st_state = res
            if states is not None:
                states[k] = st_state
        outs = res if isinstance(res, (tuple, list)) else (res,)
        vals[st.out0:st.out0 + len(outs)] = outs
        if program is not None:
            program.extend(_bind(st, ins, octx))
        if monitor is not None:
            for name, o in zip(st.node.output_names(), outs if every else outs[:st.node.num_visible()]):
                monitor(name, o)


def _monitor_inputs(monitor, st, ins):
    """MXNet's monitor_all reports each input of an operator before running it: a variable
    under its own name, then every input under the operator's name for it."""
    from .monitor_names import input_names
    for (src, _), name, x in zip(st.node.inputs, input_names(st.node, len(ins)), ins):
        if src.op is None:
            monitor(src.name, x)
        monitor(name, x)


def _bind(st, ins, octx):
    """The inference program's entries for step ``st`` (just run on ``ins``): the operator's
    ``bind`` function, else its ``forward`` (one entry per output, all but the first reading
    the outputs back from the first's slot)."""
    op, attrs = st.op, st.attrs
    bind = getattr(op, "bind", None)
    fn = bind(attrs, ins, octx) if bind is not None and st.nout == 1 else None
    if fn is not None:
        return [(fn, st.ins, st.out0)]
    if st.nout == 1:
        if op.save_state:
            return [(lambda xs: op.forward(attrs, xs, octx)[0], st.ins, st.out0)]
        return [(lambda xs: _single(op.forward(attrs, xs, octx)), st.ins, st.out0)]
    first = st.out0
    # all outputs as a tuple in the first slot, then each unpacked into its own
    entries = [(lambda xs: _all(op, attrs, xs, octx), st.ins, first)]
    entries += [(lambda xs, j=j: xs[0][j], [first], first + j) for j in range(st.nout - 1, -1, -1)]
    return entries


def _single(res):
    return res[0] if isinstance(res, (tuple, list)) else res


def _all(op, attrs, xs, octx):
    res = op.forward(attrs, xs, octx)
    return res[0] if op.save_state else res
