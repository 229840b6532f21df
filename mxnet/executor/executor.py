"""``Executor``: a symbol bound to arrays (``Symbol.bind`` / ``Symbol.simple_bind``)."""
import numpy as np

from ..base import DeferredOpError, MXNetError, mx_real_t, np_dtype
from .cse import eliminate_common_expr, enabled as cse_enabled
from .placement import output_contexts
from .plan import GraphPlan

_REQS = ("write", "add", "null", "inplace")
# operators whose gradient does not need a head gradient (MXNet's loss layers)
def _custom_loss(node):
    """A Custom op whose Prop says need_top_grad=False is a loss: it needs no head gradient."""
    if node.op.name != "Custom":
        return False
    from ..ops.custom_op import prop_of
    return not prop_of(node.parsed).need_top_grad_


LOSS_OPS = frozenset(("SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput",
                      "MAERegressionOutput", "SVMOutput", "MakeLoss", "make_loss",
                      "IdentityAttachKLSparseReg"))


def _check_devices(ctx, group2ctx):
    """The graph runs in one array backend on one device: several CPU contexts are fine, several
    GPUs are not (yet)."""
    ctxs = [ctx, *(group2ctx or {}).values()]
    devices = {(c.device_type, c.device_id) for c in ctxs if c.device_type != "cpu"}
    if len(devices) > 1 or (devices and any(c.device_type == "cpu" for c in ctxs)):
        raise NotImplementedError(f"bind with group2ctx over {sorted({str(c) for c in ctxs})}: mxnext "
                                  "runs a bound graph on one device (several CPU contexts are fine); "
                                  "place Gluon blocks on the devices instead (docs/distributed.md)")


def _backend(ctx):
    from ..backend import get_backend
    return get_backend(ctx)


def _as_list(what, arrays, names, allow_missing):
    """Arrays given as a list (in ``names`` order) or a dict -> a list aligned with ``names``."""
    from ..ndarray import NDArray
    if arrays is None:
        return [None] * len(names)
    if isinstance(arrays, dict):
        out = []
        for n in names:
            a = arrays.get(n)
            if a is None and not allow_missing:
                raise ValueError(f"key `{n}` is missing in `{what}`")
            out.append(a)
    else:
        out = list(arrays)
        if len(out) != len(names):
            raise ValueError(f"Length of `{what}` does not match the number of arguments "
                             f"({len(out)} vs {len(names)})")
    for a in out:
        if a is not None and not isinstance(a, NDArray):
            raise TypeError(f"Only accept list of NDArrays or dict of str to NDArray in `{what}`")
    return out


def _grad_reqs(grad_req, names):
    if isinstance(grad_req, str):
        reqs = [grad_req] * len(names)
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        reqs = list(grad_req)
        if len(reqs) != len(names):
            raise ValueError(f"grad_req has {len(reqs)} entries for {len(names)} arguments")
    for r in reqs:
        if r not in _REQS:
            raise ValueError(f"grad_req must be one of {list(_REQS[:3])}, got {r!r}")
    return ["write" if r == "inplace" else r for r in reqs]


