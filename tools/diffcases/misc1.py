# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import gluon, autograd
nd = mx.nd
# case: metric_acc
m = mx.metric.Accuracy()
m.update([nd.array([0, 1, 1])], [nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
print(m.get(), m.num_inst, m.sum_metric)
m.reset(); print(m.get())
# case: metric_topk_f1
m = mx.metric.TopKAccuracy(top_k=2)
m.update([nd.array([2, 0])], [nd.array([[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]])])
print(m.get())
f = mx.metric.F1()
f.update([nd.array([0, 1, 1, 0])], [nd.array([[0.3, 0.7], [0.2, 0.8], [0.9, 0.1], [0.6, 0.4]])])
print(f.get())
f2 = mx.metric.F1(average='micro')
f2.update([nd.array([0, 1, 1, 0])], [nd.array([[0.3, 0.7], [0.2, 0.8], [0.9, 0.1], [0.6, 0.4]])])
print(f2.get())
# case: metric_regression
for name in ['mse', 'mae', 'rmse']:
    m = mx.metric.create(name)
    m.update([nd.array([1., 2, 3])], [nd.array([1.5, 2, 2])])
    print(m.get())
m = mx.metric.CrossEntropy(); m.update([nd.array([1, 0])], [nd.array([[0.3, 0.7], [0.6, 0.4]])]); print(m.get())
m = mx.metric.Perplexity(ignore_label=None); m.update([nd.array([1, 0])], [nd.array([[0.3, 0.7], [0.6, 0.4]])]); print(m.get())
m = mx.metric.NegativeLogLikelihood(); m.update([nd.array([1, 0])], [nd.array([[0.3, 0.7], [0.6, 0.4]])]); print(m.get())
m = mx.metric.PearsonCorrelation(); m.update([nd.array([1., 2, 3])], [nd.array([1.5, 2, 4])]); print(m.get())
# case: metric_composite
m = mx.metric.create(['acc', 'mse'])
m.update([nd.array([0, 1])], [nd.array([[0.3, 0.7], [0, 1.]])])
print(m.get(), m.get_name_value())
c = mx.metric.CompositeEvalMetric(); c.add(mx.metric.Accuracy()); print(c.get())
# case: metric_custom
m = mx.metric.CustomMetric(lambda l, p: float((l == p.argmax(1)).mean()), name='my')
m.update([nd.array([0, 1])], [nd.array([[0.3, 0.7], [0, 1.]])])
print(m.get())
m2 = mx.metric.np(lambda l, p: 1.0)
print(m2.name)
# case: metric_global
m = mx.metric.Accuracy()
m.update([nd.array([0, 1])], [nd.array([[0.3, 0.7], [0, 1.]])])
m.reset_local()
m.update([nd.array([1])], [nd.array([[0.3, 0.7]])])
print(m.get(), m.get_global())
# case: metric_shape_err
m = mx.metric.Accuracy()
m.update([nd.array([0, 1, 1])], [nd.array([[0.3, 0.7], [0, 1.]])])
# case: metric_str
print(mx.metric.Accuracy(), mx.metric.MAE(name='x').name, mx.metric.Loss().get())
# case: init_dumps
for i in [mx.init.Uniform(0.1), mx.init.Normal(0.5), mx.init.Xavier(), mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2), mx.init.Constant(3), mx.init.Zero(), mx.init.One(), mx.init.MSRAPrelu(), mx.init.Orthogonal(), mx.init.Bilinear(), mx.init.LSTMBias(1.0)]:
    print(i.dumps())
# case: init_apply
w = nd.zeros((2, 3))
mx.init.Constant(2)('w', w); P(w)
b = nd.ones((3,))
mx.init.Xavier()(mx.init.InitDesc('fc_bias'), b); P(b)
g = nd.zeros((3,)); mx.init.Uniform()(mx.init.InitDesc('bn_gamma'), g); P(g)
mv = nd.zeros((3,)); mx.init.Uniform()(mx.init.InitDesc('bn_moving_var'), mv); P(mv)
# case: init_bilinear
w = nd.zeros((1, 1, 4, 4)); mx.init.Bilinear()('up_weight', w); P(w)
# case: init_mixed
init = mx.init.Mixed(['bias', '.*'], [mx.init.Zero(), mx.init.One()])
a = nd.ones((2,)); b = nd.zeros((2,))
init('fc_bias', a); init('fc_weight', b); P(a, b)
# case: init_unknown_name
mx.init.Uniform()('foo', nd.zeros((2,)))
# case: optimizer_updates
for name, kw in [('sgd', {'momentum': 0.9, 'wd': 0.1}), ('sgd', {}), ('nag', {'momentum': 0.9}), ('adam', {}), ('adagrad', {}), ('rmsprop', {}), ('rmsprop', {'centered': True}), ('adadelta', {}), ('ftrl', {}), ('adamax', {}), ('nadam', {}), ('signum', {}), ('ftml', {}), ('lamb', {}), ('lars', {'momentum': 0.9}), ('dcasgd', {})]:
    o = mx.optimizer.create(name, learning_rate=0.1, rescale_grad=0.5, clip_gradient=1.0, **kw)
    w = nd.array([1., -2, 3]); g = nd.array([0.5, 3, -1])
    st = o.create_state(0, w)
    for _ in range(3):
        o.update(0, w, g, st)
    print(name, np.round(w.asnumpy(), 4).tolist())
# case: optimizer_multi_precision
o = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9, multi_precision=True)
w = nd.array([1., 2], dtype='float16'); g = nd.array([1., 1], dtype='float16')
st = o.create_state_multi_precision(0, w)
o.update_multi_precision(0, w, g, st)
P(w, st[1] if isinstance(st, tuple) else st)
# case: optimizer_lr_mult
o = mx.optimizer.SGD(learning_rate=1.0, param_idx2name={0: 'a_weight', 1: 'a_bias'}, wd=0.1)
o.set_lr_mult({'a_weight': 0.5}); o.set_wd_mult({})
print(o._get_lr(0), o._get_wd(0), o._get_wd(1), o.learning_rate)
# case: optimizer_updater
o = mx.optimizer.Adam(learning_rate=0.1)
u = mx.optimizer.get_updater(o)
w = nd.array([1., 2]); u(0, nd.array([1., 1]), w); u(0, nd.array([1., 1]), w)
P(w)
st = u.get_states()
u2 = mx.optimizer.get_updater(mx.optimizer.Adam(learning_rate=0.1)); u2.set_states(st)
print(sorted(u2.states.keys()))
# case: lr_schedulers
for s in [mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1), mx.lr_scheduler.MultiFactorScheduler(step=[2, 5], factor=0.1, base_lr=1), mx.lr_scheduler.PolyScheduler(max_update=10, base_lr=1, pwr=2, final_lr=0.1), mx.lr_scheduler.CosineScheduler(max_update=10, base_lr=1, final_lr=0, warmup_steps=2, warmup_begin_lr=0.1), mx.lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=1, stop_factor_lr=0.2, warmup_steps=2, warmup_mode='constant')]:
    print([round(s(i), 5) for i in range(0, 12)])
