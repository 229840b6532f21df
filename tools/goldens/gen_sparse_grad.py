"""Golden row-sparse gradients and updates, written under real MXNet 1.9.1.

Records (1) the optimizer update operators on a row_sparse gradient for each storage-type
combination of weight and states (lazy and standard updates, MXNet's dense fallback), (2) the
optimizers of mx.optimizer over three steps with row_sparse gradients, (3) autograd's row_sparse
gradients of Embedding(sparse_grad=True), contrib.SparseEmbedding and dot(csr, weight), and
(4) a Gluon model with a sparse-gradient embedding trained by a Trainer (with and without a
kvstore, and with a row_sparse weight in contrib.nn.SparseEmbedding).

    /work/main/.ref/bin/python tools/goldens/gen_sparse_grad.py   # -> tests/goldens/sparse_grad.json
"""
import json
import os

import numpy as np
import mxnet as mx
from mxnet import nd, autograd, gluon

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "goldens", "sparse_grad.json")
F32 = np.float32
ROWS, COLS = 6, 3
W = (np.arange(ROWS * COLS, dtype=F32).reshape(ROWS, COLS) / 7 - 1).astype(F32)
G_ROWS = [1, 3, 4]
G_VALS = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75], [-2.5, 1.0, 0.125]], F32)
S1 = (np.arange(ROWS * COLS, dtype=F32).reshape(ROWS, COLS) / 11 + 0.1).astype(F32)
S2 = (np.arange(ROWS * COLS, dtype=F32).reshape(ROWS, COLS)[::-1] / 13 + 0.2).astype(F32)


def enc(a):
    """An array as JSON: storage type, dense values, and the stored rows of a row_sparse one."""
    a.wait_to_read()
    d = {"stype": a.stype, "dense": a.asnumpy().astype(np.float64).tolist(), "shape": list(a.shape)}
    if a.stype == "row_sparse":
        d["indices"] = a.indices.asnumpy().tolist()
        d["data"] = a.data.asnumpy().astype(np.float64).tolist()
    return d


def make(spec):
    """The array a spec names: ('w'|'s1'|'s2', stype) or ('g',) or ('empty',)."""
    name, stype = spec
    if name == "g":
        return nd.sparse.row_sparse_array((G_VALS, G_ROWS), shape=(ROWS, COLS))
    if name == "empty":
        return nd.sparse.zeros("row_sparse", (ROWS, COLS))
    base = {"w": W, "s1": S1, "s2": S2}[name]
    arr = nd.array(base)
    if stype == "row_sparse":  # every row stored, as an initialised parameter is
        return nd.sparse.row_sparse_array((base, np.arange(ROWS)), shape=(ROWS, COLS))
    return arr


SGD_KW = {"lr": 0.1, "wd": 0.05, "rescale_grad": 0.5, "clip_gradient": 1.2}
UPDATES = []
for w in ("default", "row_sparse"):
    for lazy in (True, False):
        UPDATES.append(("sgd_update", [("w", w), ("g", None)], dict(SGD_KW, lazy_update=lazy)))
for w, s in (("default", "default"), ("row_sparse", "row_sparse"), ("row_sparse", "default"),
             ("default", "row_sparse")):
    for lazy in (True, False):
        UPDATES.append(("sgd_mom_update", [("w", w), ("g", None), ("s1", s)],
                        dict(SGD_KW, momentum=0.9, lazy_update=lazy)))
        UPDATES.append(("adam_update", [("w", w), ("g", None), ("s1", s), ("s2", s)],
                        dict(SGD_KW, beta1=0.8, beta2=0.95, epsilon=1e-6, lazy_update=lazy)))
UPDATES.append(("sgd_mom_update", [("w", "row_sparse"), ("g", None), ("empty", None)],
                dict(SGD_KW, momentum=0.9)))
UPDATES.append(("adam_update", [("w", "row_sparse"), ("g", None), ("empty", None), ("empty", None)],
                dict(SGD_KW, epsilon=1e-6)))
for s in ("row_sparse", "default"):
    UPDATES.append(("ftrl_update", [("w", "row_sparse"), ("g", None), ("s1", s), ("s2", s)],
                    {"lr": 0.1, "lamda1": 0.05, "beta": 1.0, "wd": 0.05, "rescale_grad": 0.5, "clip_gradient": 1.2}))
for w in ("default", "row_sparse"):
    UPDATES.append(("_sparse_adagrad_update", [("w", w), ("g", None), ("s1", w)],
                    {"lr": 0.1, "epsilon": 1e-5, "rescale_grad": 0.5, "clip_gradient": 1.2}))
UPDATES.append(("rmsprop_update", [("w", "default"), ("g", None), ("s1", "default")],
                {"lr": 0.1, "gamma1": 0.9, "epsilon": 1e-6, "wd": 0.05, "rescale_grad": 0.5}))


