# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import gluon, autograd
nd = mx.nd
# case: lr_setter_with_sched
o = mx.optimizer.SGD(learning_rate=0.1, lr_scheduler=mx.lr_scheduler.FactorScheduler(2))
print(o.learning_rate)
o.set_learning_rate(0.5)
# case: lr_attr
o = mx.optimizer.SGD(learning_rate=0.1)
o.set_learning_rate(0.3); print(o.learning_rate, o.lr, o.wd, o.rescale_grad, o.clip_gradient, o.begin_num_update, o.multi_precision)
# case: param_lr_mult_gluon
net = gluon.nn.Dense(1, in_units=2); net.initialize(mx.init.One())
net.weight.lr_mult = 0.0; net.bias.wd_mult = 0
tr = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0, 'wd': 0.1})
with autograd.record():
    l = net(nd.ones((1, 2))).sum()
l.backward(); tr.step(1)
P(net.weight.data(), net.bias.data())
# case: sgd_lazy_update_f16
o = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
w = nd.array([1., 2], dtype='float16'); g = nd.array([1., 1], dtype='float16')
s = o.create_state_multi_precision(0, w); o.update_multi_precision(0, w, g, s); P(w)
# case: adam_params
o = mx.optimizer.Adam(learning_rate=0.01, beta1=0.8, beta2=0.9, epsilon=1e-6, wd=0.01, lazy_update=False)
w = nd.array([1., -1]); s = o.create_state(0, w)
for i in range(3): o.update(0, w, nd.array([0.3, -0.2]), s)
P(w, s)
# case: adamw
o = mx.optimizer.create('adamw', learning_rate=0.01, wd=0.1) if 'adamw' in mx.optimizer.Optimizer.opt_registry else None
print(o is None)
# case: update_ops
w = nd.array([1., 2]); g = nd.array([0.5, -1]); m = nd.zeros((2,))
nd.sgd_mom_update(w, g, m, lr=0.1, momentum=0.9, wd=0.01, out=w); P(w, m)
w2 = nd.array([1., 2]); mean = nd.zeros((2,)); var = nd.zeros((2,))
nd.adam_update(w2, g, mean, var, lr=0.1, out=w2); P(w2, mean, var)
P(nd.sgd_update(nd.array([1., 2]), g, lr=0.1, clip_gradient=0.6, rescale_grad=2.0))
w3 = nd.array([1., 2]); n = nd.zeros((2,)); nd.rmsprop_update(w3, g, n, lr=0.1, out=w3); P(w3, n)
w4 = nd.array([1., 2]); st = nd.zeros((2,)); nd.signum_update(w4, g, st, lr=0.1, out=w4) if False else 0; P(nd.signsgd_update(nd.array([1., 2]), g, lr=0.1))
# case: ftrl_nag_updates
w = nd.array([1., 2]); g = nd.array([0.5, -1]); z = nd.zeros((2,)); n = nd.zeros((2,))
nd.ftrl_update(w, g, z, n, lr=0.1, out=w); P(w, z, n)
w = nd.array([1., 2]); m = nd.zeros((2,)); nd.nag_mom_update(w, g, m, lr=0.1, momentum=0.9, out=w); P(w, m)