# case: losses
pred = nd.array([[0.3, 0.7, 0.1], [0.9, 0.05, 0.2]]); lab = nd.array([1, 0]); sw = nd.array([[1.], [0.5]])
L = gluon.loss
for l in [L.SoftmaxCrossEntropyLoss(), L.SoftmaxCrossEntropyLoss(sparse_label=False, from_logits=True), L.L2Loss(), L.L1Loss(weight=2.0), L.SigmoidBinaryCrossEntropyLoss(), L.SigmoidBCELoss(from_sigmoid=True), L.KLDivLoss(), L.HuberLoss(rho=0.5), L.HingeLoss(), L.SquaredHingeLoss(), L.LogisticLoss(), L.LogisticLoss(label_format='binary'), L.PoissonNLLLoss()]:
    lb = lab if isinstance(l, L.SoftmaxCrossEntropyLoss) and l._sparse_label else nd.array([[0, 1, 0], [1, 0, 1.]])
    try:
        print(type(l).__name__, np.round(l(pred, lb).asnumpy(), 4).tolist(), np.round(l(pred, lb, sw).asnumpy(), 4).tolist())
    except Exception as e:
        print(type(l).__name__, 'EXC', type(e).__name__)
# case: losses2
L = gluon.loss
print(np.round(L.CosineEmbeddingLoss()(nd.array([[1., 0]]), nd.array([[0.5, 0.5]]), nd.array([1])).asnumpy(), 4).tolist())
print(np.round(L.TripletLoss()(nd.array([[1., 0]]), nd.array([[0.5, 0.5]]), nd.array([[0, 1.]])).asnumpy(), 4).tolist())
print(np.round(L.CTCLoss()(nd.ones((2, 5, 4)), nd.array([[1, 2], [1, 1]])).asnumpy(), 4).tolist())
print(L.L2Loss(), L.SoftmaxCELoss(axis=1, batch_axis=0).__class__.__name__)
# case: dataloader
X = np.arange(20).reshape(10, 2).astype('float32'); Y = np.arange(10)
ds = gluon.data.ArrayDataset(X, Y)
print(len(ds), type(ds[0][0]).__name__, ds[0][1])
dl = gluon.data.DataLoader(ds, batch_size=4, last_batch='keep')
for x, y in dl:
    print(type(x).__name__, x.shape, str(x.dtype), y.shape, str(y.dtype))