def run_updates():
    out = []
    fn = {"_sparse_adagrad_update": nd.sparse.adagrad_update}
    for op, specs, kw in UPDATES:
        args = [make(s) for s in specs]
        f = fn.get(op) or getattr(nd, op)
        f(*args, out=args[0], **kw)
        out.append({"op": op, "inputs": [list(s) for s in specs], "kwargs": kw,
                    "weight": enc(args[0]), "states": [enc(a) for a in args[2:]]})
    return out


def grad_batches():
    """Three row_sparse gradients touching different rows."""
    rng = np.random.RandomState(3)
    res = []
    for rows in ([0, 2, 5], [2, 3], [1, 5]):
        vals = rng.uniform(-1, 1, (len(rows), COLS)).astype(F32)
        res.append({"indices": rows, "data": vals.astype(np.float64).tolist()})
    return res


OPTIMIZERS = [
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, "row_sparse"),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, "default"),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "lazy_update": False}, "row_sparse"),
    ("sgd", {"learning_rate": 0.1, "wd": 0.01}, "default"),
    ("adam", {"learning_rate": 0.05, "wd": 0.01}, "row_sparse"),
    ("adam", {"learning_rate": 0.05, "wd": 0.01}, "default"),
    ("adam", {"learning_rate": 0.05, "lazy_update": False}, "default"),
    ("adagrad", {"learning_rate": 0.1, "eps": 1e-6}, "row_sparse"),
    ("adagrad", {"learning_rate": 0.1, "eps": 1e-6}, "default"),
    ("ftrl", {"learning_rate": 0.1, "lamda1": 0.01, "wd": 0.01}, "row_sparse"),
    ("rmsprop", {"learning_rate": 0.05}, "default"),
]


def run_optimizers(batches):
    out = []
    for name, kw, wst in OPTIMIZERS:
        opt = mx.optimizer.create(name, **kw)
        w = make(("w", wst))
        state = opt.create_state_multi_precision(0, w)
        for b in batches:
            g = nd.sparse.row_sparse_array((np.array(b["data"], F32), b["indices"]), shape=(ROWS, COLS))
            opt.update_multi_precision(0, w, g, state)
        out.append({"name": name, "kwargs": kw, "weight_stype": wst, "weight": enc(w)})
    return out


# every optimizer (SGLD's noise aside) on a dense and on a row_sparse weight with two row_sparse gradients
SWEEP = ["sgd", "nag", "signum", "ftml", "dcasgd", "adam", "rmsprop", "adadelta", "ftrl", "adamax", "nadam",
         "lamb", "lars", "lbsgd"]


def run_sweep(batches):
    out = []
    for name in SWEEP:
        for wst in ("default", "row_sparse"):
            kw = {"wd": 0.01} if name == "adadelta" else {"learning_rate": 0.1, "wd": 0.01}
            opt = mx.optimizer.create(name, **kw)
            w = make(("w", wst))
            state = opt.create_state_multi_precision(0, w)
            for b in batches[:2]:
                g = nd.sparse.row_sparse_array((np.array(b["data"], F32), b["indices"]), shape=(ROWS, COLS))
                opt.update_multi_precision(0, w, g, state)
            out.append({"name": name, "kwargs": kw, "weight_stype": wst, "weight": enc(w)})
    return out


IDX = [4, 0, 4, 2, 5, 0, 4]
OGRAD = (np.arange(len(IDX) * COLS, dtype=F32).reshape(len(IDX), COLS) / 5 - 1).astype(F32)
CSR = {"data": [1.5, -2.0, 0.5, 3.0], "indices": [1, 4, 1, 2], "indptr": [0, 2, 2, 4], "shape": [3, ROWS]}


def run_autograd():
    res = {}
    w = nd.array(W)
    w.attach_grad(stype="row_sparse")
    with autograd.record():
        y = nd.Embedding(nd.array(IDX), w, input_dim=ROWS, output_dim=COLS, sparse_grad=True)
    y.backward(nd.array(OGRAD))
    res["embedding"] = enc(w.grad)
    with autograd.record():
        y = nd.contrib.SparseEmbedding(nd.array(IDX), w, input_dim=ROWS, output_dim=COLS)
    y.backward(nd.array(OGRAD))
    res["sparse_embedding"] = enc(w.grad)
    lhs = nd.sparse.csr_matrix((CSR["data"], CSR["indices"], CSR["indptr"]), shape=tuple(CSR["shape"]))
    og = (np.arange(3 * COLS, dtype=F32).reshape(3, COLS) / 4 - 1).astype(F32)
    with autograd.record():
        y = nd.dot(lhs, w)
    y.backward(nd.array(og))
    res["dot_out"] = enc(y)
    res["dot"] = enc(w.grad)
    return res


