"""Train a LeNet-style convolutional network on MNIST with Gluon.

Usage:  python examples/mnist.py [--epochs 5] [--batch-size 128] [--hybridize]

The MNIST files are read from $MXNET_HOME/datasets/mnist (default ~/.mxnet),
and downloaded there when absent and a network is available.  This is plain
MXNet 1.9 Gluon code: it runs unchanged on real MXNet too.
"""
import argparse
import sys
import time

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon import nn
from mxnet.gluon.data.vision import transforms


def build_net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(channels=20, kernel_size=5, activation="relu"),
                nn.MaxPool2D(pool_size=2, strides=2),
                nn.Conv2D(channels=50, kernel_size=5, activation="relu"),
                nn.MaxPool2D(pool_size=2, strides=2),
                nn.Flatten(),
                nn.Dense(500, activation="relu"),
                nn.Dense(10))
    return net


def progress(iterable, total, desc):
    """tqdm when installed, else a plain progress line."""
    try:
        from tqdm import tqdm
        return tqdm(iterable, total=total, desc=desc, leave=False)
    except ImportError:
        return _plain_progress(iterable, total, desc)


def _plain_progress(iterable, total, desc):
    step = max(total // 20, 1)
    for i, item in enumerate(iterable, 1):
        if i % step == 0 or i == total:
            sys.stdout.write(f"\r{desc}: {i}/{total} batches")
            sys.stdout.flush()
        yield item
    sys.stdout.write("\r" + " " * 60 + "\r")


def evaluate(net, loader, ctx):
    metric = mx.metric.Accuracy()
    for data, label in loader:
        out = net(data.as_in_context(ctx))
        metric.update([label.as_in_context(ctx)], [out])
    return metric.get()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--hybridize", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    mx.random.seed(args.seed)
    np.random.seed(args.seed)  # the DataLoader's shuffling draws from NumPy, as in MXNet
    ctx = mx.cpu()
    to_tensor = transforms.ToTensor()
    train_data = gluon.data.DataLoader(
        gluon.data.vision.MNIST(train=True).transform_first(to_tensor),
        batch_size=args.batch_size, shuffle=True)
    test_data = gluon.data.DataLoader(
        gluon.data.vision.MNIST(train=False).transform_first(to_tensor),
        batch_size=1000, shuffle=False)

    net = build_net()
    net.initialize(mx.init.Xavier(), ctx=ctx)
    if args.hybridize:
        net.hybridize()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": args.lr})

    for epoch in range(args.epochs):
        if epoch >= 2:  # halve the step size each epoch once the loss has come down
            trainer.set_learning_rate(trainer.learning_rate * 0.5)
        tic = time.time()
        train_metric = mx.metric.Accuracy()
        total_loss, n = 0.0, 0
        for data, label in progress(train_data, len(train_data), f"epoch {epoch + 1}"):
            data = data.as_in_context(ctx)
            label = label.as_in_context(ctx)
            with autograd.record():
                out = net(data)
                loss = loss_fn(out, label)
            loss.backward()
            trainer.step(data.shape[0])
            train_metric.update([label], [out])
            total_loss += loss.sum().asscalar()
            n += data.shape[0]
        train_time = time.time() - tic
        test_acc = evaluate(net, test_data, ctx)
        print(f"epoch {epoch + 1}: loss {total_loss / n:.4f}, train acc {train_metric.get()[1]:.4f}, "
              f"test acc {test_acc:.4f}, {train_time:.1f} s training, "
              f"{time.time() - tic:.1f} s with evaluation", flush=True)
    return test_acc


if __name__ == "__main__":
    main()
