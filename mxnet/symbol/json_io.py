"""Symbol JSON, byte-identical to MXNet 1.9.1's ``tojson()``; reading upgrades older formats.

The text layout is dmlc's JSON writer: objects and arrays open multi-line (``", \\n"`` between
items, two spaces per level) except arrays of at most 10 plain values (integers, input entries)
and objects with at most one key, which stay on one line.
"""
import json

from ..attribute import HIDDEN_KEYS
from ..base import MXNetError
from .symbol import Node, Symbol, topo_order

MXNET_VERSION = 10901


class _Writer:
    """dmlc::JSONWriter's formatting: separators, indentation and string escapes."""

    def __init__(self):
        self.out = []
        self.multi = []
        self.count = []

    def _sep(self):
        if not self.multi or self.multi[-1]:
            self.out.append("\n" + " " * (2 * len(self.multi)))

    def begin(self, ch, multi):
        self.out.append(ch)
        self.multi.append(multi)
        self.count.append(0)

    def end(self, ch):
        multi, n = self.multi.pop(), self.count.pop()
        if multi and n:
            self._sep()
        self.out.append(ch)

    def key(self, k):
        if self.count[-1]:
            self.out.append(", ")
        self._sep()
        self.out.append(f'"{k}": ')
        self.count[-1] += 1

    def item(self):
        if self.count[-1]:
            self.out.append(", ")
        self.count[-1] += 1
        self._sep()

    def string(self, s):
        s = (s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
             .replace('"', '\\"'))
        self.out.append(f'"{s}"')

    def ints(self, values):
        self.begin("[", len(values) > 10)
        for v in values:
            self.item()
            self.out.append(str(int(v)))
        self.end("]")

    def entries(self, entries):
        self.begin("[", len(entries) > 10)
        for e in entries:
            self.item()
            self.ints(e)
        self.end("]")

    def str_map(self, d):
        self.begin("{", len(d) > 1)
        for k in sorted(d):
            self.key(k)
            self.string(d[k])
        self.end("}")


# operators whose MXNet implementation computes outputs it never shows (sort's indices, det's LU
# factors, ...): node_row_ptr counts them
_HIDDEN_OUTPUTS = {"sort": 2, "topk": 2, "_npi_std": 2, "_npi_var": 2, "_npi_normal": 2,
                   "_linalg_det": 3}


def json_num_outputs(node):
    """Outputs as MXNet's oneDNN build counts them in ``node_row_ptr``: max-pooling there keeps a
    hidden workspace output, which the JSON records although no consumer can see it."""
    n = node.num_outputs()
    if node.op is not None and node.op.name in _HIDDEN_OUTPUTS:
        if node.op.name != "topk" or node.parsed.get("ret_typ", "indices") == "value":
            n = max(n, _HIDDEN_OUTPUTS[node.op.name])
    if node.op is not None and node.op.name == "Pooling":
        a = node.parsed
        layout = a.get("layout")
        if (a.get("pool_type", "max") == "max" and 1 <= len(a.get("kernel") or ()) <= 3
                and layout in (None, "NCW", "NCHW", "NCDHW")):
            n = max(n, 2)
    return n


def entry_versions(order):
    """NNVM's variable versions: each operator that mutates a variable bumps its version, and every
    later read of the variable records the version it saw."""
    version = {}
    out = {}
    for n in order:
        if n.op is None:
            continue
        vs = []
        mut = set(n.op.mutated_inputs(n.parsed))
        for j, (c, _) in enumerate(n.inputs):
            if c.op is None:
                v = version.get(id(c), 0)
                if j in mut:
                    v += 1
                    version[id(c)] = v
                vs.append(v)
            else:
                vs.append(0)
        out[id(n)] = vs
    return out


def to_json(sym):
    w = _Writer()
    _write_graph(w, sym, True)
    return "".join(w.out)


def _write_graph(w, sym, top):
    """One graph object; a control-flow node's bodies follow its inputs as nested graphs
    (without the graph attributes, which only the top level has)."""
    order = topo_order(sym._outputs)
    index = {id(n): i for i, n in enumerate(order)}
    versions = entry_versions(order)
    w.begin("{", True)
    w.key("nodes")
    w.begin("[", True)
    for n in order:
        w.item()
        w.begin("{", True)
        w.key("op")
        w.string("null" if n.op is None else n.op.name)
        w.key("name")
        w.string(n.name)
        if n.attrs:
            w.key("attrs")
            w.str_map(n.attrs)
        w.key("inputs")
        vs = versions.get(id(n), ())
        w.entries([(index[id(c)], i, v) for (c, i), v in zip(n.inputs, vs)])
        if n.subgraphs:
            w.key("subgraphs")
            w.begin("[", True)
            for g in n.subgraphs:
                w.item()
                _write_graph(w, g, False)
            w.end("]")
        w.end("}")
    w.end("]")
    w.key("arg_nodes")
    w.ints([i for i, n in enumerate(order) if n.op is None])
    w.key("node_row_ptr")
    ptr = [0]
    for n in order:
        ptr.append(ptr[-1] + json_num_outputs(n))
    w.ints(ptr)
    w.key("heads")
    w.entries([(index[id(n)], i, 0) for n, i in sym._outputs])
    if not top:
        w.end("}")
        return
    w.key("attrs")
    from ..util import is_np_shape
    graph_attrs = {"mxnet_version": MXNET_VERSION}
    if is_np_shape():  # MXNet marks graphs written under np shape semantics
        graph_attrs["is_np_shape"] = 1
    w.begin("{", len(graph_attrs) > 1)
    for k in sorted(graph_attrs):
        w.key(k)
        w.begin("[", False)
        w.item()
        w.string("int")
        w.item()
        w.out.append(str(graph_attrs[k]))
        w.end("]")
    w.end("}")
    w.end("}")


