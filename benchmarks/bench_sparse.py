"""Sparse workloads, mxnext side by side with real MXNet 1.9.1 (issue 13).

    python benchmarks/bench_sparse.py                    # every workload, both frameworks, 3 rounds
    python benchmarks/bench_sparse.py --rounds 5 --workloads dot_1pct,embedding
    python benchmarks/bench_sparse.py --worker dot_1pct  # one workload in this interpreter (JSON line)

Workloads (synthetic data, the same in both frameworks):

* ``dot_1pct`` / ``dot_0.1pct``: ``dot(csr, dense)``, a 10,000 x 100,000 CSR matrix at 1 % / 0.1 %
  density times a dense 100,000 x 64 matrix;
* ``dotT_1pct``: ``dot(csr.T, dense)`` (the row_sparse product a weight gradient is), the same CSR
  matrix transposed times 10,000 x 64;
* ``logreg_sgd`` / ``logreg_adam``: logistic regression over 1,000,000 features on a synthetic
  LibSVM file (20,000 samples, ~50 features each, read with ``mx.io.LibSVMIter``), trained one epoch
  in batches of 512 with a row_sparse weight gradient (``dot(csr, weight)``) and lazy SGD / Adam
  through ``gluon.Trainer``;
* ``embedding``: ``gluon.nn.Embedding(1,000,000, 64, sparse_grad=True)`` trained with lazy SGD on
  batches of 512 x 20 random ids.

Each worker is its own process (2 threads: OMP/OpenBLAS/MKL).  "RSS before" is the resident size
once the data and parameters exist; the peak RSS is counted from there (the kernel's high-water mark
is reset), so peak minus before is what the timed computation itself adds (for the training
workloads: the gradients and the updates).  The driver alternates the two frameworks round after round and reports the median
and minimum over rounds of each worker's median time.  On a shared machine timings are noisy:
compare the minima and the ratios, not single numbers.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REF_PY = os.path.join(ROOT, ".ref", "bin", "python")
THREADS = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
WORKLOADS = ("dot_1pct", "dot_0.1pct", "dotT_1pct", "logreg_sgd", "logreg_adam", "embedding")
FEATURES = 1_000_000


def _rss_mb(field):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_peak():
    """Restart the kernel's peak-RSS count (VmHWM) so that it covers only what follows."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _csr_parts(rows, cols, density, seed):
    """(data, indices, indptr) of a random CSR matrix: sorted unique columns per row."""
    rng = np.random.RandomState(seed)
    per_row = int(cols * density)
    key = np.repeat(np.arange(rows, dtype=np.int64), per_row) * cols + rng.randint(0, cols, rows * per_row)
    key = np.unique(key)
    r, c = np.divmod(key, cols)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=rows), out=indptr[1:])
    return rng.uniform(-1, 1, key.shape[0]).astype(np.float32), c, indptr


