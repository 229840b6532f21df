"""``NDArray``: a backend array, its context and its autograd entry; and ``invoke``,
the one path by which every registered operator runs eagerly."""
import ctypes
import weakref

import numpy as np

from .. import autograd as _ag
from ..backend import get_backend, NUMPY_BACKEND
from ..base import MXNetError, DeferredOpError, np_dtype, numeric_types, integer_types, DTYPE_TO_FLAG, mx_real_t  # noqa: F401
from ..context import Context, current_context, cpu
from ..ops.registry import get_op, OpContext

_CPU0 = cpu(0)


def _opctx(backend, is_train):
    cache = backend.__dict__.get("_opctx")
    if cache is None:
        cache = backend._opctx = (OpContext(backend, False), OpContext(backend, True))
    return cache[is_train]


_NP_OPCTX = _opctx(NUMPY_BACKEND, False), _opctx(NUMPY_BACKEND, True)


def invoke(op, args, kwargs=None, out=None, ctx=None, attrs=None):
    """Run registered operator ``op`` on NDArrays ``args``; returns an NDArray or a list.

    ``kwargs`` are the operator's parameters (parsed here) unless ``attrs`` is
    given already parsed.  ``ctx`` places the outputs of operators that have no
    array inputs.  ``out`` receives the (first) result in place.
    """
    if attrs is None:
        attrs = op.fast_attrs if not kwargs and op.fast_attrs is not None else op.parse_attrs(kwargs)
    if args:
        ctx = args[0]._ctx
        datas = []
        for a in args:
            if type(a) is not NDArray:
                if not isinstance(a, NDArray):
                    raise MXNetError(f"Operator {op.name}: expected NDArray inputs, got {type(a).__name__}")
                if a._is_sparse:
                    from .sparse import dispatch
                    return dispatch(op, args, attrs, out)
            if a._ctx is not ctx and a._ctx != ctx and not (_is_cpu(a._ctx) and _is_cpu(ctx)):
                raise MXNetError(f"Operator {op.name}: all inputs must be on the same context, "
                                 f"got {ctx} and {a._ctx}")
            datas.append(a._data)
    else:
        datas = []
        if ctx is None:
            ctx = current_context()
    st = _ag._state
    octx = _NP_OPCTX[st.training] if ctx.device_typeid != 2 else _opctx(get_backend(ctx), st.training)
    try:
        res = op.forward(attrs, datas, octx)
    except DeferredOpError as e:
        res = _fail(e, ctx)
    except MXNetError as e:
        raise _naming(e, op)
    except Exception as e:
        shapes = ", ".join(f"{n}{tuple(d.shape)}:{d.dtype}" for n, d in
                           zip(op.input_names(attrs, len(datas)), datas))
        raise MXNetError(f"Operator {op.name}: {type(e).__name__}: {e} "
                         f"(inputs: {shapes or 'none'})") from e
    state = None
    if op.save_state:
        res, state = res
    cls = type(args[0]) if args else NDArray
    if type(res) is tuple or type(res) is list:
        outs = [_wrap(r, ctx, cls) for r in res]
    else:
        o = cls.__new__(cls)
        o._data = res
        o._ctx = ctx
        o._entry = None
        outs = [o]
    if _pending_failure is not None:
        _spread_failure(datas, outs)
    if st.recording and op.differentiable:
        _ag._record(op, attrs, args, datas, outs, state)
    if out is not None:
        nvis = op.num_visible_outputs(attrs)
        targets = out if isinstance(out, (list, tuple)) else [out]
        if outs and outs[0]._entry is not None:
            # recorded: writing the result into an array of the graph (or into an input, whose
            # values the gradient reads) is refused, as MXNet does
            for t in targets:
                _check_assign(t, None)
                if any(t._data is a._data for a in args):
                    raise MXNetError(_INPLACE_RECORD_MSG)
        for t, o in zip(targets, outs[:nvis]):
            _copy_into(t, o)
        return out
    if op._num_outputs == 1 and op._num_visible is None:
        return outs[0]
    nvis = op.num_visible_outputs(attrs)
    if nvis == 1:
        return outs[0]
    return outs[:nvis]