def _node_attrs(jn, op):
    """The attribute dict of a JSON node; 0.8-era files keep parameters in "param" and user
    attributes (hidden keys without underscores) in "attr"."""
    attrs = {}
    for k, v in (jn.get("attr") or {}).items():
        attrs[f"__{k}__" if k in HIDDEN_KEYS else k] = v
    attrs.update(jn.get("attrs") or {})
    attrs.update(jn.get("param") or {})
    if op is not None:
        for k in list(attrs):
            if k in HIDDEN_KEYS and k not in op.param_map:
                attrs[f"__{k}__"] = attrs.pop(k)
    return {k: str(v) for k, v in attrs.items()}


def from_json(text):
    """Rebuild a ``Symbol`` from MXNet JSON text; a malformed graph raises MXNetError naming
    what is wrong."""
    try:
        g = json.loads(text)
    except (ValueError, TypeError) as e:
        raise MXNetError(f"load_json: not a symbol JSON document ({e})") from None
    except RecursionError:
        raise MXNetError("load_json: the document is nested too deeply") from None
    try:
        return _read_graph(g)
    except RecursionError:
        raise MXNetError("load_json: the graph's subgraphs are nested too deeply") from None


def _bad(what):
    return MXNetError(f"load_json: malformed symbol JSON: {what}")


def _is_index(v):
    return type(v) is int   # not bool, float or str


def _entry(e, nodes, where):
    """The (node, output index) of a JSON entry [node_id, index(, version)], checked."""
    if not isinstance(e, list) or len(e) not in (2, 3) or not all(_is_index(v) for v in e):
        raise _bad(f"{where}: an entry must be [node_id, output_index, version] integers, got {e!r}")
    nid, out = e[0], e[1]
    if not 0 <= nid < len(nodes):
        raise _bad(f"{where}: node index {nid} does not name an earlier node (0..{len(nodes) - 1})")
    node = nodes[nid]
    n = json_num_outputs(node)
    if not 0 <= out < n:
        raise _bad(f"{where}: output index {out} is out of range for node '{node.name}' "
                   f"({n} output{'s' if n != 1 else ''})")
    if out >= node.num_outputs():
        # counted in MXNet's node_row_ptr (a workspace, LU factors) but never computed here
        raise _bad(f"{where}: output {out} of node '{node.name}' is a hidden output that cannot "
                   "be read")
    return node, out


def _read_graph(g):
    from ..ops.registry import get_op
    if not isinstance(g, dict):
        raise _bad(f"the document must be an object, got {type(g).__name__}")
    jnodes, heads = g.get("nodes"), g.get("heads")
    if not isinstance(jnodes, list) or not isinstance(heads, list):
        raise _bad('"nodes" and "heads" must be lists')
    nodes = []
    for i, jn in enumerate(jnodes):
        if not isinstance(jn, dict):
            raise _bad(f"node {i} must be an object, got {type(jn).__name__}")
        opname, name = jn.get("op"), jn.get("name")
        if not isinstance(opname, str):
            raise _bad(f'node {i} has no "op" string (variables have "op": "null")')
        if not isinstance(name, str):
            raise _bad(f'node {i} has no "name" string')
        for key in ("attrs", "attr", "param"):
            if not isinstance(jn.get(key) or {}, dict):
                raise _bad(f'node {i} ({name}): "{key}" must be an object')
        op = None if opname == "null" else get_op(opname)
        if op is not None and op.param_map:
            # a corrupted or misspelt key would otherwise be dropped, changing the model quietly
            for k in list(jn.get("attrs") or ()) + list(jn.get("param") or ()):
                if k not in op.param_map and k not in HIDDEN_KEYS and not (
                        k.startswith("__") and k.endswith("__")):
                    raise MXNetError(f"Cannot find argument '{k}' of operator {opname} "
                                     f"(node '{name}'); possible arguments: {list(op.param_map)}")
        attrs = _node_attrs(jn, op)
        jin = jn.get("inputs", [])
        if not isinstance(jin, list):
            raise _bad(f'node {i} ({name}): "inputs" must be a list')
        inputs = [_entry(e, nodes, f"input {j} of node {i} ({name})") for j, e in enumerate(jin)]
        node = Node(op, name, attrs, inputs)
        sub = jn.get("subgraphs")
        if sub:
            if not isinstance(sub, list):
                raise _bad(f'node {i} ({name}): "subgraphs" must be a list')
            if op is None:
                raise _bad(f'node {i} ({name}): a variable cannot have "subgraphs"')
            node.set_subgraphs([_read_graph(sg) for sg in sub])
        nodes.append(node)
    return Symbol([_entry(h, nodes, f"head {j}") for j, h in enumerate(heads)])
