# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import gluon, autograd
from mxnet.gluon import nn
nd = mx.nd
rs = np.random.RandomState(0)
X = nd.array(rs.rand(8, 1, 6, 6)); Y = nd.array(rs.randint(0, 3, 8))
def init_net(net):
    net.initialize(mx.init.Zero())
    net(X)
    r = np.random.RandomState(1)
    for k, p in sorted(net.collect_params().items()):
        if p.name.endswith(('weight',)):
            p.set_data(nd.array(r.uniform(-0.3, 0.3, p.shape)))
    return net
def build():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation('relu'), nn.MaxPool2D(2), nn.Dropout(0.0), nn.Flatten(), nn.Dense(8, activation='tanh'), nn.Dense(3))
    return init_net(net)
# case: train_sgd
for hyb in [False, True]:
    net = build()
    if hyb: net.hybridize()
    tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1, 'momentum': 0.9, 'wd': 1e-3})
    L = gluon.loss.SoftmaxCrossEntropyLoss()
    out = []
    for i in range(4):
        with autograd.record():
            l = L(net(X), Y)
        l.backward(); tr.step(8)
        out.append(round(float(l.mean().asscalar()), 4))
    print(hyb, out, round(float(net(X).sum().asscalar()), 3))
# case: train_adam
net = build()
tr = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 0.01})
L = gluon.loss.SoftmaxCrossEntropyLoss()
acc = mx.metric.Accuracy()
for i in range(4):
    with autograd.record():
        o = net(X); l = L(o, Y)
    l.backward(); tr.step(8); acc.update(Y, o)
    print(round(float(l.mean().asscalar()), 4))
print(acc.get()[0], round(acc.get()[1], 4))
