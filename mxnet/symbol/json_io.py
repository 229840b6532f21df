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
    """Rebuild a ``Symbol`` from MXNet JSON text."""
    try:
        g = json.loads(text)
        return _read_graph(g)
    except (ValueError, KeyError, TypeError, IndexError) as e:
        raise MXNetError(f"load_json: not a symbol JSON document ({e})") from None


def _read_graph(g):
    from ..ops.registry import get_op
    jnodes = g["nodes"]
    heads = g["heads"]
    nodes = []
    for jn in jnodes:
        opname = jn.get("op", "null")
        op = None if opname == "null" else get_op(opname)
        attrs = _node_attrs(jn, op)
        inputs = [(nodes[e[0]], e[1]) for e in jn.get("inputs", [])]
        node = Node(op, jn["name"], attrs, inputs)
        if jn.get("subgraphs"):
            node.set_subgraphs([_read_graph(sg) for sg in jn["subgraphs"]])
        nodes.append(node)
    return Symbol([(nodes[h[0]], h[1]) for h in heads])
