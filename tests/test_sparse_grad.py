"""Row-sparse gradients, lazy optimizer updates, row_sparse parameters and stores (issue 13).

Goldens: tests/goldens/sparse_grad.json, written under MXNet 1.9.1 by
tools/goldens/gen_sparse_grad.py.
"""
import json
import os
import tracemalloc

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon, nd
from mxnet.base import MXNetError

GOLD = json.load(open(os.path.join(os.path.dirname(__file__), "goldens", "sparse_grad.json")))
F32 = np.float32
SHAPE = tuple(GOLD["shape"])


@pytest.fixture(autouse=True)
def _quiet_fallback(monkeypatch):
    monkeypatch.setenv("MXNET_STORAGE_FALLBACK_LOG_VERBOSE", "0")


def _rsp(data, indices, shape):
    return nd.sparse.row_sparse_array((np.array(data, F32).reshape(-1, *shape[1:]), indices), shape=shape)


def _make(spec):
    name, stype = spec
    if name == "g":
        return _rsp(GOLD["g_vals"], GOLD["g_rows"], SHAPE)
    if name == "empty":
        return nd.sparse.zeros("row_sparse", SHAPE)
    base = np.array(GOLD[name], F32)
    if stype == "row_sparse":
        return _rsp(base, np.arange(SHAPE[0]), SHAPE)
    return nd.array(base)


def _check(arr, gold, rtol=1e-5, atol=1e-6):
    assert arr.stype == gold["stype"]
    np.testing.assert_allclose(arr.asnumpy(), np.array(gold["dense"], F32), rtol=rtol, atol=atol)
    if gold["stype"] == "row_sparse":
        assert arr.indices.asnumpy().tolist() == gold["indices"]


@pytest.mark.parametrize("case", GOLD["updates"], ids=lambda c: f"{c['op']}-" + "-".join(
    s[1] or s[0] for s in c["inputs"]) + f"-lazy{c['kwargs'].get('lazy_update', '')}")
def test_update_operators_match_mxnet(case, kernels):
    args = [_make(s) for s in case["inputs"]]
    fn = nd.sparse.adagrad_update if case["op"] == "_sparse_adagrad_update" else getattr(nd, case["op"])
    fn(*args, out=args[0], **case["kwargs"])
    _check(args[0], case["weight"])
    for s, gold in zip(args[2:], case["states"]):
        _check(s, gold)


def test_lazy_update_kernels_equal_the_numpy_path(native):
    """The lazy sgd_mom/adam steps run on the gathered rows by the one-pass C kernels: the same
    bits as the NumPy step functions."""
    from kernels_off import numpy_path
    rng = np.random.RandomState(1)
    rows = np.unique(rng.randint(0, 500, 150))
    g = nd.sparse.row_sparse_array((rng.randn(len(rows), 8).astype(F32), rows), shape=(500, 8))
    w0 = rng.randn(500, 8).astype(F32)
    s0 = [rng.rand(500, 8).astype(F32) for _ in range(2)]
    for op, n, kw in (("sgd_mom_update", 1, {"momentum": 0.9, "wd": 0.01, "clip_gradient": 0.3}),
                      ("adam_update", 2, {"wd": 0.01, "rescale_grad": 0.5, "epsilon": 1e-6})):
        def run():
            w, st = nd.array(w0), [nd.array(x) for x in s0[:n]]
            getattr(nd, op)(w, g, *st, out=w, lr=0.1, **kw)
            return [a.asnumpy() for a in [w] + st]
        for a, b in zip(run(), numpy_path(run)):
            assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), op


def test_lazy_update_touches_only_the_gradient_rows():
    w = nd.array(np.array(GOLD["w"], F32))
    before = w.asnumpy()
    nd.sgd_update(w, _make(("g", None)), out=w, lr=0.1, wd=0.5, lazy_update=True)
    untouched = [r for r in range(SHAPE[0]) if r not in GOLD["g_rows"]]
    np.testing.assert_array_equal(w.asnumpy()[untouched], before[untouched])
    assert not np.array_equal(w.asnumpy()[GOLD["g_rows"]], before[GOLD["g_rows"]])


def test_update_operator_errors_as_mxnet():
    g = _make(("g", None))
    with pytest.raises(MXNetError, match="in place"):
        nd.sgd_update(nd.array(np.array(GOLD["w"], F32)), g, lr=0.1)  # no out=weight
    partial = _rsp(np.ones((2, SHAPE[1])), [1, 2], SHAPE)
    with pytest.raises(MXNetError, match="must store all of its"):
        nd.sgd_update(partial, g, out=partial, lr=0.1)
    w = _make(("w", "row_sparse"))
    with pytest.raises(MXNetError, match="_sparse_adagrad_update"):
        nd.sparse.adagrad_update(w, g, _make(("s1", "row_sparse")), out=w, lr=0.1, wd=0.1)
    with pytest.raises(MXNetError, match="_sparse_adagrad_update"):
        nd.sparse.adagrad_update(w, g.tostype("default"), _make(("s1", "row_sparse")), out=w, lr=0.1)


