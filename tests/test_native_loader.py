"""The C kernels' loader (mxnet/ops/_native.py): the per-user cache, and the silent fall-back to
the NumPy paths when there is no compiler or no writable cache.  Each case runs in a fresh
interpreter, since the library is loaded once per process."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

REPORT = """
import json, sys
from mxnet.ops import _accel
k = _accel.jit()
from mxnet.ops import _native
print(json.dumps({"on": k is not None, "lib": _native.LIBRARY, "reason": _native.REASON}))
"""

TRAIN = """
import json, sys
import numpy as np
import mxnet as mx
from mxnet import autograd, gluon
from mxnet.ops import _accel
net = gluon.nn.HybridSequential()
net.add(gluon.nn.Conv2D(4, 5, activation="relu"), gluon.nn.MaxPool2D(2, 2),
        gluon.nn.BatchNorm(), gluon.nn.Dense(10))
net.initialize(mx.init.Xavier())
net.hybridize()
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
x = mx.nd.array(np.random.RandomState(0).normal(size=(8, 1, 28, 28)))
y = mx.nd.array(np.arange(8) % 10)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
losses = []
for _ in range(3):
    with autograd.record():
        loss = loss_fn(net(x), y)
    loss.backward()
    trainer.step(8)
    losses.append(float(loss.mean().asscalar()))
print(json.dumps({"on": _accel.jit() is not None, "losses": losses,
                  "numba": "numba" in sys.modules}))
"""


def _run(code, **env):
    full = dict(os.environ, PYTHONPATH=ROOT, MXNEXT_JIT="1")
    full.pop("MXNEXT_NATIVE_DEBUG", None)
    full.update(env)
    res = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "", res.stderr  # the normal path and the fall-backs print nothing
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.fixture
def needs_compiler():
    from mxnet.ops import _native
    if not _native.AVAILABLE:
        pytest.skip(f"the C kernels are unavailable: {_native.REASON}")


def test_cache_is_built_once(needs_compiler, tmp_path):
    cache = tmp_path / "cache"
    first = _run(REPORT, MXNEXT_CACHE=str(cache))
    assert first["on"] and os.path.dirname(first["lib"]) == str(cache)
    assert [f for f in os.listdir(cache) if f.endswith(".so")] == [os.path.basename(first["lib"])]
    stat = os.stat(first["lib"])
    second = _run(REPORT, MXNEXT_CACHE=str(cache))
    assert second["lib"] == first["lib"]
    again = os.stat(first["lib"])
    assert (again.st_ino, again.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)  # loaded, not rebuilt


def test_cache_location_from_xdg(needs_compiler, tmp_path):
    got = _run(REPORT, MXNEXT_CACHE="", XDG_CACHE_HOME=str(tmp_path))
    assert got["on"] and os.path.dirname(got["lib"]) == str(tmp_path / "mxnext")


def test_unwritable_cache_builds_for_the_process(needs_compiler, tmp_path):
    # a cache path below a regular file can never be created (whoever runs the tests, root too)
    blocker = tmp_path / "file"
    blocker.write_text("")
    got = _run(REPORT, MXNEXT_CACHE=str(blocker / "cache"))
    assert got["on"], got["reason"]
    assert not got["lib"].startswith(str(blocker))
    assert not os.path.exists(got["lib"])  # the temporary build is removed once loaded


def test_no_compiler_falls_back_to_numpy(tmp_path):
    got = _run(REPORT, CC="/nonexistent/cc", MXNEXT_CACHE=str(tmp_path))
    assert not got["on"] and got["lib"] is None and got["reason"]
    trained = _run(TRAIN, CC="/nonexistent/cc", MXNEXT_CACHE=str(tmp_path))
    assert not trained["on"]
    assert all(v == v for v in trained["losses"]) and trained["losses"][-1] < trained["losses"][0]


def test_failing_compiler_falls_back_to_numpy(tmp_path):
    # a "compiler" that answers --version and fails on anything else
    got = _run(REPORT, CC="sh -c 'test \"$0\" = --version'", MXNEXT_CACHE=str(tmp_path))
    assert not got["on"] and got["reason"]
    assert os.listdir(tmp_path) == []  # no partial library left behind


def test_training_step_never_imports_numba(needs_compiler):
    got = _run(TRAIN)
    assert got["on"] and not got["numba"]
    assert got["losses"][-1] < got["losses"][0]


def test_builds_wherever_there_is_a_compiler():
    """The other kernel tests skip where the library is unavailable; with a C compiler on PATH
    (as in CI) unavailable means the build broke, which must fail here."""
    from mxnet.ops import _native
    if os.environ.get("MXNEXT_JIT", "1") == "0" or _native._compiler() is None:
        pytest.skip("no C compiler here, or the C kernels are switched off")
    assert _native.AVAILABLE, _native.REASON


_THREADS = """
import json, os
import numpy as np
from mxnet.ops import _native
lib, get = _native._openblas()
print(json.dumps({"threads": _native.THREADS, "blas": get() if get else None,
                  "timeout": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
                  "sgd_ok": bool(_native.sgd_update(np.ones(1 << 20, np.float32), np.ones(1 << 20, np.float32),
                                                    None, 0.5, 0.0, 0.0, 1.0, -1.0))}))
