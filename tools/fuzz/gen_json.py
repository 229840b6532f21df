"""Symbol JSON cases: graphs made with ``mx.sym`` (dense, convolution, multi-output, embedding,
control flow), their JSON mutated in structure, node and output indices, attributes, operator
names or as text, then loaded (``sym.load_json``, or ``sym.load`` from a file), listed,
shape-inferred, bound and run forward with the C kernels on and off.
"""
import copy
import json
import os

import numpy as np

from .child import workdir

BASES = []        # (name, JSON dict, {input: shape})
_WORDS = ("-1", "0", "1", "(0,)", "(2147483648,)", "(-1, -1)", "nan", "inf", "-inf", "bogus", "",
          "(", "True", "None", "1e308", "(3, 3, 3, 3, 3, 3, 3)", "[]", "{}", "2147483648",
          "-2147483649", "(1,)", "relu", "max", "float16", "int8", "(2, 2)")
_INDICES = (-1, -2, 1, 2, 5, 2**31, -2**31, 2**63, 1.5, "0", None, True)


def prepare():
    if BASES:
        return
    import mxnet as mx
    sym = mx.sym
    d = sym.var("data")
    x = sym.FullyConnected(d, num_hidden=8, name="fc1")
    x = sym.Activation(x, act_type="relu", name="relu1")
    x = sym.BatchNorm(x, name="bn")
    x = sym.FullyConnected(x, num_hidden=3, name="fc2")
    BASES.append(("mlp", sym.SoftmaxOutput(x, name="sm"), {"data": (4, 5)}))
    x = sym.Convolution(d, kernel=(3, 3), pad=(1, 1), num_filter=4, name="conv")
    x = sym.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool")
    x = sym.Flatten(x, name="flat")
    BASES.append(("conv", sym.FullyConnected(x, num_hidden=2, name="fc"), {"data": (2, 1, 8, 8)}))
    parts = sym.SliceChannel(d, num_outputs=2, axis=1, name="split")
    x = sym.Concat(parts[1], parts[0], sym.relu(parts[0]), dim=1, name="cat")
    x = sym.reshape(x, shape=(0, -1), name="resh")
    BASES.append(("multi", sym.Group([sym.sum(x, axis=1, name="total"), parts[1]]),
                  {"data": (3, 4, 2)}))
    e = sym.Embedding(d, input_dim=10, output_dim=4, name="emb")
    BASES.append(("embed", sym.mean(sym.transpose(e, axes=(1, 0, 2)), axis=0), {"data": (2, 3)}))

    def body(data, states):
        return data * states[0], [states[0] + data]
    out, states = sym.contrib.foreach(body, d, [sym.var("s")])
    BASES.append(("foreach", sym.Group([out] + states), {"data": (3, 2), "s": (2,)}))
    BASES[:] = [(n, json.loads(s.tojson()), shapes) for n, s, shapes in BASES]


def _node_mutation(node, j, n, rng, log, names, ops):
    what = int(rng.integers(7))
    if what == 0:                                   # the operator name
        v = [None, 5, "", "bogus", "null", "_foreach"][int(rng.integers(6))] if rng.random() < 0.5 \
            else ops[int(rng.integers(len(ops)))]
        node["op"] = v
        log.append(f"node {j} op={v!r}")
    elif what == 1:                                 # a key removed or retyped
        key = ("op", "name", "inputs", "attrs", "subgraphs")[int(rng.integers(5))]
        if rng.random() < 0.5:
            node.pop(key, None)
            log.append(f"node {j} without {key}")
        else:
            node[key] = [5, None, "x", [], {}, [[0]]][int(rng.integers(6))]
            log.append(f"node {j} {key}={node[key]!r}")
    elif what in (2, 3):                            # an input entry
        ins = node.setdefault("inputs", [])
        if not isinstance(ins, list):
            return
        if not ins or rng.random() < 0.2:
            ins.append([int(rng.integers(0, n + 2)), 0, 0])
            log.append(f"node {j} input added")
            return
        k = int(rng.integers(len(ins)))
        e = ins[k]
        r = rng.random()
        if r < 0.15:
            del ins[k]
            log.append(f"node {j} input {k} removed")
        elif r < 0.3 or not isinstance(e, list):
            ins[k] = [[], [0], [0, 0, 0, 0], 3, "0", None][int(rng.integers(6))]
            log.append(f"node {j} input {k}={ins[k]!r}")
        else:
            pos = int(rng.integers(min(3, len(e)))) if e else 0
            if not e:
                return
            v = _INDICES[int(rng.integers(len(_INDICES)))] if rng.random() < 0.7 else \
                [j, j + 1, n, n - 1][int(rng.integers(4))]
            e[pos] = v
            log.append(f"node {j} input {k}[{pos}]={v!r}")
    elif what in (4, 5):                            # an attribute
        attrs = node.get("attrs")
        if not isinstance(attrs, dict):
            attrs = node["attrs"] = {}
        keys = list(attrs)
        r = rng.random()
        if keys and r < 0.5:
            key = keys[int(rng.integers(len(keys)))]
            attrs[key] = _WORDS[int(rng.integers(len(_WORDS)))]
            log.append(f"node {j} {key}={attrs[key]!r}")
        elif keys and r < 0.7:
            key = keys[int(rng.integers(len(keys)))]
            v = attrs.pop(key)
            new = key.swapcase() if rng.random() < 0.5 else key[:-1]
            attrs[new] = v
            log.append(f"node {j} attr {key}->{new}")
        elif keys and r < 0.8:
            key = keys[int(rng.integers(len(keys)))]
            del attrs[key]
            log.append(f"node {j} attr {key} removed")
        else:
            key = ["kernel", "num_hidden", "axis", "dilaTe", "__shape__", "__dtype__", "num_outputs",
                   "shape", "p", "__init__"][int(rng.integers(10))]
            attrs[key] = _WORDS[int(rng.integers(len(_WORDS)))]
            log.append(f"node {j} attr {key}={attrs[key]!r} added")
    else:                                           # the name
        node["name"] = names[int(rng.integers(len(names)))] if rng.random() < 0.7 else "x" * 3
        log.append(f"node {j} name={node['name']!r}")


