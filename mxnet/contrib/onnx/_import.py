"""Import of ONNX models into mxnext symbols (``mx.contrib.onnx.import_model``).

Each ONNX node becomes MXNet operators through one function per ONNX operator type
(``IMPORTERS``).  Values are either Symbols or constants (NumPy arrays): initializers,
``Constant`` nodes and anything computed from constants alone (folded with ONNX's reference
evaluator).  ``Shape`` of a Symbol gives a ``ShapeValue`` whose entries stay tied to the
tensor's dimensions, so that PyTorch's ``x.view(x.size(0), -1)`` pattern imports as MXNet's
``Reshape(shape=(0, -1))`` and keeps the batch dimension free.
"""
import numpy as np

from ...base import MXNetError

IMPORTERS = {}      # ONNX op type -> fn(imp, node, ins, attrs) -> value or list of values


def importer(*op_types):
    def deco(fn):
        for t in op_types:
            IMPORTERS[t] = fn
        return fn
    return deco


def import_onnx():
    try:
        import onnx
        import onnx.numpy_helper  # noqa: F401
        import onnx.shape_inference  # noqa: F401
    except ImportError:
        raise ImportError("mx.contrib.onnx needs the onnx package: pip install onnx "
                          "(or pip install mxnext[onnx])") from None
    from . import _import_ops  # noqa: F401  (fill the table)
    return onnx


