"""Export of an MXNet symbol and its parameters to an ONNX model (``mx.onnx.export_model``)."""
import logging

import numpy as np

from ..base import MXNetError
from ._graph import ExportGraph
from ._registry import CONVERTERS, supported_ops

MIN_OPSET = 12
# operators whose result depends on their inputs' shapes only: with static shapes they are
# constants (anchor generation)
SHAPE_ONLY = {"_contrib_MultiBoxPrior"}


def import_onnx():
    """The ``onnx`` package, or an ImportError that says what to install."""
    try:
        import onnx
        import onnx.helper  # noqa: F401
    except ImportError:
        raise ImportError("mx.onnx needs the onnx package: pip install onnx "
                          "(or pip install mxnext[onnx]); running models also needs onnxruntime") from None
    from . import _ops_nn, _ops_tensor, _ops_rnn, _ops_contrib  # noqa: F401  (fill the table)
    return onnx


def get_operator_support(opset_version=None):
    """The sorted names of the MXNet operators that ``export_model`` converts (every opset from
    12 up has the same set)."""
    onnx = import_onnx()
    opset = onnx.defs.onnx_opset_version() if opset_version is None else int(opset_version)
    if opset < MIN_OPSET:
        return []
    return supported_ops()


def _load(sym, params):
    """(Symbol, {name: NDArray}) from objects or from -symbol.json/.params paths."""
    from .. import symbol as _sym
    from ..ndarray import NDArray, load as nd_load
    if isinstance(sym, str):
        sym = _sym.load(sym)
    if isinstance(params, str):
        params = nd_load(params)
    elif isinstance(params, (list, tuple)) and len(params) == 2 and all(isinstance(p, dict) for p in params):
        params = {**params[0], **params[1]}
    if not isinstance(sym, _sym.Symbol) or not isinstance(params, dict):
        raise ValueError("Input sym and params should either be files or objects")
    out = {}
    for k, v in params.items():
        if k.startswith(("arg:", "aux:")):
            k = k[4:]
        out[k] = v.asnumpy() if isinstance(v, NDArray) else np.asarray(v)
    return sym, out


def _infer(order, heads, known_shapes, known_types):
    from ..symbol.infer import infer_shapes, infer_types
    return infer_shapes(order, heads, known_shapes), infer_types(order, heads, known_types)


def _fold(node, values, out_shape):
    """Run ``node`` on constant inputs with the NumPy backend (inference mode)."""
    from ..backend import NUMPY_BACKEND
    from ..ops.registry import OpContext
    attrs = node.parsed
    if not node.inputs and "shape" in attrs:
        # creation operators (_zeros, ...) may leave dimensions to shape inference (0)
        attrs = type(attrs)(attrs, shape=tuple(out_shape))
    with np.errstate(all="ignore"):
        res = node.op.forward(attrs, values, OpContext(NUMPY_BACKEND, False))
    if node.op.save_state:
        res = res[0]
    res = res if isinstance(res, (tuple, list)) else (res,)
    return [np.asarray(r) for r in res]


def export_model(sym, params, in_shapes=None, in_types=np.float32, onnx_file_path='model.onnx',
                 verbose=False, dynamic=False, dynamic_input_shapes=None, run_shape_inference=False,
                 input_type=None, input_shape=None, *, opset_version=None):
    """Write ``sym`` with ``params`` as an ONNX model to ``onnx_file_path``; returns the path.

    ``sym``: a Symbol or the path of a ``-symbol.json``; ``params``: a dict of parameters
    (arguments and auxiliary states), a list ``[arg_params, aux_params]``, or the path of a
    ``.params`` file.  ``in_shapes``/``in_types``: the shapes and dtypes of the inputs (the
    arguments without a parameter, in graph order).  ``dynamic``: leave input dimensions
    free, those that are None in ``dynamic_input_shapes`` (every dimension when it is not
    given).  ``input_shape``/``input_type`` are older names of ``in_shapes``/``in_types``.
    ``opset_version`` (an mxnext addition): the ONNX opset to target, 12 or higher; by
    default the newest the installed onnx package knows, as MXNet (ONNX Runtime 1.26 has no
    kernels for the opset-22 forms of RoiAlign, MaxRoiPool and the random operators: 21 suits
    models with those).
    """
    onnx = import_onnx()
    if input_type is not None:
        in_types = input_type
    if input_shape is not None:
        in_shapes = input_shape
    if in_shapes is None:
        raise ValueError("export_model needs in_shapes, the shapes of the model's inputs")
    opset = onnx.defs.onnx_opset_version() if opset_version is None else int(opset_version)
    if opset < MIN_OPSET:
        raise MXNetError(f"ONNX export supports opset {MIN_OPSET} and newer, got {opset}")
    in_shapes = [tuple(int(d) for d in s) for s in in_shapes]
    if not isinstance(in_types, list):
        in_types = [in_types] * len(in_shapes)
    if len(in_types) != len(in_shapes):
        raise ValueError("The lengths of in_types and in_shapes must equal")
    in_types = [np.dtype(t) for t in in_types]
    sym, params = _load(sym, params)
    model = _build(onnx, sym, params, in_shapes, in_types, opset, dynamic, dynamic_input_shapes, verbose)
    if run_shape_inference:
        try:
            model = onnx.shape_inference.infer_shapes(model)
        except Exception:   # ONNX's inference is advisory here: keep the export as it is
            logging.info("Shape inference failed, original export is kept.")
    data = model.SerializeToString()
    with open(onnx_file_path, "wb") as f:
        f.write(data)
    logging.info("Exported ONNX file %s saved to disk", onnx_file_path)
    return onnx_file_path


