"""Gluon ``Block`` and ``HybridBlock``: the building blocks of networks."""
import re
import sys
import threading
import warnings
from collections import OrderedDict, defaultdict

from .. import ndarray as nd
from .. import util as _util
from .._nested import flatten, regroup as _regroup
from ..base import MXNetError
from ..name import NameManager
from ..ndarray.ndarray import NDArray, _STORAGE_TYPE_STR_TO_ID
from .parameter import Parameter, ParameterDict, DeferredInitializationError, save_arrays


class _BlockScope:
    """Name scope of a Block: gives children prefixes such as ``dense0_``."""

    _current = threading.local()

    def __init__(self, block):
        self._block = block
        self._counter = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint):
        """The (prefix, ParameterDict) of a new Block under the current scope."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = NameManager.current.get(None, hint) + "_"
            if params is None:
                params = ParameterDict(prefix)
            else:
                params = ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        from ..name import Prefix
        self._name_scope = Prefix(self._block.prefix)
        self._name_scope.__enter__()
        return self

    def __exit__(self, *exc):
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(*exc)
        self._name_scope = None
        _BlockScope._current.value = self._old_scope


def _indent(s, n):
    lines = s.split("\n")
    return "\n".join([lines[0]] + [" " * n + line for line in lines[1:]])


def _flatten(args, fmt_name):
    """Flatten nested lists of NDArrays, Symbols and Nones; returns (flat list, format)."""
    def leaf(a):
        if isinstance(a, NDArray) or a is None:
            return [a], int(0 if a is not None else -1)
        from ..symbol import Symbol
        if isinstance(a, Symbol):
            n = len(a.list_outputs())
            return [a], n if n > 1 else 0
        raise ValueError(f"When hybridized, the {fmt_name} of HybridBlock must be (nested) list of "
                         f"Symbol or NDArray, but got {a} of type {type(a)}")
    return flatten(args, leaf)


def _gather_type_ctx_info(args):
    """(has a Symbol, has an NDArray, the set of the NDArrays' contexts, the first NDArray's
    context or None) over nested lists of arguments."""
    from ..symbol import Symbol
    if isinstance(args, NDArray):
        return False, True, {args.context}, args.context
    if isinstance(args, Symbol):
        return True, False, set(), None
    if not isinstance(args, (list, tuple)):
        return False, False, set(), None
    has_symbol = has_ndarray = False
    ctx_set, first_ctx = set(), None
    for a in args:
        a_sym, a_nd, a_ctxs, a_first = _gather_type_ctx_info(a)
        has_symbol |= a_sym
        has_ndarray |= a_nd
        ctx_set |= a_ctxs
        if first_ctx is None:
            first_ctx = a_first
        if has_symbol and has_ndarray:
            break
    return has_symbol, has_ndarray, ctx_set, first_ctx


class Block:
    """Base class of every layer and model: holds child blocks and parameters."""

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children = OrderedDict()
        self._reg_params = {}
        self._forward_hooks = OrderedDict()
        self._forward_pre_hooks = OrderedDict()

    def __repr__(self):
        s = "{name}(\n{modstr}\n)"
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}"
                           for key, block in self.__dict__.items() if isinstance(block, Block))
        return s.format(name=self.__class__.__name__, modstr=modstr)

    def __setattr__(self, name, value):
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to "
                                f"{type(value)} is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise AssertionError(f"Overriding Parameter attribute {name} is not allowed. If you want "
                                     "to share parameters between blocks, please set 'params' at Block "
                                     "construction instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _alias(self):
        return self.__class__.__name__.lower()

    @property
    def prefix(self):
        return self._prefix

    @property
    def name(self):
        return self._name

    def name_scope(self):
        """Scope under which child blocks get names prefixed by this block's."""
        return self._scope

    @property
    def params(self):
        """This block's own ParameterDict (children's parameters not included)."""
        return self._params

    def collect_params(self, select=None):
        """A ParameterDict of this block's and its descendants' parameters (regex ``select``)."""
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({name: value for name, value in self.params.items() if pattern.match(name)})
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        return ret

    def _check_container_with_block(self):
        children = set(self._children.values())

        def _find(data):
            if isinstance(data, (list, tuple)):
                for ele in data:
                    if _find(ele):
                        return True
            elif isinstance(data, dict):
                for v in data.values():
                    if _find(v):
                        return True
            elif isinstance(data, Block):
                return data not in children
            return False
        for k, v in self.__dict__.items():
            if isinstance(v, (list, tuple, dict)) and not (k.startswith("__") or k == "_children"):
                if _find(v):
                    warnings.warn(f'"{self.name}" is an unregistered container with Blocks. Note that '
                                  "Blocks inside the list, tuple or dict will not be registered "
                                  "automatically. Make sure to register them using register_child() or "
                                  "switching to nn.Sequential/nn.HybridSequential instead. ", stacklevel=3)

    def _collect_params_with_prefix(self, prefix=""):
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def save_parameters(self, filename, deduplicate=False):
        """Save parameters under structural names (``0.weight``) in MXNet's .params format."""
        params = self._collect_params_with_prefix()
        if deduplicate:
            reverse = defaultdict(list)
            for k, v in params.items():
                reverse[v].append(k)
            params = {v[0]: k for k, v in reverse.items()}
        arg_dict = {key: val._reduce() for key, val in params.items()}
        save_arrays(filename, arg_dict)

    def save_params(self, filename):
        """Deprecated: save with full parameter names."""
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if you want "
                      "load from SymbolBlock later, please use export instead.", stacklevel=2)
        try:
            self.collect_params().save(filename, strip_prefix=self.prefix)
        except ValueError as e:
            raise ValueError(f"{e}\nsave_params is deprecated. Using save_parameters may resolve this "
                             "error.") from None

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
                        cast_dtype=False, dtype_source="current"):
        """Load parameters saved by ``save_parameters`` (or the older full-name layout)."""
        loaded = nd.load(filename)
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if isinstance(loaded, list):
            raise MXNetError(f"load_parameters: '{filename}' holds an unnamed list of arrays")
        if not any("." in i for i in loaded.keys()):
            del loaded
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra, self.prefix,
                                       cast_dtype=cast_dtype, dtype_source=dtype_source)
            return
        if not allow_missing:
            inv = defaultdict(list)
            for k, v in params.items():
                inv[v].append(k)
            for name, param in params.items():
                if not any(p in loaded for p in inv[param]):
                    raise AssertionError(f"Parameter '{name}' is missing in file '{filename}', which "
                                         f"contains parameters: {_brief(loaded.keys())}. Set "
                                         "allow_missing=True to ignore missing parameters.")
        for name in loaded:
            if not ignore_extra and name not in params:
                raise ValueError(f"Parameter '{name}' loaded from file '{filename}' is not present in "
                                 f"ParameterDict, which contains parameters {_brief(params.keys())}. Set "
                                 "ignore_extra=True to ignore. ")
            if name in params:
                params[name]._load_init(loaded[name], ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)

    def save(self, prefix):
        """Write ``prefix-model.json`` (the tree of blocks: each block's name, the names its
        parent gives its children and, for hybridized blocks, the traced graph) and
        ``prefix-model.params``.

        Blocks are keyed by class name and visiting order, so ``load`` needs a model built the
        same way.
        """
        import json
        model = {}
        index = [0]

        def visit(blk, structure):
            entry = {"orig_name": blk.name}
            structure[type(blk).__name__.lower() + str(index[0])] = entry
            if isinstance(blk, HybridBlock):
                entry["hybridized"] = bool(blk._cached_graph)
                if blk._cached_graph:
                    syms, out = blk._cached_graph
                    entry["in_format"] = blk._in_format
                    entry["out_format"] = blk._out_format
                    entry["inputs"] = [sym.tojson() for sym in syms]
                    entry["symbol"] = out.tojson()
            children = {}
            entry["children"] = children
            for ch_name, child in blk._children.items():
                index[0] += 1
                children[child.name] = ch_name
                visit(child, entry)

        visit(self, model)
        with open(prefix + "-model.json", "w") as f:
            json.dump(model, f)
        self.save_parameters(prefix + "-model.params")

    def load(self, prefix):
        """Restore a model written by ``save`` into this (identically built) model: block and
        parameter names as saved, traced graphs (hybridized again), then the parameters."""
        import json
        from ..symbol import load_json
        with open(prefix + "-model.json") as f:
            model = json.load(f)
        index = [0]

        def visit(blk, structure):
            entry = structure[type(blk).__name__.lower() + str(index[0])]
            blk._name = entry["orig_name"]
            if isinstance(blk, HybridBlock) and entry["hybridized"]:
                blk._in_format = entry["in_format"]
                blk._out_format = entry["out_format"]
                blk._cached_graph = ([load_json(i) for i in entry["inputs"]], load_json(entry["symbol"]))
                blk._cached_op = None
                blk._active = True
            # the saved graph names the parameters after the saved block names
            pdict = blk.params._params
            plen = len(blk.params.prefix)
            for key in list(pdict):
                pdict[f"{blk.name}_{key[plen:]}"] = pdict.pop(key)
            for child in blk._children.values():
                index[0] += 1
                visit(child, entry)
            renamed = entry["children"]
            for ch_name in list(blk._children):
                child = blk._children.pop(ch_name)
                blk._children[renamed[child.name]] = child

        visit(self, model)
        self.load_parameters(prefix + "-model.params")

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False):
        """Deprecated name of ``load_parameters``."""
        warnings.warn("load_params is deprecated. Please use load_parameters.", stacklevel=2)
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def register_child(self, block, name=None):
        """Register a child block (done automatically for attributes)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_op_hook(self, callback, monitor_all=False):
        """Install ``callback(node_name, op_name, NDArray)`` on the hybridized blocks below this
        one (see ``HybridBlock.register_op_hook``)."""
        for cld in self._children.values():
            cld.register_op_hook(callback, monitor_all)

    def register_forward_pre_hook(self, hook):
        """``hook(block, inputs)`` runs before each forward; returns a handle to remove it."""
        from .utils import HookHandle
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook):
        """``hook(block, inputs, outputs)`` runs after each forward; returns a handle."""
        from .utils import HookHandle
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def apply(self, fn):
        """Apply ``fn`` to every descendant block, then to this one."""
        for cld in self._children.values():
            cld.apply(fn)
        fn(self)
        return self

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False):
        """Initialise the parameters of this block and its children."""
        from .. import initializer
        if init is None:
            init = initializer.Uniform()
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs):
        """Hybridize every HybridBlock among the children."""
        for cld in self._children.values():
            cld.hybridize(active, **kwargs)

    def cast(self, dtype):
        """Cast parameters (and children's) to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for _, param in self.params.items():
            param.cast(dtype)

    def zero_grad(self):
        self.collect_params().zero_grad()

    def reset_ctx(self, ctx):
        self.collect_params().reset_ctx(ctx)

    def __call__(self, *args):
        for hook in self._forward_pre_hooks.values():
            hook(self, args)
        out = self.forward(*args)
        for hook in self._forward_hooks.values():
            hook(self, args, out)
        if _util.is_np_array():
            _check_all_np_ndarrays(out)
        return out

    def forward(self, *args):
        """Override to define the computation."""
        raise NotImplementedError

    def summary(self, *inputs):
        """Print each layer's output shape and parameter count for a forward of ``inputs``."""
        summary = OrderedDict()
        seen = set()
        hooks = []

        def _shapes(x):
            # the nested structure of x, NDArrays replaced by their shapes (tuples become lists)
            if isinstance(x, (list, tuple)):
                return [_shapes(i) for i in x]
            return x.shape if isinstance(x, NDArray) else x

        def _get_shape_str(args):
            shapes = _shapes(args)
            if isinstance(shapes, list):
                shape_str = str(shapes)[1:-1]
            else:
                shape_str = str(shapes)
            return shape_str.replace("L", "")

        def _register_summary_hook(block):
            if isinstance(block, HybridBlock) and block._active:
                # a compiled graph runs no child's forward, so there would be nothing to report
                raise AssertionError(f'"{block.name}" must not be hybridized to print summary.')

            def _summary_hook(block, _, outputs):
                class_name = block.__class__.__name__
                block_idx = len(summary) - 1
                m_key = f"{class_name}-{block_idx + 1}"
                summary[m_key] = OrderedDict()
                summary[m_key]["output_shape"] = _get_shape_str(outputs)
                params = 0
                summary[m_key]["trainable"] = 0
                summary[m_key]["shared"] = 0
                for p in block.params.values():
                    params += p.data().size
                    summary[m_key]["trainable"] += 0 if p.grad_req == "null" else p.data().size
                    if p in seen:
                        summary[m_key]["shared"] += p.data().size
                    else:
                        seen.add(p)
                summary[m_key]["n_params"] = params

            from .nn.basic_layers import Sequential, HybridSequential
            if not isinstance(block, (Sequential, HybridSequential)):
                hooks.append(block.register_forward_hook(_summary_hook))

        summary["Input"] = OrderedDict()
        summary["Input"]["output_shape"] = _get_shape_str(inputs)
        summary["Input"]["n_params"] = 0
        summary["Input"]["trainable"] = 0
        summary["Input"]["shared"] = 0
        try:
            self.apply(_register_summary_hook)
            self(*inputs)
            line_format = "{:>20}  {:>42} {:>15}"
            print("-" * 80)
            print(line_format.format("Layer (type)", "Output Shape", "Param #"))
            print("=" * 80)
            total_params = trainable_params = shared_params = 0
            for layer in summary:
                print(line_format.format(layer, str(summary[layer]["output_shape"]),
                                         summary[layer]["n_params"]))
                total_params += summary[layer]["n_params"]
                trainable_params += summary[layer]["trainable"]
                shared_params += summary[layer]["shared"]
            print("=" * 80)
            print("Parameters in forward computation graph, duplicate included")
            print("   Total params: " + str(total_params))
            print("   Trainable params: " + str(trainable_params))
            print("   Non-trainable params: " + str(total_params - trainable_params))
            print("Shared params in forward computation graph: " + str(shared_params))
            print("Unique parameters in model: " + str(total_params - shared_params))
            print("-" * 80)
        finally:
            for h in hooks:
                h.detach()


def _brief(names, n=10):
    names = list(names)
    s = ", ".join(names[:n])
    return s + (", ..." if len(names) > n else "")


class HybridBlock(Block):
    """A Block whose computation is written as ``hybrid_forward(F, x, *args, **params)``.

    ``F`` is ``mx.nd`` when called on NDArrays and ``mx.sym`` when called on Symbols.  After
    ``hybridize()``, the first call traces ``hybrid_forward`` with symbols into a graph, and later
    calls run that graph as one compiled plan (``_CachedOp``), recorded by autograd as one node.
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._active = False
        self._flags = []
        self._cached_graph = ()
        self._cached_op = None
        self._in_format = None
        self._out_format = None
        # whether the traced outputs are np symbols (mx.np arrays out); None: as the inputs
        self._out_np = None
        self._callback = None        # register_op_hook's callback and its monitor_all
        self._monitor_all = False

    def register_child(self, block, name=None):
        if not isinstance(block, HybridBlock):
            raise ValueError(f"Children of HybridBlock must also be HybridBlock, but {block} has type "
                             f"{type(block)}. If you are using Sequential, please try HybridSequential "
                             "instead.")
        super().register_child(block, name)
        self._clear_cached_op()

    def hybridize(self, active=True, static_alloc=False, static_shape=False, inline_limit=2,
                  forward_bulk_size=None, backward_bulk_size=None, **kwargs):
        """Run this block as a compiled graph from the next call on (``active=False`` undoes it)."""
        self._active = active
        self._flags = [("static_alloc", static_alloc), ("static_shape", static_shape),
                       ("inline_limit", inline_limit)]
        self._clear_cached_op()
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape,
                          inline_limit=inline_limit, **kwargs)

    def _clear_cached_op(self):
        self._cached_graph = ()
        self._cached_op = None

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)

    # -- the traced graph --------------------------------------------------------------
    def _get_graph(self, *args):
        if not self._cached_graph:
            from .. import symbol
            from ..symbol.numpy import _Symbol
            flat, self._in_format = _flatten(args, "input")
            # only given arrays are numbered (a None argument, e.g. no states, takes no name)
            given = sum(a is not None for a in flat)
            inputs, count = [], 0
            for a in flat:
                if a is None:
                    inputs.append(None)
                    continue
                v = symbol.var(f"data{count}" if given > 1 else "data")
                count += 1
                # an mx.np array comes in as an np symbol, as in MXNet, also outside np mode
                inputs.append(v.as_np_ndarray() if _is_np_ndarray(a) else _np_sym(v))
            grouped = _regroup([i for i in inputs], self._in_format)[0]
            params = {k: _np_sym(v.var()) for k, v in self._reg_params.items()}
            with self.name_scope():
                out = self.hybrid_forward(symbol, *grouped, **params)
            out, self._out_format = _flatten(out, "output")
            if len({isinstance(o, _Symbol) for o in out}) > 1:
                raise TypeError(_MIXED_SYMBOLS)
            out = _np_sym(out)
            self._out_np = all(isinstance(o, _Symbol) for o in out)
            self._cached_graph = [i for i in inputs if i is not None], symbol.Group(out)
        return self._cached_graph

    def infer_shape(self, *args):
        """Fill in unknown parameter shapes by shape inference on the traced graph."""
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args):
        """Fill in parameter dtypes by type inference on the traced graph."""
        self._infer_attrs("infer_type", "dtype", *args)

    def _infer_attrs(self, infer_fn, attr, *args):
        inputs, out = self._get_graph(*args)
        flat, _ = _flatten(args, "input")
        flat = [a for a in flat if a is not None]
        with warnings.catch_warnings(record=True):
            arg_attrs, _, aux_attrs = getattr(out, infer_fn)(
                **{i.name: getattr(j, attr) for i, j in zip(inputs, flat)})
        if arg_attrs is None:
            raise ValueError(f"{self.name}: could not infer the {attr}s of the parameters from inputs of "
                             f"{attr}s {[getattr(a, attr) for a in flat]}")
        sdict = {i: j for i, j in zip(out.list_arguments(), arg_attrs)}
        sdict.update({name: a for name, a in zip(out.list_auxiliary_states(), aux_attrs)})
        for p in self.collect_params().values():
            if p.name in sdict:
                setattr(p, attr, sdict[p.name])

    def _deferred_infer_shape(self, *args):
        try:
            self.infer_shape(*args)
        except DeferredInitializationError:
            raise
        except Exception as e:
            raise ValueError(f"Deferred initialization failed because shape cannot be inferred. {e}") from e

    def _build_cache(self, *args):
        inputs, out = self._get_graph(*args)
        self._cached_op = _CachedOp(out, [i.name for i in inputs], self.collect_params(), self._out_np,
                                    dict(self._flags))

    def _call_cached_op(self, *args):
        if self._cached_op is None:
            self._build_cache(*args)
        flat, fmt = _flatten(args, "input")
        if fmt != self._in_format and not _same_but_trailing_nones(fmt, self._in_format):
            raise ValueError("The argument structure of HybridBlock does not match with the argument "
                             "structure when the block was hybridized.")
        flat = [a for a in flat if a is not None]
        hook = (self._callback, self._monitor_all) if self._callback else None
        try:
            out = self._cached_op(flat, hook)
        except DeferredInitializationError:
            self._deferred_infer_shape(*args)
            for p in self._cached_op.params.values():
                p._finish_deferred_init()
            out = self._cached_op(flat, hook)
        return _regroup(out, self._out_format)[0]

    def register_op_hook(self, callback, monitor_all=False):
        """Call ``callback(node_name, op_name, NDArray)`` with each operator's output (and, with
        ``monitor_all``, first its inputs, named ``<node>_<input>``) when the hybridized graph
        of this block or of its children runs."""
        self._callback = callback
        self._monitor_all = monitor_all
        for cld in self._children.values():
            cld._callback = callback
            cld._monitor_all = monitor_all

    def forward(self, x, *args):
        """Run ``hybrid_forward`` (or, when hybridized, the compiled graph) on the context of the
        first NDArray among the (nested) arguments; any argument may be None or, unhybridized,
        a Python value."""
        if isinstance(x, NDArray) and not args:   # the common case, checked cheaply
            has_symbol, has_ndarray, ctx_set, ctx = False, True, None, x.context
        else:
            has_symbol, has_ndarray, ctx_set, ctx = _gather_type_ctx_info([x] + list(args))
        if has_symbol and has_ndarray:
            raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols types for the "
                             "input. Please check the type of the args.\n")
        if not has_symbol and not has_ndarray:
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the input. "
                             "Please check the type of the args.\n")
        if has_ndarray:
            if self._active:
                if ctx_set is not None and len(ctx_set) > 1:
                    raise ValueError("Find multiple contexts in the input, After hybridized, the "
                                     "HybridBlock only supports one input context. You can print the "
                                     "ele.ctx in the input arguments to inspect their contexts. Find all "
                                     f"contexts = {ctx_set}")
                return self._call_cached_op(x, *args)
            try:
                params = {k: v.data(ctx) for k, v in self._reg_params.items()}
            except DeferredInitializationError:
                self._deferred_infer_shape(x, *args)
                for v in self._reg_params.values():
                    v._finish_deferred_init()
                params = {k: v.data(ctx) for k, v in self._reg_params.items()}
            return self.hybrid_forward(nd, x, *args, **params)
        from .. import symbol
        params = {k: _np_sym(v.var()) for k, v in self._reg_params.items()}
        with self.name_scope():
            return _np_sym(self.hybrid_forward(symbol, x, *args, **params))

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Override to define the computation with ``F`` (mx.nd or mx.sym)."""
        raise NotImplementedError

    def export(self, path, epoch=0, remove_amp_cast=True):
        """Write ``path-symbol.json`` and ``path-%04d.params`` (``arg:``/``aux:`` keys), the files
        ``SymbolBlock.imports`` and ``mx.model.load_checkpoint`` read."""
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward with this block "
                               "at least once before calling export.")
        sym = self._cached_graph[1]
        sym.save(f"{path}-symbol.json", remove_amp_cast=remove_amp_cast)
        arg_names = set(sym.list_arguments())
        aux_names = set(sym.list_auxiliary_states())
        arg_dict = {}
        for name, param in self.collect_params().items():
            if name in arg_names:
                arg_dict[f"arg:{name}"] = param._reduce()
            elif name in aux_names:
                arg_dict[f"aux:{name}"] = param._reduce()
        from ..util import is_np_array
        if is_np_array():  # parameters are mx.np arrays: MXNet writes them with npx.save
            from ..numpy_extension import save
            save(f"{path}-{epoch:04d}.params", arg_dict)
        else:
            nd.save(f"{path}-{epoch:04d}.params", arg_dict)

    def optimize_for(self, x, *args, backend=None, **kwargs):
        """Accepted with the default backend: hybridizes and runs one forward."""
        if backend is not None:
            raise MXNetError(f"optimize_for: backend {backend!r} is not available")
        self.hybridize(True, **{k: v for k, v in kwargs.items()
                                if k in ("static_alloc", "static_shape", "inline_limit")})
        return self(x, *args)


