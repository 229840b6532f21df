# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile, json
from mxnet import np as mnp, npx, gluon
from mxnet.gluon import nn
npx.set_np()
# case: np_export_imports
net = nn.HybridSequential()
net.add(nn.Dense(3, in_units=2, activation='relu'), nn.Dense(1, in_units=3))
net.initialize(mx.init.One()); net.hybridize()
x = mnp.ones((1, 2)); y = net(x)
d = tempfile.mkdtemp(); net.export(os.path.join(d, 'm'))
j = json.load(open(os.path.join(d, 'm-symbol.json')))
print([n['op'] for n in j['nodes']])
sb = gluon.SymbolBlock.imports(os.path.join(d, 'm-symbol.json'), ['data'], os.path.join(d, 'm-0000.params'))
print(type(sb(x)).__name__, sb(x).tolist(), y.tolist())
# case: npx_save_load
d = tempfile.mkdtemp(); f = os.path.join(d, 'a.npz')
npx.save(f, {'a': mnp.array([1., 2]), 'b': mnp.array(3)})
r = npx.load(f); print(sorted(r.keys()), type(r['a']).__name__, r['b'].shape)
# case: np_params_save_load
net = nn.Dense(2, in_units=2); net.initialize(mx.init.One())
f = os.path.join(tempfile.mkdtemp(), 'p'); net.save_parameters(f)
n2 = nn.Dense(2, in_units=2); n2.load_parameters(f); print(type(n2.weight.data()).__name__, n2.weight.data().tolist())
# case: np_dataloader
ds = gluon.data.ArrayDataset(mnp.arange(6).reshape(3, 2), mnp.array([0, 1, 2]))
x, y = next(iter(gluon.data.DataLoader(ds, batch_size=2)))
print(type(x).__name__, x.shape, str(x.dtype), y.tolist())
ds2 = gluon.data.ArrayDataset(np.arange(6).reshape(3, 2).astype('float32'), np.array([0, 1, 2]))
x, y = next(iter(gluon.data.DataLoader(ds2, batch_size=2)))
print(type(x).__name__, str(x.dtype), str(y.dtype))
# case: np_metric
m = mx.metric.Accuracy(); m.update([mnp.array([0, 1])], [mnp.array([[0.9, 0.1], [0.2, 0.8]])]); print(m.get())
# case: np_trainer
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
with mx.autograd.record():
    l = gluon.loss.L2Loss()(net(mnp.ones((2, 2))), mnp.zeros((2, 1)))
l.backward(); tr.step(2); print(net.weight.data().tolist(), l.shape)
# case: np_param_init_types
net = nn.Conv2D(2, 3, in_channels=1); net.initialize()
print(type(net.weight.data()).__name__, net.weight.data().shape, net(mnp.ones((1, 1, 4, 4))).shape)