def _text(v):
    """ONNX string attributes come as bytes (lists of them too)."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list) and v and isinstance(v[0], bytes):
        return [x.decode() for x in v]
    return v


# the importers that keep a ShapeValue's ties to tensor dimensions
SHAPE_AWARE = {"Shape", "Gather", "Slice", "Concat", "Unsqueeze", "Squeeze", "Cast", "Reshape", "Expand",
               "ConstantOfShape", "Split", "Identity", "Tile"}


class ShapeValue:
    """A 1-D int64 value (or a scalar, ``scalar=True``) computed from tensor shapes: each entry
    an int or ``(symbol, axis)``, a dimension of a Symbol."""

    def __init__(self, entries, scalar=False):
        self.entries = list(entries)
        self.scalar = scalar


class RepeatedSize(ShapeValue):
    """A size repeated as many times as another size says (``Tile`` of a dimension by the batch
    size: the full-length ``sequence_lens`` MXNet writes for its recurrent layers)."""

    def __init__(self, entry, count):
        super().__init__([entry])
        self.count = count


class Importer:
    """State of one import: values by ONNX name, parameters, input shapes."""

    def __init__(self, onnx, model):
        self.onnx = onnx
        self.model = model
        self.graph = model.graph
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        self.values = {}
        self.arg_params = {}
        self.aux_params = {}
        self.input_shapes = {}
        self.node_name = "node"
        self._names = set()
        self._init_names = {}       # id(initializer array) -> its ONNX name
        self._init_vars = {}        # ONNX initializer name -> its variable
        self._ranks = {}            # id(value) -> rank, from ONNX's shape inference

    # -- names and values ----------------------------------------------------------------------
    def unique(self, hint):
        hint = "".join(c if c.isalnum() or c in "_-." else "_" for c in hint) or "node"
        name, k = hint, 0
        while name in self._names:
            k += 1
            name = f"{hint}_{k}"
        self._names.add(name)
        return name

    def op(self, op_name, *inputs, **attrs):
        """Apply the MXNet operator ``op_name`` to Symbols (constants become parameters)."""
        from ...symbol.symbol import _call
        syms = [self.sym(v) if v is not None else None for v in inputs]
        return _call(op_name, *syms, name=self.unique(self.node_name), **attrs)

    def param(self, value, hint=None, aux=False):
        """A variable holding the constant ``value`` as a parameter; an initializer keeps its
        ONNX name (and one variable however many nodes read it)."""
        init = self._init_names.get(id(value))
        if init is not None and hint is None:
            if init not in self._init_vars:
                self._init_vars[init] = self._make_param(value, init, aux)
            return self._init_vars[init]
        return self._make_param(value, self.unique(hint or f"{self.node_name}_const"), aux)

    def _make_param(self, value, name, aux):
        from ... import ndarray as nd
        from ...symbol import var
        value = np.asarray(value)
        if value.dtype == np.float64:
            value = value.astype(np.float32)
        (self.aux_params if aux else self.arg_params)[name] = nd.array(value, dtype=value.dtype)
        return var(name, shape=value.shape, dtype=value.dtype)

    def sym(self, v):
        """``v`` as a Symbol (constants become parameters)."""
        from ...symbol import Symbol
        if isinstance(v, Symbol):
            return v
        return self.param(self.const(v))

    def const(self, v):
        """``v`` as a NumPy array; shape values are read from static shapes."""
        if isinstance(v, ShapeValue):
            out = []
            for e in v.entries:
                if isinstance(e, tuple):
                    shape = self.static_shape(e[0], guess=False)
                    e = shape[e[1]] if e[1] < len(shape) else 0
                out.append(e)
            if isinstance(v, RepeatedSize):
                out = out * int(self.const(v.count).prod())
            if 0 in [o for o, e in zip(out, v.entries) if isinstance(e, tuple)] or \
                    (isinstance(v, RepeatedSize) and 0 in self.const(v.count)):
                raise MXNetError(f"ONNX import: {self.node_name} computes with the size of a dimension the "
                                 f"model leaves open (a named or dynamic input dimension); only reshaping, "
                                 f"slicing and broadcasting by such sizes imports")
            arr = np.asarray(out, dtype=np.int64)
            return arr.reshape(()) if v.scalar else arr
        if isinstance(v, np.ndarray) or np.isscalar(v):
            return np.asarray(v)
        raise MXNetError(f"ONNX import: {self.node_name}: expected a constant input, got a computed tensor")

    def is_const(self, v):
        return isinstance(v, (np.ndarray, ShapeValue, np.generic))

    def static_shape(self, s, guess=True):
        """The shape of Symbol ``s`` for the model's declared input shapes (0: unknown).  Where
        unknown input dimensions leave even the rank open, they are taken as 1 (``guess``)."""
        from ...symbol import Symbol
        if not isinstance(s, Symbol):
            return np.shape(self.const(s))
        shape = self._infer(s, self.input_shapes)
        if not shape and guess:
            shape = self._infer(s, {k: tuple(d or 1 for d in v) for k, v in self.input_shapes.items()})
        return shape

    def _infer(self, s, input_shapes):
        names = set(s.list_inputs())
        known = {k: v for k, v in input_shapes.items() if k in names}
        for params in (self.arg_params, self.aux_params):
            known.update({k: v.shape for k, v in params.items() if k in names})
        try:
            _, out, _ = s.infer_shape_partial(**known)
        except MXNetError:
            return ()
        return tuple(out[0])

    def ndim(self, v):
        """The rank of ``v``; ONNX's own shape inference knows it where open input dimensions
        leave mxnext's inference without a shape."""
        rank = self._ranks.get(id(v))
        if rank is not None:
            return rank
        return len(self.static_shape(v))

    # -- the walk ------------------------------------------------------------------------------
    def run(self):
        from ...symbol import var, Group
        onnx = self.onnx
        inits = {t.name: onnx.numpy_helper.to_array(t) for t in self.graph.initializer}
        onnx_ranks = {}
        try:
            inferred = onnx.shape_inference.infer_shapes(self.model).graph
            for vi in list(inferred.value_info) + list(inferred.output):
                if vi.type.tensor_type.HasField("shape"):
                    onnx_ranks[vi.name] = len(vi.type.tensor_type.shape.dim)
        except Exception:   # ONNX's inference is a help here, not a requirement
            pass
        for name, arr in inits.items():
            self.values[name] = arr
            self._names.add(name)
            self._init_names[id(arr)] = name
        for vi in self.graph.input:
            if vi.name in inits:
                continue
            tt = vi.type.tensor_type
            # an unknown (named) dimension is 0, which shape inference leaves open
            shape = tuple(d.dim_value if d.HasField("dim_value") else 0 for d in tt.shape.dim)
            dtype = onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type)
            self.input_shapes[vi.name] = shape
            self._names.add(vi.name)
            self.values[vi.name] = var(vi.name, dtype=dtype)
        for node in self.graph.node:
            self.node_name = node.name or (node.output[0] if node.output else node.op_type)
            ins = [self.values[i] if i else None for i in node.input]
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            attrs = {k: _text(v) for k, v in attrs.items()}
            if node.domain not in ("", "ai.onnx"):
                raise MXNetError(f"ONNX import: operator {node.domain}.{node.op_type} (node '{self.node_name}') "
                                 f"is not supported")
            consts = ins and all(v is None or self.is_const(v) for v in ins)
            sizes = any(isinstance(v, ShapeValue) for v in ins)
            if consts and node.op_type != "Constant" and not (sizes and node.op_type in SHAPE_AWARE):
                # arithmetic on sizes is evaluated at the declared input sizes
                outs = self._fold(node, ins)
            else:
                fn = IMPORTERS.get(node.op_type)
                if fn is None:
                    raise MXNetError(f"ONNX import: operator {node.op_type} (node '{self.node_name}') is not "
                                     f"supported")
                outs = fn(self, node, ins, attrs)
            outs = outs if isinstance(outs, (list, tuple)) else [outs]
            for name, v in zip(node.output, outs):
                if name:
                    self.values[name] = v
                    if name in onnx_ranks:
                        self._ranks[id(v)] = onnx_ranks[name]
        heads = []
        for o in self.graph.output:
            v = self.values[o.name]
            s = self.sym(v)
            heads.append(s)
        sym = heads[0] if len(heads) == 1 else Group(heads)
        used = set(sym.list_inputs())
        return (sym, {k: v for k, v in self.arg_params.items() if k in used},
                {k: v for k, v in self.aux_params.items() if k in used})

    def _fold(self, node, ins):
        """Evaluate a node whose inputs are all constants."""
        from onnx.reference import ReferenceEvaluator
        h = self.onnx.helper
        names = [f"in{i}" if v is not None else "" for i, v in enumerate(ins)]
        feeds = {n: self.const(v) for n, v in zip(names, ins) if n}
        inputs = [h.make_tensor_value_info(n, h.np_dtype_to_tensor_dtype(feeds[n].dtype), feeds[n].shape)
                  for n in names if n]
        outs = [f"out{i}" for i in range(len(node.output))]
        n2 = h.make_node(node.op_type, names, outs, **{a.name: h.get_attribute_value(a) for a in node.attribute})
        graph = h.make_graph([n2], "fold", inputs, [h.make_empty_tensor_value_info(o) for o in outs])
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", self.opset)])
        res = ReferenceEvaluator(model).run(None, feeds)
        return [np.asarray(r) for r in res]