_MIXED_SYMBOLS = (
    "Found both classic symbol (mx.sym.Symbol) and numpy symbol (mx.sym.np._Symbol) in outputs. "
    "Different types of symbols cannot be grouped into one computation graph in Gluon: convert "
    "them to one type, with `as_np_ndarray()` for numpy ndarray outputs or `as_nd_ndarray()` for "
    "classic ndarray outputs.")


def _is_np_ndarray(a):
    np_mod = sys.modules.get("mxnet.numpy")  # no mx.np array exists before mx.np is imported
    return np_mod is not None and isinstance(a, np_mod.ndarray)


def _check_all_np_ndarrays(out):
    """Under np semantics, a block's outputs must all be mx.np arrays (or np symbols)."""
    from ..symbol import Symbol
    from ..symbol.numpy import _Symbol
    if isinstance(out, (NDArray, Symbol)):
        if not (_is_np_ndarray(out) or isinstance(out, _Symbol)):
            raise TypeError("Block's output ndarrays/symbols must be of type `mxnet.numpy.ndarray` or "
                            f"`mxnet.symbol.numpy._Symbol`, while got output type {type(out)}")
    elif isinstance(out, (list, tuple)):
        for o in out:
            _check_all_np_ndarrays(o)


def _np_sym(out):
    """Under ``npx.set_np()``, symbols (nested in lists) as np symbols, so that operators on a
    layer's output build ``_npi_*`` nodes; otherwise ``out`` unchanged."""
    from ..util import is_np_array
    if not is_np_array():
        return out
    from ..symbol import Symbol
    if isinstance(out, Symbol):
        return out.as_np_ndarray()
    if isinstance(out, (list, tuple)):
        return type(out)(_np_sym(o) for o in out)
    return out


