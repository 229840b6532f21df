"""Small Gluon nets hybridized under ``npx.set_np()``; shared by the golden generator (MXNet 1.9.1)
and the tests (mxnext).  ``NETS``: name -> (builder, input shape)."""


def _custom_block(mx):
    class Custom(mx.gluon.HybridBlock):
        """Uses F.np / F.npx functions, np-symbol operators and methods, and a parameter."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.weight = self.params.get("weight", shape=(3, 3))

        def hybrid_forward(self, F, x, weight):
            h = F.np.tanh(x) + 1
            h = F.np.dot(h, weight).reshape((-1, 3))
            s = F.np.sum(h, axis=1, keepdims=True)
            return F.npx.relu(h - s / 3) * 2

    return Custom


def _scale_block(mx):
    class Scale(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return (x * 2 + 1).T[0]

    return Scale


def mlp(mx):
    nn = mx.gluon.nn
    net = nn.HybridSequential(prefix="mlp_")
    with net.name_scope():
        net.add(nn.Dense(4, activation="relu"), nn.Dropout(0.5), nn.Dense(2, in_units=4))
    return net


def cnn(mx):
    nn = mx.gluon.nn
    net = nn.HybridSequential(prefix="cnn_")
    with net.name_scope():
        net.add(nn.Conv2D(2, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(),
                nn.Flatten(), nn.Dense(3))
    return net


def custom(mx):
    return _custom_block(mx)(prefix="custom_")


def mixed(mx):
    nn = mx.gluon.nn
    net = nn.HybridSequential(prefix="mixed_")
    with net.name_scope():
        net.add(nn.Dense(3), _custom_block(mx)(), _scale_block(mx)())
    return net


NETS = {"mlp": (mlp, (2, 3)), "cnn": (cnn, (2, 2, 4, 4)), "custom": (custom, (2, 3)),
        "mixed": (mixed, (2, 5))}
