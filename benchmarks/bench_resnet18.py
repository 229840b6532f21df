"""One Gluon model-zoo ResNet-18 training step (96x96 images, batch 32, as d2l trains it on
Fashion-MNIST), timed in the interpreter that runs this file: a larger network than the suite's.

    python benchmarks/bench_resnet18.py [hybrid]            # mxnext (pip install -e .)
    .ref/bin/python benchmarks/bench_resnet18.py [hybrid]   # real MXNet 1.9.1

Set OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 for both, as the suite does, and
MXNET_ENGINE_TYPE=NaiveEngine for real MXNet's best time.
"""
import sys
import time

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon.model_zoo import vision


def main(hybrid):
    mx.random.seed(0)
    net = vision.resnet18_v1(classes=10)
    net.initialize(mx.init.Xavier())
    if hybrid:
        net.hybridize(static_alloc=True, static_shape=True)
    x = mx.nd.array(np.random.RandomState(0).normal(size=(32, 3, 96, 96)).astype(np.float32))
    y = mx.nd.array(np.arange(32) % 10)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})

    def step():
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(32)
        mx.nd.waitall()
    for _ in range(3):
        step()
    times = []
    for _ in range(8):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"ResNet-18 train step ({'hybridized' if hybrid else 'eager'}): median {times[4] * 1e3:.1f} ms, "
          f"min {times[0] * 1e3:.1f} ms")


if __name__ == "__main__":
    main(len(sys.argv) > 1 and sys.argv[1] == "hybrid")
