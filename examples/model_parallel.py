"""Model parallelism: one network split over two devices, trained with Module and with Gluon.

Usage:  python examples/model_parallel.py [--gpus]

The first half of an MLP runs on one device and the second half on another; activations are
copied between them.  Without ``--gpus`` the two devices are ``mx.cpu(0)`` and ``mx.cpu(1)``
(same memory, but the code is the one a two-GPU machine runs).  With ``--gpus`` only the Gluon
part runs: mxnext's executor runs a bound graph on one device, so ``group2ctx`` over two GPUs
raises NotImplementedError.  The data is a synthetic
classification problem (three Gaussian clusters), so the script needs no download.
"""
import argparse

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon


def data(n=600, seed=0):
    rng = np.random.RandomState(seed)
    centers = rng.randn(3, 10) * 2
    y = rng.randint(0, 3, n)
    return (centers[y] + rng.randn(n, 10)).astype("f4"), y.astype("f4")


def with_module(dev1, dev2, x, y):
    """Symbol API: ctx_group tags + Module(group2ctxs=...)."""
    d = mx.sym.Variable("data")
    with mx.AttrScope(ctx_group="stage1"):
        h = mx.sym.Activation(mx.sym.FullyConnected(d, num_hidden=64, name="fc1"), act_type="relu")
    with mx.AttrScope(ctx_group="stage2"):
        out = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")
    mod = mx.mod.Module(out, context=dev1, group2ctxs={"stage1": dev1, "stage2": dev2})
    it = mx.io.NDArrayIter(x, y, batch_size=50, shuffle=True)
    mod.fit(it, num_epoch=5, optimizer="sgd", optimizer_params={"learning_rate": 0.1},
            initializer=mx.init.Xavier())
    acc = mod.score(mx.io.NDArrayIter(x, y, batch_size=50), "acc")[0][1]
    where = {n: str(a[0].context) for n, a in zip(mod._exec_group.param_names, mod._exec_group.param_arrays)}
    print(f"Module: accuracy {acc:.3f}; parameters on {where}")


def with_gluon(dev1, dev2, x, y):
    """Gluon: each block initialised on its device, one Trainer for both."""
    stage1 = gluon.nn.Dense(64, activation="relu", in_units=10)
    stage2 = gluon.nn.Dense(3, in_units=64)
    stage1.initialize(mx.init.Xavier(), ctx=dev1)
    stage2.initialize(mx.init.Xavier(), ctx=dev2)
    params = list(stage1.collect_params().values()) + list(stage2.collect_params().values())
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for epoch in range(5):
        for i in range(0, len(x), 50):
            xb = mx.nd.array(x[i:i + 50], ctx=dev1)
            yb = mx.nd.array(y[i:i + 50], ctx=dev2)
            with autograd.record():
                loss = loss_fn(stage2(stage1(xb).as_in_context(dev2)), yb)
            loss.backward()
            trainer.step(len(xb))
    pred = stage2(stage1(mx.nd.array(x, ctx=dev1)).as_in_context(dev2)).argmax(axis=1)
    print(f"Gluon: accuracy {(pred.asnumpy() == y).mean():.3f}; stage1 on {stage1.weight.data().context}, "
          f"stage2 on {stage2.weight.data().context}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gpus", action="store_true", help="use gpu(0) and gpu(1)")
    args = p.parse_args()
    dev1, dev2 = (mx.gpu(0), mx.gpu(1)) if args.gpus else (mx.cpu(0), mx.cpu(1))
    mx.random.seed(0)
    x, y = data()
    if not args.gpus:
        with_module(dev1, dev2, x, y)
    with_gluon(dev1, dev2, x, y)


if __name__ == "__main__":
    main()
