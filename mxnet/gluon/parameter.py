"""Gluon parameters: ``Parameter``, ``Constant`` and ``ParameterDict``."""
import sys
import warnings
from collections import OrderedDict

import numpy as np

from .. import autograd
from ..base import MXNetError, mx_real_t, np_dtype
from ..context import Context, cpu, current_context
from .. import ndarray as nd
from ..ndarray.ndarray import NDArray
from ..symbol import Symbol
from ..util import is_np_array

# the array types a block's inputs may be (Symbol when tracing a graph)
tensor_types = (Symbol, NDArray)


def _np_view(arr, np_param=False):
    """Parameters initialised under np semantics (``np_param``), and any parameter read under
    ``npx.set_np()``, are seen as ``mx.np.ndarray`` (same memory, same autograd entry); others as
    NDArray."""
    return arr.as_np_ndarray() if np_param or is_np_array() else arr


class DeferredInitializationError(MXNetError):
    """A parameter's shape is not known yet; it is initialised on the first forward."""


def _shape_known(shape):
    return shape is not None and all(d > 0 for d in shape)


class Parameter:
    """A weight of a Block: data per context, gradient buffers and optimisation settings."""

    def __init__(self, name, grad_req="write", shape=None, dtype=mx_real_t, lr_mult=1.0, wd_mult=1.0,
                 init=None, allow_deferred_init=False, differentiable=True, stype="default",
                 grad_stype="default"):
        self._var = None
        self._data = None
        self._grad = None
        self._np = False  # initialised under np semantics: its arrays are mx.np arrays, as in MXNet
        self._ctx_list = None
        self._ctx_map = None
        self._trainer = None
        self._deferred_init = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self._dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        valid_stypes = ("default", "row_sparse", "csr")
        if stype not in valid_stypes:
            raise AssertionError(f"stype for Parameter '{name}' must be one of 'default', 'row_sparse', "
                                 f"or 'csr', but got '{stype}'")
        if grad_stype not in valid_stypes:
            raise AssertionError(f"grad_stype for Parameter '{name}' must be one of 'default', "
                                 f"'row_sparse', or 'csr', but got '{grad_stype}'")
        self._stype = stype
        self._grad_stype = grad_stype

    def __repr__(self):
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # -- properties -------------------------------------------------------------
    @property
    def grad_req(self):
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        if req not in ("write", "add", "null"):
            raise ValueError(f"Parameter {self.name}: grad_req must be 'write', 'add' or 'null', got {req!r}")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            for d in self._data or ():
                d._entry = None
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        return self._dtype

    @dtype.setter
    def dtype(self, dtype):
        self.cast(dtype)

    @property
    def shape(self):
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        new_shape = tuple(new_shape) if new_shape is not None else None
        if self._shape is None or new_shape is None:
            self._shape = new_shape
            return
        if len(self._shape) != len(new_shape) or any(
                o != n and o > 0 for o, n in zip(self._shape, new_shape)):
            raise AssertionError(f"Expected shape {new_shape} is incompatible with given shape "
                                 f"{self._shape} for Parameter {self.name}")
        self._shape = new_shape

    @property
    def stype(self):
        return self._stype

    # -- initialisation -----------------------------------------------------------
    def initialize(self, init=None, ctx=None, default_init=None, force_reinit=False):
        """Allocate and initialise the data on ``ctx`` (deferred while the shape is unknown)."""
        from .. import initializer
        if default_init is None:
            default_init = initializer.Uniform()
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. "
                          "Set force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if init is None:
            init = default_init if self.init is None else self.init
        if not _shape_known(self._shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, list(ctx), default_init, None)
                return
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                             f"{self._shape}.")
        self._deferred_init = (init, list(ctx), default_init, None)
        self._finish_deferred_init()

    def _finish_deferred_init(self):
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not _shape_known(self._shape):
            raise DeferredInitializationError(
                f"Cannot initialize Parameter '{self.name}' because it has invalid shape: {self._shape}. "
                "Please specify in_units, in_channels, etc for `Block`s.")
        from .. import initializer
        with autograd.pause():
            if data is None:
                data = nd.zeros(self._shape, ctx=cpu(), dtype=self._dtype, stype=self._stype)
                initializer.create(default_init)(initializer.InitDesc(self.name, {"__init__": init}), data)
            self._init_impl(data, ctx)

    def _init_impl(self, data, ctx_list, np_param=None):
        self._ctx_list = list(ctx_list)
        self._ctx_map = {c: i for i, c in enumerate(self._ctx_list)}
        # an mx.np value, or one set under np semantics, makes an np parameter
        if np_param is None:
            np_mod = sys.modules.get("mxnet.numpy")  # no mx.np value exists before it is imported
            np_param = is_np_array() or (np_mod is not None and isinstance(data, np_mod.ndarray))
        self._np = np_param
        self._data = [data.copyto(c) if data.context != c or i > 0 else data.copy()
                      for i, c in enumerate(self._ctx_list)]
        self._init_grad()

    def _init_grad(self):
        if self._grad_req == "null":
            self._grad = None
            return
        self._grad = [nd.zeros(d.shape, ctx=d.context, dtype=d.dtype, stype=self._grad_stype) for d in self._data]
        autograd.mark_variables(self._data, self._grad, self._grad_req)

    def _set_trainer(self, trainer):
        """Attach the Trainer updating this parameter (``None`` detaches it); a sparse parameter
        lives in its trainer's store, so it cannot be handed to a second one."""
        if self._stype != "default" and self._trainer and trainer and self._trainer is not trainer:
            raise RuntimeError(f"Failed to set the trainer for Parameter '{self.name}' because it was "
                               f"already set. More than one trainers for a {self._stype} Parameter is "
                               "not supported.")
        self._trainer = trainer

    def _check_and_get(self, arr_list, ctx):
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            idx = self._ctx_map.get(ctx)
            if idx is not None:
                return arr_list[idx]
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context {ctx}. "
                               f"It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization was "
                "deferred. Actual initialization happens during the first forward pass. Please pass "
                "one batch of data through the network before accessing Parameters.")
        raise RuntimeError(f"Parameter '{self.name}' has not been initialized. Note that you should "
                           "initialize parameters and create Trainer with Block.collect_params() instead "
                           "of Block.params because the later does not include Parameters of nested "
                           "child Blocks")

    # -- access ---------------------------------------------------------------------
    def data(self, ctx=None):
        """The value on ``ctx`` (the only one when there is one context); sparse parameters are
        read with ``row_sparse_data``."""
        if self._stype != "default":
            raise RuntimeError(f"Cannot return a copy of Parameter '{self.name}' on ctx {ctx} via data() "
                               f"because its storage type is {self._stype}. Please use "
                               "row_sparse_data() instead.")
        return _np_view(self._check_and_get(self._data, ctx), self._np)

    def list_data(self):
        if self._stype != "default":
            raise RuntimeError(f"Cannot return copies of Parameter '{self.name}' on all contexts via "
                               f"list_data() because its storage type is {self._stype}. Please use "
                               "row_sparse_data() instead.")
        return [_np_view(d, self._np) for d in self._check_and_get(self._data, list)]

    def grad(self, ctx=None):
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return _np_view(self._check_and_get(self._grad, ctx), self._np)

    def list_grad(self):
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return [_np_view(g, self._np) for g in self._check_and_get(self._grad, list)]

    def list_ctx(self):
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    def zero_grad(self):
        """Set the gradient buffers to zero (a sparse one stores no values after)."""
        for g in self._grad or ():
            if g._is_sparse:
                g[:] = nd.sparse.zeros(g.stype, g.shape, ctx=g.context, dtype=g.dtype)
            else:
                g._data[...] = 0

    def set_data(self, data):
        """Set the value on every context."""
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
            init, ctx, default_init, _ = self._deferred_init
            self._deferred_init = (init, ctx, default_init, data if isinstance(data, NDArray) else
                                   nd.array(data))
            return
        trainer = self._trainer
        if trainer is not None and trainer._kv_initialized and trainer._update_on_kvstore \
                and self not in trainer._params_to_init:
            # the store holds the weights it updates: it must start again from the new values
            trainer._reset_kvstore()
        for arr in self._data:
            if arr._is_sparse:
                arr[:] = data if isinstance(data, NDArray) else nd.array(data, dtype=arr.dtype)
                continue
            src = data if isinstance(data, NDArray) else nd.array(data, dtype=arr._data.dtype)
            arr._data[...] = src.as_in_context(arr.context)._data.astype(arr._data.dtype, copy=False)

    def _load_init(self, data, ctx, cast_dtype=False, dtype_source="current"):
        """Load ``data`` (from a file) as this parameter's value."""
        if cast_dtype:
            if dtype_source == "current":
                data = data.astype(self._dtype, copy=False)
            elif dtype_source == "saved":
                self.cast(data.dtype)   # arrays already allocated take the saved dtype too
        else:
            if np.dtype(data.dtype) != np.dtype(np_dtype(self._dtype)):
                raise AssertionError(f"Failed loading Parameter '{self.name}' from saved params: dtype "
                                     f"incompatible expected {np.dtype(np_dtype(self._dtype))} vs saved "
                                     f"{np.dtype(data.dtype)}. Set cast_dtype=True to cast the dtype of "
                                     "saved params.")
        if self._shape:
            ok = len(self._shape) == len(data.shape) and all(
                a == 0 or a == b for a, b in zip(self._shape, data.shape))
            if not ok:
                raise AssertionError(f"Failed loading Parameter '{self.name}' from saved params: shape "
                                     f"incompatible expected {self._shape} vs saved {data.shape}")
            self._shape = tuple(data.shape)
        else:
            self._shape = tuple(data.shape)
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is None:
            if self._deferred_init:
                ctx = ctx or self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            self._deferred_init = ()
            self._init_impl(data, ctx)
        else:
            if ctx is not None and set(ctx) != set(self._ctx_list):
                raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} because it was "
                                     f"previously initialized on {self._ctx_list}.")
            self.set_data(data)
        self._deferred_init = ()

    def reset_ctx(self, ctx):
        """Move the data (and gradients) to other contexts (None: the current context)."""
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is not None:
            data = self._data[0]
            with autograd.pause():
                self._init_impl(data.copy(), ctx, self._np)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, list(ctx), default_init, data)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it has not "
                             "been initialized.")

    def cast(self, dtype):
        """Cast the data and gradients to ``dtype``."""
        self._dtype = dtype
        if self._data is None:
            return
        with autograd.pause():
            self._data = [d.astype(dtype) for d in self._data]
            if self._grad is not None:
                self._init_grad()

    def var(self):
        """The Symbol variable standing for this parameter."""
        if self._var is None:
            from .. import symbol
            from ..util import is_np_shape
            shape = self.shape
            if shape is not None and is_np_shape():  # np-shape semantics write unknown dims as -1
                shape = tuple(-1 if d == 0 else d for d in shape)
            self._var = symbol.var(self.name, shape=shape, dtype=self.dtype, lr_mult=self.lr_mult,
                                   wd_mult=self.wd_mult, init=self.init, stype=self._stype)
        return self._var

    def row_sparse_data(self, row_id):
        """The rows ``row_id`` of a ``row_sparse`` parameter, on ``row_id``'s context, fetched
        from its Trainer's store (a RowSparseNDArray holding those rows only)."""
        if self._stype != "row_sparse":
            raise RuntimeError(f"Cannot return a copy of Parameter {self.name} via row_sparse_data() "
                               f"because its storage type is {self._stype}. Please use data() instead.")
        return _np_view(self._get_row_sparse(self._data, row_id.context, row_id))

    def list_row_sparse_data(self, row_id):
        """``row_sparse_data`` on every context, in the order of ``list_ctx()``."""
        if self._stype != "row_sparse":
            raise RuntimeError(f"Cannot return copies of Parameter '{self.name}' on all contexts via "
                               f"list_row_sparse_data() because its storage type is {self._stype}. "
                               "Please use data() instead.")
        return [_np_view(d) for d in self._get_row_sparse(self._data, list, row_id)]

    def _get_row_sparse(self, arr_list, ctx, row_id):
        if not isinstance(row_id, NDArray):
            raise TypeError(f"row_id must have NDArray type, but {type(row_id)} is given")
        if not self._trainer:
            raise RuntimeError(f"Cannot get row_sparse data for Parameter '{self.name}' when no "
                               "Trainer is created with it.")
        results = self._check_and_get(arr_list, ctx)
        self._trainer._row_sparse_pull(self, results, row_id)
        return results

    def _fresh_grad_flags(self):
        return [getattr(d._entry, "fresh", False) for d in self._data or ()]

    def _reset_fresh_grad(self):
        for d in self._data or ():
            if isinstance(d._entry, autograd.Leaf):
                d._entry.fresh = False

    def __getstate__(self):
        # as in MXNet, a copy (copy.deepcopy, pickle) keeps the values but not the trainer
        state = dict(self.__dict__)
        state["_trainer"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self._data is not None and self._grad is not None:
            # copied arrays come back without their autograd marks: gradients go to the copies
            autograd.mark_variables(self._data, self._grad, self._grad_req)


class Constant(Parameter):
    """A parameter that is never updated (grad_req='null')."""

    def __init__(self, name, value):
        if not isinstance(value, NDArray):
            value = nd.array(value)
        self.value = value

        from ..initializer import Initializer

        class _Init(Initializer):
            # an Initializer so that initializer.create() accepts it as the parameter's own init
            def _init_weight(inner, desc, arr):  # noqa: N805
                value.copyto(arr)

            def __call__(inner, desc, arr):  # noqa: N805
                value.copyto(arr)

            def dumps(inner):  # noqa: N805
                return '["constant", {}]'
        init = _Init()
        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype, init=init)

    def __repr__(self):
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self):
        return "null"

    @grad_req.setter
    def grad_req(self, req):
        if req != "null":
            warnings.warn(f"Constant parameter '{self.name}' does not support grad_req other than "
                          f"'null', and new value '{req}' is ignored.", stacklevel=2)
        self._grad_req = "null"


