"""``mx.viz``: a Keras-style layer table of a symbol (``print_summary``) and a graphviz drawing
(``plot_network``; needs the optional ``graphviz`` package)."""
import copy
import json
import re
import warnings
from collections import Counter

import numpy as np

from .symbol import Symbol


def _str2tuple(string):
    """'(5, 5)' -> ['5', '5']."""
    return re.findall(r"\d+", string)


def _internal_shapes(symbol, shape):
    internals = symbol.get_internals()
    _, out_shapes, _ = internals.infer_shape(**shape)
    if out_shapes is None:
        raise ValueError("Input shape is incomplete")
    return dict(zip(internals.list_outputs(), out_shapes))


def print_summary(symbol, shape=None, line_length=120, positions=(.44, .64, .74, 1.)):
    """Print one row per operator (and the first input): name(type), output shape (without the
    batch axis; needs ``shape``, a dict of input shapes), parameter count, inputs.

    As in MXNet, parameters are counted for Convolution, FullyConnected, BatchNorm (needs
    ``shape``) and Embedding only."""
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be Symbol")
    show_shape = shape is not None
    shape_dict = _internal_shapes(symbol, shape) if show_shape else {}
    conf = json.loads(symbol.tojson())
    nodes = conf["nodes"]
    # MXNet builds this set from the first head entry [node_id, index, version]: it holds that node
    # id and index 0, which is why the first variable (node 0) is listed as a layer
    heads = set(conf["heads"][0])
    positions = list(positions)
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def print_row(fields):
        line = ""
        for field, pos in zip(fields, positions):
            line += str(field)
            line = line[:pos]
            line += " " * (pos - len(line))
        print(line)

    def input_channels(node, pre_node):
        total = 0
        for item in node["inputs"]:
            inp = nodes[item[0]]
            name = inp["name"]
            if inp["op"] != "null" or item[0] in heads:
                pre_node.append(name)
                if show_shape:
                    key = name + "_output" if inp["op"] != "null" else name
                    if key in shape_dict:
                        total += int(shape_dict[key][1:][0])
        return total

    def layer_params(node, pre_filter):
        op, attrs = node["op"], node.get("attrs", {})
        if op == "Convolution":
            n = pre_filter * int(attrs["num_filter"]) // int(attrs.get("num_group", "1"))
            for k in _str2tuple(attrs["kernel"]):
                n *= int(k)
            return n if attrs.get("no_bias") == "True" else n + int(attrs["num_filter"])
        if op == "FullyConnected":
            hidden = int(attrs["num_hidden"])
            return pre_filter * hidden if attrs.get("no_bias") == "True" else (pre_filter + 1) * hidden
        if op == "BatchNorm":
            return int(shape_dict[node["name"] + "_output"][1]) * 2 if show_shape else 0
        if op == "Embedding":
            return int(attrs["input_dim"]) * int(attrs["output_dim"])
        return 0

    def print_layer(node, out_shape):
        pre_node = []
        pre_filter = input_channels(node, pre_node) if node["op"] != "null" else 0
        n_params = layer_params(node, pre_filter)
        print_row([f"{node['name']}({node['op']})", "x".join(str(x) for x in out_shape), n_params,
                   pre_node[0] if pre_node else ""])
        for extra in pre_node[1:]:
            print_row(["", "", "", extra])
        return n_params

    print("_" * line_length)
    print_row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"])
    print("=" * line_length)
    total_params = 0
    for i, node in enumerate(nodes):
        op = node["op"]
        if op == "null" and i > 0:
            continue
        out_shape = []
        if op != "null" or i in heads:
            if show_shape:
                key = node["name"] + "_output" if op != "null" else node["name"]
                if key in shape_dict:
                    out_shape = shape_dict[key][1:]
        total_params += print_layer(node, out_shape)
        print(("=" if i == len(nodes) - 1 else "_") * line_length)
    print(f"Total params: {total_params}")
    print("_" * line_length)


_WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean", "_running_var",
                    "_running_mean")
_COLORS = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#fccde5")


