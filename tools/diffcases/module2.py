# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
nd = mx.nd
def net():
    data = mx.sym.var('data')
    fc = mx.sym.FullyConnected(data, num_hidden=3, name='fc')
    return mx.sym.SoftmaxOutput(fc, name='softmax')
# case: checkpoint
mod = mx.mod.Module(net())
mod.bind(data_shapes=[('data', (2, 4))], label_shapes=[('softmax_label', (2,))])
mod.init_params(mx.init.One())
d = tempfile.mkdtemp(); pre = os.path.join(d, 'ck')
mod.save_checkpoint(pre, 3)
print(sorted(os.listdir(d)))
sym, args, aux = mx.model.load_checkpoint(pre, 3)
print(sym.list_outputs(), sorted((k, v.shape) for k, v in args.items()), aux)
m2 = mx.mod.Module.load(pre, 3)
m2.bind(data_shapes=[('data', (2, 4))], label_shapes=[('softmax_label', (2,))])
P(m2.get_params()[0]['fc_weight'])
# case: bucketing
def sym_gen(key):
    data = mx.sym.var('data')
    fc = mx.sym.FullyConnected(data, num_hidden=2, name='fc')
    return mx.sym.SoftmaxOutput(fc, name='softmax'), ('data',), ('softmax_label',)
bm = mx.mod.BucketingModule(sym_gen, default_bucket_key=4)
bm.bind(data_shapes=[('data', (2, 4))], label_shapes=[('softmax_label', (2,))])
bm.init_params(mx.init.One()); bm.init_optimizer(optimizer_params={'learning_rate': 0.1})
b = mx.io.DataBatch([nd.ones((2, 4))], [nd.array([0, 1])], bucket_key=4, provide_data=[mx.io.DataDesc('data', (2, 4))], provide_label=[mx.io.DataDesc('softmax_label', (2,))])
bm.forward(b, is_train=True); bm.backward(); bm.update()
P(bm.get_outputs()[0])
P(bm.get_params()[0]['fc_weight'])
# case: module_score_metric_list
X = np.arange(16, dtype='float32').reshape(4, 4) / 16; Y = np.array([0, 1, 2, 0], dtype='float32')
it = mx.io.NDArrayIter(X, Y, batch_size=2)
mod = mx.mod.Module(net()); mod.bind(it.provide_data, it.provide_label); mod.init_params(mx.init.Constant(0.1))
print(mod.score(it, ['acc', 'ce']))
it.reset()
outs = mod.predict(it, merge_batches=False); print(len(outs), outs[0][0].shape)
# case: module_iter_predict
X = np.arange(16, dtype='float32').reshape(4, 4) / 16
it = mx.io.NDArrayIter(X, batch_size=3, last_batch_handle='pad')
mod = mx.mod.Module(net(), label_names=None); mod.bind(it.provide_data, for_training=False); mod.init_params(mx.init.Constant(0.1))
P(mod.predict(it).shape)
for preds, i, batch in mod.iter_predict(it):
    print(i, preds[0].shape, batch.pad)