def _mutate(g, rng, log, ops):
    nodes = g.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        return
    n = len(nodes)
    r = rng.random()
    if r < 0.6:
        j = int(rng.integers(n))
        node = nodes[j]
        if not isinstance(node, dict):
            return
        sub = node.get("subgraphs")
        if isinstance(sub, list) and sub and isinstance(sub[0], dict) and rng.random() < 0.5:
            log.append(f"in subgraph of node {j}:")
            _mutate(sub[0], rng, log, ops)
            return
        names = [x.get("name") for x in nodes if isinstance(x, dict)]
        _node_mutation(node, j, n, rng, log, names, ops)
    elif r < 0.7:                                   # a node replaced, removed, duplicated, moved
        j = int(rng.integers(n))
        k = int(rng.integers(4))
        if k == 0:
            nodes[j] = [5, None, "x", [], {}][int(rng.integers(5))]
        elif k == 1:
            del nodes[j]
        elif k == 2:
            nodes.insert(j, copy.deepcopy(nodes[int(rng.integers(n))]))
        else:
            nodes.insert(int(rng.integers(n)), nodes.pop(j))
        log.append(f"node {j} {['replaced', 'removed', 'duplicated', 'moved'][k]}")
    else:                                           # the top level
        key = ("heads", "arg_nodes", "node_row_ptr", "attrs", "nodes")[int(rng.integers(5))]
        v = [[], [[n, 0, 0]], [[0, 5, 0]], [[-1, 0, 0]], None, 5, {"a": 1}, [[0]], [0, 1],
             ["int", -1], [[[[[[0]]]]]]][int(rng.integers(11))]
        g[key] = v
        log.append(f"{key}={v!r}")


class JsonCase:
    def __init__(self, seed, i):
        prepare()
        from mxnet.ops import registry
        rng = np.random.default_rng([seed, i, 2])
        self.base, g, self.shapes = BASES[i % len(BASES)]
        g = copy.deepcopy(g)
        log = []
        ops = sorted(registry.all_names())
        for _ in range(int(rng.integers(1, 4))):
            _mutate(g, rng, log, ops)
        text = json.dumps(g)
        if rng.random() < 0.1:                      # the text itself
            k = int(rng.integers(len(text) + 1))
            if rng.random() < 0.5:
                text = text[:k]
                log.append(f"text cut at {k}")
            else:
                text = text[:k] + "]}[{\"'\\"[int(rng.integers(7))] + text[k + 1:]
                log.append(f"text char {k} changed")
        if rng.random() < 0.02:
            text = '{"nodes": ' + "[" * 100000 + "]" * 100000 + "}"
            log = ["nodes nested 100000 deep"]
        self.text = text
        self.from_file = bool(rng.integers(2))
        self.data = [np.random.default_rng([seed, i]).standard_normal(s).astype(np.float32)
                     for s in self.shapes.values()]
        self.desc = f"{self.base}{' (file)' if self.from_file else ''}: {'; '.join(log) or 'unchanged'}"

    def _load(self):
        import mxnet as mx
        if not self.from_file:
            return mx.sym.load_json(self.text)
        path = os.path.join(workdir(), f"graph{os.getpid()}.json")
        with open(path, "w") as f:
            f.write(self.text)
        try:
            return mx.sym.load(path)
        finally:
            os.unlink(path)

    def _forward(self, sym):
        import mxnet as mx
        mx.random.seed(1234)       # random operators draw the same on both kernel paths
        ex = sym.simple_bind(mx.cpu(), grad_req="null", **self.shapes)
        for name, a in zip(self.shapes, self.data):
            ex.arg_dict[name][:] = a
        for name, arr in ex.arg_dict.items():
            if name not in self.shapes:
                arr[:] = 0.5
        return [o.asnumpy() for o in ex.forward(is_train=False)]

    def run(self):
        from mxnet.ops import _accel
        from .outcome import classify, judge_pair
        try:
            sym = self._load()
        except Exception as e:
            return classify(e, names=(os.path.join(workdir(), f"graph{os.getpid()}.json"),)
                            if self.from_file else ())
        try:
            sym.list_arguments()
            sym.list_outputs()
            sym.list_auxiliary_states()
            sym.infer_shape(**self.shapes)
            sym.infer_type(**{k: np.float32 for k in self.shapes})
            sym.tojson()
        except Exception as e:
            return classify(e)
        got = []
        for jit in (True, False):
            before = _accel.set_jit(jit)
            try:
                got.append(("ok", self._forward(sym)))
            except Exception as e:
                got.append(classify(e))
            finally:
                _accel.set_jit(before)
        return judge_pair(got)


def make_case(seed, i):
    return JsonCase(seed, i)


def default_count():
    return 2000
