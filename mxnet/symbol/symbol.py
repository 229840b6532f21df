"""``Symbol``: MXNet's declarative graph.

Representation (shared by the JSON reader/writer, shape/type inference and the executor):

* ``Node``: ``op`` (the registry's ``OpDef``, or None for a variable), ``name``, ``attrs`` (every
  attribute as the string MXNet stores: the operator parameters the user gave plus ``__x__``
  attributes such as ``__lr_mult__``), ``parsed`` (the operator parameters parsed into ``Attrs``;
  None for variables) and ``inputs`` (a list of ``(node, output_index)`` entries).
* ``Symbol``: a list of output entries ``(node, output_index)``; a ``Group`` has several.

Nodes are shared between symbols built from one another; only ``_set_attr`` changes a node in
place (as in MXNet, every symbol sharing it sees the change); ``__call__`` composes on a copy.  Graph order is NNVM's: a depth-first post-order from
the outputs, inputs left to right.  A variable is an *auxiliary state* when some operator mutates
it (``OpDef.mutate_inputs``, e.g. BatchNorm's moving mean/var); every other variable is an
*argument*.  ``mxnet.executor.GraphPlan`` runs a symbol without binding it.
"""
import warnings

import numpy as np

from ..attribute import AttrScope, HIDDEN_KEYS, hidden_key
from ..base import MXNetError, NotImplementedForSymbol, np_dtype
from ..name import NameManager

_STYPE_ID = {"default": 0, "row_sparse": 1, "csr": 2}


class Node:
    """One graph node: an operator application or a variable (``op is None``)."""

    __slots__ = ("op", "name", "attrs", "parsed", "inputs")

    def __init__(self, op, name, attrs=None, inputs=(), parsed=None):
        self.op = op
        self.name = name
        self.attrs = dict(attrs or {})
        self.inputs = list(inputs)
        if op is not None and parsed is None:
            parsed = op.parse_attrs({k: v for k, v in self.attrs.items() if k in op.param_map})
        self.parsed = parsed

    @property
    def is_var(self):
        return self.op is None

    @property
    def subgraphs(self):
        """The body graphs (Symbols) of a control-flow node (``_foreach``, ...); empty otherwise."""
        return () if self.parsed is None else self.parsed.get("subgraphs", ())

    def set_subgraphs(self, subgraphs):
        """Attach body graphs; they live in ``parsed`` so that operators receive them."""
        parsed = type(self.parsed)(self.parsed)  # parsed attributes may be shared (parse cache)
        parsed["subgraphs"] = tuple(subgraphs)
        self.parsed = parsed

    def num_outputs(self):
        return 1 if self.op is None else self.op.num_outputs(self.parsed)

    def num_visible(self):
        return 1 if self.op is None else self.op.num_visible_outputs(self.parsed)

    def output_names(self):
        if self.op is None:
            return [self.name]
        return [f"{self.name}_{o}" for o in self.op.list_outputs(self.parsed)]


def topo_order(entries):
    """Every node reachable from ``entries``, inputs before users (NNVM's DFS post-order)."""
    order, seen = [], set()
    for head, _ in entries:
        if id(head) in seen:
            continue
        seen.add(id(head))
        stack = [(head, iter(head.inputs))]
        while stack:
            node, it = stack[-1]
            for child, _ in it:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def aux_node_ids(order):
    """Ids of the variables that some operator in ``order`` mutates (auxiliary states)."""
    aux = set()
    for n in order:
        if n.op is not None:
            for i in n.op.mutated_inputs(n.parsed):
                if i < len(n.inputs) and n.inputs[i][0].op is None:
                    aux.add(id(n.inputs[i][0]))
    return aux


