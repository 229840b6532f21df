"""Real training on real MNIST (a subset, to stay fast), read the way MXNet reads it:
from $MXNET_HOME/datasets/mnist, a copy of ../shared/data/mnist made by .ci/run or by conftest.py."""

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon import nn
from mxnet.gluon.data.vision import transforms



def _subset(train, n, seed=0):
    ds = gluon.data.vision.MNIST(train=train)
    idx = np.random.RandomState(seed).permutation(len(ds))[:n]
    data = np.stack([ds[i][0].asnumpy() for i in idx])
    label = np.array([ds[i][1] for i in idx], dtype=np.float32)
    return gluon.data.ArrayDataset(mx.nd.array(data, dtype=np.uint8), mx.nd.array(label))


def _train(net, train_ds, test_ds, epochs, lr, batch_size=100):
    to_tensor = transforms.ToTensor()
    train = gluon.data.DataLoader(train_ds.transform_first(to_tensor), batch_size=batch_size, shuffle=True)
    test = gluon.data.DataLoader(test_ds.transform_first(to_tensor), batch_size=500)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": lr})
    for _ in range(epochs):
        for x, y in train:
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(x.shape[0])
    metric = mx.metric.Accuracy()
    for x, y in test:
        metric.update([y], [net(x)])
    return metric.get()[1]


def test_mlp_learns_mnist(mnist_home):
    mx.random.seed(0)
    np.random.seed(0)
    net = nn.HybridSequential()
    net.add(nn.Dense(128, activation="relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    acc = _train(net, _subset(True, 6000), _subset(False, 1000), epochs=3, lr=0.002)
    assert acc >= 0.90, acc


def test_lenet_learns_mnist(mnist_home):
    mx.random.seed(1)
    np.random.seed(1)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(8, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Conv2D(16, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Flatten(), nn.Dense(64, activation="relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    acc = _train(net, _subset(True, 3000), _subset(False, 1000), epochs=2, lr=0.003)
    assert acc >= 0.88, acc