"""


@pytest.mark.parametrize("env,want_timeout", [({}, "18"), ({"OPENBLAS_THREAD_TIMEOUT": "26"}, "26"),
                                              ({"OPENBLAS_NUM_THREADS": "1"}, None)])
def test_threads_follow_openblas_and_its_spin_is_shortened(needs_compiler, env, want_timeout):
    """The kernels' threads follow OpenBLAS's; a threaded OpenBLAS gets a short idle spin unless
    the user set OPENBLAS_THREAD_TIMEOUT; a single-threaded one is left alone."""
    # the environment of this process has the spin this test's process set, when it loaded them
    full = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "MXNEXT_THREADS")}
    full.update({"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "PYTHONPATH": ROOT, "MXNEXT_JIT": "1"})
    full.update(env)
    res = subprocess.run([sys.executable, "-c", _THREADS], env=full, capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.strip().splitlines()[-1])
    if got["blas"] is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS here")
    assert got["threads"] == min(got["blas"], os.cpu_count() or 1) and got["sgd_ok"]
    assert got["timeout"] == (want_timeout if got["threads"] > 1 else env.get("OPENBLAS_THREAD_TIMEOUT"))


_FORK = """
import os, sys, threading
import numpy as np
from mxnet.ops import _native
k = _native._K[np.dtype(np.float32)]
x = np.linspace(-1, 1, 1 << 16, dtype=np.float32)
out = np.empty_like(x)

def relu():   # on 2 threads whatever the machine: the pool's workers start here
    k.relu(id(x), id(out), x.size, 2)
    return bool((out == np.maximum(x, 0)).all())

def from_threads():   # two Python threads at once: one holds the pool, the other runs alone
    res = []
    ts = [threading.Thread(target=lambda: res.append(all(relu() for _ in range(200)))) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return res == [True, True]

assert relu() and from_threads()
pid = os.fork()
if pid == 0:   # the child has no workers: it must start its own, not wait for the parent's
    os._exit(0 if relu() and relu() and from_threads() else 3)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""


def test_pool_survives_fork_and_concurrent_callers(needs_compiler):
    env = dict(os.environ, PYTHONPATH=ROOT, MXNEXT_JIT="1")
    res = subprocess.run([sys.executable, "-c", _FORK], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "child 0"


_WIDTHS = """
import numpy as np
from mxnet.ops import _native, _native_lstm, rnn_op, _accel
k = _native._K[np.dtype(np.float32)]
x = np.linspace(-1, 1, 1 << 16, dtype=np.float32)
want = np.maximum(x, 0)
r = np.random.RandomState(0)
T, N, H = 4, 9, 100
xs = r.normal(size=(T, N, 8)).astype(np.float32)
w = [r.normal(size=(4 * H, 8)).astype(np.float32) * 0.3, r.normal(size=(4 * H, H)).astype(np.float32) * 0.3,
     np.zeros(4 * H, np.float32), np.zeros(4 * H, np.float32)]
h0 = np.zeros((N, H), np.float32)
ref = None
for i in range(300):   # jobs of 4, 2 and 3 threads in turn, plain and team (barrier) kernels
    out = np.empty_like(x)
    k.relu(id(x), id(out), x.size, (4, 2, 3)[i % 3])
    assert (out == want).all()
    _native.THREADS = (3, 2, 4)[i % 3]
    y = rnn_op._lstm_forward(np, xs, w, h0, h0)[0]
    ref = y if ref is None else ref
    assert np.array_equal(y, ref)
print("ok")
"""


def test_pool_jobs_of_varying_width(needs_compiler):
    """Consecutive jobs on different numbers of threads, plain and team kernels, give the same
    results (the pool hands each job only to the workers that take part in it)."""
    env = dict(os.environ, PYTHONPATH=ROOT, MXNEXT_JIT="1")
    res = subprocess.run([sys.executable, "-c", _WIDTHS], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "ok"