def _build(onnx, sym, params, in_shapes, in_types, opset, dynamic, dynamic_input_shapes, verbose):
    order = sym._order()
    heads = sym._outputs
    variables = [n for n in order if n.op is None]
    # the label a training loss layer reads (MXNet names it "<last node>_label") is no input
    ops = [n for n in order if n.op is not None]
    label = f"{ops[-1].name}_label" if ops else None
    inputs, seen = [], set()
    for n in variables:
        if n.name not in params and n.name != label and n.name not in seen:
            seen.add(n.name)
            inputs.append(n)
    if len(inputs) != len(in_shapes):
        raise MXNetError(f"ONNX export: the model has {len(inputs)} inputs without parameters "
                         f"({', '.join(n.name for n in inputs)}) but in_shapes gives {len(in_shapes)} shapes")

    # which input dimensions are dynamic
    dyn = []
    for k, s in enumerate(in_shapes):
        if not dynamic:
            dyn.append([False] * len(s))
        elif dynamic_input_shapes is None:
            dyn.append([True] * len(s))
        else:
            ds = dynamic_input_shapes[k]
            if len(ds) != len(s):
                raise MXNetError(f"ONNX export: dynamic_input_shapes[{k}] = {ds} and in_shapes[{k}] = "
                                 f"{s} differ in rank")
            dyn.append([d is None for d in ds])

    known = {n.name: np.shape(params[n.name]) for n in variables if n.name in params}
    types = {n.name: params[n.name].dtype for n in variables if n.name in params}
    for n, s, t in zip(inputs, in_shapes, in_types):
        known[n.name] = s
        types[n.name] = t
    shapes1, dtypes = _infer(order, heads, known, types)
    shapes2 = shapes1
    if any(any(d) for d in dyn):
        known2 = dict(known)
        for n, s, d in zip(inputs, in_shapes, dyn):
            known2[n.name] = tuple(2 * x if f else x for x, f in zip(s, d))
        try:
            shapes2, _ = _infer(order, heads, known2, types)
        except MXNetError as e:
            logging.warning("ONNX export: the graph does not accept other sizes of its dynamic "
                            "dimensions (%s); shapes are exported as fixed", e)
            shapes2 = shapes1

    g = ExportGraph(onnx, opset)
    tensor = {}     # (id(node), output index) -> ONNX tensor name
    for n in variables:
        g.reserve(n.name)
    graph_inputs = []
    by_name = {n.name: n for n in inputs}
    for n in variables:
        if n.name in by_name:
            tensor[(id(n), 0)] = n.name
        elif n.name == label and n.name not in params:
            tensor[(id(n), 0)] = ""
    for n, s, t, d in zip(inputs, in_shapes, in_types, dyn):
        g.shapes[n.name] = (s, shapes2[(id(n), 0)])
        g.dtypes[n.name] = t
        graph_inputs.append(g.helper.make_tensor_value_info(
            n.name, g.onnx_dtype(t), [None if f else x for x, f in zip(s, d)]))
    for n in variables:
        if n.name in params:
            arr = params[n.name]
            g.initializers[n.name] = arr
            g.shapes[n.name] = (arr.shape, arr.shape)
            g.dtypes[n.name] = arr.dtype
            tensor[(id(n), 0)] = n.name

    for node in order:
        for j, (c, _) in enumerate(node.inputs):
            g.consumers.setdefault(id(c), []).append((node, j))
    for node in order:
        if node.op is None:
            continue
        g.node_name = node.name
        ins = [tensor[(id(c), i)] for c, i in node.inputs]
        nvis = node.num_visible()
        keys = [(id(node), i) for i in range(nvis)]
        out_shapes = [shapes1.get(k) for k in keys]
        if any(s is None or any(d == 0 for d in s) for s in out_shapes):
            raise MXNetError(f"ONNX export: the shape of {node.name} ({node.op.name}) is unknown; "
                             f"check in_shapes")
        static = all(shapes1[k] == shapes2.get(k) for k in keys)
        g.out_shapes = [(tuple(shapes1[k]), tuple(shapes2[k])) for k in keys]
        foldable = (not node.op.needs_rng or node.op.name == "Dropout") and node.op.name != "Custom"
        shape_only = node.op.name in SHAPE_ONLY and all(g.shape(t) == g.concrete_shape(t) for t in ins)
        if foldable and static and (shape_only or all(g.value(t) is not None for t in ins)):
            values = [g.value(t) if g.value(t) is not None else np.zeros(g.concrete_shape(t), g.dtype(t))
                      for t in ins]
            values = _fold(node, values, shapes1[keys[0]])
            names = [g.const(v.astype(dtypes[k], copy=False), hint=node.name) for v, k in zip(values, keys)]
        else:
            conv = CONVERTERS.get(node.op.name)
            if conv is None:
                raise MXNetError(f"ONNX export: operator {node.op.name} (node '{node.name}') has no ONNX "
                                 f"converter; mx.onnx.get_operator_support() lists the supported operators")
            names = conv(g, node, ins, node.parsed)
            names = [names] if isinstance(names, str) else list(names)
            if verbose:
                logging.info("Converted %s (%s)", node.name, node.op.name)
        for k, t in zip(keys, names):
            tensor[k] = t
            if t and (t not in g.shapes or g.value(t) is None):
                g.shapes[t] = (tuple(shapes1[k]), tuple(shapes2[k]))
                g.dtypes[t] = dtypes[k]

    # graph outputs: named after their node (MXNet's names), "<node>_<output>" for later outputs
    outputs, renames = [], {}
    out_names = sym.list_outputs()
    produced = {o for nd in g.nodes for o in nd.output}
    for (node, i), oname in zip(heads, out_names):
        t = tensor[(id(node), i)]
        want = oname[:-len("_output")] if oname.endswith("_output") else oname
        if want in renames.values() or want == t:
            want = t
        elif t in produced and t not in renames and want not in g.initializers and \
                want not in [v.name for v in graph_inputs]:
            renames[t] = want
        else:
            want = g.unique(want)
            g.nodes.append(g.helper.make_node("Identity", [t], [want], name=g.unique(want + "/Identity")))
        a, b = shapes1[(id(node), i)], shapes2[(id(node), i)]
        outputs.append(g.helper.make_tensor_value_info(
            want, g.onnx_dtype(dtypes[(id(node), i)]), [x if x == y else None for x, y in zip(a, b)]))
    for nd in g.nodes:
        for lst in (nd.input, nd.output):
            for j, name in enumerate(lst):
                if name in renames:
                    lst[j] = renames[name]

    nodes, inits = _prune(g.nodes, {o.name for o in outputs}, g.initializers)
    initializers = [onnx.numpy_helper.from_array(v if v.flags.c_contiguous else v.copy(), name)
                    for name, v in inits.items()]
    graph = g.helper.make_graph(nodes, "mxnet_converted_model", graph_inputs, outputs, initializers)
    model = g.helper.make_model(graph, producer_name="mxnext", opset_imports=[g.helper.make_opsetid("", opset)])
    return model


def _prune(nodes, outputs, initializers):
    """Drop nodes whose results nothing uses and initializers no node reads."""
    needed = set(outputs)
    keep = []
    for nd in reversed(nodes):
        if any(o in needed for o in nd.output):
            keep.append(nd)
            needed.update(i for i in nd.input if i)
    keep.reverse()
    return keep, {k: v for k, v in initializers.items() if k in needed}