def _same_but_trailing_nones(fmt, traced):
    """Whether two top-level argument formats differ only by trailing None arguments (a
    parameter left to its default None)."""
    short, long_ = (fmt, traced) if len(fmt) < len(traced) else (traced, fmt)
    return short == long_[:len(short)] and all(f == -1 for f in long_[len(short):])


def _rewrap(o, ctx, cls):
    """NDArray ``o`` as class ``cls`` (mx.np outputs), keeping its place on the autograd tape."""
    from ..ndarray.ndarray import _wrap
    w = _wrap(o._data, ctx, cls)
    w._entry = o._entry
    return w


class _CachedOp:
    """A traced graph run as one compiled plan and recorded by autograd as one node.

    Inputs are the data arrays (by position) and the parameters (by name, read on the input's
    context at each call); auxiliary states are updated in place in the parameters' arrays.
    """

    def __init__(self, sym, data_names, params, out_np=None, flags=None):
        from ..executor.plan import GraphPlan
        self.plan = GraphPlan(sym)
        # MXNet's hybridize flags; autograd.get_symbol inlines graphs of at most inline_limit
        # operators (without static_alloc), as MXNet records those operator by operator
        self.flags = flags or {}
        if out_np is None:
            self._out_cls = None  # the class of the first input
        elif out_np:
            from ..numpy import ndarray
            self._out_cls = ndarray
        else:
            self._out_cls = NDArray
        self.name = "_CachedOp"
        self.differentiable = True
        self.backward_graph = None
        data_pos = {n: i for i, n in enumerate(data_names)}
        self.params = {}
        self._arg_src = []
        for n in self.plan.arg_names:
            if n in data_pos:
                self._arg_src.append(data_pos[n])
            elif n in params:
                self._arg_src.append(params[n])
                self.params[n] = params[n]
            else:
                raise MXNetError(f"hybridized graph input '{n}' is neither an input nor a parameter")
        self._aux = []
        for n in self.plan.aux_names:
            if n not in params:
                raise MXNetError(f"hybridized graph auxiliary state '{n}' is not a parameter")
            self._aux.append(params[n])
            self.params[n] = params[n]
        # parameters with sparse gradients (Embedding(sparse_grad=True)): recorded op by op
        self._sparse_grad = any(p._grad_stype != "default" for p in self.params.values())

    def __call__(self, data, hook=None):
        from .. import autograd
        from ..backend import get_backend
        from ..ndarray.ndarray import _wrap
        ctx = data[0].context
        args = []
        for src in self._arg_src:
            args.append(data[src] if isinstance(src, int) else src._check_and_get(src._data, ctx))
        aux = [p._check_and_get(p._data, ctx)._data for p in self._aux]
        raw = [a._data for a in args]
        cls = self._out_cls or type(data[0])
        backend = get_backend(ctx)
        monitor = None if hook is None else self._op_monitor(raw, aux, ctx, *hook)
        if monitor is None and any(a._is_sparse for a in args):
            # sparse inputs (a CSR batch): the operators' sparse forms, node by node (recorded one
            # by one under autograd, so that sparse gradients stay sparse)
            aux_nd = [p._check_and_get(p._data, ctx) for p in self._aux]
            modes = self.plan.storage_modes(args, aux_nd)
            if modes is not None:
                outs = self.plan.run_storage(args, aux_nd, autograd.is_training(), backend, modes)
                return [o if o._is_sparse or cls is NDArray else _rewrap(o, ctx, cls) for o in outs]
        if monitor is None and self._sparse_grad and autograd.is_recording():
            # each operator on the tape with its own gradient, so that a row_sparse gradient holds
            # only the rows the batch touched (the whole graph's backward would be dense)
            aux_nd = [p._check_and_get(p._data, ctx) for p in self._aux]
            outs = self.plan.run_recorded(args, aux_nd, ctx)
            return [o if o._is_sparse or cls is NDArray else _rewrap(o, ctx, cls) for o in outs]
        if monitor is None and not autograd.is_recording() and not autograd.is_training():
            # inference: the optimised plan (identity removal, BatchNorm folding, constants)
            return [_wrap(o, ctx, cls) for o in self.plan.infer(raw, aux, backend=backend)]
        outs, saved = self.plan.run(raw, aux, is_train=autograd.is_training(), backend=backend,
                                    monitor=monitor)
        out_nd = [_wrap(o, ctx, cls) for o in outs]
        if autograd.is_recording():
            autograd._record(self, None, args, raw, out_nd, saved)
        return out_nd

    def backward(self, attrs, ograds, inputs, outputs, ctx, saved):
        return self.plan.grad(saved, ograds, need=getattr(ctx, "need_grad", None),
                              grad_out=getattr(ctx, "grad_out", None))

    def _op_monitor(self, raw, aux, ctx, callback, monitor_all):
        """The plan's monitor (which sees each step's visible outputs by name) turned into
        ``callback(node_name, op_name, NDArray)`` calls; with ``monitor_all`` each step's inputs
        are reported first, from the variables and the outputs seen so far."""
        from ..executor.monitor_names import input_names
        from ..ndarray.ndarray import _wrap
        by_name = {}
        for st in self.plan.steps:
            node = st.node
            for i, name in enumerate(node.output_names()[:node.num_visible()]):
                by_name[name] = (node, i)
        values = dict(zip(self.plan.arg_names, raw))
        values.update(zip(self.plan.aux_names, aux))

        def monitor(name, arr):
            node, i = by_name[name]
            if monitor_all and i == 0:
                for (c, ci), in_name in zip(node.inputs, input_names(node, len(node.inputs))):
                    val = values.get(c.name if c.op is None else (id(c), ci))
                    if val is not None:
                        callback(in_name, node.op.name, _wrap(val, ctx))
            values[(id(node), i)] = arr
            callback(name, node.op.name, _wrap(arr, ctx))
        return monitor