def _grads():
    return [_rsp(b["data"], b["indices"], SHAPE) for b in GOLD["grad_batches"]]


@pytest.mark.parametrize("case", GOLD["optimizers"], ids=lambda c: f"{c['name']}-{c['weight_stype']}-"
                         + "-".join(f"{k}{v}" for k, v in sorted(c["kwargs"].items())))
def test_optimizers_with_row_sparse_gradients_match_mxnet(case):
    opt = mx.optimizer.create(case["name"], **case["kwargs"])
    w = _make(("w", case["weight_stype"]))
    state = opt.create_state_multi_precision(0, w)
    for g in _grads():
        opt.update_multi_precision(0, w, g, state)
    _check(w, case["weight"])


@pytest.mark.parametrize("case", GOLD["sweep"], ids=lambda c: f"{c['name']}-{c['weight_stype']}")
def test_every_optimizer_takes_row_sparse_gradients(case):
    opt = mx.optimizer.create(case["name"], **case["kwargs"])
    w = _make(("w", case["weight_stype"]))
    state = opt.create_state_multi_precision(0, w)
    for g in _grads()[:2]:
        opt.update_multi_precision(0, w, g, state)
    np.testing.assert_allclose(w.asnumpy(), np.array(case["weight"]["dense"], F32), rtol=1e-5, atol=1e-5)
    assert w.stype == case["weight"]["stype"]


def _leaf(stype="row_sparse", req="write"):
    w = nd.array(np.array(GOLD["w"], F32))
    w.attach_grad(grad_req=req, stype=stype)
    return w


def test_embedding_sparse_grad_matches_mxnet():
    w = _leaf()
    with autograd.record():
        y = nd.Embedding(nd.array(GOLD["idx"]), w, input_dim=SHAPE[0], output_dim=SHAPE[1], sparse_grad=True)
    y.backward(nd.array(GOLD["ograd"]))
    _check(w.grad, GOLD["autograd"]["embedding"])
    # only the distinct looked-up rows are stored
    assert w.grad.data.shape == (len(set(GOLD["idx"])), SHAPE[1])
    with autograd.record():
        y = nd.contrib.SparseEmbedding(nd.array(GOLD["idx"]), w, input_dim=SHAPE[0], output_dim=SHAPE[1])
    y.backward(nd.array(GOLD["ograd"]))
    _check(w.grad, GOLD["autograd"]["sparse_embedding"])


def test_dot_csr_weight_gradient_matches_mxnet():
    c = GOLD["csr"]
    lhs = nd.sparse.csr_matrix((c["data"], c["indices"], c["indptr"]), shape=tuple(c["shape"]))
    w = _leaf()
    og = (np.arange(3 * SHAPE[1], dtype=F32).reshape(3, SHAPE[1]) / 4 - 1).astype(F32)
    with autograd.record():
        y = nd.dot(lhs, w)
    y.backward(nd.array(og))
    _check(y, GOLD["autograd"]["dot_out"])
    _check(w.grad, GOLD["autograd"]["dot"])


def test_embedding_gradient_buffer_must_match_sparse_grad():
    for stype, sparse_grad, msg in (("default", True, "sparse_grad = 1"), ("row_sparse", False, "sparse_grad = 0")):
        w = _leaf(stype)
        with autograd.record():
            y = nd.Embedding(nd.array([0, 1]), w, input_dim=SHAPE[0], output_dim=SHAPE[1], sparse_grad=sparse_grad)
        with pytest.raises(MXNetError, match=msg):
            y.backward()


def test_row_sparse_gradients_accumulate_with_grad_req_add():
    # (MXNet 1.9.1 refuses grad_req='add' for these gradients; mxnext sums the rows)
    w = _leaf(req="add")
    for idx in ([0, 2], [2, 5]):
        with autograd.record():
            y = nd.Embedding(nd.array(idx), w, input_dim=SHAPE[0], output_dim=SHAPE[1], sparse_grad=True)
        y.backward()
    assert w.grad.stype == "row_sparse"
    assert w.grad.indices.asnumpy().tolist() == [0, 2, 5]
    expect = np.zeros(SHAPE, F32)
    expect[[0, 5]] = 1
    expect[2] = 2
    np.testing.assert_array_equal(w.grad.asnumpy(), expect)