def _node_label_color(node):
    op, name, attrs = node["op"], node["name"], node.get("attrs", {})
    if op == "null":
        return name, _COLORS[0]
    if op == "Convolution":
        stride = "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1"
        return (f"Convolution\n{'x'.join(_str2tuple(attrs['kernel']))}/{stride}, {attrs['num_filter']}",
                _COLORS[1])
    if op == "FullyConnected":
        return f"FullyConnected\n{attrs['num_hidden']}", _COLORS[1]
    if op == "BatchNorm":
        return name, _COLORS[3]
    if op == "Activation":
        return f"Activation\n{attrs['act_type']}", _COLORS[2]
    if op == "LeakyReLU":
        return f"LeakyReLU\n{attrs.get('act_type', 'Leaky')}", _COLORS[2]
    if op == "Pooling":
        kernel = "x".join(_str2tuple(attrs["kernel"])) if "kernel" in attrs else "[]"
        stride = "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1"
        return f"Pooling\n{attrs['pool_type']}, {kernel}/{stride}", _COLORS[4]
    if op in ("Concat", "Flatten", "Reshape"):
        return name, _COLORS[5]
    if op == "Softmax":
        return name, _COLORS[6]
    return (attrs["op_type"] if op == "Custom" else name), _COLORS[7]


def plot_network(symbol, title="plot", save_format="pdf", shape=None, dtype=None, node_attrs=None,
                 hide_weights=True):
    """A ``graphviz.Digraph`` of ``symbol``: one node per operator and input, edges labelled with
    the shapes (without the batch axis) and dtypes when ``shape``/``dtype`` dicts are given."""
    try:
        from graphviz import Digraph
    except ImportError as err:
        raise ImportError("Draw network requires graphviz library (pip install graphviz; "
                          "rendering also needs the Graphviz binaries)") from err
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be a Symbol")
    internals = symbol.get_internals()
    shape_dict = _internal_shapes(symbol, shape) if shape is not None else None
    type_dict = None
    if dtype is not None:
        _, out_types, _ = internals.infer_type(**dtype)
        if out_types is None:
            raise ValueError("Input type is incomplete")
        type_dict = dict(zip(internals.list_outputs(), out_types))
    nodes = json.loads(symbol.tojson())["nodes"]
    repeated = sorted(n for n, k in Counter(x["name"] for x in nodes).items() if k > 1)
    if repeated:
        # nodes are keyed by name in the drawing, so repeated names merge nodes (maybe into a cycle)
        warnings.warn("There are multiple variables with the same name in your graph, this may result "
                      "in cyclic graph. Repeated names: " + ",".join(repeated), RuntimeWarning,
                      stacklevel=2)
    node_attr = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034", "style": "filled"}
    node_attr.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)
    hidden = set()
    for node in nodes:
        attr = copy.deepcopy(node_attr)
        if node["op"] == "null":
            # parameters are never drawn as nodes; with hide_weights their edges go too
            if node["name"].endswith(_WEIGHT_SUFFIXES):
                if hide_weights:
                    hidden.add(node["name"])
                continue
            attr["shape"] = "oval"
        label, attr["fillcolor"] = _node_label_color(node)
        dot.node(name=node["name"], label=label, **attr)
    for node in nodes:
        if node["op"] == "null":
            continue
        inputs = node["inputs"][:1] if node["op"] == "_contrib_BilinearResize2D" else node["inputs"]
        for item in inputs:
            inp = nodes[item[0]]
            name = inp["name"]
            if name in hidden:
                continue
            attr = {"dir": "back", "arrowtail": "open", "label": ""}
            key = name
            if inp["op"] != "null":
                key = name + "_output"
                if "num_outputs" in inp.get("attrs", {}):
                    key += str(int(inp["attrs"]["num_outputs"]) - 1)
            if shape_dict is not None:
                attr["label"] = "x".join(str(x) for x in shape_dict[key][1:])
            if type_dict is not None:
                attr["label"] += f"({np.dtype(type_dict[key]).name})"
            dot.edge(tail_name=node["name"], head_name=name, **attr)
    return dot