def _naming(err, op):
    """``err``, or the same error with the operator's name in front where the message does not
    name it (a check shared by several operators, a context or dtype parser)."""
    msg = str(err)
    if type(err) is not MXNetError or op.name in msg or any(a in msg for a in op.aliases):
        return err
    new = MXNetError(f"Operator {op.name}: {msg}")
    new.__cause__ = err.__cause__
    new.__suppress_context__ = True
    return new


class _FailedData(np.ndarray):
    """The data of an array a failed operator wrote, or computed from one: a NumPy view that
    remembers which failure (``_gen``), so that reading the array raises it."""

    _gen = 0

    def __array_finalize__(self, obj):
        self._gen = getattr(obj, "_gen", 0)


# MXNet's engine raises an operator's failure when an array it reached is read, or at waitall;
# raising it once clears it for all of them. The failure waiting to be raised (None when none)
# and its generation, which the arrays it reached carry.
_pending_failure = None
_failure_gen = 0


def _fail(err, ctx):
    """Record the deferred failure ``err`` of an operator; its outputs, marked as failed."""
    global _pending_failure, _failure_gen
    if ctx.device_typeid == 2:
        raise err  # GPU arrays cannot carry the mark: report the failure now
    if _pending_failure is None:
        _pending_failure = err
        _failure_gen += 1
    res = err.result
    if type(res) is tuple or type(res) is list:
        return type(res)(_taint(r, _failure_gen) for r in res)
    return _taint(res, _failure_gen)


def _fail_arrays(err, arrays):
    """Record ``err`` as the deferred failure of a graph run (an executor's forward) and mark
    its output ``arrays`` as failed, so that reading one raises it."""
    err.result = tuple(a._data for a in arrays)
    for a, d in zip(arrays, _fail(err, arrays[0]._ctx)):
        a._data = d


def _taint(data, gen):
    v = data.view(_FailedData)
    v._gen = gen
    return v


def _carries_failure(datas):
    """True when one of ``datas`` carries the failure waiting to be raised."""
    return _pending_failure is not None and any(
        type(d) is _FailedData and d._gen == _failure_gen for d in datas)


def _spread_failure(datas, outs):
    """Mark ``outs`` as failed when an input carries the pending failure."""
    for d in datas:
        if type(d) is _FailedData and d._gen == _failure_gen:
            for o in outs:
                if isinstance(o._data, np.ndarray):
                    o._data = _taint(o._data, _failure_gen)
            return


def _raise_failure(data=None):
    """Raise the pending failure when ``data`` carries it (any pending one for None)."""
    global _pending_failure
    err = _pending_failure
    if err is not None and (data is None or (type(data) is _FailedData and data._gen == _failure_gen)):
        _pending_failure = None
        raise err


def _is_cpu(ctx):
    # MXNet lets operators mix cpu(i) arrays: all CPU ids share host memory
    return ctx.device_typeid != 2


def _copy_into(target, src):
    if not isinstance(target, NDArray):
        raise MXNetError(f"out must be an NDArray, got {type(target).__name__}")
    if target._is_sparse:
        from .sparse import _assign
        _assign(target, src)
        return
    if target._data is src._data:
        return
    if tuple(target.shape) != tuple(src.shape):
        raise MXNetError(f"out: shape {tuple(target.shape)} does not match the result's "
                         f"shape {tuple(src.shape)}")
    target._data[...] = src._data
    if type(src._data) is _FailedData:
        target._data = _taint(target._data, src._data._gen)
    if src._entry is not None:
        target._entry = src._entry


def _wrap(data, ctx, cls=None):
    cls = cls or NDArray
    a = cls.__new__(cls)
    a._data = data
    a._ctx = ctx
    a._entry = None
    return a


