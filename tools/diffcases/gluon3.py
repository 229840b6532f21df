# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
from mxnet import gluon, autograd
from mxnet.gluon import nn
nd = mx.nd
# case: np_hybrid
from mxnet import np as mnp, npx
npx.set_np()
class N(gluon.HybridBlock):
    def __init__(self):
        super().__init__()
        with self.name_scope():
            self.d = nn.Dense(3, in_units=2)
    def hybrid_forward(self, F, x):
        return F.np.sum(self.d(x), axis=1) + F.npx.relu(x).mean()
n = N(); n.initialize(mx.init.One())
x = mnp.array([[1., -2]])
a = n(x); n.hybridize(); b = n(x)
print(type(a).__name__, a.tolist(), type(b).__name__, b.tolist())
with autograd.record():
    l = n(x).sum()
l.backward()
print(n.d.weight.grad().tolist(), type(n.d.weight.data()).__name__)
npx.reset_np()
# case: np_loss
from mxnet import np as mnp, npx
npx.set_np()
l = gluon.loss.SoftmaxCrossEntropyLoss()(mnp.array([[1., 2, 3]]), mnp.array([2]))
print(type(l).__name__, round(float(l[0]), 4))
l2 = gluon.loss.L2Loss()(mnp.array([[1., 2]]), mnp.array([[0., 0]]))
print(l2.shape, l2.tolist())
npx.reset_np()
# case: trainer_states
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 0.1})
with autograd.record():
    l = net(nd.ones((1, 2))).sum()
l.backward(); tr.step(1)
f = os.path.join(tempfile.mkdtemp(), 's')
tr.save_states(f)
tr2 = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 0.1})
tr2.load_states(f)
print(tr2.optimizer.num_update, tr2.learning_rate, type(tr2.optimizer).__name__)
# case: load_ignore_extra
n1 = nn.HybridSequential()
with n1.name_scope():
    n1.add(nn.Dense(2, in_units=2), nn.Dense(2, in_units=2))
n1.initialize(); f = os.path.join(tempfile.mkdtemp(), 'p'); n1.save_parameters(f)
n2 = nn.HybridSequential()
with n2.name_scope():
    n2.add(nn.Dense(2, in_units=2))
try:
    n2.load_parameters(f)
except Exception as e:
    print(type(e).__name__)
n2.load_parameters(f, ignore_extra=True); print('ok')
# case: load_shape_mismatch
n1 = nn.Dense(2, in_units=3); n1.initialize(); f = os.path.join(tempfile.mkdtemp(), 'p'); n1.save_parameters(f)
n2 = nn.Dense(2, in_units=2); n2.load_parameters(f)
# case: params_load_prefix
n1 = nn.Dense(2, in_units=3, prefix='a_'); n1.initialize()
f = os.path.join(tempfile.mkdtemp(), 'p'); n1.collect_params().save(f, strip_prefix='a_')
print(sorted(nd.load(f).keys()))
n2 = nn.Dense(2, in_units=3, prefix='b_'); n2.collect_params().load(f, restore_prefix='b_')
print((n2.weight.data() == n1.weight.data()).asnumpy().all())
# case: block_forward_hooks
net = nn.Dense(2, in_units=2); net.initialize()
seen = []
h = net.register_forward_hook(lambda b, i, o: seen.append(o.shape))
net.register_forward_pre_hook(lambda b, i: seen.append('pre'))
net(nd.ones((1, 2))); h.detach(); net(nd.ones((1, 2)))
print(seen)
# case: dense_repr_after_init
net = nn.Dense(2); net.initialize(); net(nd.ones((3, 5)))
print(net, net.weight)
# case: conv_layers_shapes
for L in [nn.Conv2D(4, (3, 3), strides=(2, 1), padding=(1, 0), dilation=(1, 2), groups=1), nn.Conv1D(3, 2), nn.Conv3D(2, 2), nn.Conv2DTranspose(2, 3, strides=2, padding=1, output_padding=1), nn.MaxPool1D(2), nn.AvgPool3D(2), nn.GlobalMaxPool1D(), nn.ReflectionPad2D(1)]:
    L.initialize()
    nd_in = {2: (1, 2, 8, 8), 1: (1, 2, 8), 3: (1, 2, 4, 4, 4)}
    dim = 1 if '1D' in type(L).__name__ else 3 if '3D' in type(L).__name__ else 2
    print(type(L).__name__, L(nd.ones(nd_in[dim])).shape)
# case: batchnorm_layer_stats
bn = nn.BatchNorm(in_channels=2, momentum=0.5); bn.initialize()
x = nd.array([[1., 2], [3, 6]])
with autograd.record():
    y = bn(x)
P(y, bn.running_mean.data(), bn.running_var.data())
P(bn(x))
# case: dropout_layer
d = nn.Dropout(0.5, axes=(1,)); print(d)
with autograd.record():
    y = d(nd.ones((2, 4)))
print(y.shape, sorted(set(y.asnumpy().ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0]))
# case: embedding_layer
e = nn.Embedding(5, 2, sparse_grad=False); e.initialize(mx.init.One())
with autograd.record():
    y = e(nd.array([1, 1, 3])).sum()
y.backward(); P(e.weight.grad())