class Executor:
    """Runs a bound graph: ``forward(is_train, **inputs)`` then ``backward(out_grads)``.

    ``arg_arrays``/``grad_arrays``/``aux_arrays`` follow ``list_arguments()`` and
    ``list_auxiliary_states()``; ``outputs`` follows ``list_outputs()``.
    """

    def __init__(self, symbol, ctx, arg_arrays, grad_arrays, grad_reqs, aux_arrays, group2ctx=None):
        self._symbol = symbol
        self._ctx = ctx
        self._group2ctx = group2ctx
        _check_devices(ctx, group2ctx)
        # as in MXNet, each output lives on the context of the group that computes it
        self._out_ctxs = output_contexts(symbol, group2ctx, ctx)
        # the graph that runs: the symbol after common subexpression elimination, as in MXNet
        self._optimized = eliminate_common_expr(symbol) if cse_enabled() else symbol
        self._plan = GraphPlan(self._optimized)
        self._output_names = symbol.list_outputs()
        _check_gradient_path(self._optimized, self._plan.arg_names, grad_reqs)
        # the forward values are kept for backward only where some gradient can flow (not with
        # every grad_req 'null', nor past BlockGrad/stop_gradient): inference frees them
        self._keep_saved = _gradient_flows(self._optimized, self._plan.arg_names, grad_reqs)
        self.arg_arrays = list(arg_arrays)
        # as in MXNet, a buffer given for a 'null' argument stays visible in grad_dict (unwritten)
        self.grad_arrays = list(grad_arrays)
        self._grad_req = list(grad_reqs)
        self.aux_arrays = list(aux_arrays)
        self.outputs = []
        # executors made by ``reshape`` share memory with their source: their outputs are
        # views that forward fills in place instead of rebinding
        self._copy_outputs = False
        self._monitor = None
        self._monitor_all = False
        p = self._plan
        self._arg_dict = dict(zip(p.arg_names, self.arg_arrays))
        self._grad_dict = dict(zip(p.arg_names, self.grad_arrays))
        self._aux_dict = dict(zip(p.aux_names, self.aux_arrays))
        self._output_dict = None
        # storage types (MXNet's InferStorageType): a graph with sparse arrays or operators that
        # make them runs operator by operator through the storage dispatcher
        from ..symbol.infer import infer_stypes
        known = {n: a.stype for n, a in zip(p.arg_names + p.aux_names, self.arg_arrays + self.aux_arrays)
                 if a is not None}
        stypes, self._modes = infer_stypes(self._optimized._order(), known)
        self._out_stypes = [stypes[(id(h), i)] for h, i in self._optimized._outputs]
        self._sparse = any(m != "dense" for m in self._modes.values())
        self._alloc_outputs()

    def _alloc_outputs(self):
        # MXNet allocates the output arrays at bind time, so ``outputs`` exists before forward
        from .. import ndarray as nd
        names = self._plan.arg_names + self._plan.aux_names
        arrays = self.arg_arrays + self.aux_arrays
        shapes = {n: a.shape for n, a in zip(names, arrays)}
        types = {n: a.dtype for n, a in zip(names, arrays)}
        try:
            _, out_shapes, _ = self._symbol.infer_shape_partial(**shapes)
            _, out_types, _ = self._symbol.infer_type(**types)
        except MXNetError:
            return
        # unknown dimensions read 0 in legacy shapes, -1 (or None) in np shapes
        if out_types is None or any(not s or any(d is None or d <= 0 for d in s) for s in out_shapes):
            return
        self.outputs = [nd.zeros(s, ctx=c, dtype=t) if st == "default" else
                        nd.sparse.zeros(st, s, ctx=c, dtype=t)
                        for s, t, st, c in zip(out_shapes, out_types, self._out_stypes, self._out_ctxs)]

    @property
    def arg_dict(self):
        return self._arg_dict

    @property
    def grad_dict(self):
        return self._grad_dict

    @property
    def aux_dict(self):
        return self._aux_dict

    @property
    def output_dict(self):
        if self._output_dict is None:
            self._output_dict = dict(zip(self._output_names, self.outputs))
        return self._output_dict

    def forward(self, is_train=False, **kwargs):
        """Copy ``kwargs`` into the named arguments, run the graph, return ``outputs``."""
        from ..ndarray.ndarray import _wrap
        for name, value in kwargs.items():
            if name not in self._arg_dict:
                raise ValueError(f"Unknown argument {name}")
            dst = self._arg_dict[name]
            src = value._data if hasattr(value, "_data") else np.asarray(value)
            if tuple(src.shape) != tuple(dst.shape):
                raise ValueError(f"Shape not match! Argument {name}, need: {tuple(dst.shape)}, "
                                 f"received: {tuple(src.shape)}")
            if dst._is_sparse:
                from ..ndarray.sparse import _assign
                _assign(dst, _wrap(src, self._ctx))
            else:
                dst._data[...] = src
        monitor = None if self._monitor is None else _MonitorAdapter(self._monitor, self._ctx, _wrap,
                                                                       self._monitor_all)
        if self._sparse and monitor is None and not (is_train and any(r != "null" for r in self._grad_req)):
            self._store_outputs(self._forward_storage(is_train))
            return self.outputs
        # sparse auxiliary states run as writable dense copies, stored back in their storage type
        aux = [a._dense() if a._is_sparse else a._data for a in self.aux_arrays]
        try:
            outs = self._plan.forward([a._data for a in self.arg_arrays], aux, is_train, _backend(self._ctx),
                                      monitor)
        except MXNetError as err:
            # a failure MXNet's engine reports only when a result is read (take's mode='raise')
            if not isinstance(err.__cause__, DeferredOpError) or not self.outputs:
                raise
            from ..ndarray.ndarray import _fail_arrays
            _fail_arrays(err, self.outputs)
            return self.outputs
        if not self._keep_saved:
            self._plan._saved = None
        for a, d in zip(self.aux_arrays, aux):
            if a._is_sparse:
                from ..ndarray.sparse import _assign
                _assign(a, _wrap(d, self._ctx))
        if self._sparse:
            # the dense run a backward needs: its results stored in the inferred storage types
            from ..ndarray.sparse import cast_storage
            self._store_outputs([_wrap(r, c) if st == "default" else cast_storage(_wrap(r, c), st)
                                 for r, st, c in zip(outs, self._out_stypes, self._out_ctxs)])
        elif len(self.outputs) == len(outs):
            if self._copy_outputs:
                for o, r in zip(self.outputs, outs):
                    o._data[...] = r
            else:
                for o, r in zip(self.outputs, outs):
                    o._data = r
        else:
            self.outputs = [_wrap(r, c) for r, c in zip(outs, self._out_ctxs)]
            self._output_dict = None
        return self.outputs

    def _forward_failed(self):
        """True when the last forward failed with a deferred error (its outputs carry it); the
        gradient arrays are then marked failed too, so that reading one, or waitall, raises that
        error once, as MXNet's engine fails the operators a backward depends on."""
        from ..ndarray.ndarray import _carries_failure, _spread_failure
        datas = [o._data for o in self.outputs]
        if not _carries_failure(datas):
            return False
        _spread_failure(datas, [g for g in self.grad_arrays if g is not None])
        return True

    def _forward_storage(self, is_train):
        return self._plan.run_storage(self.arg_arrays, self.aux_arrays, is_train, _backend(self._ctx),
                                      self._modes)

    def _store_outputs(self, outs):
        """Put the NDArrays ``outs`` into ``outputs`` (the same objects where storage types match)."""
        from ..ndarray.sparse import _assign
        if len(self.outputs) != len(outs) or any(o.stype != r.stype for o, r in zip(self.outputs, outs)):
            self.outputs = list(outs)
            self._output_dict = None
            return
        for o, r in zip(self.outputs, outs):
            if o._is_sparse:
                _assign(o, r)
            else:
                o._data = r._data

    def backward(self, out_grads=None, is_train=True):
        """Gradients into ``grad_arrays`` (per ``grad_req``), from ``out_grads`` (one per output;
        loss layers such as SoftmaxOutput need none)."""
        from ..ndarray import NDArray
        if all(r == "null" for r in self._grad_req):
            return      # no gradient is wanted: MXNet's backward runs nothing (and needs no heads)
        if self._keep_saved and self._plan._saved is None:
            # MXNet's backward reads the forward buffers as they are: run the forward once, so
            # that gradients needing no forward values (tile, repeat) come out as there
            self.forward(is_train=is_train)
        if self._forward_failed():
            return
        if out_grads is None:
            out_grads = []
        elif isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        elif isinstance(out_grads, dict):
            out_grads = [out_grads.get(n) for n in self._output_names]
        heads = []
        xp = _backend(self._ctx).xp
        for i, (o, (node, _)) in enumerate(zip(self.outputs, self._symbol._outputs)):
            op = node.op
            g = out_grads[i] if i < len(out_grads) else None
            if g is not None:
                g = g._data if isinstance(g, NDArray) else xp.asarray(g, dtype=o.dtype)
                # MXNet copies a head gradient into a buffer of the output's type (an int32
                # output truncates a float gradient)
                heads.append(g if g.dtype == o.dtype else g.astype(o.dtype))
            elif op is not None and (op.name in LOSS_OPS or _custom_loss(node)):
                heads.append(xp.ones_like(o._data))
            elif op is not None and op.zero_grad:
                heads.append(xp.zeros_like(o._data))
            else:
                raise MXNetError("Check failed: head_grads: Because the last operator is not Loss "
                                 "function, head_gradient is required when calling backward. If you are "
                                 "attempting to minimize the output as an objective, please modify your "
                                 "network and pass it through the make_loss symbol.")
        if not self._keep_saved:
            # no gradient reaches an argument: 'write' buffers get zeros
            for dst, req in zip(self.grad_arrays, self._grad_req):
                if dst is not None and req == "write":
                    dst[:] = 0
            return
        # 'write' gradients may be computed straight into their arrays, unless an array is
        # also an input of the graph (its old value must be read first) or serves two arguments
        inputs = {id(a._data) for a in self.arg_arrays + self.aux_arrays if a is not None}
        ids = [id(d._data) if d is not None else None for d in self.grad_arrays]
        offer = [d._data if d is not None and r == "write" and i not in inputs and ids.count(i) == 1
                 and not d._is_sparse else None for d, r, i in zip(self.grad_arrays, self._grad_req, ids)]
        if self._monitor is None:
            grads = self._plan.backward(heads, need=[r != "null" for r in self._grad_req], grad_out=offer)
        else:
            # a monitored backward computes (and shows) every operator's input gradients
            from ..ndarray.ndarray import _wrap
            grads = self._plan.backward(heads, grad_out=offer,
                                        monitor=_MonitorAdapter(self._monitor, self._ctx, _wrap))
        for dst, req, g in zip(self.grad_arrays, self._grad_req, grads):
            if dst is None or req == "null":
                continue
            if dst._is_sparse:
                # the graph runs dense: the gradient is stored in the buffer's storage type
                from ..ndarray.ndarray import _wrap
                from ..ndarray.sparse import _assign
                if g is None and req != "write":
                    continue
                cur = dst._data
                new = cur * 0 if g is None else (cur + g if req == "add" else g)
                _assign(dst, _wrap(new, dst.context))
                continue
            if g is not None and g is dst._data:
                continue
            if g is None:
                if req == "write":
                    dst._data[...] = 0
            elif req == "add":
                dst._data[...] += g
            else:
                dst._data[...] = g

    def set_monitor_callback(self, callback, monitor_all=False):
        """Call ``callback(name, NDArray)`` with every operator output during forward, and every
        operator's input gradients during backward."""
        self._monitor = callback
        self._monitor_all = monitor_all

    def copy_params_from(self, arg_params, aux_params=None, allow_extra_params=False):
        """Copy parameter values into the bound arrays (cast to their dtypes)."""
        for name, arr in (arg_params or {}).items():
            if name in self._arg_dict:
                _copy_cast(arr, self._arg_dict[name])
            elif not allow_extra_params:
                raise ValueError(f"Find name \"{name}\" that is not in the arguments")
        for name, arr in (aux_params or {}).items():
            if name in self._aux_dict:
                _copy_cast(arr, self._aux_dict[name])
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the auxiliary states")

    def reshape(self, partial_shaping=False, allow_up_sizing=False, **kwargs):
        """A new executor for new input shapes that shares this one's memory: arrays whose shapes
        did not change, and views of the leading elements of those that shrank (as MXNet's
        shared memory pool does); arrays that grow are new."""
        from .. import ndarray as nd
        from ..ndarray.ndarray import _wrap

        def view(old, shape):
            n = int(np.prod(shape))
            if n > old.size or not old._data.flags.c_contiguous:
                return None
            return _wrap(old._data.reshape(-1)[:n].reshape(shape), old.context)
        # like MXNet, only the given shapes seed inference: an argument left unknown counts as changed
        arg_shapes, _, aux_shapes = self._symbol.infer_shape_partial(**kwargs)

        def renew(name, old, shape, what):
            if old is None or tuple(old.shape) == tuple(shape):
                return old
            if name not in kwargs and not partial_shaping:
                raise MXNetError(f"Shape of unspecified array {what}:{name} changed. This can cause the "
                                 f"new executor to not share parameters with the old one. Please check "
                                 f"for error in network. If this is intended, set partial_shaping=True "
                                 f"to suppress this warning.")
            if not _known_shape(shape):
                raise MXNetError(f"reshape: cannot infer the shape of {what}:{name} from the given shapes")
            if int(np.prod(shape)) > old.size and not allow_up_sizing:
                raise MXNetError(f"New shape of {what}:{name} larger than original. First making a big "
                                 f"executor and then down sizing it is more efficient than the reverse. "
                                 f"If you really want to up size, set allow_up_sizing=True to enable "
                                 f"allocation of new arrays.")
            shared = view(old, shape)
            return shared if shared is not None else nd.zeros(shape, ctx=old.context, dtype=old.dtype)

        names = self._plan.arg_names
        args = [renew(n, a, s, "arg") for n, a, s in zip(names, self.arg_arrays, arg_shapes)]
        grads = [renew(n, g, s, "arg") for n, g, s in zip(names, self.grad_arrays, arg_shapes)]
        aux = [renew(n, a, s, "aux") for n, a, s in zip(self._plan.aux_names, self.aux_arrays, aux_shapes)]
        reqs = [r if g is not None else "null" for r, g in zip(self._grad_req, grads)]
        new = Executor(self._symbol, self._ctx, args, grads, reqs, aux, self._group2ctx)
        new._monitor, new._monitor_all = self._monitor, self._monitor_all   # MXNet keeps the callback
        if len(new.outputs) == len(self.outputs):
            outs = [view(old, o.shape) for o, old in zip(new.outputs, self.outputs)]
            if all(o is not None and o.dtype == old.dtype for o, old in zip(outs, self.outputs)):
                new.outputs = outs
                new._output_dict = None
                new._copy_outputs = self._copy_outputs = True
        return new

    def debug_str(self):
        """The graph's listing, then the memory this executor holds besides the arrays bound to it:
        its outputs, and the forward values it keeps for backward (``Total N MB allocated``)."""
        names = self._plan.arg_names + self._plan.aux_names
        arrays = self.arg_arrays + self.aux_arrays
        kept = self._optimized.get_internals() if self._keep_saved else self._optimized
        nbytes = 0
        try:
            _, shapes, _ = kept.infer_shape_partial(**{n: a.shape for n, a in zip(names, arrays)})
            _, types, _ = kept.infer_type(**{n: a.dtype for n, a in zip(names, arrays)})
        except MXNetError:
            shapes = types = None
        if shapes is not None and types is not None:
            bound = set(names)
            for out, shape, dt in zip(kept.list_outputs(), shapes, types):
                if out not in bound and shape and dt is not None:
                    nbytes += int(np.prod([max(d or 0, 0) for d in shape])) * np.dtype(dt).itemsize
        return self._symbol.debug_str() + f"Total {nbytes >> 20} MB allocated\n"

    def get_optimized_symbol(self):
        """The graph this executor runs (after common subexpression elimination), as a copy."""
        return self._optimized.__copy__()