def _as_backend_array(value, ctx, dtype=None):
    backend = get_backend(ctx)
    if isinstance(value, NDArray):
        value = value.asnumpy() if value._ctx != ctx else value._data
    return backend.asarray(value, dtype=dtype)


# arrays handed out as ctypes handles (NDArray._as_parameter_), by id, while they live
_HANDLES = weakref.WeakValueDictionary()


class NDArray:
    """An n-dimensional array on a context, with MXNet 1.x semantics."""

    __slots__ = ("_data", "_ctx", "_entry", "__weakref__")
    __array_priority__ = 1000.0
    __array_ufunc__ = None  # NumPy operators defer to ours, which reject NumPy operands as MXNet does
    _is_sparse = False  # CSRNDArray / RowSparseNDArray: operators dispatch through ndarray.sparse

    def __init__(self, data, ctx=None, dtype=None, writable=True):
        if type(data) is ctypes.c_void_p:
            # a handle from ``_as_parameter_`` (MXNet code wraps the NDArrayHandle its monitor
            # callbacks receive): the array it names, sharing its data
            src = _HANDLES.get(data.value)
            if src is None:
                raise MXNetError(f"NDArray: {data} is not the handle of a live NDArray")
            data, ctx = src._data, src._ctx
        ctx = ctx or current_context()
        self._data = _as_backend_array(data, ctx, dtype)
        if not writable and isinstance(self._data, np.ndarray):
            self._data = self._data.view()
            self._data.flags.writeable = False
        self._ctx = ctx
        self._entry = None

    @property
    def _as_parameter_(self):
        """This array as a ctypes handle (``ctypes.cast(arr, NDArrayHandle)``), which
        ``NDArray(handle)`` turns back into the array."""
        _HANDLES[id(self)] = self
        return id(self)

    # -- attributes ---------------------------------------------------------
    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype.type

    @property
    def size(self):
        return int(self._data.size)

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def context(self):
        return self._ctx

    ctx = context

    @property
    def stype(self):
        return "default"

    @property
    def handle(self):
        return self._data

    @property
    def writable(self):
        return bool(getattr(self._data, "flags", None) is None or self._data.flags.writeable)

    @property
    def T(self):
        return self.transpose()

    @property
    def grad(self):
        e = self._entry
        if isinstance(e, _ag.Leaf):
            return e.grad
        return None

    @property
    def _fresh_grad(self):
        """Whether a backward pass has written this variable's gradient since the flag was
        last cleared (the Trainer's stale-gradient check); False for non-variables."""
        e = self._entry
        return isinstance(e, _ag.Leaf) and e.fresh

    @_fresh_grad.setter
    def _fresh_grad(self, state):
        e = self._entry
        if isinstance(e, _ag.Leaf):
            e.fresh = bool(state)

    # -- conversion ---------------------------------------------------------
    def asnumpy(self):
        """A NumPy copy of the data (synchronous)."""
        d = self._data
        if type(d) is np.ndarray:
            return d.copy()
        if type(d) is _FailedData:
            _raise_failure(d)
            return np.array(d)
        return get_backend(self._ctx).to_numpy(d)

    def asscalar(self):
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self.asnumpy().reshape(())[()]

    def astype(self, dtype, copy=True):
        dt = np_dtype(dtype)
        if not copy and self._data.dtype == dt:
            return self
        return invoke(_OP_CAST, [self], {"dtype": dt})

    def copy(self):
        return self.copyto(self._ctx)

    def copyto(self, other):
        """Copy into another NDArray (returned) or onto a context (a new array)."""
        if isinstance(other, NDArray):
            if other is self:
                return other
            if tuple(other.shape) != tuple(self.shape):
                raise MXNetError(f"copyto: shape mismatch, {self.shape} vs {other.shape}")
            if other._is_sparse:
                from .sparse import _assign
                _assign(other, self)
                return other
            if other._ctx == self._ctx:
                other._data[...] = self._data
            else:
                other._data[...] = _as_backend_array(self, other._ctx, other._data.dtype)
            if type(self._data) is _FailedData:
                other._data = _taint(other._data, self._data._gen)
            return other
        if isinstance(other, Context):
            if other == self._ctx:
                res = invoke(_OP_COPY, [self])
                return res
            res = _wrap(_as_backend_array(self, other), other)
            if _ag._state.recording and self._entry is not None:
                _ag._record(_OP_COPY, _OP_COPY.fast_attrs, [self], [self._data], [res], None)
            return res
        raise TypeError(f"copyto does not support type {type(other)}")

    def as_in_context(self, context):
        if context == self._ctx:
            return self
        return self.copyto(context)

    def wait_to_read(self):
        if type(self._data) is _FailedData:
            _raise_failure(self._data)

    def wait_to_write(self):
        pass

    def tostype(self, stype):
        if stype == "csr" and self.ndim != 2:
            raise ValueError(f"To convert to a CSR, the NDArray should be 2 Dimensional. Current "
                             f"shape is {tuple(self.shape)}")
        if stype != "default":
            from . import sparse
            return sparse.cast_storage(self, stype)
        return self

    def as_nd_ndarray(self):
        return self

    def as_np_ndarray(self):
        from ..numpy import ndarray as np_ndarray
        a = np_ndarray.__new__(np_ndarray)
        a._data, a._ctx, a._entry = self._data, self._ctx, self._entry
        return a

    # -- autograd -----------------------------------------------------------
    def attach_grad(self, grad_req="write", stype=None):
        """Allocate a gradient buffer (of storage type ``stype``, by default this array's) and
        mark this array as a variable autograd tracks."""
        if grad_req not in ("write", "add", "null"):
            raise KeyError(grad_req)  # MXNet looks the name up in a dict
        if (stype or self.stype) != "default":
            from .sparse import zeros as sparse_zeros
            grad = sparse_zeros(stype or self.stype, self.shape, ctx=self._ctx, dtype=self.dtype)
        else:
            grad = _wrap(get_backend(self._ctx).xp.zeros(self.shape, dtype=self.dtype), self._ctx)
        self._entry = _ag.Leaf(grad, grad_req)

    def detach(self):
        return _wrap(self._data, self._ctx)

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        _ag.backward([self], [out_grad] if out_grad is not None else None,
                     retain_graph=retain_graph, train_mode=train_mode)

    # -- python protocols ---------------------------------------------------
    def __repr__(self):
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()}\n<{type(self).__name__} {shape} @{self._ctx}>"

    __str__ = __repr__

    def __len__(self):
        if self.ndim == 0:
            raise IndexError("tuple index out of range")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __array__(self, dtype=None, copy=None):
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __bool__(self):
        n = self.size
        if n == 1:
            return bool(self.asscalar())
        if n == 0:
            return False
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    __nonzero__ = __bool__

    def __hash__(self):
        return id(self)

    def __getstate__(self):
        # MXNet's pickle state: the array's bare save record (data, shape, dtype and context)
        from ._serialization import encode_single
        d = self._data if type(self._data) is np.ndarray else self.asnumpy()
        return {"handle": encode_single(d, (self._ctx.device_typeid, self._ctx.device_id))}

    def __setstate__(self, st):
        if "handle" in st:
            from ._serialization import decode_single
            data, (dev_type, dev_id) = decode_single(st["handle"])
            ctx = Context(Context.devtype2str[dev_type], dev_id)
        else:  # the state earlier versions of this package wrote
            data, ctx = st["data"], Context(*st["ctx"])
        try:
            backend = get_backend(ctx)
        except MXNetError:  # e.g. an array saved on a GPU, loaded where there is none
            ctx, backend = _CPU0, NUMPY_BACKEND
        self._data = backend.asarray(data)
        self._ctx = ctx
        self._entry = None

    def __reduce__(self):
        return (_unpickle, (type(self),), self.__getstate__())

    def __dlpack__(self, *a, **k):
        return self._data.__dlpack__(*a, **k)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    # -- indexing -----------------------------------------------------------
    @staticmethod
    def _basic_indexing_slice_is_contiguous(slc_key, shape):
        """Whether indexing an array of ``shape`` with the tuple of slices ``slc_key`` selects
        one C-contiguous block (the result can then share the array's memory)."""
        sizes, steps = [], []
        for i, n in enumerate(shape):
            start, stop, step = (slc_key[i] if i < len(slc_key) else slice(None)).indices(n)
            sizes.append(len(range(start, stop, step)))
            steps.append(step)
        if 0 in sizes:
            return True
        whole = part = 1  # element counts of the trailing axes, before and after slicing
        for n, r, step in zip(reversed(shape), reversed(sizes), reversed(steps)):
            if r > 1 and step * whole != part:
                return False
            whole *= n
            part *= r
        return True

    def __getitem__(self, key):
        key, basic = _normalize_key(key, self)
        if basic and not (_ag._state.recording and self._entry is not None):
            res = self._data[key]
            if res.ndim == 0 and self._data.ndim:
                res = res.reshape((1,))
            elif not res.flags.c_contiguous:
                res = res.copy()  # MXNet shares memory only for contiguous basic slices
            return _wrap(res, self._ctx)
        try:
            return invoke(_OP_GETITEM, [self], attrs=_key_attrs(key, self))
        except MXNetError as e:
            if isinstance(e.__cause__, IndexError):
                raise IndexError(str(e.__cause__)) from None
            raise

    def __setitem__(self, key, value):
        if _ag._state.recording:
            _check_assign(self, value)
        key, _ = _normalize_key(key, self)
        if isinstance(value, NDArray):
            if value._ctx != self._ctx:
                value = value.as_in_context(self._ctx)
            v = value._data
        elif isinstance(value, numeric_types) or isinstance(value, bool):
            v = value
        else:
            v = get_backend(self._ctx).asarray(value, dtype=self._data.dtype)
        try:
            if isinstance(key, tuple) and len(key) == 0:
                self._data[...] = v
            else:
                try:
                    self._data[key] = v
                except ValueError:
                    # legacy arrays have no 0-d values: an element takes a one-element array
                    if getattr(v, "size", 0) != 1 or self._data[key].ndim != 0:
                        raise
                    self._data[key] = v.reshape(())
            if type(v) is _FailedData and isinstance(self._data, np.ndarray):
                self._data = _taint(self._data, v._gen)
        except ValueError as e:
            raise ValueError(f"NDArray.__setitem__: cannot assign a value of shape "
                             f"{getattr(v, 'shape', ())} to index {key!r} of an array of shape "
                             f"{self.shape}: {e}") from None

    # -- arithmetic ---------------------------------------------------------
    def _binary(self, other, op_arr, op_scalar, rop_scalar=None, reverse=False):
        if isinstance(other, NDArray):
            return invoke(op_arr, [other, self] if reverse else [self, other])
        if isinstance(other, numeric_types):
            sop = rop_scalar if reverse and rop_scalar is not None else op_scalar
            return invoke(sop, [self], attrs=_scalar_attrs(other))
        raise TypeError(f"type {type(other)} not supported")

    def __add__(self, o):
        if type(o) is NDArray:
            return invoke(_OP_ADD, [self, o])
        return self._binary(o, _OP_ADD, _OP_ADD_S)

    def __radd__(self, o):
        return self._binary(o, _OP_ADD, _OP_ADD_S, reverse=True)

    def __sub__(self, o):
        if type(o) is NDArray:
            return invoke(_OP_SUB, [self, o])
        return self._binary(o, _OP_SUB, _OP_SUB_S)

    def __rsub__(self, o):
        return self._binary(o, _OP_SUB, _OP_SUB_S, _OP_RSUB_S, reverse=True)

    def __mul__(self, o):
        if type(o) is NDArray:
            return invoke(_OP_MUL, [self, o])
        return self._binary(o, _OP_MUL, _OP_MUL_S)

    def __rmul__(self, o):
        return self._binary(o, _OP_MUL, _OP_MUL_S, reverse=True)

    def __truediv__(self, o):
        return self._binary(o, _OP_DIV, _OP_DIV_S)

    def __rtruediv__(self, o):
        return self._binary(o, _OP_DIV, _OP_DIV_S, _OP_RDIV_S, reverse=True)

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __mod__(self, o):
        return self._binary(o, _OP_MOD, _OP_MOD_S)

    def __rmod__(self, o):
        return self._binary(o, _OP_MOD, _OP_MOD_S, _OP_RMOD_S, reverse=True)

    def __pow__(self, o):
        return self._binary(o, _OP_POW, _OP_POW_S)

    def __rpow__(self, o):
        return self._binary(o, _OP_POW, _OP_POW_S, _OP_RPOW_S, reverse=True)

    def __neg__(self):
        return invoke(_OP_NEG, [self])

    def __abs__(self):
        return invoke(get_op("abs"), [self])

    def __eq__(self, o):
        return self._binary(o, get_op("broadcast_equal"), get_op("_equal_scalar"))

    def __ne__(self, o):
        return self._binary(o, get_op("broadcast_not_equal"), get_op("_not_equal_scalar"))

    def __gt__(self, o):
        return self._binary(o, get_op("broadcast_greater"), get_op("_greater_scalar"),
                            get_op("_lesser_scalar"), reverse=False)

    def __ge__(self, o):
        return self._binary(o, get_op("broadcast_greater_equal"), get_op("_greater_equal_scalar"))

    def __lt__(self, o):
        return self._binary(o, get_op("broadcast_lesser"), get_op("_lesser_scalar"))

    def __le__(self, o):
        return self._binary(o, get_op("broadcast_lesser_equal"), get_op("_lesser_equal_scalar"))

    def _inplace(self, o, op_arr, op_scalar):
        if _ag._state.recording:
            _check_assign(self, o)
        res = self._binary(o, op_arr, op_scalar)
        try:
            self._data[...] = res._data
        except ValueError as e:
            raise MXNetError(f"in-place operation: result of shape {res.shape} does not fit an array "
                             f"of shape {self.shape}: {e}") from None
        return self

    def __iadd__(self, o):
        return self._inplace(o, _OP_ADD, _OP_ADD_S)

    def __isub__(self, o):
        return self._inplace(o, _OP_SUB, _OP_SUB_S)

    def __imul__(self, o):
        return self._inplace(o, _OP_MUL, _OP_MUL_S)

    def __itruediv__(self, o):
        return self._inplace(o, _OP_DIV, _OP_DIV_S)

    __idiv__ = __itruediv__

    def __imod__(self, o):
        return self._inplace(o, _OP_MOD, _OP_MOD_S)

    # -- shape methods with MXNet's special forms ---------------------------
    def reshape(self, *shape, **kwargs):
        """Reshape (MXNet codes 0, -1, -2, -3, -4 allowed); a view when no copy is needed."""
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        shape = tuple(shape)
        known = [d for d in shape if d != -1]
        if all(d > 0 for d in known) and not kwargs and shape.count(-1) <= 1 and (
                self.size % int(np.prod(known)) != 0 if -1 in shape else self.size > int(np.prod(known))):
            # MXNet's front end raises ValueError for these; a larger target fails in the operator
            raise ValueError(f"Cannot reshape array of size {self.size} into shape {shape}")
        return invoke(get_op("Reshape"), [self], {"shape": shape, **kwargs})

    def _unshared(self, res):
        """``res``, or a copy of it when it is a view of this array's memory: MXNet's operators
        write new arrays (only ``reshape`` and basic indexing give views)."""
        base = getattr(res._data, "base", None)
        if base is not None and (base is self._data or base is getattr(self._data, "base", None)):
            return invoke(_OP_COPY, [res])
        return res

    def reshape_like(self, *args, **kwargs):
        return self._unshared(_method_call("reshape_like", self, args, kwargs))

    def zeros_like(self, *args, **kwargs):
        return invoke(get_op("zeros_like"), [self], kwargs)

    def ones_like(self, *args, **kwargs):
        return invoke(get_op("ones_like"), [self], kwargs)

    def broadcast_to(self, shape):
        """Broadcast to ``shape``; as in NumPy (unlike the operator), missing leading axes are
        added first, and every target dimension must be given (no 0 codes)."""
        shape = tuple(int(d) for d in shape)
        cur = self.shape
        padded = (1,) * (len(shape) - len(cur)) + cur
        if len(shape) < len(cur) or any(c != d and c != 1 for c, d in zip(padded, shape)):
            raise ValueError(f"operands could not be broadcast together with remapped "
                             f"shapes[original->remapped]: {cur} and requested shape {shape}")
        src = self if padded == cur else self.reshape(padded)
        return invoke(get_op("broadcast_to"), [src], {"shape": shape})

    def broadcast_like(self, other):
        """Broadcast to ``other``'s shape (as ``broadcast_to``)."""
        return self.broadcast_to(other.shape)

    def flatten(self, inplace=False):
        """Collapse all axes after the first; ``inplace`` returns a view of this array."""
        res = invoke(get_op("Flatten"), [self])
        return self.reshape(res.shape) if inplace else self._unshared(res)

    def expand_dims(self, axis, inplace=False):
        """Insert an axis of size 1; ``inplace`` returns a view of this array."""
        res = invoke(get_op("expand_dims"), [self], {"axis": axis})
        return self.reshape(res.shape) if inplace else self._unshared(res)

    def squeeze(self, axis=None, inplace=False):
        """Remove axes of size 1; ``inplace`` returns a view of this array."""
        res = invoke(get_op("squeeze"), [self], {"axis": axis})
        return self.reshape(res.shape) if inplace else self._unshared(res)

    def transpose(self, *axes, **kwargs):
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = axes[0]
        if axes:
            kwargs["axes"] = tuple(axes)
        return invoke(get_op("transpose"), [self], kwargs)

    def split(self, *args, **kwargs):
        return _method_call("split", self, args, kwargs)

    def slice(self, *args, **kwargs):
        return _method_call("slice", self, args, kwargs)



