# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, logging
nd = mx.nd
def net():
    data = mx.sym.var('data')
    fc = mx.sym.FullyConnected(data, num_hidden=3, name='fc')
    return mx.sym.SoftmaxOutput(fc, name='softmax')
# case: module_basic
mod = mx.mod.Module(net(), data_names=['data'], label_names=['softmax_label'])
mod.bind(data_shapes=[('data', (4, 5))], label_shapes=[('softmax_label', (4,))])
mod.init_params(mx.init.One())
mod.init_optimizer(optimizer='sgd', optimizer_params={'learning_rate': 0.1})
b = mx.io.DataBatch([nd.ones((4, 5))], [nd.array([0, 1, 2, 0])])
mod.forward(b, is_train=True); mod.backward(); mod.update()
P(mod.get_outputs())
a, x = mod.get_params(); print(sorted((k, v.shape) for k, v in a.items()))
P(a['fc_weight'])
print(mod.data_shapes, mod.label_shapes, mod.output_shapes, mod.data_names, mod.output_names)
# case: module_fit
X = np.random.RandomState(0).randn(20, 5).astype('float32'); Y = (X[:, 0] > 0).astype('float32')
it = mx.io.NDArrayIter(X, Y, batch_size=5)
mod = mx.mod.Module(net())
mod.fit(it, num_epoch=2, initializer=mx.init.Constant(0.01), optimizer_params={'learning_rate': 0.5}, eval_metric='acc')
print(mod.score(it, 'acc'))
P(mod.predict(it).shape)
# case: module_errors
mod = mx.mod.Module(net())
mod.forward(mx.io.DataBatch([nd.ones((4, 5))]))
# case: module_bad_names
mx.mod.Module(net(), data_names=['x'])
# case: kvstore
kv = mx.kv.create('local')
kv.init(3, nd.ones((2,)))
kv.push(3, nd.ones((2,)) * 4)
o = nd.zeros((2,)); kv.pull(3, out=o); P(o)
kv.push(3, [nd.ones((2,)), nd.ones((2,))]); kv.pull(3, out=o); P(o)
kv.init('w', nd.zeros((2,)))
kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
kv.push('w', nd.ones((2,))); kv.pull('w', out=o); P(o)
print(kv.type, kv.rank, kv.num_workers)
# case: kvstore_pushpull
kv = mx.kv.create('device')
kv.init([1, 2], [nd.zeros((2,)), nd.zeros((3,))])
outs = [nd.zeros((2,)), nd.zeros((3,))]
kv.pushpull([1, 2], [nd.ones((2,)), nd.ones((3,)) * 2], out=outs)
P(outs)
# case: kvstore_uninit
kv = mx.kv.create()
kv.pull(9, out=nd.zeros((1,)))
# case: executor
x = mx.sym.var('x'); w = mx.sym.var('w')
y = mx.sym.dot(x, w)
ex = y.simple_bind(mx.cpu(), x=(2, 3), w=(3, 1), grad_req={'x': 'null', 'w': 'write'})
ex.arg_dict['x'][:] = 1; ex.arg_dict['w'][:] = 2
ex.forward(is_train=True); ex.backward(nd.ones((2, 1)))
P(ex.outputs[0], ex.grad_dict['w'], ex.grad_dict.get('x'))
ex2 = ex.reshape(x=(4, 3))
P(ex2.forward()[0].shape)
print(sorted(ex.arg_dict.keys()), ex.output_dict.keys().__len__())
# case: viz
s = net()
mx.viz.print_summary(s, shape={'data': (1, 5)})
