"""row_sparse values in the MPI store: two workers started by ``python -m mxnet.tools.launch``.

Skipped where mpi4py or mpiexec is missing (the ``[dist]`` extra); the launcher helpers are
those of test_dist_mpi.py.
"""
import textwrap

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon

from test_dist_mpi import _ok, pytestmark  # noqa: F401  (the same skip condition)


def test_row_sparse_push_and_row_sparse_pull(tmp_path):
    _ok(tmp_path, """
    kv = mx.kv.create("dist_sync")
    r = kv.rank
    shape = (6, 2)
    # worker 1's initial value is ignored: every worker starts from worker 0's
    kv.init("w", mx.nd.array(np.full(shape, r + 1.0)).tostype("row_sparse"))
    rows = [[0, 2], [2, 5]][r]
    g = mx.nd.sparse.row_sparse_array((np.full((2, 2), 10.0 * (r + 1), np.float32), rows), shape=shape)
    kv.push("w", g)
    out = mx.nd.sparse.zeros("row_sparse", shape)
    kv.row_sparse_pull("w", out=out, row_ids=mx.nd.array([5, 2, 0, 2]))
    np.save(f"{OUT}/idx{r}.npy", out.indices.asnumpy())
    np.save(f"{OUT}/val{r}.npy", out.asnumpy())
    """)
    expect = np.zeros((6, 2), np.float32)
    expect[0], expect[2], expect[5] = 10, 30, 20
    for r in range(2):
        assert np.load(tmp_path / f"idx{r}.npy").tolist() == [0, 2, 5]
        np.testing.assert_array_equal(np.load(tmp_path / f"val{r}.npy"), expect)


_EMB = """
from mxnet import autograd, gluon
rng = np.random.RandomState(0)
X = rng.randint(0, 50, size=(16, 3)).astype(np.float32)
Y = rng.uniform(-1, 1, size=(16, 4)).astype(np.float32)
def net_of(kind):
    emb = (gluon.contrib.nn.SparseEmbedding(50, 4) if kind == "sparse_embedding"
           else gluon.nn.Embedding(50, 4, sparse_grad=True))
    emb.initialize(mx.init.Normal(0.5))
    return emb
def weight(emb, kind):
    if kind == "sparse_embedding":
        return emb.weight.row_sparse_data(mx.nd.arange(50)).asnumpy()
    return emb.weight.data().asnumpy()
"""


def _train_two_workers(tmp_path, kind, optimizer, kw):
    # the 1/16 scale is set up front: with a row_sparse weight the store (and its optimizer) exist
    # from the first row_sparse_data, and as in MXNet a distributed store refuses a later change
    kw = dict(kw, rescale_grad=1 / 16)
    _ok(tmp_path, (_EMB, f"""
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    mx.random.seed(3)
    emb = net_of({kind!r})
    tr = gluon.Trainer(emb.collect_params(), {optimizer!r}, {kw!r}, kvstore=kv)
    for step in range(3):
        with autograd.record():
            loss = ((emb(mx.nd.array(X[r::n])).sum(axis=1) - mx.nd.array(Y[r::n])) ** 2).sum()
        loss.backward()
        tr.step(1)
    np.save(f"{{OUT}}/rank{{r}}.npy", weight(emb, {kind!r}))
    """))
    ranks = [np.load(tmp_path / f"rank{r}.npy") for r in range(2)]
    assert np.array_equal(ranks[0], ranks[1])
    # one process, the whole batch (a local store where the weight is row_sparse)
    ns = {"np": np, "mx": mx}
    exec(textwrap.dedent(_EMB), ns)
    mx.random.seed(3)
    emb = ns["net_of"](kind)
    tr = gluon.Trainer(emb.collect_params(), optimizer, kw, kvstore="local")
    for step in range(3):
        with autograd.record():
            loss = ((emb(mx.nd.array(ns["X"])).sum(axis=1) - mx.nd.array(ns["Y"])) ** 2).sum()
        loss.backward()
        tr.step(1)
    np.testing.assert_allclose(ranks[0], ns["weight"](emb, kind), rtol=1e-5, atol=1e-6)


def test_sparse_grad_embedding_two_workers_equal_one_process(tmp_path):
    _train_two_workers(tmp_path, "sparse_grad", "sgd", {"learning_rate": 0.1, "momentum": 0.9})


def test_sparse_embedding_two_workers_equal_one_process(tmp_path):
    _train_two_workers(tmp_path, "sparse_embedding", "adam", {"learning_rate": 0.05})