_INPLACE_MSG = ("Assigning to NDArrays that are already in a computational graph will cause undefined "
                "behavior when evaluating gradients. Please call backward first to clear the graph or do "
                "this out side of a record section. Also note that you cannot use inplace operations like "
                "+=, *=, relu(x, out=x), y[idx]=x, etc inside a record section.")


def _check_assign(target, value):
    """While recording, MXNet refuses to write into an array that is in the graph, and to write
    a recorded array into another in place (neither write could be differentiated)."""
    if target._entry is not None:
        raise MXNetError(_INPLACE_MSG)
    if isinstance(value, NDArray) and value._entry is not None:
        raise MXNetError(_INPLACE_RECORD_MSG)


_INPLACE_RECORD_MSG = "Inplace operations (+=, -=, x[:]=, etc) are not supported when recording with autograd."


def _unpickle(cls):
    return cls.__new__(cls)


def _method_call(opname, self, args, kwargs):
    from . import _generated_funcs
    return _generated_funcs[opname](self, *args, **kwargs)


def _scalar_attrs(value):
    from ..ops.registry import Attrs
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    return Attrs(scalar=float(value) if not isinstance(value, integer_types) else value,
                 is_int=isinstance(value, integer_types))


# -- indexing helpers ---------------------------------------------------------
def _normalize_key(key, arr):
    """Convert NDArray indices to backend arrays; report whether the key is basic."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if isinstance(k, NDArray):
            if k.dtype == np.bool_:
                raise ValueError("Cannot perform boolean indexing in legacy mode. Please activate numpy "
                                 "semantics by calling `npx.set_np()` in the global scope before calling "
                                 "this function.")
            k = k._data
            if k.dtype.kind == "f":  # MXNet casts float indices to integers
                k = k.astype(np.int64)
            basic = False
        elif isinstance(k, (list, tuple, np.ndarray)):  # a nested tuple indexes like a list
            k = np.asarray(k)
            if k.dtype.kind in "fb":
                k = k.astype(np.int64)
            basic = False
        elif isinstance(k, (bool, np.bool_)):
            k = int(k)  # a bool scalar is the integer 0 or 1, not a mask
        elif not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))):
            raise ValueError(f"NDArray does not support slicing with key {k} of type {type(k)}.")
        out.append(k)
    return tuple(out), basic


def _key_attrs(key, arr):
    from ..ops.registry import Attrs
    return Attrs(key=key)


_OP_CAST = get_op("Cast")
_OP_COPY = get_op("_copy")
_OP_GETITEM = get_op("_getitem")
_OP_ADD = get_op("broadcast_add")
_OP_SUB = get_op("broadcast_sub")
_OP_MUL = get_op("broadcast_mul")
_OP_DIV = get_op("broadcast_div")
_OP_MOD = get_op("broadcast_mod")
_OP_POW = get_op("broadcast_power")
_OP_NEG = get_op("negative")
_OP_ADD_S = get_op("_plus_scalar")
_OP_SUB_S = get_op("_minus_scalar")
_OP_RSUB_S = get_op("_rminus_scalar")
_OP_MUL_S = get_op("_mul_scalar")
_OP_DIV_S = get_op("_div_scalar")
_OP_RDIV_S = get_op("_rdiv_scalar")
_OP_MOD_S = get_op("_mod_scalar")
_OP_RMOD_S = get_op("_rmod_scalar")
_OP_POW_S = get_op("_power_scalar")
_OP_RPOW_S = get_op("_rpower_scalar")



# MXNet's storage-type ids, as stored in .params files and returned by the C API
_STORAGE_TYPE_UNDEFINED = -1
_STORAGE_TYPE_DEFAULT = 0
_STORAGE_TYPE_ROW_SPARSE = 1
_STORAGE_TYPE_CSR = 2
_STORAGE_TYPE_STR_TO_ID = {"undefined": _STORAGE_TYPE_UNDEFINED, "default": _STORAGE_TYPE_DEFAULT,
                           "row_sparse": _STORAGE_TYPE_ROW_SPARSE, "csr": _STORAGE_TYPE_CSR}
_STORAGE_TYPE_ID_TO_STR = {v: k for k, v in _STORAGE_TYPE_STR_TO_ID.items()}
_GRAD_REQ_MAP = {"null": 0, "write": 1, "add": 3}
_DTYPE_NP_TO_MX = {None: -1, **{k.type: v for k, v in DTYPE_TO_FLAG.items()}}
_DTYPE_MX_TO_NP = {v: k for k, v in _DTYPE_NP_TO_MX.items()}
_SIGNED_INT32_UPPER_LIMIT = 2 ** 31 - 1
py_slice = slice


def __getattr__(name):
    # MXNet defines the creation and arithmetic functions (empty, zeros, add, ...) in this module
    # and mx.nd re-exports them; here they live in the package, so resolve them from there.
    import sys
    pkg = sys.modules.get("mxnet.ndarray")
    if pkg is not None and not name.startswith("__"):
        try:
            return getattr(pkg, name)
        except AttributeError:
            pass
    raise AttributeError(f"module 'mxnet.ndarray.ndarray' has no attribute '{name}'")