class Symbol:
    """A symbolic output (or group of outputs) of a graph."""

    __slots__ = ("_outputs", "__weakref__")

    def __init__(self, outputs):
        self._outputs = list(outputs)

    # -- structure ------------------------------------------------------------------------
    def _order(self):
        return topo_order(self._outputs)

    @property
    def name(self):
        """The name of a single-output symbol; None for a group."""
        return self._outputs[0][0].name if len(self._outputs) == 1 else None

    def __repr__(self):
        if len(self._outputs) == 1:
            return f"<Symbol {self.name}>"
        return "<Symbol group [" + ", ".join(n.name for n, _ in self._outputs) + "]>"

    def __len__(self):
        return len(self._outputs)

    def __iter__(self):
        return (Symbol([e]) for e in self._outputs)

    def __getitem__(self, index):
        if isinstance(index, str):
            names = self.list_outputs()
            hits = [i for i, n in enumerate(names) if n == index]
            if not hits:
                raise ValueError(f"Cannot find output that matches name '{index}'")
            if len(hits) > 1:
                raise ValueError(f"There are multiple outputs with name '{index}'")
            index = hits[0]
        if isinstance(index, slice):
            return Symbol(self._outputs[index])
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"Symbol only supports integer or string indices, got {type(index).__name__}")
        if not -len(self._outputs) <= index < len(self._outputs):
            raise IndexError(f"Index {index} is out of range for a symbol with {len(self)} outputs")
        return Symbol([self._outputs[index]])

    def __bool__(self):
        raise NotImplementedForSymbol(self.__bool__, "bool")

    __hash__ = object.__hash__

    def list_arguments(self):
        """Names of the variables that are not auxiliary states, in graph order."""
        order = self._order()
        aux = aux_node_ids(order)
        return [n.name for n in order if n.op is None and id(n) not in aux]

    def list_auxiliary_states(self):
        """Names of the variables that operators update in place (e.g. BatchNorm moving stats)."""
        order = self._order()
        aux = aux_node_ids(order)
        return [n.name for n in order if n.op is None and id(n) in aux]

    def list_inputs(self):
        """Names of every variable, arguments and auxiliary states, in graph order."""
        return [n.name for n in self._order() if n.op is None]

    def list_outputs(self):
        """Names of the outputs: ``<node>_<output>`` for operators, the name for variables."""
        return [n.output_names()[i] for n, i in self._outputs]

    def get_internals(self):
        """A group of every node's (visible) outputs, in graph order."""
        return Symbol([(n, i) for n in self._order() for i in range(n.num_visible())])

    def _gen_atomic_symbol(self):
        """The head node's operator with its attributes but no inputs and no name (its visible
        outputs), as MXNet builds one to re-apply an operator."""
        node = self._outputs[0][0]
        if node.op is None:
            raise MXNetError(f"_gen_atomic_symbol: '{node.name}' is a variable, not an operator")
        atom = Node(node.op, "", node.attrs, [], node.parsed)
        return Symbol([(atom, i) for i in range(atom.num_visible())])

    def get_children(self):
        """A group of the inputs of the output nodes, or None when they are all variables."""
        entries, seen = [], set()
        for n, _ in self._outputs:
            if id(n) not in seen:       # outputs of one node share its inputs
                seen.add(id(n))
                entries.extend(n.inputs)
        return Symbol(entries) if entries else None

    # -- attributes -----------------------------------------------------------------------
    def attr(self, key):
        """The attribute ``key`` of this (single-output) symbol's node, or None."""
        if len(self._outputs) != 1:
            return None
        attrs = self._outputs[0][0].attrs
        v = attrs.get(key)
        return attrs.get(hidden_key(key)) if v is None else v

    def list_attr(self, recursive=False):
        """The node's attributes (hidden keys also under their plain names)."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        if len(self._outputs) != 1:
            return {}
        return _with_plain_keys(self._outputs[0][0].attrs)

    def attr_dict(self):
        """``{node name: attributes}`` for every node in the graph that has attributes."""
        return {n.name: _with_plain_keys(n.attrs) for n in self._order() if n.attrs}

    def _set_attr(self, **kwargs):
        """Set attributes (string values) on the output node; on an operator node a plain key
        must be one of the operator's parameters, which is then re-parsed."""
        for k, v in kwargs.items():
            if not isinstance(v, str):
                raise ValueError("Set Attr only accepts string values")
        for n, _ in self._outputs:
            attrs = dict(n.attrs)
            attrs.update({hidden_key(k): v for k, v in kwargs.items()})
            if n.op is not None:
                params = {}
                for k, v in attrs.items():
                    if k in n.op.param_map:
                        params[k] = v
                    elif not (k.startswith("__") and k.endswith("__")):
                        raise MXNetError(f"Cannot find argument '{k}' of operator {n.op.name}; possible "
                                         f"arguments: {list(n.op.param_map)}")
                subgraphs = n.subgraphs
                n.parsed = n.op.parse_attrs(params)
                if subgraphs:
                    n.set_subgraphs(subgraphs)
            n.attrs = attrs

    # -- composition ----------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """A copy of this graph with its variables replaced by the given symbols."""
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args, **kwargs):
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or keyword "
                            "arguments, not both")
        for a in list(args) + list(kwargs.values()):
            if not isinstance(a, Symbol):
                raise TypeError("Compose expect `Symbol` as arguments")
            if len(a._outputs) != 1:
                raise MXNetError("Compose: an input symbol must have exactly one output")
        order = self._order()
        if args:
            aux = aux_node_ids(order)
            targets = [n for n in order if n.op is None and id(n) not in aux]
            if len(args) > len(targets):
                raise MXNetError(f"Compose: too many positional arguments ({len(args)}), the symbol has "
                                 f"{len(targets)} arguments")
            repl = {id(t): a._outputs[0] for t, a in zip(targets, args)}
        else:
            by_name = {n.name: n for n in order if n.op is None}
            repl = {}
            for k, a in kwargs.items():
                if k not in by_name:
                    raise MXNetError(f"Compose: keyword argument name {k} not found; candidate "
                                     f"arguments: {list(by_name)}")
                repl[id(by_name[k])] = a._outputs[0]
        for n in order:
            n.inputs = [repl.get(id(c), (c, i)) if c.op is None else (c, i) for c, i in n.inputs]
        self._outputs = [repl.get(id(n), (n, i)) if n.op is None else (n, i) for n, i in self._outputs]
        if name is not None and len(self._outputs) == 1:
            self._outputs[0][0].name = name

    # NDArray-only methods: a hybrid_forward calling them while traced gets MXNet's error
    def asnumpy(self):
        raise NotImplementedForSymbol(self.asnumpy, None)

    def asscalar(self):
        raise NotImplementedForSymbol(self.asscalar, None)

    def wait_to_read(self):
        raise NotImplementedForSymbol(self.wait_to_read, None)

    def as_in_context(self, *args, **kwargs):
        raise NotImplementedForSymbol(self.as_in_context, None)

    def backward(self, *args, **kwargs):
        raise NotImplementedForSymbol(self.backward, None)

    def detach(self):
        raise NotImplementedForSymbol(self.detach, None)

    def __copy__(self):
        """A deep copy of the graph (nodes are duplicated, attributes copied)."""
        memo = {}
        for n in self._order():
            memo[id(n)] = Node(n.op, n.name, n.attrs, [(memo[id(c)], i) for c, i in n.inputs], n.parsed)
        return Symbol([(memo[id(n)], i) for n, i in self._outputs])

    copy = __copy__

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __getstate__(self):
        return {"handle": self.tojson()}

    def __setstate__(self, state):
        from .json_io import from_json
        self._outputs = from_json(state["handle"])._outputs

    # -- arithmetic -----------------------------------------------------------------------
    def _binary(self, other, op, scalar_op):
        if isinstance(other, Symbol):
            return _call(op, self, other)
        if isinstance(other, (int, float, np.number, bool)):
            return _call(scalar_op, self, scalar=other)
        raise TypeError(f"type {type(other).__name__} not supported")

    def _rscalar(self, other, scalar_op):
        if isinstance(other, (int, float, np.number, bool)):
            return _call(scalar_op, self, scalar=other)
        raise TypeError(f"type {type(other).__name__} not supported")

    def __add__(self, o):
        return self._binary(o, "_Plus", "_PlusScalar")

    __radd__ = __add__

    def __sub__(self, o):
        return self._binary(o, "_Minus", "_MinusScalar")

    def __rsub__(self, o):
        return self._rscalar(o, "_RMinusScalar")

    def __mul__(self, o):
        return self._binary(o, "_Mul", "_MulScalar")

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._binary(o, "_Div", "_DivScalar")

    __div__ = __truediv__

    def __rtruediv__(self, o):
        return self._rscalar(o, "_RDivScalar")

    __rdiv__ = __rtruediv__

    def __mod__(self, o):
        return self._binary(o, "_Mod", "_ModScalar")

    def __rmod__(self, o):
        return self._rscalar(o, "_RModScalar")

    def __pow__(self, o):
        return self._binary(o, "_Power", "_PowerScalar")

    def __rpow__(self, o):
        return self._rscalar(o, "_rpower_scalar")

    def __neg__(self):
        return self.__mul__(-1.0)

    def __abs__(self):
        return _call("abs", self)

    def __eq__(self, o):
        return self._binary(o, "_equal", "_equal_scalar")

    def __ne__(self, o):
        return self._binary(o, "_not_equal", "_not_equal_scalar")

    def __gt__(self, o):
        return self._binary(o, "_greater", "_greater_scalar")

    def __ge__(self, o):
        return self._binary(o, "_greater_equal", "_greater_equal_scalar")

    def __lt__(self, o):
        return self._binary(o, "_lesser", "_lesser_scalar")

    def __le__(self, o):
        return self._binary(o, "_lesser_equal", "_lesser_equal_scalar")

    def astype(self, dtype):
        """``cast`` to ``dtype``."""
        return _call("cast", self, dtype=dtype)

    def as_np_ndarray(self):
        """The same graph as an np symbol (``mx.sym.np`` semantics, ``_npi_*`` operators)."""
        from .numpy import _Symbol
        return _Symbol(self._outputs)

    def as_nd_ndarray(self):
        """The same graph as a legacy ``Symbol``."""
        return Symbol(self._outputs)

    # -- inference ------------------------------------------------------------------------
    def infer_shape(self, *args, **kwargs):
        """``(arg_shapes, out_shapes, aux_shapes)``; ``(None, None, None)`` if any stays unknown."""
        return self._infer_shape(False, args, kwargs)

    def infer_shape_partial(self, *args, **kwargs):
        """Like ``infer_shape`` but unknown shapes come back as ``()`` / dims of 0."""
        return self._infer_shape(True, args, kwargs)

    def _infer_shape(self, partial, args, kwargs):
        from .infer import infer_shapes
        from ..util import is_np_shape
        np_shape = is_np_shape()
        order = self._order()
        known = {}
        for k, v in _known_by_name(self, order, args, kwargs).items():
            v = (v,) if isinstance(v, int) else tuple(v)
            # inference marks an unknown dimension 0 and an unknown shape None; legacy shapes
            # say the same with 0 and (), np shapes with -1 and None (there () is a scalar)
            if np_shape:
                known[k] = tuple(0 if d == -1 else d for d in v)
            elif v:
                known[k] = v
        try:
            shapes = infer_shapes(order, self._outputs, known)
        except MXNetError:
            if not partial:
                _print_infer_error("infer_shape", args, kwargs)
            raise
        aux = aux_node_ids(order)
        argn = [n for n in order if n.op is None and id(n) not in aux]
        auxn = [n for n in order if n.op is None and id(n) in aux]
        arg_s = [shapes.get((id(n), 0)) for n in argn]
        out_s = [shapes.get((id(n), i)) for n, i in self._outputs]
        aux_s = [shapes.get((id(n), 0)) for n in auxn]
        if partial:
            def fix(s):
                if np_shape:
                    return None if s is None else tuple(d if d else -1 for d in s)
                return () if s is None else tuple(0 if d is None or d < 0 else d for d in s)
            return [fix(s) for s in arg_s], [fix(s) for s in out_s], [fix(s) for s in aux_s]
        from .infer import complete
        if all(complete(s) for s in arg_s + out_s + aux_s):
            return [tuple(s) for s in arg_s], [tuple(s) for s in out_s], [tuple(s) for s in aux_s]
        unknown = [f"{n.name}: {() if s is None else tuple(s)}"
                   for n, s in zip(argn, arg_s) if not complete(s)]
        warnings.warn("Cannot decide shape for the following arguments (0s in shape means unknown "
                      "dimensions). Consider providing them as input:\n\t" + "\n\t".join(unknown),
                      stacklevel=3)
        return None, None, None

    def infer_type(self, *args, **kwargs):
        """``(arg_types, out_types, aux_types)`` as NumPy type classes; Nones if undecidable."""
        res = self._infer_type(args, kwargs)
        if any(t is None for part in res for t in part):
            return None, None, None
        return res

    def infer_type_partial(self, *args, **kwargs):
        """Like ``infer_type`` but undecidable types come back as None in the lists."""
        return self._infer_type(args, kwargs)

    def _infer_type(self, args, kwargs):
        from .infer import infer_types
        order = self._order()
        known = {k: np_dtype(v) for k, v in _known_by_name(self, order, args, kwargs).items()
                 if v is not None}
        try:
            types = infer_types(order, self._outputs, known)
        except MXNetError:
            _print_infer_error("infer_type", args, kwargs)
            raise
        aux = aux_node_ids(order)
        argn = [n for n in order if n.op is None and id(n) not in aux]
        auxn = [n for n in order if n.op is None and id(n) in aux]
        arg_t = [types.get((id(n), 0)) for n in argn]
        out_t = [types.get((id(n), i)) for n, i in self._outputs]
        aux_t = [types.get((id(n), 0)) for n in auxn]

        def cls(ts):
            return [None if t is None else np.dtype(t).type for t in ts]
        return cls(arg_t), cls(out_t), cls(aux_t)

    # -- serialisation --------------------------------------------------------------------
    def tojson(self, remove_amp_cast=True):
        """The graph as MXNet 1.9.1's JSON text (byte-identical); by default without AMP's casts."""
        from .json_io import to_json
        return to_json(self._without_amp_casts() if remove_amp_cast else self)

    def save(self, fname, remove_amp_cast=True):
        """Write ``tojson()`` to ``fname``; by default without the casts AMP inserted."""
        with open(fname, "w") as f:
            f.write(self.tojson(remove_amp_cast))

    def _without_amp_casts(self):
        """A copy whose ``amp_cast``/``amp_multicast`` nodes are bypassed (each output of one is
        replaced by the matching input)."""
        order = topo_order(self._outputs)
        if not any(n.op is not None and n.op.name in ("amp_cast", "amp_multicast") for n in order):
            return self
        new = {}

        def entry(e):
            node, i = e
            while node.op is not None and node.op.name in ("amp_cast", "amp_multicast"):
                node, i = node.inputs[i if node.op.name == "amp_multicast" else 0]
            return (new[id(node)], i)

        for n in order:
            if n.op is None:
                new[id(n)] = n
            elif n.op.name not in ("amp_cast", "amp_multicast"):
                copy = Node(n.op, n.name, n.attrs, [entry(e) for e in n.inputs], n.parsed)
                if n.subgraphs:
                    copy.set_subgraphs(n.subgraphs)
                new[id(n)] = copy
        return Symbol([entry(e) for e in self._outputs])

    def debug_str(self):
        """A readable listing of the graph's nodes, one per line."""
        lines = ["Symbol Outputs:"]
        lines.extend(f"\toutput[{k}]={n.name}({i})" for k, (n, i) in enumerate(self._outputs))
        for n in self._order():
            if n.op is None:
                lines.append(f"Variable:{n.name}")
                continue
            lines.append("-" * 20)
            lines.append(f"Op:{n.op.name}, Name={n.name}")
            lines.append("Inputs:")
            for j, (c, i) in enumerate(n.inputs):
                lines.append(f"\targ[{j}]={c.name}({i})" + (" version=0" if c.op is None else ""))
            if n.attrs:
                lines.append("Attrs:")
                lines.extend(f"\t{k}={v}" for k, v in sorted(n.attrs.items()))
        return "\n".join(lines) + "\n"

    # -- execution ------------------------------------------------------------------------
    def simple_bind(self, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                    shared_arg_names=None, shared_exec=None, shared_buffer=None, **kwargs):
        """Allocate every array from the given input shapes and bind (see ``mx.executor``)."""
        from ..executor import simple_bind
        return simple_bind(self, ctx, grad_req, type_dict, stype_dict, group2ctx, shared_arg_names,
                           shared_exec, shared_buffer, kwargs)

    def bind(self, ctx, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None,
             shared_exec=None):
        """Bind the given arrays to this graph: returns an ``Executor``."""
        from ..executor import bind
        return bind(self, ctx, args, args_grad, grad_req, aux_states, group2ctx, shared_exec)

    def eval(self, ctx=None, **kwargs):
        """Bind ``kwargs`` as the arguments, run forward, return the outputs."""
        from ..context import current_context
        ctx = ctx if ctx is not None else current_context()
        return self.bind(ctx, kwargs).forward()

    def _plan(self):
        """A ``GraphPlan`` that runs this graph on raw arrays without binding."""
        from ..executor import GraphPlan
        return GraphPlan(self)

    def gradient(self, wrt):
        raise NotImplementedError("Symbol.gradient is not implemented (as in MXNet 1.9)")


