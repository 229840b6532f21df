"""Throughput of 1 and 2 processes serving the same model on one machine (as 1 or 2 serving
workers would), for mxnext and real MXNet 1.9.1: hybridized model-zoo inference at batch 1.

    python benchmarks/bench_processes.py [--model resnet18_v1] [--seconds 20] [--repeats 3]

Each configuration starts its processes together; each builds the model, warms up, then runs
inferences until a common deadline.  Reported: inferences per second, summed over processes
(median of the repeats).  Threads per process: "default" leaves every thread variable unset (each
process sizes itself to the machine), "sized" gives each process cores / processes threads
through OMP_NUM_THREADS, as a serving setup or ``mxnet.tools.launch`` does.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REF_PY = os.path.join(ROOT, ".ref", "bin", "python")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MXNEXT_THREADS",
               "MXNET_CPU_WORKER_NTHREADS")

WORKER = """
import sys, time
import numpy as np
import mxnet as mx
from mxnet.gluon.model_zoo import vision
model, start, stop = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
net = vision.get_model(model, pretrained=False)
net.initialize(mx.init.Xavier())
net.hybridize(static_alloc=True, static_shape=True)
x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32))
for _ in range(3):
    net(x).wait_to_read()
time.sleep(max(0.0, start - time.time()))
n = 0
while time.time() < stop:
    net(x).wait_to_read()
    n += 1
print(n)
"""


def run(python, model, procs, sized, seconds, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    env.update(env_extra)
    if sized:
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // procs))
    start = time.time() + 25  # time to import and build in every process
    stop = start + seconds
    ps = [subprocess.Popen([python, "-c", WORKER, model, str(start), str(stop)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/tmp")
          for _ in range(procs)]
    counts = []
    for p in ps:
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(err.strip().splitlines()[-1])
        counts.append(int(out.strip().splitlines()[-1]))
    return sum(counts) / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="resnet18_v1")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    frameworks = [("mxnext", sys.executable, {"PYTHONPATH": ROOT})]
    if os.path.exists(REF_PY):
        frameworks.append(("MXNet 1.9.1", REF_PY, {"MXNET_ENGINE_TYPE": "NaiveEngine"}))
    configs = [(procs, sized) for procs in (1, 2) for sized in (False, True) if procs > 1 or not sized]
    results = {}
    for _ in range(args.repeats):  # interleaved, so that load from other jobs falls on all alike
        for name, python, env in frameworks:
            for procs, sized in configs:
                rate = run(python, args.model, procs, sized, args.seconds, env)
                results.setdefault((name, procs, sized), []).append(rate)
    print(f"{args.model}, batch 1, hybridized; inferences per second (median of {args.repeats}; "
          f"{os.cpu_count()} CPUs):")
    for (name, procs, sized), rates in results.items():
        label = f"{procs} process{'es' if procs > 1 else ''}" + (", threads sized" if sized else "")
        print(f"  {name:<12} {label:<30} {statistics.median(rates):7.1f}   ({', '.join(f'{r:.1f}' for r in rates)})")


if __name__ == "__main__":
    main()
