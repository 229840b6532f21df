"""Distributed stores on real MPI: two workers started by ``python -m mxnet.tools.launch``.

Skipped where mpi4py or mpiexec is missing (the ``[dist]`` extra).  Each job is a few seconds;
the subprocess timeout turns a hang into a failure.
"""
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

try:
    import mpi4py  # noqa: F401
    _MPIEXEC = (shutil.which("mpiexec", path=os.path.dirname(sys.executable))
                or shutil.which("mpiexec"))
except ImportError:
    _MPIEXEC = None

pytestmark = pytest.mark.skipif(_MPIEXEC is None, reason="needs mpi4py and mpiexec (the [dist] extra)")

_TIMEOUT = 180  # seconds; the jobs take a few, more on a loaded machine


def _launch(tmp_path, body, n=2, env_worker=(), wrap=None):
    """Run ``body`` (text, or a tuple of texts each dedented) on ``n`` workers; returns
    (returncode, stdout + stderr)."""
    script = tmp_path / "worker.py"
    parts = body if isinstance(body, tuple) else (body,)
    script.write_text("import os, sys\nimport numpy as np\nimport mxnet as mx\nOUT = sys.argv[1]\n"
                      + "".join(textwrap.dedent(p) for p in parts))
    worker = [sys.executable, str(script), str(tmp_path)]
    if wrap:
        worker = wrap(worker)
    cmd = [sys.executable, "-m", "mxnet.tools.launch", "-n", str(n), "--launcher", "local"]
    for item in env_worker:
        cmd += ["--env-worker", item]
    proc = subprocess.run(cmd + worker, capture_output=True, text=True, timeout=_TIMEOUT,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


def _ok(tmp_path, body, **kw):
    rc, out = _launch(tmp_path, body, **kw)
    assert rc == 0, out
    return out


_MLP = """
from mxnet import autograd, gluon
def mlp():
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(5, in_units=4, activation="relu"), gluon.nn.Dense(3, in_units=5))
    return net
rng = np.random.RandomState(0)
X = rng.randn(16, 4).astype("f4")
Y = rng.randn(16, 3).astype("f4")
"""


def test_trainer_two_workers_equal_one_process_on_the_global_batch(tmp_path):
    # a 96-byte fusion buffer: the first weight (80 bytes) goes alone, the other three together
    _ok(tmp_path, (_MLP, """
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    # the same seed everywhere, as MXNet's Trainer needs: it takes rank 0's weights into the store
    # only at the first step, after the first backward
    mx.random.seed(100)
    net = mlp()
    net.initialize(mx.init.Normal(0.5))
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9}, kvstore=kv)
    for step in range(3):
        x, y = mx.nd.array(X[r::n]), mx.nd.array(Y[r::n])
        with autograd.record():
            loss = ((net(x) - y) ** 2).sum()
        loss.backward()
        tr.step(16)
    np.save(f"{OUT}/rank{r}.npy", np.concatenate([p.data().asnumpy().ravel()
                                                  for p in net.collect_params().values()]))
    """), env_worker=["MXNEXT_FUSION_THRESHOLD:96"])
    ranks = [np.load(tmp_path / f"rank{r}.npy") for r in range(2)]
    assert np.array_equal(ranks[0], ranks[1])
    # one process, the whole batch
    ns = {"np": np, "mx": mx}
    exec(textwrap.dedent(_MLP), ns)
    mx.random.seed(100)
    net = ns["mlp"]()
    net.initialize(mx.init.Normal(0.5))
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9}, kvstore=None)
    for step in range(3):
        with autograd.record():
            loss = ((net(mx.nd.array(ns["X"])) - mx.nd.array(ns["Y"])) ** 2).sum()
        loss.backward()
        tr.step(16)
    ref = np.concatenate([p.data().asnumpy().ravel() for p in net.collect_params().values()])
    np.testing.assert_allclose(ranks[0], ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("how", ["launcher", "store_hook"])
def test_exception_in_one_worker_aborts_the_job(tmp_path, how):
    # 'launcher': python -m mpi4py (added by the launcher) aborts; 'store_hook': started through
    # sh, so only the store's excepthook can abort.  Without either, rank 0 waits forever.
    wrap = None if how == "launcher" else (lambda cmd: ["sh", "-c", 'exec "$@"', "sh"] + cmd)
    rc, out = _launch(tmp_path, """
    kv = mx.kv.create("dist_sync")
    if kv.rank == 1:
        raise ValueError("worker one failed")
    kv._barrier()
    print("rank 0 passed the barrier", flush=True)
    """, wrap=wrap)
    assert rc != 0
    assert "ValueError: worker one failed" in out
    assert "passed the barrier" not in out


def test_disagreeing_workers_all_raise_naming_key_shapes_dtypes(tmp_path):
    out = _ok(tmp_path, """
    kv = mx.kv.create("dist_sync")
    r = kv.rank
    w = mx.nd.zeros((2, 3)) if r == 0 else mx.nd.zeros((3, 3), dtype="float16")
    try:
        kv.init(["a", "w"], [mx.nd.zeros(2), w])
    except mx.base.MXNetError as e:
        print(f"rank {r} init error: {e}", flush=True)
    kv.init(["b", "c"], [mx.nd.zeros(2), mx.nd.zeros(2)])
    try:
        kv.push("b" if r == 0 else "c", mx.nd.ones(2))
    except mx.base.MXNetError as e:
        print(f"rank {r} push error: {e}", flush=True)
    try:
        if r == 0:
            kv.init("d", mx.nd.zeros(2))
        else:
            kv.push("b", mx.nd.ones(2))
    except mx.base.MXNetError as e:
        print(f"rank {r} operation error: {e}", flush=True)
    kv.push("b", mx.nd.ones(2))  # they agree again: the store still works
    o = mx.nd.zeros(2)
    kv.pull("b", out=o)
    print(f"rank {r} sum {o.asnumpy().tolist()}", flush=True)
    """)
    for r in range(2):
        line = next(ln for ln in out.splitlines() if ln.startswith(f"rank {r} init error"))
        assert "key 'w'" in line
        assert "rank 0: shape (2, 3) dtype float32" in line
        assert "rank 1: shape (3, 3) dtype float16" in line
        line = next(ln for ln in out.splitlines() if ln.startswith(f"rank {r} push error"))
        assert "rank 0: keys ['b']" in line and "rank 1: keys ['c']" in line
        line = next(ln for ln in out.splitlines() if ln.startswith(f"rank {r} operation error"))
        assert "different operations (rank 0: init, rank 1: push)" in line
        assert f"rank {r} sum [2.0, 2.0]" in out


def test_2bit_compression_sums_the_workers_codes_with_residuals(tmp_path):
    out = _ok(tmp_path, """
    kv = mx.kv.create("dist_sync")
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    kv.init(0, mx.nd.zeros(4))
    v = [[0.3, 0.6, -0.7, 0.1], [0.3, 0.2, -0.2, 1.2]][kv.rank]
    o = mx.nd.zeros(4)
    for i in range(2):
        kv.push(0, mx.nd.array(v))
        kv.pull(0, out=o)
        print(f"rank {kv.rank} push {i}: {o.asnumpy().tolist()}", flush=True)
    """)
    # MXNet 1.9.1's 'device' store, the two values pushed from cpu(0) and cpu(1), gives the same
    for r in range(2):
        assert f"rank {r} push 0: [0.0, 0.5, -0.5, 0.5]" in out
        assert f"rank {r} push 1: [1.0, 0.5, -0.5, 0.5]" in out


_MODULE = """
def sym():
    data = mx.sym.Variable("data")
    h = mx.sym.FullyConnected(data, num_hidden=6, name="fc1")
    h = mx.sym.Activation(h, act_type="tanh")
    h = mx.sym.FullyConnected(h, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax")
rng = np.random.RandomState(1)
X = rng.randn(24, 5).astype("f4")
Y = rng.randint(0, 3, 24).astype("f4")
class Keyed(mx.io.NDArrayIter):
    # batches with a bucket key (1 and 2 in turn) for BucketingModule
    def next(self):
        b = super().next()
        b.bucket_key = 1 + (self.cursor // self.batch_size) % 2
        b.provide_data, b.provide_label = self.provide_data, self.provide_label
        return b
def train(mod, x, y, batch):
    it = Keyed(x, y, batch_size=batch)
    mod.fit(it, num_epoch=2, optimizer="sgd", optimizer_params={"learning_rate": 0.5},
            initializer=mx.init.Xavier(), kvstore=KV)
    return np.concatenate([v.asnumpy().ravel() for k, v in sorted(mod.get_params()[0].items())])
def bucket_sym(key):
    return sym(), ("data",), ("softmax_label",)
"""


def test_module_and_bucketing_module_fit_on_two_workers(tmp_path):
    _ok(tmp_path, (_MODULE, """
    KV = "dist_sync"
    from mpi4py import MPI
    r, n = MPI.COMM_WORLD.rank, MPI.COMM_WORLD.size
    mx.random.seed(7 + r)  # different initial weights on each worker
    np.save(f"{OUT}/mod{r}.npy", train(mx.mod.Module(sym()), X[r::n], Y[r::n], 4))
    mx.random.seed(9 + r)
    bm = mx.mod.BucketingModule(bucket_sym, default_bucket_key=1)
    np.save(f"{OUT}/bucket{r}.npy", train(bm, X[r::n], Y[r::n], 4))
    """))
    ns = {"np": np, "mx": mx}
    exec(textwrap.dedent(_MODULE), ns)
    ns["KV"] = "local"
    mx.random.seed(7)  # rank 0's initial weights
    ref = ns["train"](mx.mod.Module(ns["sym"]()), ns["X"], ns["Y"], 8)
    mx.random.seed(9)
    ref_b = ns["train"](mx.mod.BucketingModule(ns["bucket_sym"], default_bucket_key=1), ns["X"], ns["Y"], 8)
    for what, want in (("mod", ref), ("bucket", ref_b)):
        got = [np.load(tmp_path / f"{what}{r}.npy") for r in range(2)]
        assert np.array_equal(got[0], got[1]), what
        np.testing.assert_allclose(got[0], want, rtol=1e-5, atol=1e-6, err_msg=what)


def test_dist_async_applies_every_push_on_rank_0s_weights(tmp_path):
    out = _ok(tmp_path, """
    from mxnet import autograd, gluon
    kv = mx.kv.create("dist_async")
    r = kv.rank
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
    kv.init(100, mx.nd.ones(3) * (5 if r == 0 else 9))  # rank 0's value is the weight
    for i in range(5):
        kv.push(100, mx.nd.ones(3) * (r + 1))  # returns at once; the server applies each push
    kv._barrier()
    o = mx.nd.zeros(3)
    kv.pull(100, out=o)
    print(f"rank {r} w {o.asnumpy().round(4).tolist()}", flush=True)
    # Gluon's Trainer on the async store: a linear model learns y = 2x - 1
    mx.random.seed(r)
    net = gluon.nn.Dense(1, in_units=1)
    net.initialize()
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}, kvstore=kv)
    x = mx.nd.array(np.linspace(-1, 1, 16).reshape(-1, 1))
    for step in range(60):
        with autograd.record():
            loss = ((net(x) - (2 * x - 1)) ** 2).mean()
        loss.backward()
        tr.step(1)
    print(f"rank {r} loss {float(loss.asscalar()):.5f}", flush=True)
    """)
    for r in range(2):
        # 5 - 0.1 * 5 * (1 + 2): all ten pushes applied, whatever their order
        assert f"rank {r} w [3.5, 3.5, 3.5]" in out
        loss = float(out.split(f"rank {r} loss ")[1].split()[0])
        assert loss < 1e-3, out
