# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
nd = mx.nd
# case: csviter
d = tempfile.mkdtemp()
np.savetxt(os.path.join(d, 'x.csv'), np.arange(20).reshape(10, 2), delimiter=',')
np.savetxt(os.path.join(d, 'y.csv'), np.arange(10), delimiter=',')
it = mx.io.CSVIter(data_csv=os.path.join(d, 'x.csv'), data_shape=(2,), label_csv=os.path.join(d, 'y.csv'), batch_size=4)
for b in it:
    print(b.data[0].asnumpy().tolist(), b.label[0].asnumpy().tolist(), b.pad)
print(it.provide_data, it.provide_label)
# case: csviter_round_batch
d = tempfile.mkdtemp()
np.savetxt(os.path.join(d, 'x.csv'), np.arange(10).reshape(5, 2), delimiter=',')
it = mx.io.CSVIter(data_csv=os.path.join(d, 'x.csv'), data_shape=(2,), batch_size=2, round_batch=False)
print([(b.data[0].shape, b.pad) for b in it])
# case: ndarrayiter_shuffle_dict
it = mx.io.NDArrayIter(data={'a': np.ones((4, 2)), 'b': np.zeros((4, 3))}, label={'l': np.arange(4)}, batch_size=2)
print(it.provide_data, it.provide_label)
b = next(it); print([x.shape for x in b.data], b.provide_data if hasattr(b, 'provide_data') else '')
# case: databatch_repr
b = mx.io.DataBatch([nd.ones((2, 3))], [nd.ones((2,))], pad=1)
print(str(b).split(':')[0], b.pad, b.index)
print(mx.io.DataDesc('data', (2, 3)), mx.io.DataDesc('data', (2, 3)).layout, mx.io.DataDesc.get_batch_axis('NCHW'), mx.io.DataDesc.get_batch_axis('TNC'))
# case: resize_iter
it = mx.io.NDArrayIter(np.arange(10).reshape(5, 2), batch_size=2)
r = mx.io.ResizeIter(it, 4)
print(len([b for b in r]))
# case: prefetch
it = mx.io.NDArrayIter(np.arange(10).reshape(5, 2), batch_size=2, last_batch_handle='discard')
p = mx.io.PrefetchingIter(it)
print([b.data[0].shape for b in p])
# case: recordio
d = tempfile.mkdtemp(); f = os.path.join(d, 'r.rec')
w = mx.recordio.MXRecordIO(f, 'w'); w.write(b'abc'); w.write(b'de'); w.close()
r = mx.recordio.MXRecordIO(f, 'r'); print(r.read(), r.read(), r.read()); r.close()
h = mx.recordio.IRHeader(0, 1.5, 7, 0)
s = mx.recordio.pack(h, b'xyz'); h2, c = mx.recordio.unpack(s); print(h2, c)
s = mx.recordio.pack(mx.recordio.IRHeader(0, [1., 2], 3, 0), b'q'); print(mx.recordio.unpack(s))
# case: indexed_recordio
d = tempfile.mkdtemp()
w = mx.recordio.MXIndexedRecordIO(os.path.join(d, 'r.idx'), os.path.join(d, 'r.rec'), 'w')
for i in range(3): w.write_idx(i * 10, b'v%d' % i)
w.close()
r = mx.recordio.MXIndexedRecordIO(os.path.join(d, 'r.idx'), os.path.join(d, 'r.rec'), 'r')
print(r.keys, r.read_idx(20))
print(open(os.path.join(d, 'r.idx')).read())
