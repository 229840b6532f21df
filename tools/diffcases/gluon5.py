# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
from mxnet import gluon, autograd
from mxnet.gluon import nn
nd = mx.nd
# case: dense_f64
d = nn.Dense(2, in_units=3, dtype='float64'); d.initialize(mx.init.One())
y = d(nd.ones((1, 3), dtype='float64')); P(y)
# case: dense_f64_input_mismatch
d = nn.Dense(2, in_units=3); d.initialize(mx.init.One())
P(d(nd.ones((1, 3), dtype='float64')))
# case: cast_f16_bn
net = nn.HybridSequential(); net.add(nn.Conv2D(2, 1, in_channels=1), nn.BatchNorm(in_channels=2)); net.initialize(mx.init.One())
net.cast('float16')
print([(k.split('_', 1)[1], str(v.dtype)) for k, v in sorted(net.collect_params().items())])
P(net(nd.ones((1, 1, 2, 2), dtype='float16')).dtype)
# case: grad_add_zero
d = nn.Dense(1, in_units=2); d.initialize(mx.init.One())
d.collect_params().setattr('grad_req', 'add')
for _ in range(2):
    with autograd.record():
        l = d(nd.ones((1, 2))).sum()
    l.backward()
P(d.weight.grad()); d.collect_params().zero_grad(); P(d.weight.grad())
# case: nonscalar_backward
d = nn.Dense(2, in_units=2); d.initialize(mx.init.One())
with autograd.record():
    y = d(nd.ones((3, 2)))
y.backward()
P(d.weight.grad(), d.bias.grad())
# case: step_ignore_stale
net = nn.HybridSequential(); net.add(nn.Dense(1, in_units=2), nn.Dense(1, in_units=2)); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0})
with autograd.record():
    l = net[0](nd.ones((1, 2))).sum()
l.backward()
tr.step(1, ignore_stale_grad=True)
P(net[0].weight.data(), net[1].weight.data())
# case: trainer_update_on_kvstore
net = nn.Dense(1, in_units=2); net.initialize(mx.init.One())
tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0}, kvstore='device', update_on_kvstore=True)
with autograd.record():
    l = net(nd.ones((1, 2))).sum()
l.backward(); tr.step(1); P(net.weight.data())
# case: save_dedup
d = nn.Dense(2, in_units=2); d.initialize()
f = os.path.join(tempfile.mkdtemp(), 'p'); d.save_parameters(f, deduplicate=True); print(sorted(nd.load(f).keys()))
# case: sequential_add_non_block
nn.Sequential().add(5)
# case: hybrid_with_nd_ops_error
class N(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return x.asnumpy()
n = N(); n.hybridize(); n(nd.ones((1,)))
