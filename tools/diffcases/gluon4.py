# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
from mxnet import gluon, autograd
from mxnet.gluon import nn
nd = mx.nd
# case: nested_scope
class Inner(gluon.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.a = nn.Dense(2, in_units=2)
            self.b = nn.Dense(2, in_units=2)
    def hybrid_forward(self, F, x):
        return self.b(self.a(x))
class Outer(gluon.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.i1 = Inner(); self.i2 = Inner(prefix='custom_')
    def hybrid_forward(self, F, x):
        return self.i2(self.i1(x))
o = Outer()
print(sorted(o.collect_params().keys()))
print(o)
# case: symbolblock_ctor
data = mx.sym.var('data')
fc = mx.sym.FullyConnected(data, num_hidden=2, name='fc')
sb = gluon.SymbolBlock(fc, data)
sb.initialize(mx.init.One())
P(sb(nd.ones((1, 3))))
print(sorted(sb.collect_params().keys()))
# case: symbolblock_multi_out
data = mx.sym.var('data')
g = mx.sym.Group([data * 2, data + 1])
sb = gluon.SymbolBlock(g, [data])
P(sb(nd.ones((2,))))
# case: force_reinit
net = nn.Dense(2, in_units=2); net.initialize(mx.init.One())
net.initialize(mx.init.Zero(), force_reinit=True)
P(net.weight.data())
net.collect_params().initialize(mx.init.One(), force_reinit=True)
P(net.weight.data())
# case: hybrid_call_kwargs_err
class N(gluon.HybridBlock):
    def hybrid_forward(self, F, x, y=None):
        return x if y is None else x + y
n = N(); n.hybridize()
P(n(nd.ones((1,))), n(nd.ones((1,)), nd.ones((1,))))
# case: hybrid_rebuild_on_shape
n = nn.HybridSequential(); n.add(nn.Dense(2, flatten=False)); n.initialize(mx.init.One()); n.hybridize()
P(n(nd.ones((1, 3))).shape, n(nd.ones((2, 4, 3))).shape)
# case: infer_shape_block
n = nn.Dense(4); n.initialize()
n.infer_shape(nd.ones((2, 7))) if hasattr(n, 'infer_shape') else None
print(n.weight.shape)
# case: sequential_slicing
n = nn.HybridSequential(); n.add(nn.Dense(2), nn.Dense(3), nn.Dense(4))
s = n[1:]
print(type(s).__name__, len(s))
# case: block_setattr_param
class B(gluon.Block):
    def __init__(self):
        super().__init__()
        self.w = gluon.Parameter('w', shape=(2,))
    def forward(self, x):
        return x * self.w.data()
b = B(); b.initialize(mx.init.One()); P(b(nd.ones((2,)))); print(list(b.collect_params().keys()))
# case: dense_no_in_units_hybrid_export
n = nn.HybridSequential(); n.add(nn.Dense(2)); n.initialize(); n.hybridize(); n(nd.ones((1, 3)))
print([v.shape for v in n.collect_params().values()])
# case: loss_repr_and_batch_axis
l = gluon.loss.SoftmaxCrossEntropyLoss(axis=1, batch_axis=1)
P(l(nd.ones((3, 2)), nd.array([[0, 1]])))
# case: activation_types
for a in ['relu', 'sigmoid', 'tanh', 'softrelu', 'softsign']:
    P(nn.Activation(a)(nd.array([-1., 1])))
# case: activation_bad
nn.Activation('bogus')(nd.ones((1,)))
