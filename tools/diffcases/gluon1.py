# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
from mxnet import gluon, autograd
from mxnet.gluon import nn
nd = mx.nd
mx.random.seed(0)
def shapes(params):
    return sorted((k, v.shape) for k, v in params.items())
# case: naming
net = nn.Sequential()
with net.name_scope():
    net.add(nn.Dense(3), nn.Dense(4, in_units=3))
print(net.prefix, net[0].prefix, net[1].name, [k for k in net.collect_params().keys()])
d = nn.Dense(2)
print(d.name, d.prefix, nn.Dense(2, prefix='foo_').prefix, nn.Conv2D(3, 3).name)
# case: naming_counter
a = nn.Dense(2); b = nn.Dense(2); c = nn.HybridSequential()
print(a.name != b.name, a.name.startswith('dense'), c.name.startswith('hybridsequential'))
# case: collect_select
net = nn.HybridSequential()
with net.name_scope():
    net.add(nn.Dense(3, in_units=2), nn.BatchNorm(in_channels=3), nn.Dense(1, in_units=3))
p = net.collect_params()
print(sorted(k.split('_', 1)[1] for k in p.keys()))
print(sorted(k.split('_', 1)[1] for k in net.collect_params('.*weight').keys()))
print(sorted(k.split('_', 1)[1] for k in net.collect_params('.*gamma|.*beta').keys()))
print([(v.grad_req, v.dtype, v.lr_mult, v.wd_mult) for k, v in sorted(p.items())])
# case: repr
net = nn.HybridSequential(prefix='net_')
with net.name_scope():
    net.add(nn.Dense(3, in_units=2, activation='relu'), nn.Conv2D(4, 3, strides=2, padding=1, in_channels=2), nn.BatchNorm(), nn.Dropout(0.3), nn.MaxPool2D(), nn.Flatten(), nn.Activation('tanh'), nn.Embedding(10, 4), nn.LeakyReLU(0.1))
print(net)
# case: repr_more
print(nn.Conv1D(2, 3, dilation=2, use_bias=False), nn.Conv2DTranspose(3, (2, 2), output_padding=(1, 1), strides=2), nn.AvgPool2D(3, 2, 1, ceil_mode=True, count_include_pad=False), nn.GlobalAvgPool2D(), nn.LayerNorm(), nn.InstanceNorm(), nn.GroupNorm(), nn.PReLU(), nn.ELU(), nn.SELU(), nn.Swish(), nn.GELU())
print(nn.Dense(5, flatten=False, in_units=3), nn.Lambda(lambda x: x), nn.HybridLambda('tanh'))
# case: param_repr
p = gluon.Parameter('weight', shape=(2, 3))
print(p)
print(gluon.Parameter('w', shape=(0, 3)), gluon.Parameter('w', shape=(2,), dtype='float16'))
# case: deferred_init_err
net = nn.Dense(3)
net.initialize()
try:
    net.weight.data()
except Exception as e:
    print(type(e).__name__)
net(nd.ones((2, 5)))
print(net.weight.shape, net.weight.data().shape)
# case: uninit_err
net = nn.Dense(3, in_units=2)
net(nd.ones((1, 2)))
# case: uninit_err2
net = nn.Dense(3, in_units=2)
net.weight.data()
# case: init_twice_warn
net = nn.Dense(3, in_units=2)
net.initialize(); net.initialize()
print('ok')
# case: shape_mismatch
net = nn.Dense(3, in_units=2); net.initialize()
net(nd.ones((1, 5)))
# case: save_load
net = nn.HybridSequential()
with net.name_scope():
    net.add(nn.Dense(3, in_units=2), nn.Dense(2, in_units=3))
net.initialize(mx.init.One())
d = tempfile.mkdtemp(); f = os.path.join(d, 'p.params')
net.save_parameters(f)
print(sorted(nd.load(f).keys()))
net2 = nn.HybridSequential()
with net2.name_scope():
    net2.add(nn.Dense(3), nn.Dense(2))