def _time(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def _dot(mx, density, transpose, reps):
    rows, cols = 10_000, 100_000
    data, indices, indptr = _csr_parts(rows, cols, density, 0)
    csr = mx.nd.sparse.csr_matrix((data, indices, indptr), shape=(rows, cols))
    rng = np.random.RandomState(1)
    rhs = mx.nd.array(rng.uniform(-1, 1, (rows if transpose else cols, 64)).astype(np.float32))
    before = _rss_mb("VmRSS")
    _reset_peak()

    def run():
        out = mx.nd.sparse.dot(csr, rhs, transpose_a=transpose)
        out.wait_to_read()
        return out
    med, best = _time(run, reps)
    out = run()
    check = float(out.data.asnumpy().sum() if transpose else out.asnumpy().sum())
    return {"median_ms": med * 1e3, "min_ms": best * 1e3, "rss_before_mb": before,
            "nnz": int(data.shape[0]), "out_stype": out.stype, "checksum": check}


def _libsvm_file(path, samples=20_000, per_sample=50, seed=0):
    """A synthetic binary classification set: labels from a sparse true weight vector."""
    rng = np.random.RandomState(seed)
    true_w = rng.normal(size=FEATURES).astype(np.float32)
    with open(path, "w") as f:
        for _ in range(samples):
            cols = np.unique(rng.randint(0, FEATURES, per_sample))
            vals = rng.uniform(0, 1, cols.shape[0]).astype(np.float32)
            label = 1 if float(vals @ true_w[cols]) > 0 else 0
            f.write(f"{label} " + " ".join(f"{c}:{v:.4f}" for c, v in zip(cols, vals)) + "\n")


def _logreg(mx, optimizer, reps):
    from mxnet import autograd, gluon
    path = os.path.join(tempfile.gettempdir(), "mxnext_bench_sparse.libsvm")
    if not os.path.exists(path):
        _libsvm_file(path + ".tmp")
        os.replace(path + ".tmp", path)
    batch = 512
    it = mx.io.LibSVMIter(data_libsvm=path, data_shape=(FEATURES,), batch_size=batch)
    w = gluon.Parameter("weight", shape=(FEATURES, 1), grad_stype="row_sparse")
    b = gluon.Parameter("bias", shape=(1,))
    w.initialize(mx.init.Zero())
    b.initialize(mx.init.Zero())
    opt = {"learning_rate": 1.0 if optimizer == "sgd" else 0.05, "lazy_update": True}
    trainer = gluon.Trainer([w, b], optimizer, opt, kvstore=None)
    loss_fn = gluon.loss.SigmoidBinaryCrossEntropyLoss()
    before = _rss_mb("VmRSS")
    _reset_peak()
    state = {"loss": 0.0}

    def epoch():
        it.reset()
        total, n = 0.0, 0
        for bt in it:
            x, y = bt.data[0], bt.label[0]
            with autograd.record():
                z = mx.nd.broadcast_add(mx.nd.sparse.dot(x, w.data()), b.data())
                loss = loss_fn(z, y)
            loss.backward()
            trainer.step(batch)
            total += float(loss.mean().asscalar())
            n += 1
        mx.nd.waitall()
        state["loss"] = total / n
        state["batches"] = n
    med, best = _time(epoch, reps)
    return {"median_ms": med * 1e3 / state["batches"], "min_ms": best * 1e3 / state["batches"],
            "rss_before_mb": before, "unit": "per batch", "mean_loss_last_epoch": state["loss"]}


def _embedding(mx, reps):
    from mxnet import autograd, gluon
    emb = gluon.nn.Embedding(FEATURES, 64, sparse_grad=True)
    emb.initialize(mx.init.Uniform(0.1))
    trainer = gluon.Trainer(emb.collect_params(), "sgd", {"learning_rate": 0.1, "lazy_update": True},
                            kvstore=None)
    rng = np.random.RandomState(0)
    ids = [mx.nd.array(rng.randint(0, FEATURES, (512, 20))) for _ in range(8)]
    emb(ids[0]).wait_to_read()
    before = _rss_mb("VmRSS")
    _reset_peak()

    def steps():
        for x in ids:
            with autograd.record():
                loss = (emb(x) ** 2).sum()
            loss.backward()
            trainer.step(512)
        mx.nd.waitall()
    med, best = _time(steps, reps)
    return {"median_ms": med * 1e3 / len(ids), "min_ms": best * 1e3 / len(ids), "rss_before_mb": before,
            "unit": "per step", "grad_stype": emb.weight.grad().stype}


def worker(name, reps):
    import mxnet as mx
    if name.startswith("dot"):
        res = _dot(mx, 0.01 if name.endswith("_1pct") else 0.001, name.startswith("dotT"), reps)
    elif name.startswith("logreg"):
        res = _logreg(mx, name.split("_")[1], max(1, reps // 3))
    elif name == "embedding":
        res = _embedding(mx, reps)
    else:
        raise SystemExit(f"unknown workload {name}")
    res["peak_rss_mb"] = _rss_mb("VmHWM")
    res["mxnet"] = getattr(mx, "__version__", "?")
    print("@@" + json.dumps(res), flush=True)


def _run(py, name, reps):
    env = dict(os.environ, **THREADS)
    env.setdefault("MXNET_STORAGE_FALLBACK_LOG_VERBOSE", "0")
    p = subprocess.run([py, os.path.abspath(__file__), "--worker", name, "--reps", str(reps)],
                       capture_output=True, text=True, env=env, cwd=ROOT if py != REF_PY else tempfile.gettempdir())
    for line in p.stdout.splitlines():
        if line.startswith("@@"):
            return json.loads(line[2:])
    return {"error": (p.stderr.strip().splitlines() or ["no output"])[-1][:200]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    a = ap.parse_args()
    if a.worker:
        return worker(a.worker, a.reps)
    cols = [("mxnext", sys.executable)]
    if os.path.exists(REF_PY):
        cols.append(("MXNet 1.9.1", REF_PY))
    rows = []
    for name in a.workloads.split(","):
        runs = {c: [] for c, _ in cols}
        for _ in range(a.rounds):
            for c, py in cols:
                runs[c].append(_run(py, name, a.reps))
        rows.append((name, runs))
        print(_line(name, runs, cols), flush=True)
    print("\n| workload | " + " | ".join(f"{c} ms (min)" for c, _ in cols) + " | ratio | "
          + " | ".join(f"{c} peak RSS / before (MB)" for c, _ in cols) + " |")
    print("| --- " * (2 * len(cols) + 2) + "|")
    for name, runs in rows:
        print(_line(name, runs, cols))


def _line(name, runs, cols):
    cells, meds, mems = [], [], []
    for c, _ in cols:
        ok = [r for r in runs[c] if "error" not in r]
        if not ok:
            cells.append(f"error: {runs[c][0]['error']}")
            meds.append(None)
            mems.append("-")
            continue
        med = statistics.median(r["median_ms"] for r in ok)
        best = min(r["min_ms"] for r in ok)
        meds.append(med)
        cells.append(f"{med:.4g} ({best:.4g})")
        mems.append(f"{max(r['peak_rss_mb'] for r in ok):.0f} / {min(r['rss_before_mb'] for r in ok):.0f}")
    ratio = f"{meds[0] / meds[1]:.2f}x" if len(meds) > 1 and None not in meds else "-"
    return f"| {name} | " + " | ".join(cells) + f" | {ratio} | " + " | ".join(mems) + " |"


if __name__ == "__main__":
    main()