def test_two_lookups_of_one_table_add_their_rows():
    w = _leaf()
    with autograd.record():
        a = nd.Embedding(nd.array([0, 2, 2]), w, input_dim=SHAPE[0], output_dim=SHAPE[1], sparse_grad=True)
        b = nd.Embedding(nd.array([4]), w * 2, input_dim=SHAPE[0], output_dim=SHAPE[1], sparse_grad=True)
        loss = a.sum() + b.sum()
    loss.backward()
    expect = np.zeros(SHAPE, F32)
    expect[0], expect[2], expect[4] = 1, 2, 2
    np.testing.assert_array_equal(w.grad.asnumpy(), expect)
    assert w.grad.indices.asnumpy().tolist() == [0, 2, 4]


def test_attach_grad_storage_types():
    for a in ("default", "csr", "row_sparse"):
        for g in (None, "default", "csr", "row_sparse"):
            x = nd.zeros((2, 2), stype=a)
            x.attach_grad(stype=g)
            assert x.grad.stype == (g or a)
            assert x.detach().stype == a


def test_kvstore_row_sparse_pull():
    kv = mx.kv.create("local")
    value = np.arange(SHAPE[0] * SHAPE[1], dtype=F32).reshape(SHAPE)
    kv.init("e", nd.array(value).tostype("row_sparse"))
    outs = [nd.sparse.zeros("row_sparse", SHAPE), nd.sparse.zeros("row_sparse", SHAPE, ctx=mx.cpu(1))]
    kv.row_sparse_pull("e", out=outs, row_ids=[nd.array([4, 1, 1]), nd.array([[0], [5]])])
    for o, rows in zip(outs, ([1, 4], [0, 5])):
        assert o.indices.asnumpy().tolist() == rows
        np.testing.assert_array_equal(o.data.asnumpy(), value[rows])
    with pytest.raises(MXNetError, match="row_sparse"):
        kv.row_sparse_pull("e", out=nd.zeros(SHAPE), row_ids=nd.array([1]))
    kv.init("d", nd.array(value))
    with pytest.raises(MXNetError, match="row_sparse"):
        kv.row_sparse_pull("d", out=nd.sparse.zeros("row_sparse", SHAPE), row_ids=nd.array([1]))


def test_sparse_parameter_and_row_sparse_data():
    p = gluon.Parameter("w", shape=SHAPE, stype="row_sparse", grad_stype="row_sparse")
    p.initialize(init="zeros", ctx=[mx.cpu(0), mx.cpu(1)])
    assert p._data[0].indices.shape == (SHAPE[0],)  # as MXNet: every row stored
    with pytest.raises(RuntimeError):
        p.row_sparse_data(nd.array([1]))
    gluon.Trainer([p], "sgd")
    p.set_data(nd.array(np.array(GOLD["w"], F32)))
    got = p.row_sparse_data(nd.array([3, 1], ctx=mx.cpu(1)))
    assert got.stype == "row_sparse" and got.context == mx.cpu(1)
    assert got.indices.asnumpy().tolist() == [1, 3]
    np.testing.assert_array_equal(got.data.asnumpy(), np.array(GOLD["w"], F32)[[1, 3]])
    assert p.grad(mx.cpu(0)).stype == "row_sparse"


def _net(td, kind, ctxs):
    class Net(gluon.Block):
        def __init__(self, embed):
            super().__init__()
            with self.name_scope():
                self.embed = embed
                self.out = gluon.nn.Dense(td["classes"], in_units=td["dim"])

        def forward(self, x):
            return self.out(self.embed(x))

    emb = (gluon.contrib.nn.SparseEmbedding(td["vocab"], td["dim"]) if kind == "sparse_embedding"
           else gluon.nn.Embedding(td["vocab"], td["dim"], sparse_grad=(kind == "sparse_grad")))
    net = Net(emb)
    net.initialize(ctx=ctxs)
    for p, v in zip((net.embed.weight, net.out.weight, net.out.bias), td["init"]):
        p.set_data(nd.array(np.array(v, F32)))
    return net


@pytest.mark.parametrize("case", GOLD["training"], ids=lambda c: f"{c['kind']}-{c['optimizer']}-{c['kvstore']}-"
                         f"{c['ndev']}dev-" + "-".join(f"{k}{v}" for k, v in sorted(c["kwargs"].items())))