def _with_plain_keys(attrs):
    out = {}
    for k, v in sorted(attrs.items()):
        out[k] = v
        if k.startswith("__") and k.endswith("__") and k[2:-2] in HIDDEN_KEYS:
            out[k[2:-2]] = v
    return out


def _print_infer_error(what, args, kwargs):
    # MXNet prints the inputs it was given before re-raising an inference failure
    print(f"{what} error. Arguments:")
    for i, v in enumerate(args):
        print(f"  #{i}: {v}")
    for k, v in kwargs.items():
        print(f"  {k}: {v}")


def _known_by_name(sym, order, args, kwargs):
    """Shapes/types given positionally (argument order) or by name."""
    known = {}
    if args:
        if kwargs:
            raise ValueError("Can only specify known argument shapes either by positional or kwargs way.")
        aux = aux_node_ids(order)
        names = [n.name for n in order if n.op is None and id(n) not in aux]
        if len(args) > len(names):
            raise MXNetError(f"infer: {len(args)} positional values given for {len(names)} arguments")
        for n, v in zip(names, args):
            if v is not None:
                known[n] = v
    else:
        inputs = {n.name for n in order if n.op is None}
        for k, v in kwargs.items():
            if k not in inputs:
                raise MXNetError(f"infer: '{k}' is not an input of the symbol; inputs are "
                                 f"{sorted(inputs)}")
            if v is not None:
                known[k] = v
    return known


