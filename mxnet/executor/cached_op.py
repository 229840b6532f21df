"""``mx.nd.CachedOp``: a symbol compiled once and called on NDArrays like an operator."""
from .. import autograd
from ..base import MXNetError
from .plan import GraphPlan


class CachedOp:
    """Runs ``sym`` on NDArrays given in ``sym.list_inputs()`` order (arguments and auxiliary
    states as the graph meets them); autograd records a call as one node.

    ``flags`` (MXNet's ``static_alloc``/``static_shape`` pairs) only tune MXNet's memory
    planning and change no result, so they are accepted and not used.
    """

    name = "_CachedOp"
    differentiable = True
    backward_graph = None

    def __init__(self, sym, flags=()):
        self._plan = GraphPlan(sym)
        self._inputs = sym.list_inputs()
        pos = {n: i for i, n in enumerate(self._inputs)}
        self._arg_pos = [pos[n] for n in self._plan.arg_names]
        self._aux_pos = [pos[n] for n in self._plan.aux_names]
        self._flags = list(flags)
        self.flags = dict((str(k), v) for k, v in self._flags)

    @property
    def plan(self):
        return self._plan

    def __call__(self, *args, out=None):
        from ..backend import get_backend
        from ..ndarray.ndarray import NDArray, _wrap
        if len(args) != len(self._inputs):
            raise MXNetError(f"CachedOp: expected {len(self._inputs)} inputs {self._inputs}, "
                             f"got {len(args)}")
        for a in args:
            if not isinstance(a, NDArray):
                raise MXNetError(f"CachedOp: inputs must be NDArrays, got {type(a).__name__}")
        ctx = args[0].context
        backend = get_backend(ctx)
        arg_nd = [args[i] for i in self._arg_pos]
        raw = [a._data for a in arg_nd]
        aux = [args[i]._data for i in self._aux_pos]
        cls = type(args[0])
        modes = None
        if any(a._is_sparse for a in args):
            aux_nd = [args[i] for i in self._aux_pos]
            modes = self._plan.storage_modes(arg_nd, aux_nd)
        if modes is not None:
            # sparse inputs: the operators' sparse forms, node by node
            outs = self._plan.run_storage(arg_nd, aux_nd, autograd.is_training(), backend, modes)
        elif not autograd.is_recording() and not autograd.is_training():
            outs = [_wrap(o, ctx, cls) for o in self._plan.infer(raw, aux, backend=backend)]
        else:
            res, saved = self._plan.run(raw, aux, is_train=autograd.is_training(), backend=backend)
            outs = [_wrap(o, ctx, cls) for o in res]
            if autograd.is_recording():
                autograd._record(self, None, arg_nd, raw, outs, saved)
        if out is not None:
            targets = [out] if isinstance(out, NDArray) else list(out)
            if len(targets) != len(outs):
                raise MXNetError(f"CachedOp: out has {len(targets)} arrays for {len(outs)} outputs")
            for t, o in zip(targets, outs):
                o.copyto(t)
                t._entry = o._entry
            return out
        return outs[0] if len(outs) == 1 else outs

    def backward(self, attrs, ograds, inputs, outputs, ctx, saved):
        return self._plan.grad(saved, ograds, need=getattr(ctx, "need_grad", None),
                               grad_out=getattr(ctx, "grad_out", None))
