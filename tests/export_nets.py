"""Networks exported by real MXNet in tools/goldens/gen_export.py and rebuilt in tests/test_hybridize.py.

Plain MXNet 1.9 Gluon code: it runs unchanged under both runtimes.
"""
from mxnet import gluon
from mxnet.gluon import nn


def mlp():
    net = nn.HybridSequential(prefix="mlp_")
    with net.name_scope():
        net.add(nn.Dense(16, activation="relu"), nn.Dropout(0.3), nn.Dense(10))
    return net, [(4, 20)]


def lenet():
    net = nn.HybridSequential(prefix="lenet_")
    with net.name_scope():
        net.add(nn.Conv2D(6, 5, activation="tanh"), nn.MaxPool2D(2, 2),
                nn.Conv2D(16, 3, activation="tanh"), nn.AvgPool2D(2, 2),
                nn.Flatten(), nn.Dense(32, activation="relu"), nn.Dense(10))
    return net, [(2, 1, 20, 20)]


class BasicBlock(gluon.HybridBlock):
    """A ResNet basic block with a projection shortcut."""

    def __init__(self, channels, stride, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.body = nn.HybridSequential(prefix="")
            self.body.add(nn.Conv2D(channels, 3, stride, 1, use_bias=False), nn.BatchNorm(),
                          nn.Activation("relu"), nn.Conv2D(channels, 3, 1, 1, use_bias=False),
                          nn.BatchNorm())
            self.down = nn.HybridSequential(prefix="")
            self.down.add(nn.Conv2D(channels, 1, stride, use_bias=False), nn.BatchNorm())

    def hybrid_forward(self, F, x):
        return F.Activation(self.body(x) + self.down(x), act_type="relu")


def resnet():
    net = nn.HybridSequential(prefix="resnet_")
    with net.name_scope():
        net.add(nn.Conv2D(8, 3, padding=1, use_bias=False), nn.BatchNorm(), nn.Activation("relu"),
                BasicBlock(8, 1), BasicBlock(16, 2), nn.GlobalAvgPool2D(), nn.Dense(5))
    return net, [(2, 3, 8, 8)]


class TwoInTwoOut(gluon.HybridBlock):
    """Several inputs and outputs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.a = nn.Dense(6)
            self.b = nn.Dense(6)
            self.head = nn.Dense(3)

    def hybrid_forward(self, F, x, y):
        h = F.tanh(self.a(x)) * F.sigmoid(self.b(y))
        return self.head(h), F.sum(h, axis=1)


def multi():
    return TwoInTwoOut(prefix="multi_"), [(3, 4), (3, 5)]


NETS = {"mlp": mlp, "lenet": lenet, "resnet": resnet, "multi": multi}
