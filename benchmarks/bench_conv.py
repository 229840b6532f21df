"""Times forward + backward of LeNet's convolutions and max pools at batch 128 (median of N runs).

Usage: python benchmarks/bench_conv.py [runs]
Prints per-layer milliseconds through ``mx.nd`` + autograd.  OpenBLAS settings such as
OPENBLAS_CORETYPE change the GEMM share a lot: run it with and without them.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import mxnet as mx  # noqa: E402

nd = mx.nd


def median_ms(fn, runs):
    fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return 1e3 * float(np.median(ts))


def layer(op, inputs, kwargs, runs):
    xs = [nd.array(a) for a in inputs]
    for x in xs:
        x.attach_grad()

    def step():
        with mx.autograd.record():
            y = op(*xs, **kwargs)
        y.backward(nd.ones(y.shape))
        xs[0].grad.asnumpy()
    return median_ms(step, runs), tuple(op(*xs, **kwargs).shape)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    r = np.random.RandomState(0)
    f = np.float32
    n = 128
    cases = [
        ("conv1 1->20 5x5 28x28", nd.Convolution,
         [r.normal(size=(n, 1, 28, 28)).astype(f), r.normal(size=(20, 1, 5, 5)).astype(f), np.zeros(20, f)],
         {"kernel": (5, 5), "num_filter": 20}),
        ("pool1 max 2x2/2 24x24", nd.Pooling, [r.normal(size=(n, 20, 24, 24)).astype(f)],
         {"kernel": (2, 2), "stride": (2, 2)}),
        ("conv2 20->50 5x5 12x12", nd.Convolution,
         [r.normal(size=(n, 20, 12, 12)).astype(f), r.normal(size=(50, 20, 5, 5)).astype(f), np.zeros(50, f)],
         {"kernel": (5, 5), "num_filter": 50}),
        ("pool2 max 2x2/2 8x8", nd.Pooling, [r.normal(size=(n, 50, 8, 8)).astype(f)],
         {"kernel": (2, 2), "stride": (2, 2)}),
    ]
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}
    print(f"batch {n}, median of {runs} runs, forward+backward; env {env}")
    total = 0.0
    for name, op, ins, kw in cases:
        ms, shape = layer(op, ins, kw, runs)
        total += ms
        print(f"  {name:26s} -> {str(shape):18s} {ms:8.2f} ms")
    print(f"  {'total':26s}    {'':18s} {total:8.2f} ms")


if __name__ == "__main__":
    main()