def import_model(model_file):
    """``(sym, arg_params, aux_params)`` of the ONNX model in ``model_file``."""
    onnx = import_onnx()
    model = onnx.load(model_file)
    return Importer(onnx, model).run()


def get_model_metadata(model_file):
    """``{'input_tensor_data': [(name, shape)], 'output_tensor_data': [(name, shape)]}`` of the
    model's inputs (initializers excluded) and outputs; unknown dimensions read 0."""
    onnx = import_onnx()
    graph = onnx.load(model_file).graph
    inits = {t.name for t in graph.initializer}

    def shape(vi):
        return tuple(d.dim_value for d in vi.type.tensor_type.shape.dim)
    return {"input_tensor_data": [(vi.name, shape(vi)) for vi in graph.input if vi.name not in inits],
            "output_tensor_data": [(vi.name, shape(vi)) for vi in graph.output]}


def import_to_gluon(model_file, ctx):
    """The ONNX model as a Gluon ``SymbolBlock`` with its parameters on ``ctx``."""
    from ...gluon import SymbolBlock
    from ...symbol import var
    sym, arg_params, aux_params = import_model(model_file)
    meta = get_model_metadata(model_file)
    inputs = [var(name) for name, _ in meta["input_tensor_data"]]
    net = SymbolBlock(sym, inputs)
    params = net.collect_params()
    for k, v in list(arg_params.items()) + list(aux_params.items()):
        if k in params:
            params[k]._load_init(v, ctx)
    return net
