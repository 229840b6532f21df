"""Data-parallel training over several processes: per-step time and the share spent reducing.

    python benchmarks/bench_dist.py                      # mxnext and real MXNet, MLP and ResNet-20
    python benchmarks/bench_dist.py --impl mxnext --ranks 1,2 --models mlp --steps 30
    python benchmarks/bench_dist.py --compression        # + mxnext with 2-bit compression

Every run trains on the same global batch (MLP 784-512-512-10: 256, ResNet-20 CIFAR: 32), split
over the ranks.  1 rank is one ordinary process (no store, all cores); N ranks run
``Trainer(kvstore='dist_sync')``: mxnext through ``python -m mxnet.tools.launch`` (MPI allreduce),
real MXNet 1.9.1 (``.ref/bin/python``) with its parameter server (a scheduler, one server and the
workers, started here with the DMLC_* variables because MXNet's dmlc_tracker fails on Python 3.11).
Each rank gets cores / ranks threads (``--threads N``: N for every process, so that a loaded
machine's thread contention does not swamp the comparison).  "comm" is the time in ``Trainer._allreduce_grads`` (the
gradient reduction, plus the optimizer when the store runs it), with ``waitall`` around it so
MXNet's asynchronous engine is counted where the work happens.  Medians over the timed steps.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GLOBAL_BATCH = {"mlp": 256, "resnet20": 32}


# ---- the worker (runs under mxnext or real MXNet) --------------------------------------------
def worker(args):
    import numpy as np
    import mxnet as mx
    from mxnet import autograd, gluon
    sys.path.insert(0, HERE)
    import models_gluon

    kv = mx.kv.create("dist_sync") if args.dist else None
    rank, n = (kv.rank, kv.num_workers) if kv else (0, 1)
    if kv is not None and args.compression:
        kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    mx.random.seed(0)
    net = getattr(models_gluon, args.model)()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    batch = GLOBAL_BATCH[args.model] // n
    rng = np.random.RandomState(rank)
    if args.model == "mlp":
        x = mx.nd.array(rng.rand(batch, 784))
    else:
        x = mx.nd.array(rng.rand(batch, 3, 32, 32))
    y = mx.nd.array(rng.randint(0, 10, batch))
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9},
                       kvstore=kv)
    comm = []
    reduce = tr._allreduce_grads

    def timed():
        mx.nd.waitall()
        t = time.perf_counter()
        reduce()
        mx.nd.waitall()
        comm.append(time.perf_counter() - t)

    tr._allreduce_grads = timed
    steps = []
    for i in range(args.warmup + args.steps):
        if kv is not None:
            kv._barrier()  # start each step together, so one rank's lag is not counted as comm
        t = time.perf_counter()
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        tr.step(GLOBAL_BATCH[args.model])
        mx.nd.waitall()
        steps.append(time.perf_counter() - t)
    steps, comm = steps[args.warmup:], comm[args.warmup:]
    if rank == 0:
        print("RESULT " + json.dumps({"step_ms": 1e3 * statistics.median(steps),
                                      "min_ms": 1e3 * min(steps),
                                      "comm_ms": 1e3 * statistics.median(comm)}), flush=True)


# ---- the driver -------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _result(out):
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError("no result; output:\n" + out[-3000:])


def run(impl, model, ranks, args):
    me = [os.path.abspath(__file__), "--worker", "--model", model, "--steps", str(args.steps),
          "--warmup", str(args.warmup)]
    if args.compression_run:
        me.append("--compression")
    cores = os.cpu_count() or 1
    env = dict(os.environ)
    if args.threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MXNEXT_THREADS",
                    "MXNET_CPU_WORKER_NTHREADS"):
            env[var] = str(args.threads)
    python = sys.executable if impl == "mxnext" else args.mxnet_python
    if ranks == 1:
        proc = subprocess.run([python] + me, capture_output=True, text=True, env=env, timeout=1800)
        return _result(proc.stdout + proc.stderr)
    me.append("--dist")
    if impl == "mxnext":
        cmd = [sys.executable, "-m", "mxnet.tools.launch", "-n", str(ranks), "--launcher", "local",
               python] + me
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800, cwd=ROOT)
        return _result(proc.stdout + proc.stderr)
    # real MXNet: scheduler, one server, the workers (what dmlc_tracker's local launcher starts)
    threads = str(args.threads or max(1, cores // ranks))
    env.update(DMLC_PS_ROOT_URI="127.0.0.1", DMLC_PS_ROOT_PORT=str(_free_port()), DMLC_NUM_SERVER="1",
               DMLC_NUM_WORKER=str(ranks), DMLC_INTERFACE="lo", OMP_NUM_THREADS=threads,
               MXNET_CPU_WORKER_NTHREADS=threads)
    helpers = [subprocess.Popen([python, "-c", "import mxnet"], env=dict(env, DMLC_ROLE=role),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for role in ("scheduler", "server")]
    workers = [subprocess.Popen([python] + me, env=dict(env, DMLC_ROLE="worker"), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(ranks)]
    outs = [w.communicate(timeout=1800)[0] for w in workers]
    for h in helpers:
        h.wait(timeout=60)
    return _result("\n".join(outs))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--dist", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model", default="mlp", help=argparse.SUPPRESS)
    p.add_argument("--impl", default="mxnext,mxnet")
    p.add_argument("--models", default="mlp,resnet20")
    p.add_argument("--ranks", default="1,2,4")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--compression", action="store_true",
                   help="driver: also mxnext with 2-bit compression; worker: use it")
    p.add_argument("--threads", type=int, default=0,
                   help="threads of every process, the 1-process run included (default: cores / ranks)")
    p.add_argument("--mxnet-python", default=os.path.join(ROOT, ".ref", "bin", "python"))
    args = p.parse_args()
    if args.worker:
        return worker(args)
    rows = []
    for model in args.models.split(","):
        for impl in args.impl.split(","):
            if impl == "mxnet" and not os.path.exists(args.mxnet_python):
                print(f"(real MXNet: {args.mxnet_python} missing)")
                continue
            variants = [False] + ([True] if args.compression and impl == "mxnext" else [])
            base = None
            for comp in variants:
                args.compression_run = comp
                for n in (int(r) for r in args.ranks.split(",")):
                    if comp and n == 1:
                        continue
                    r = run(impl, model, n, args)
                    base = r["step_ms"] if n == 1 else base
                    ratio = f"{r['step_ms'] / base:.2f}x" if base else "-"
                    share = f"{100 * r['comm_ms'] / r['step_ms']:.0f}%" if n > 1 else "-"
                    name = impl + (" 2bit" if comp else "")
                    rows.append(f"| {model} | {name} | {n} | {r['step_ms']:.1f} (min {r['min_ms']:.1f}) "
                                f"| {ratio} | {r['comm_ms']:.1f} | {share} |")
                    print(rows[-1], flush=True)
    print("\n| model | impl | ranks | step ms, median | vs 1 process | comm ms | comm share |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