def _gradient_flows(symbol, arg_names, reqs):
    """Whether a gradient can reach an argument whose grad_req is not 'null' (operators with a
    zero gradient, such as BlockGrad, stop it)."""
    want = {n for n, r in zip(arg_names, reqs) if r != "null"}
    if not want:
        return False
    flows = {id(n) for n, _ in symbol._outputs}
    for n in reversed(symbol._order()):
        if id(n) not in flows:
            continue
        if n.op is None:
            if n.name in want:
                return True
        elif not n.op.zero_grad:
            flows.update(id(c) for c, _ in n.inputs)
    return False


def _check_gradient_path(symbol, arg_names, reqs):
    """Raise MXNet's bind error when a gradient would have to pass an operator that has none.

    A gradient flows back from the outputs through every node that depends on an argument whose
    gradient is wanted; operators with a zero gradient (BlockGrad, comparisons) stop it."""
    want = {n for n, r in zip(arg_names, reqs) if r != "null"}
    if not want:
        return
    order = symbol._order()
    needs = set()
    for n in order:
        if (n.op is None and n.name in want) or any(id(c) in needs for c, _ in n.inputs):
            needs.add(id(n))
    flows = {id(n) for n, _ in symbol._outputs}
    for n in reversed(order):
        if n.op is None or id(n) not in flows or id(n) not in needs or n.op.zero_grad:
            continue
        if not n.op.fgradient:
            raise MXNetError(f"Operator {n.op.name} is non-differentiable because it didn't register "
                             "FGradient attribute.")
        flows.update(id(c) for c, _ in n.inputs)