VOCAB, DIM, CLASSES = 20, 4, 3
BATCHES = [[3, 7, 7, 1], [12, 3, 19, 0], [5, 5, 8, 14], [7, 0, 11, 2]]
LABELS = [[0, 2, 2, 1], [1, 0, 2, 0], [2, 2, 1, 1], [2, 0, 1, 2]]


class Net(gluon.Block):
    def __init__(self, embed):
        super().__init__()
        with self.name_scope():
            self.embed = embed
            self.out = gluon.nn.Dense(CLASSES, in_units=DIM)

    def forward(self, x):
        return self.out(self.embed(x))


def init_values():
    rng = np.random.RandomState(7)
    return (rng.uniform(-0.5, 0.5, (VOCAB, DIM)).astype(F32), rng.uniform(-0.5, 0.5, (CLASSES, DIM)).astype(F32),
            rng.uniform(-0.1, 0.1, (CLASSES,)).astype(F32))


def train(kind, optimizer, opt_kw, kvstore, ndev=1):
    emb = (gluon.contrib.nn.SparseEmbedding(VOCAB, DIM) if kind == "sparse_embedding"
           else gluon.nn.Embedding(VOCAB, DIM, sparse_grad=(kind == "sparse_grad")))
    net = Net(emb)
    ctxs = [mx.cpu(i) for i in range(ndev)]
    net.initialize(ctx=ctxs)
    ew, ow, ob = init_values()
    net.embed.weight.set_data(nd.array(ew))
    net.out.weight.set_data(nd.array(ow))
    net.out.bias.set_data(nd.array(ob))
    trainer = gluon.Trainer(net.collect_params(), optimizer, opt_kw, kvstore=kvstore)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    losses = []
    for x, y in zip(BATCHES, LABELS):
        xs = gluon.utils.split_and_load(nd.array(x), ctxs)
        ys = gluon.utils.split_and_load(nd.array(y), ctxs)
        with autograd.record():
            ls = [loss_fn(net(a), b) for a, b in zip(xs, ys)]
        for loss in ls:
            loss.backward()
        trainer.step(len(x))
        losses.append(float(sum(loss.sum().asscalar() for loss in ls) / len(x)))
    if kind == "sparse_embedding":
        emb_w = net.embed.weight.row_sparse_data(nd.arange(VOCAB)).asnumpy()
    else:
        emb_w = net.embed.weight.data(ctxs[0]).asnumpy()
    return {"kind": kind, "optimizer": optimizer, "kwargs": opt_kw, "kvstore": kvstore, "ndev": ndev,
            "losses": losses,
            "embed": emb_w.astype(np.float64).tolist(), "out_weight": net.out.weight.data(ctxs[0]).asnumpy().astype(np.float64).tolist(),
            "out_bias": net.out.bias.data(ctxs[0]).asnumpy().astype(np.float64).tolist()}


TRAIN = [("sparse_grad", "sgd", {"learning_rate": 0.5, "momentum": 0.9}, "device"),
         ("sparse_grad", "sgd", {"learning_rate": 0.5}, "local"),
         ("dense", "sgd", {"learning_rate": 0.5}, "device"),
         ("sparse_grad", "adam", {"learning_rate": 0.1}, "device"),
         ("sparse_embedding", "sgd", {"learning_rate": 0.5, "momentum": 0.9}, "local"),
         ("sparse_embedding", "adam", {"learning_rate": 0.1}, "device"),
         ("sparse_grad", "sgd", {"learning_rate": 0.5, "momentum": 0.9}, "device", 2),
         ("sparse_grad", "adam", {"learning_rate": 0.1}, "local", 2),
         ("sparse_embedding", "sgd", {"learning_rate": 0.5}, "local", 2)]


def main():
    batches = grad_batches()
    doc = {"shape": [ROWS, COLS], "w": W.astype(np.float64).tolist(), "g_rows": G_ROWS,
           "g_vals": G_VALS.astype(np.float64).tolist(), "s1": S1.astype(np.float64).tolist(),
           "s2": S2.astype(np.float64).tolist(), "updates": run_updates(), "grad_batches": batches,
           "optimizers": run_optimizers(batches), "sweep": run_sweep(batches), "idx": IDX, "ograd": OGRAD.astype(np.float64).tolist(),
           "csr": CSR, "autograd": run_autograd(),
           "train_data": {"vocab": VOCAB, "dim": DIM, "classes": CLASSES, "batches": BATCHES, "labels": LABELS},
           "training": [train(*t) for t in TRAIN]}
    init = init_values()
    doc["train_data"]["init"] = [a.astype(np.float64).tolist() for a in init]
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=0)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