class SymbolBlock(HybridBlock):
    """A block that runs a Symbol graph, e.g. one exported by ``HybridBlock.export``."""

    @staticmethod
    def imports(symbol_file, input_names, param_file=None, ctx=None, allow_missing=False,
                ignore_extra=False):
        """Load ``symbol_file`` (and ``param_file``) into a SymbolBlock with the given inputs."""
        from .. import symbol
        sym = symbol.load(symbol_file)
        if isinstance(input_names, str):
            input_names = [input_names]
        inputs = [symbol.var(i) for i in input_names]
        ret = SymbolBlock(sym, inputs)
        if param_file is not None:
            ret.collect_params().load(param_file, ctx, allow_missing, ignore_extra, cast_dtype=True,
                                      dtype_source="saved")
        return ret

    def __init__(self, outputs, inputs, params=None):
        super().__init__(prefix=None, params=None)
        from .. import symbol
        self._prefix = ""
        self._params = ParameterDict("", params)
        if isinstance(inputs, symbol.Symbol) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        syms, self._in_format = _flatten(inputs, "input")
        out, self._out_format = _flatten(outputs, "output")
        out = symbol.Group(out)
        input_names = set()
        for i in syms:
            if len(i.get_internals().list_outputs()) != 1:
                raise AssertionError(f"Input symbols must be variable, but {i} is an output of operators")
            input_names.add(i.name)
        for i in out.list_arguments():
            if i not in input_names:
                self.params.get(i, allow_deferred_init=True)
        for i in out.list_auxiliary_states():
            if i not in input_names:
                self.params.get(i, grad_req="null", allow_deferred_init=True)
        row_sparse = str(_STORAGE_TYPE_STR_TO_ID["row_sparse"])
        for node in out.get_internals():
            if node.attr("__storage_type__") == row_sparse:
                raise AssertionError(f"SymbolBlock doesn't support Parameter '{node.name}' because its "
                                     "storage type is 'row_sparse'.")
        self._cached_graph = syms, out
        prefix_len = len(_common_prefix(list(self._params.keys())))
        self._reg_params = {key[prefix_len:]: val for key, val in self._params.items()}

    def __repr__(self):
        return f"SymbolBlock(\n{self._cached_graph[1]!r} : {len(self._cached_graph[0])} -> " \
               f"{len(self._cached_graph[1].list_outputs())}\n)"

    def forward(self, x, *args):
        if isinstance(x, NDArray):
            return self._call_cached_op(x, *args)
        from .. import symbol
        if not isinstance(x, symbol.Symbol):
            raise ValueError(f"SymbolBlock requires the first argument to forward be either Symbol or "
                             f"NDArray, but got {type(x)}")
        args, in_fmt = _flatten([x] + list(args), "input")
        if in_fmt != self._in_format:
            raise AssertionError("Invalid input format")
        ret = self._cached_graph[1].__copy__()
        ret._compose(**{k.name: v for k, v in zip(self._cached_graph[0], args)})
        return _regroup(list(ret), self._out_format)[0]

    def _clear_cached_op(self):
        graph = getattr(self, "_cached_graph", ())
        super()._clear_cached_op()
        self._cached_graph = graph

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError


def _common_prefix(names):
    if not names:
        return ""
    prefix = names[0]
    for name in names:
        i = 0
        while i < len(prefix) and i < len(name) and prefix[i] == name[i]:
            i += 1
        prefix = prefix[:i]
    return prefix