def _known_shape(shape):
    """Whether ``infer_shape_partial`` decided ``shape``: legacy shapes mark unknowns with () and
    0 dimensions, np shapes with None and -1 (where () is a scalar's shape)."""
    from ..util import is_np_shape
    if shape is None:
        return False
    if is_np_shape():
        return all(d >= 0 for d in shape)
    return bool(shape) and 0 not in shape


class _MonitorAdapter:
    """The plan reports raw arrays; monitor callbacks receive NDArrays.  ``monitor_all`` asks
    the plan for every operator's inputs too."""

    def __init__(self, callback, ctx, wrap, monitor_all=False):
        self.callback, self.ctx, self.wrap, self.monitor_all = callback, ctx, wrap, monitor_all

    def __call__(self, name, arr):
        self.callback(name, self.wrap(arr, self.ctx))


def _copy_cast(src, dst):
    data = src._data if hasattr(src, "_data") else np.asarray(src)
    if tuple(data.shape) != tuple(dst.shape):
        raise MXNetError(f"copy_params_from: shape {tuple(data.shape)} does not match the bound "
                         f"array's shape {tuple(dst.shape)}")
    if dst._is_sparse:  # a sparse argument keeps its storage type
        from ..ndarray.sparse import _assign
        from ..ndarray.ndarray import _wrap
        _assign(dst, src.astype(dst.dtype) if hasattr(src, "_data") else _wrap(data.astype(dst.dtype), dst.context))
        return
    dst._data[...] = data.astype(dst.dtype, copy=False)