def test_gluon_training_matches_mxnet(case):
    td = GOLD["train_data"]
    ctxs = [mx.cpu(i) for i in range(case["ndev"])]
    net = _net(td, case["kind"], ctxs)
    trainer = gluon.Trainer(net.collect_params(), case["optimizer"], case["kwargs"], kvstore=case["kvstore"])
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    losses = []
    for x, y in zip(td["batches"], td["labels"]):
        xs = gluon.utils.split_and_load(nd.array(x), ctxs)
        ys = gluon.utils.split_and_load(nd.array(y), ctxs)
        with autograd.record():
            ls = [loss_fn(net(a), b) for a, b in zip(xs, ys)]
        for loss in ls:
            loss.backward()
        trainer.step(len(x))
        losses.append(sum(loss.sum().asscalar() for loss in ls) / len(x))
    np.testing.assert_allclose(losses, case["losses"], rtol=1e-5)
    if case["kind"] == "sparse_embedding":
        emb = net.embed.weight.row_sparse_data(nd.arange(td["vocab"]))
    else:
        emb = net.embed.weight.data(ctxs[0])
        assert net.embed.weight.grad(ctxs[0]).stype == ("row_sparse" if case["kind"] == "sparse_grad" else "default")
    np.testing.assert_allclose(emb.asnumpy(), np.array(case["embed"], F32), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net.out.weight.data(ctxs[0]).asnumpy(), np.array(case["out_weight"], F32),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net.out.bias.data(ctxs[0]).asnumpy(), np.array(case["out_bias"], F32),
                               rtol=1e-5, atol=1e-5)


def _bag_of_words(seed, n, vocab, length):
    """Sentences of word ids; the label says which of three word groups occurs most."""
    rng = np.random.RandomState(seed)
    x = rng.randint(0, vocab, size=(n, length))
    y = np.argmax(np.stack([np.isin(x, np.arange(k, vocab, 3)).sum(axis=1) for k in range(3)], axis=1)
                  + rng.uniform(0, 0.1, (n, 3)), axis=1)
    return x.astype(F32), y.astype(F32)


def _train_bag(sparse_grad, x, y, vocab, epochs=20, batch=32, hybridize=False):
    class Bag(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.embed = gluon.nn.Embedding(vocab, 8, sparse_grad=sparse_grad)
                self.out = gluon.nn.Dense(3, in_units=8)

        def hybrid_forward(self, F, words):
            return self.out(self.embed(words).mean(axis=1))

    mx.random.seed(11)
    net = Bag()
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1.0})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for _ in range(epochs):
        for i in range(0, len(x), batch):
            xb, yb = nd.array(x[i:i + batch]), nd.array(y[i:i + batch])
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(len(xb))
    return net


def test_sparse_grad_training_equals_dense_training():
    """A bag-of-words classifier trained with sparse_grad=True (hybridized) ends where the dense
    one does (plain SGD without weight decay: a lazy update of untouched rows changes nothing),
    and both learn."""
    vocab = 90
    x, y = _bag_of_words(0, 1024, vocab, 8)
    xt, yt = _bag_of_words(1, 256, vocab, 8)
    sparse, dense = _train_bag(True, x, y, vocab, hybridize=True), _train_bag(False, x, y, vocab)
    assert sparse.embed.weight.grad().stype == "row_sparse"
    for name in ("embed", "out"):
        for ps, pd in zip(getattr(sparse, name).collect_params().values(),
                          getattr(dense, name).collect_params().values()):
            np.testing.assert_allclose(ps.data().asnumpy(), pd.data().asnumpy(), rtol=1e-5, atol=1e-5)
    acc = (sparse(nd.array(xt)).argmax(axis=1).asnumpy() == yt).mean()
    assert acc > 0.75, acc


@pytest.mark.parametrize("hybridize", [False, True])
def test_backward_and_update_memory_follow_the_rows_touched(hybridize):
    """A 200000 x 64 table (51 MB): a step on a 64-row batch allocates a small fraction of it
    (hybridized too: the graph's operators are recorded one by one)."""
    vocab, dim = 200_000, 64
    emb = gluon.nn.Embedding(vocab, dim, sparse_grad=True)
    emb.initialize(mx.init.Uniform(0.1))
    if hybridize:
        emb.hybridize()
    trainer = gluon.Trainer(emb.collect_params(), "adam", {"learning_rate": 0.01})
    idx = nd.array(np.random.RandomState(0).randint(0, vocab, 64))

    def step():
        with autograd.record():
            loss = emb(idx).sum()
        loss.backward()
        trainer.step(64)

    step()  # the optimizer states (two tables) are made on the first step
    before = emb.weight.data().asnumpy()
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert emb.weight.grad().data.shape[0] == len(np.unique(idx.asnumpy()))
    assert peak < vocab * dim * 4 / 20, peak
    changed = np.flatnonzero((emb.weight.data().asnumpy() != before).any(axis=1))
    assert set(changed.tolist()) <= set(idx.asnumpy().astype(int).tolist())