print(len(dl), len(gluon.data.DataLoader(ds, batch_size=4, last_batch='discard')), len(gluon.data.DataLoader(ds, batch_size=4, last_batch='rollover')))
# case: dataloader_nd
ds = gluon.data.ArrayDataset(nd.arange(6).reshape((3, 2)), nd.array([1, 2, 3]))
x, y = next(iter(gluon.data.DataLoader(ds, batch_size=2)))
P(x, y)
print(type(ds[0][0]).__name__, type(ds[0][1]).__name__)
# case: dataset_transform
ds = gluon.data.SimpleDataset(list(range(5))).transform(lambda x: x * 2)
print([ds[i] for i in range(len(ds))])
ds2 = gluon.data.ArrayDataset(np.arange(3), np.arange(3)).transform_first(lambda x: x + 10)
print([tuple(int(v) for v in ds2[i]) for i in range(3)])
print(list(gluon.data.SimpleDataset([1, 2, 3, 4]).filter(lambda x: x % 2 == 0)), len(gluon.data.SimpleDataset(list(range(10))).shard(3, 0)), list(gluon.data.SimpleDataset([1, 2, 3]).take(2)))
# case: batchify
from mxnet.gluon.data import batchify
P(batchify.Stack()([np.array([1, 2]), np.array([3, 4])]), batchify.Pad(val=-1)([np.array([1, 2, 3]), np.array([4])]), batchify.Tuple(batchify.Stack(), batchify.Pad())([(np.array([1]), np.array([1, 2])), (np.array([2]), np.array([3]))]))
P(batchify.Pad(ret_length=True)([np.array([1, 2, 3]), np.array([4])]))
# case: default_batchify
from mxnet.gluon.data.dataloader import default_batchify_fn
P(default_batchify_fn([np.array([1, 2]), np.array([3, 4])]), default_batchify_fn([(1, 2.0), (3, 4.0)]), default_batchify_fn([nd.array([1]), nd.array([2])]))
# case: samplers
from mxnet.gluon.data import sampler
print(list(sampler.SequentialSampler(5)), list(sampler.BatchSampler(sampler.SequentialSampler(7), 3, 'keep')), list(sampler.BatchSampler(sampler.SequentialSampler(7), 3, 'discard')), len(sampler.BatchSampler(sampler.SequentialSampler(7), 3, 'rollover')))
# case: ndarrayiter
it = mx.io.NDArrayIter(np.arange(20).reshape(10, 2), np.arange(10), batch_size=4, last_batch_handle='pad')
for b in it:
    print(b.data[0].shape, b.label[0].asnumpy().tolist(), b.pad, b.index.tolist() if b.index is not None else None)
print(it.provide_data, it.provide_label)
it = mx.io.NDArrayIter({'a': np.ones((5, 2))}, batch_size=2, last_batch_handle='discard')
print([b.data[0].shape for b in it], it.provide_data, it.provide_label)
it = mx.io.NDArrayIter(np.arange(10).reshape(5, 2), batch_size=2, last_batch_handle='roll_over')
print([b.data[0].asnumpy().tolist() for b in it]); it.reset(); print([b.data[0].asnumpy().tolist() for b in it])