# -- construction ----------------------------------------------------------------------------
def var(name, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None, stype=None,
        profiler_scope=None, **kwargs):
    """A variable (graph input) named ``name``, with optional shape/dtype/init/lr hints."""
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    attrs = AttrScope.current.get(attr)
    attrs = {hidden_key(k): v for k, v in attrs.items()}
    if shape is not None:
        attrs["__shape__"] = _param_str(None, shape)
    if lr_mult is not None:
        attrs["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attrs["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        from ..base import DTYPE_TO_FLAG
        attrs["__dtype__"] = str(DTYPE_TO_FLAG[np_dtype(dtype)])
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        attrs["__storage_type__"] = str(_STYPE_ID[stype])
    if profiler_scope is not None:
        attrs["__profiler_scope__"] = profiler_scope
    for k, v in kwargs.items():
        if k.startswith("__") and k.endswith("__"):
            attrs[k] = str(v)
        else:
            raise ValueError(f"Attribute name={k} is not supported. Additional attributes must start "
                             f"and end with double underscores, e.g, __yourattr__")
    return Symbol([(Node(None, name, attrs), 0)])


Variable = var


def Group(symbols):
    """One symbol whose outputs are the outputs of ``symbols``, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    return Symbol([e for s in symbols for e in s._outputs])


# initialisers MXNet's operators attach to the input variables they create themselves
_AUX_INIT = {"moving_mean": '["zero", {}]', "moving_var": '["one", {}]'}
_INPUT_INIT = {("LeakyReLU", "gamma"): '["Constant", {"value": 0.25}]'}


def _param_str(p, v):
    if p is not None and p.kind == "dtype" and v is not None and not isinstance(v, str):
        return np.dtype(np_dtype(v)).name
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, type) and issubclass(v, np.generic):
        return np.dtype(v).name
    if isinstance(v, (tuple, list)):
        # NumPy 2 reprs scalars as "np.int64(2)"; MXNet writes the plain number
        v = type(v)(x.item() if isinstance(x, np.generic) else x for x in v)
    return str(v)


def create(op, hint, args, kwargs):
    """Apply ``op`` to symbols: ``args`` positional inputs (then parameters), ``kwargs`` inputs by
    name, parameters, ``name`` and ``attr``; missing inputs become ``<name>_<input>`` variables."""
    name = kwargs.pop("name", None)
    attr = kwargs.pop("attr", None)
    kwargs.pop("out", None)
    if not op.variadic and not callable(op.inputs):
        # an input passed as None is left out, as MXNet's generated functions do
        kwargs = {k: v for k, v in kwargs.items() if v is not None or k not in op.inputs}
    sym_kw = {k: v for k, v in kwargs.items() if isinstance(v, Symbol)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, Symbol)}
    if op.variadic:
        pos = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
        extra = []
    else:
        names = tuple(op.inputs) if not callable(op.inputs) else ()
        pos, extra = [], []
        for a in args:
            (pos if isinstance(a, Symbol) or (len(pos) < len(names) and a is None and not extra)
             else extra).append(a)
        pnames = [p.name for p in op.params]
        for a, pn in zip(extra, pnames):
            params[pn] = a
        if len(extra) > len(pnames):
            raise MXNetError(f"Operator {op.name}: too many positional arguments")
    for a in pos:
        if a is not None and not isinstance(a, Symbol):
            raise TypeError(f"Operator {op.name}: expected Symbol inputs, got {type(a).__name__}")
    if op.variadic and op.variadic in op.param_map:
        params[op.variadic] = len(pos)
    strs, scope_kw = {}, {}
    for k, v in params.items():
        if k.startswith("__") and k.endswith("__"):
            scope_kw[k] = str(v)    # __layout__=... and the like: attributes, kept as given
            continue
        if k in HIDDEN_KEYS and k not in op.param_map:
            # lr_mult=... and the like are symbol attributes, stored under both spellings
            scope_kw[k] = scope_kw[hidden_key(k)] = str(v)
            continue
        strs[k] = _param_str(op.param_map.get(k), v)
    parsed = op.parse_attrs(strs)
    name = NameManager.current.get(name, hint.lower())
    # MXNet passes operator attributes to its graph as text, so attr={"__init__": Xavier()}
    # (GluonCV's SSD feature expander) is stored as str() of the object
    attrs = {hidden_key(k): str(v) for k, v in AttrScope.current.get(attr).items()}
    attrs.update(scope_kw)
    attrs.update(strs)
    node = Node(op, name, attrs, parsed=parsed)
    if op.variadic:
        in_names = op.input_names(parsed, len(pos))
        entries = []
        for a in pos:
            if len(a._outputs) != 1:
                raise MXNetError(f"Operator {op.name}: an input symbol must have exactly one output")
            entries.append(a._outputs[0])
        node.inputs = entries
    else:
        in_names = op.input_names(parsed)
        while len(pos) > len(in_names) and pos[-1] is None:
            pos.pop()  # an omitted optional input (bias=None with no_bias=True)
        if len(pos) > len(in_names):
            raise MXNetError(f"Operator {op.name}: takes {len(in_names)} inputs {in_names}, "
                             f"got {len(pos)}")
        given = dict(zip(in_names, pos))
        for k, v in sym_kw.items():
            if k not in in_names:
                raise MXNetError(f"Operator {op.name}: unknown input '{k}'; inputs are {in_names}")
            given[k] = v
        entries = []
        mutate = set(op.mutated_inputs(parsed))
        for j, n in enumerate(in_names):
            s = given.get(n)
            if s is None:
                vattrs = dict(attrs)
                if j in mutate and n in _AUX_INIT:
                    vattrs["__init__"] = _AUX_INIT[n]
                elif (op.name, n) in _INPUT_INIT:
                    vattrs["__init__"] = _INPUT_INIT[(op.name, n)]
                entries.append((Node(None, f"{name}_{n}", vattrs), 0))
            else:
                if len(s._outputs) != 1:
                    raise MXNetError(f"Operator {op.name}: input '{n}' must have exactly one output, "
                                     f"got a group of {len(s._outputs)}")
                entry = s._outputs[0]
                if j in mutate and n in _AUX_INIT and entry[0].op is None \
                        and "__init__" not in entry[0].attrs:
                    # MXNet marks a user-given moving statistic with its initializer
                    entry[0].attrs["__init__"] = _AUX_INIT[n]
                entries.append(entry)
        node.inputs = entries
    nvis = node.num_visible()
    return Symbol([(node, i) for i in range(nvis)])


def _call(public_name, *args, **kwargs):
    from ..ops.registry import get_op
    return create(get_op(public_name), public_name, args, kwargs)


def load_json(json_str):
    """A symbol from MXNet JSON text (older formats are upgraded)."""
    from .json_io import from_json
    return from_json(json_str)


def load(fname):
    """A symbol from a JSON file written by ``Symbol.save`` (or MXNet); errors name the file."""
    try:
        with open(fname, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise MXNetError(f"load: cannot open {fname!r}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise MXNetError(f"load {fname!r}: not a symbol JSON document ({e})") from None
    try:
        return load_json(text)
    except MXNetError as e:
        raise MXNetError(f"load {fname!r}: {e}") from None


def fromjson(json_str):
    return load_json(json_str)


__all__ = ["Symbol", "Node", "var", "Variable", "Group", "load", "load_json", "fromjson", "create",
           "topo_order", "aux_node_ids"]