net2.load_parameters(f)
P(net2(nd.ones((1, 2))))
net.collect_params().save(os.path.join(d, 'q.params'))
print(sorted(nd.load(os.path.join(d, 'q.params')).keys())[0].split('_', 1)[1])
# case: load_missing
net = nn.HybridSequential()
with net.name_scope():
    net.add(nn.Dense(3, in_units=2))
net.initialize()
d = tempfile.mkdtemp(); f = os.path.join(d, 'p.params')
net.save_parameters(f)
net2 = nn.HybridSequential()
with net2.name_scope():
    net2.add(nn.Dense(3, in_units=2), nn.Dense(2, in_units=3))
try:
    net2.load_parameters(f)
except Exception as e:
    print(type(e).__name__)
net2.load_parameters(f, allow_missing=True)
print('ok')
# case: export_imports
net = nn.HybridSequential()
with net.name_scope():
    net.add(nn.Dense(3, in_units=2, activation='relu'), nn.Dense(2, in_units=3))
net.initialize(mx.init.Xavier())
net.hybridize()
x = nd.array([[1., 2]])
y = net(x)
d = tempfile.mkdtemp(); pre = os.path.join(d, 'm')
net.export(pre, epoch=3)
print(sorted(os.listdir(d)))
sym = mx.sym.load(pre + '-symbol.json')
print(sym.list_arguments(), sym.list_outputs())
net2 = gluon.SymbolBlock.imports(pre + '-symbol.json', ['data'], pre + '-0003.params')
P(net2(x) - y)
print(sorted(k.split('_', 1)[-1] for k in net2.collect_params().keys()))
# case: export_not_hybridized
net = nn.HybridSequential()
net.add(nn.Dense(3, in_units=2)); net.initialize()
net.export(os.path.join(tempfile.mkdtemp(), 'm'))
# case: custom_hybrid
class Net(gluon.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.fc = nn.Dense(2, in_units=3)
            self.scale = self.params.get('scale', shape=(2,), init=mx.init.Constant(2.0))
    def hybrid_forward(self, F, x, scale):
        return F.broadcast_mul(self.fc(x), scale) + F.ones_like(scale)
net = Net(prefix='n_')
net.initialize(mx.init.One())
x = nd.ones((1, 3))
a = net(x); net.hybridize(); b = net(x); c = net(x)
P(a, b, c)
print(sorted(net.collect_params().keys()))
# case: hybrid_sym_repr
class Net(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return F.relu(x) * 2
net = Net()
s = net(mx.sym.var('data'))
print(type(s).__name__, s.list_arguments())
# case: trainer_sched
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
sch = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0, 'lr_scheduler': sch, 'momentum': 0.9, 'wd': 0.01})
for i in range(5):
    with autograd.record():
        l = net(nd.ones((2, 2))).sum()
    l.backward()
    tr.step(2)
    print(round(tr.learning_rate, 5))
P(net.weight.data(), net.bias.data())
# case: trainer_set_lr
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 0.1})
tr.set_learning_rate(0.05)
with autograd.record():
    l = net(nd.ones((2, 2))).sum()
l.backward()
tr.step(1)
P(net.weight.data(), tr.learning_rate, tr.optimizer.num_update)
# case: trainer_stale
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'sgd')
tr.step(1)
# case: trainer_allreduce_update
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
with autograd.record():
    l = net(nd.ones((2, 2))).sum()
l.backward()
tr.allreduce_grads(); tr.update(2)
P(net.weight.data())
# case: zero_grad
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
with autograd.record():
    l = net(nd.ones((2, 2))).sum()
l.backward()
P(net.weight.grad())
net.collect_params().zero_grad()
P(net.weight.grad())
# case: setattr_params
net = nn.Dense(2, in_units=2); net.initialize()
net.collect_params().setattr('grad_req', 'null')
net.collect_params().setattr('lr_mult', 0.5)
print(net.weight.grad_req, net.bias.lr_mult)
# case: cast
net = nn.Dense(2, in_units=2); net.initialize()
net.cast('float16')
print(net.weight.dtype, net(nd.ones((1, 2), dtype='float16')).dtype)
# case: summary
net = nn.HybridSequential()
net.add(nn.Dense(3, in_units=2), nn.Activation('relu'))
net.initialize()
net.summary(nd.ones((1, 2)))
