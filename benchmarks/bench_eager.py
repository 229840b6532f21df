"""Overhead of one small eager operator: add of two 10-element float32 arrays.

Prints microseconds per call for mxnext (plain and under autograd.record()),
bare NumPy, and real MXNet 1.9.1 / PyTorch when their side venvs exist
(.ref/bin/python, .torch/bin/python).  Run: python benchmarks/bench_eager.py
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SNIPPETS = {
    "mxnext": ("import mxnet as mx\na = mx.nd.ones((10,)); b = mx.nd.ones((10,))", "a + b"),
    "mxnext (recording)": ("import mxnet as mx\na = mx.nd.ones((10,)); b = mx.nd.ones((10,))\n"
                           "a.attach_grad()\nr = mx.autograd.record(); r.__enter__()", "a + b"),
    "numpy": ("import numpy as np\na = np.ones(10, np.float32); b = np.ones(10, np.float32)", "a + b"),
}
SIDE = {
    "real MXNet 1.9.1": (os.path.join(ROOT, ".ref", "bin", "python"),
                         "import mxnet as mx\na = mx.nd.ones((10,)); b = mx.nd.ones((10,))",
                         "c = a + b; c.wait_to_read()"),
    "PyTorch": (os.path.join(ROOT, ".torch", "bin", "python"),
                "import torch\ntorch.set_num_threads(2)\na = torch.ones(10); b = torch.ones(10)", "a + b"),
}

MEASURE = """
import timeit, json, sys
setup, stmt = json.loads(sys.argv[1])
g = {}
exec(setup, g)
n = 20000
best = min(timeit.timeit(stmt, globals=g, number=n) / n for _ in range(7))
print(best * 1e6)
"""


def run(python, setup, stmt, cwd):
    env = dict(os.environ, OMP_NUM_THREADS="2")
    out = subprocess.run([python, "-c", MEASURE, json.dumps([setup, stmt])], capture_output=True,
                         text=True, cwd=cwd, env=env)
    if out.returncode:
        return None
    return float(out.stdout.strip().splitlines()[-1])


def main():
    results = {}
    for name, (setup, stmt) in SNIPPETS.items():
        results[name] = run(sys.executable, setup, stmt, ROOT)
    for name, (py, setup, stmt) in SIDE.items():
        results[name] = run(py, setup, stmt, "/tmp") if os.path.exists(py) else None
    ref = results.get("real MXNet 1.9.1")
    print(f"{'runtime':<22} {'us/op':>8} {'vs real MXNet':>14}")
    for name, us in results.items():
        if us is None:
            print(f"{name:<22} {'(side venv missing)':>24}")
            continue
        ratio = f"{us / ref:.2f}x" if ref else "-"
        print(f"{name:<22} {us:8.2f} {ratio:>14}")


if __name__ == "__main__":
    main()