class ParameterDict:
    """An ordered dict of Parameters sharing a name prefix."""

    def __init__(self, prefix="", shared=None):
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    def __repr__(self):
        body = "\n".join(f"  {v!r}" for v in self.values())
        return f"{self._prefix} (\n{body}\n)"

    def __getitem__(self, key):
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __contains__(self, key):
        return key in self._params

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    @property
    def prefix(self):
        return self._prefix

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._shared._params[name]
        return None

    def get(self, name, **kwargs):
        """Get or create the parameter ``prefix + name``; kwargs must agree with an existing one."""
        name = self._prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for k, v in kwargs.items():
            if not hasattr(param, k) or getattr(param, k) is None:
                setattr(param, k, v)
                continue
            existing = getattr(param, k)
            if k == "shape" and v is not None:
                v = (v,) if isinstance(v, int) else tuple(v)
                if len(v) == len(existing) and all(a == b or a == 0 or b == 0 for a, b in zip(v, existing)):
                    param.shape = tuple(b if b else a for a, b in zip(existing, v))
                    continue
            elif k == "dtype" and np.dtype(np_dtype(v)) == np.dtype(np_dtype(existing)):
                continue
            if v is not None and existing != v:
                raise AssertionError(f"Cannot retrieve Parameter '{name}' because desired attribute does "
                                     f"not match with stored for attribute '{k}': desired '{v}' vs "
                                     f"stored '{existing}'.")
        return param

    def get_constant(self, name, value=None):
        name = self._prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want to create "
                               "a new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None and not isinstance(param, Constant):
            raise AssertionError(f"Parameter '{name}' already exists but it is not a constant.")
        return param

    def update(self, other):
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise AssertionError(f"Cannot update self with other because they have different "
                                     f"Parameters with the same name '{k}'")
        for k, v in other.items():
            self._params[k] = v

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False):
        """Initialise every parameter (``init`` is the default for those without their own)."""
        from .. import initializer
        if init is None:
            init = initializer.Uniform()
        if verbose:
            init.set_verbosity(verbose=verbose)
        for v in self.values():
            v.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self):
        for v in self.values():
            v.zero_grad()

    def reset_ctx(self, ctx):
        for v in self.values():
            v.reset_ctx(ctx)

    def list_ctx(self):
        s = []
        for v in self.values():
            for c in v.list_ctx():
                if c not in s:
                    s.append(c)
        return s

    def setattr(self, name, value):
        """Set an attribute (e.g. grad_req, lr_mult) on every parameter."""
        for v in self.values():
            setattr(v, name, value)

    def save(self, filename, strip_prefix=""):
        """Save with full names (minus ``strip_prefix``), MXNet's older ``save_params`` layout."""
        arg_dict = {}
        for param in self.values():
            weight = param._reduce()
            if not param.name.startswith(strip_prefix):
                raise ValueError(f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's "
                                 f"name '{param.name}' does not start with '{strip_prefix}'.")
            arg_dict[param.name[len(strip_prefix):]] = weight
        save_arrays(filename, arg_dict)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="",
             cast_dtype=False, dtype_source="current"):
        """Load values saved by ``save`` (names prefixed with ``restore_prefix``)."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise ValueError(f"restore_prefix is '{restore_prefix}' but Parameters name "
                                     f"'{name}' does not start with '{restore_prefix}'")
        loaded = nd.load(filename)
        if isinstance(loaded, list):
            raise MXNetError(f"{filename} holds a list of arrays, not named parameters")
        arg_dict = {restore_prefix + k.split(":", 1)[-1] if k.startswith(("arg:", "aux:")) else
                    restore_prefix + k: v for k, v in loaded.items()}
        if not allow_missing:
            for name in self.keys():
                if name not in arg_dict:
                    raise AssertionError(f"Parameter '{name[len(restore_prefix):]}' is missing in file "
                                         f"'{filename}'. Set allow_missing=True to ignore missing "
                                         "parameters.")
        for name, value in arg_dict.items():
            if name not in self._params:
                if not ignore_extra:
                    raise AssertionError(f"Parameter '{name[len(restore_prefix):]}' loaded from file "
                                         f"'{filename}' is not present in ParameterDict. Set "
                                         "ignore_extra=True to ignore.")
                continue
            self[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)


def save_arrays(filename, arg_dict):
    """Write parameter arrays: mx.np arrays (NumPy mode) go through ``npx.save``, as in MXNet."""
    from ..numpy import ndarray as np_ndarray
    if any(isinstance(v, np_ndarray) for v in arg_dict.values()):
        from ..numpy_extension import save
        save(filename, arg_dict)
    else:
        nd.save(filename, arg_dict)


def _reduce(self):
    """The value averaged over contexts, on the CPU (what gets saved)."""
    if self._stype != "default":
        # a sparse parameter's value is the one in its trainer's store
        if not self._trainer:
            raise RuntimeError(f"Cannot reduce row_sparse data for Parameter '{self.name}' when no Trainer "
                               "is created with it.")
        data = nd.zeros(self._shape, ctx=cpu(), dtype=self._dtype, stype="row_sparse")
        row_ids = nd.arange(0, self._shape[0], ctx=cpu(), dtype="int64")
        self._trainer._row_sparse_pull(self, data, row_ids, full_idx=True)
        return data
    data = self.list_data()
    if len(data) == 1:
        return data[0].copyto(cpu())
    acc = data[0].copyto(cpu())
    for d in data[1:]:
        acc = acc + d.copyto(cpu())
    return acc / len(data)


Parameter._reduce = _reduce

