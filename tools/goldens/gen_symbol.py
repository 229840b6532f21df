"""Golden symbols: JSON text, inference results and executor runs recorded under MXNet 1.9.1.

Run: ``cd tools/goldens && MXNET_MKLDNN_ENABLED=0 MXNET_STORAGE_FALLBACK_LOG_VERBOSE=0 \
../../.ref/bin/python gen_symbol.py``.
``NETWORKS`` builds each graph from the ``mx`` module it is given, so tests/test_symbol.py builds
the very same graphs on mxnext and compares the JSON byte for byte.
"""
import json
import os

import numpy as np


def mlp(mx):
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=16, name="fc1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, num_hidden=8)
    h = mx.sym.Activation(h, act_type="tanh")
    h = mx.sym.FullyConnected(h, num_hidden=3, flatten=True)
    return mx.sym.SoftmaxOutput(h, name="softmax"), {"data": (4, 6), "softmax_label": (4,)}


def lenet(mx):
    data = mx.sym.Variable("data")
    c1 = mx.sym.Convolution(data=data, kernel=(3, 3), num_filter=4)
    a1 = mx.sym.Activation(data=c1, act_type="tanh")
    p1 = mx.sym.Pooling(data=a1, pool_type="max", kernel=(2, 2), stride=(2, 2))
    c2 = mx.sym.Convolution(p1, kernel=(3, 3), num_filter=6, pad=(1, 1))
    a2 = mx.sym.relu(c2)
    p2 = mx.sym.Pooling(a2, pool_type="avg", kernel=(2, 2), stride=(1, 1))
    f = mx.sym.Flatten(p2)
    fc = mx.sym.FullyConnected(f, num_hidden=10)
    fc = mx.sym.Activation(fc, act_type="sigmoid")
    fc = mx.sym.FullyConnected(fc, num_hidden=3)
    return mx.sym.SoftmaxOutput(fc, name="softmax"), {"data": (2, 1, 10, 10), "softmax_label": (2,)}


def resblock(mx):
    data = mx.sym.var("data")
    c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=3, no_bias=True, name="conv1")
    b = mx.sym.BatchNorm(c, fix_gamma=False, eps=2e-5, momentum=0.9, name="bn1")
    r = mx.sym.Activation(b, act_type="relu")
    c = mx.sym.Convolution(r, kernel=(3, 3), pad=(1, 1), num_filter=3, no_bias=True, name="conv2")
    b = mx.sym.BatchNorm(c, name="bn2")
    s = mx.sym.relu(b + data)
    p = mx.sym.Pooling(s, global_pool=True, kernel=(1, 1), pool_type="avg")
    out = mx.sym.FullyConnected(mx.sym.flatten(p), num_hidden=2, name="head")
    return out, {"data": (2, 3, 5, 5)}


def multi(mx):
    a = mx.sym.var("a")
    b = mx.sym.var("b", shape=(3, 4))
    s1 = a * b + 2
    s2 = mx.sym.sum(a - b, axis=1, keepdims=True)
    s3 = mx.sym.Concat(a, b, dim=0)
    s4 = mx.sym.broadcast_mul(mx.sym.exp(a / 4), mx.sym.sqrt(b * b + 1))
    parts = mx.sym.split(a, num_outputs=2, axis=1, name="sp")
    s5 = parts[1] - parts[0]
    return mx.sym.Group([s1, s2, s3, s4, s5, a.transpose().reshape((2, -1))]), {"a": (3, 4), "b": (3, 4)}


def scalars(mx):
    x = mx.sym.var("x", lr_mult=2.0, wd_mult=0.0, init=mx.init.Constant(0.5))
    y = mx.sym.Variable("y", shape=(2, 3), dtype="float32", attr={"tag": "yy"})
    with mx.attribute.AttrScope(ctx_group="dev1", lr_mult="0.1"):
        z = (x + 1.5) * 2 - y / 4.0
        z = 1 - z
        z = 3.0 / (z * z + 1)
        z = z ** 2 + 2 ** (-z)
    w = -z + abs(y) % 2
    w = mx.sym.maximum(w, 0.2) + mx.sym.minimum(w, y)
    cmp = (w > y) + (w <= 1) + (w == y) + (w != 0.5)
    with mx.name.Prefix("pre_"):
        d = mx.sym.FullyConnected(w, num_hidden=2, no_bias=True, attr={"__lr_mult__": "3"})
    d._set_attr(__mood__="calm")
    return mx.sym.Group([w, cmp, d]), {"x": (2, 3), "y": (2, 3)}


def json_only(mx):
    """Operators whose JSON matters but whose numbers are random or trivial."""
    data = mx.sym.var("data")
    h = mx.sym.Dropout(data, p=0.3)
    h = mx.sym.Cast(h, dtype="float16")
    h = mx.sym.cast(h, dtype=np.float32)
    h = mx.sym.reshape(h, shape=(0, -1))
    h = mx.sym.Pooling(mx.sym.expand_dims(h, axis=1), kernel=(1,), pool_type="max")
    e = mx.sym.Embedding(mx.sym.var("idx"), input_dim=5, output_dim=3)
    c = mx.sym.Concat(*[mx.sym.var(f"v{i}") for i in range(11)], dim=1)
    return mx.sym.Group([h, e, c, mx.sym.zeros((2, 2)), mx.sym.ones((3,), dtype="int32"),
                         mx.sym.full((2,), 7), mx.sym.arange(0, 4)]), \
        dict({"data": (2, 3), "idx": (2,)}, **{f"v{i}": (1, 2) for i in range(11)})