def bind(symbol, ctx, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None,
         shared_exec=None):
    """``Symbol.bind``: an ``Executor`` over the given arrays."""
    p_args = symbol.list_arguments()
    p_aux = symbol.list_auxiliary_states()
    arg_arrays = _as_list("args", args, p_args, False)
    grad_arrays = _as_list("args_grad", args_grad, p_args, True)
    aux_arrays = _as_list("aux_states", aux_states if aux_states is not None else
                          ({} if not p_aux else None), p_aux, False)
    if p_aux and aux_states is None:
        raise ValueError(f"aux_states must be given for the auxiliary states {p_aux}")
    reqs = _grad_reqs(grad_req, p_args)
    reqs = [r if g is not None else "null" for r, g in zip(reqs, grad_arrays)]
    return Executor(symbol, ctx, arg_arrays, grad_arrays, reqs, aux_arrays, group2ctx)


def simple_bind(symbol, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                shared_arg_names=None, shared_exec=None, shared_buffer=None, shapes=None):
    """``Symbol.simple_bind``: infer every shape/dtype from the inputs given, allocate, bind."""
    from .. import ndarray as nd
    _check_devices(ctx, group2ctx)
    names = symbol.list_arguments()
    # as in MXNet, only tuples naming an input count as shapes; other keywords are ignored
    inputs = set(names) | set(symbol.list_auxiliary_states())
    shapes = {k: v for k, v in (shapes or {}).items() if isinstance(v, (tuple, list)) and k in inputs}
    arg_shapes, _, aux_shapes = symbol.infer_shape_partial(**shapes)
    missing = [n for n, s in zip(names, arg_shapes) if not _known_shape(s)]
    if missing or any(not _known_shape(s) for s in aux_shapes):
        raise MXNetError(f"simple_bind: cannot infer the shapes of {missing or 'the auxiliary states'}; "
                         f"provide them as keyword arguments")
    aux_names = symbol.list_auxiliary_states()
    attrs = symbol.attr_dict()
    types = {k: np_dtype(v) for k, v in (type_dict or {}).items()}
    known = set(names) | set(aux_names)
    inferred = [None] * len(names)
    if types:
        # dtypes that follow from the given ones (float64 data -> float64 weights) win over
        # the float32 default
        part = symbol.infer_type_partial(**{k: v for k, v in types.items() if k in known})[0]
        inferred = list(part) if part is not None else inferred
    for n, t in zip(names, inferred):
        if n not in types and t is None and "__dtype__" not in attrs.get(n, {}):
            types[n] = np.dtype(mx_real_t)
    arg_types, _, aux_types = symbol.infer_type(**{k: v for k, v in types.items()
                                                   if k in set(names) | set(aux_names)})
    if arg_types is None:
        raise MXNetError("simple_bind: cannot infer the dtypes of the arguments")
    reqs = _grad_reqs(grad_req, names)
    shared = set(shared_arg_names or ())

    def place(name):
        # a variable made under AttrScope(ctx_group=...) lives on that group's context
        group = attrs.get(name, {}).get("__ctx_group__")
        return (group2ctx or {}).get(group, ctx)

    def alloc(name, shape, dtype, pool, grad=False):
        if shared_exec is not None and name in shared:
            src = (shared_exec.grad_dict if grad else shared_exec.arg_dict).get(name)
            if src is not None and tuple(src.shape) == tuple(shape):
                return src
        # the shared buffer pools the arrays of the arguments that are not shared parameters
        key = name if not grad and name not in shared else None
        if pool is not None and key is not None:
            a = pool.get(key)
            if a is not None and tuple(a.shape) == tuple(shape) and a.dtype == dtype:
                return a
            a = nd.zeros(shape, ctx=place(name), dtype=dtype)
            pool[key] = a
            return a
        return nd.zeros(shape, ctx=place(name), dtype=dtype)

    # storage types: those given, else the variables' stype attributes; gradients as MXNet infers
    from ..symbol.infer import infer_stypes, infer_grad_stypes, var_stype
    order = symbol._order()
    given = {k: v for k, v in (stype_dict or {}).items() if k in known}
    for k, v in given.items():
        if v not in ("default", "csr", "row_sparse"):
            raise MXNetError(f"simple_bind: unknown storage type {v!r} for {k}")
    stypes = infer_stypes(order, given)[0]
    var_st = {v.name: var_stype(v, given) for v in order if v.op is None}
    grad_st = dict(zip(names, infer_grad_stypes(order, stypes, names)))

    def alloc_st(name, shape, dtype, pool, stype, grad=False):
        if stype == "default":
            return alloc(name, shape, dtype, pool, grad)
        return nd.sparse.zeros(stype, shape, ctx=place(name), dtype=dtype)

    args = [alloc_st(n, s, t, shared_buffer, var_st[n]) for n, s, t in zip(names, arg_shapes, arg_types)]
    grads = [alloc_st(n, s, t, None, grad_st[n], True) if r != "null" else None
             for n, s, t, r in zip(names, arg_shapes, arg_types, reqs)]
    aux = [alloc_st(n, s, t, None, var_st[n]) for n, s, t in zip(aux_names, aux_shapes, aux_types)]
    return Executor(symbol, ctx, args, grads, reqs, aux, group2ctx)