NETWORKS = {"mlp": mlp, "lenet": lenet, "resblock": resblock, "multi": multi, "scalars": scalars,
            "json_only": json_only}
NUMERIC = ("mlp", "lenet", "resblock", "multi", "scalars")

# an MXNet 0.8-era file: "param" / "attr" / "backward_source_id", two-element entries
OLD_JSON = json.dumps({
    "nodes": [
        {"op": "null", "param": {}, "name": "data", "inputs": [], "backward_source_id": -1},
        {"op": "null", "param": {}, "name": "fc1_weight", "inputs": [], "backward_source_id": -1,
         "attr": {"lr_mult": "2.0"}},
        {"op": "null", "param": {}, "name": "fc1_bias", "inputs": [], "backward_source_id": -1},
        {"op": "FullyConnected", "param": {"no_bias": "False", "num_hidden": "4"}, "name": "fc1",
         "inputs": [[0, 0], [1, 0], [2, 0]], "backward_source_id": -1},
        {"op": "Activation", "param": {"act_type": "relu"}, "name": "relu1", "inputs": [[3, 0]],
         "backward_source_id": -1, "attr": {"ctx_group": "stage1"}},
        {"op": "null", "param": {}, "name": "softmax_label", "inputs": [], "backward_source_id": -1},
        {"op": "SoftmaxOutput", "param": {"grad_scale": "1", "multi_output": "False"}, "name": "softmax",
         "inputs": [[4, 0], [5, 0]], "backward_source_id": -1}],
    "arg_nodes": [0, 1, 2, 5],
    "heads": [[6, 0]]})


def arrays_for(sym, shapes, rng):
    """Deterministic argument / aux values and head gradients for a network."""
    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(**shapes)
    args = {}
    for n, s in zip(sym.list_arguments(), arg_shapes):
        if n.endswith("label"):
            args[n] = rng.randint(0, 3, size=s).astype(np.float32)
        else:
            args[n] = (rng.standard_normal(s) * 0.5).astype(np.float32)
    aux = {}
    for n, s in zip(sym.list_auxiliary_states(), aux_shapes):
        aux[n] = (rng.uniform(0.5, 1.5, size=s) if n.endswith("var") else rng.standard_normal(s) * 0.1
                  ).astype(np.float32)
    ograds = [rng.standard_normal(s).astype(np.float32) for s in out_shapes]
    return args, aux, ograds


def _tup(shapes):
    return [list(s) for s in shapes]


def main():
    import mxnet as mx
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(here, "..", "..", "tests", "goldens", "symbol")
    os.makedirs(out_dir, exist_ok=True)
    meta, arrays = {}, {}
    for name, build in NETWORKS.items():
        with mx.name.NameManager():
            sym, shapes = build(mx)
        a, o, x = sym.infer_shape(**shapes)
        ta, to, tx = sym.infer_type(**{k: "float32" for k in shapes})
        rec = {"json": sym.tojson(), "shapes": {k: list(v) for k, v in shapes.items()},
               "arguments": sym.list_arguments(), "outputs": sym.list_outputs(),
               "aux": sym.list_auxiliary_states(), "inputs": sym.list_inputs(),
               "internals": sym.get_internals().list_outputs(), "attr_dict": sym.attr_dict(),
               "arg_shapes": _tup(a), "out_shapes": _tup(o), "aux_shapes": _tup(x),
               "arg_types": [np.dtype(t).name for t in ta], "out_types": [np.dtype(t).name for t in to]}
        meta[name] = rec
        if name not in NUMERIC:
            continue
        rng = np.random.RandomState(len(name))
        args, aux, ograds = arrays_for(sym, shapes, rng)
        for k, v in list(args.items()) + list(aux.items()):
            arrays[f"{name}/in/{k}"] = v
        for i, g in enumerate(ograds):
            arrays[f"{name}/ograd/{i}"] = g
        ctx = mx.cpu()
        nd_args = {k: mx.nd.array(v) for k, v in args.items()}
        grads = {k: mx.nd.zeros(v.shape) for k, v in args.items() if not k.endswith("label")}
        nd_aux = {k: mx.nd.array(v) for k, v in aux.items()}
        exe = sym.bind(ctx, nd_args, args_grad=grads, grad_req="write", aux_states=nd_aux)
        for i, o in enumerate(exe.forward(is_train=False)):
            arrays[f"{name}/infer/{i}"] = o.asnumpy()
        outs = exe.forward(is_train=True)
        for i, o in enumerate(outs):
            arrays[f"{name}/train/{i}"] = o.asnumpy()
        loss = {"SoftmaxOutput"}
        heads = json.loads(sym.tojson())
        head_ops = [heads["nodes"][h[0]]["op"] for h in heads["heads"]]
        use = None if all(op in loss for op in head_ops) else [mx.nd.array(g) for g in ograds]
        rec["uses_ograds"] = use is not None
        exe.backward(use)
        for k, g in exe.grad_dict.items():
            if g is not None:
                arrays[f"{name}/grad/{k}"] = g.asnumpy()
        for k, v in exe.aux_dict.items():
            arrays[f"{name}/aux_after/{k}"] = v.asnumpy()
    old = mx.sym.load_json(OLD_JSON)
    meta["_old_json"] = {"source": OLD_JSON, "json": old.tojson(), "arguments": old.list_arguments(),
                         "attr_dict": old.attr_dict()}
    with open(os.path.join(out_dir, "symbol.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(out_dir, "symbol.npz"), **arrays)
    print("wrote", len(meta), "networks,", len(arrays), "arrays")


if __name__ == "__main__":
    main()
