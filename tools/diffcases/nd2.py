# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, pickle, os, tempfile
nd = mx.nd
# case: pickle
a = nd.array([[1, 2], [3, 4]], dtype='int32')
b = pickle.loads(pickle.dumps(a))
P(b)
# case: save_load
d = tempfile.mkdtemp()
nd.save(os.path.join(d, 'a'), [nd.ones((2,)), nd.zeros((1, 2), dtype='int64')])
P(nd.load(os.path.join(d, 'a')))
nd.save(os.path.join(d, 'b'), {'x': nd.array([1.5]), 'y': nd.array(3)})
r = nd.load(os.path.join(d, 'b')); print(sorted(r.keys())); P(r['x'], r['y'])
nd.save(os.path.join(d, 'c'), nd.ones((1,)))
P(nd.load(os.path.join(d, 'c')))
# case: save_bad
nd.save(os.path.join(tempfile.mkdtemp(), 'x'), [1, 2])
# case: concatenate
P(nd.concatenate([nd.ones((1, 2)), nd.zeros((2, 2))]), nd.concatenate([nd.ones((2, 1)), nd.zeros((2, 2))], axis=1))
# case: ones_int_shape
P(nd.ones(3), nd.zeros(2, dtype='int8'), nd.full(2, 1.5, dtype='float16'), nd.array(5).shape, nd.array([]).shape)
# case: out_param
a = nd.zeros((2,)); r = nd.elemwise_add(nd.ones((2,)), nd.ones((2,)), out=a)
P(a, r is a)
nd.exp(nd.zeros((2,)), out=a); P(a)
# case: fluent_many
a = nd.array([[0.5, -1.5], [2.5, 3.0]])
for m in ['exp', 'log1p', 'relu', 'sigmoid', 'sin', 'cos', 'tanh', 'arcsinh', 'floor', 'ceil', 'fix', 'trunc', 'rint', 'reciprocal', 'square', 'cbrt', 'expm1', 'nansum', 'nanprod', 'zeros_like', 'ones_like', 'shape_array', 'size_array', 'log_softmax', 'argmin', 'min', 'prod', 'sum_axis' if hasattr(a, 'sum_axis') else 'sum']:
    P(getattr(a, m)())
P(a.broadcast_to((2, 2, 2)).shape, a.pad if False else 0, a.diag(), a.reshape_like(nd.zeros((4,))), a.pick(nd.array([0, 1])), a.take(nd.array([1])), a.one_hot(3).shape, a.tile(2), a.slice_like(nd.zeros((1, 1))), a.broadcast_axes(axis=0, size=1))
# case: isnan_isinf
a = nd.array([1, float('nan'), float('inf'), -float('inf')])
P(nd.contrib.isnan(a), nd.contrib.isinf(a), nd.contrib.isfinite(a))
# case: dlpack
a = nd.array([1, 2, 3])
p = a.to_dlpack_for_read()
b = nd.from_dlpack(p)
P(b)
# case: from_numpy
x = np.arange(6, dtype='float64').reshape(2, 3)
a = nd.from_numpy(x) if hasattr(nd, 'from_numpy') else nd.array(x)
P(a)
P(nd.array(x), nd.array(x, dtype=x.dtype), nd.array(np.array([1, 2], dtype=np.int8)), nd.array(np.float64(3.5)).shape)
# case: setitem_variants
a = nd.zeros((3, 4))
a[:, 1:3] = np.array([[1, 2]])
a[np.int64(2)] = 7
a[-1, ::-2] = 5
a[1, :] = nd.array([1, 2, 3, 4]).reshape((1, 4)) if False else nd.array([1, 2, 3, 4])
P(a)
a[(0, 1), :] = 9
P(a)
# case: getitem_step_neg
a = nd.arange(10)
P(a[::-1], a[8:2:-2], a[-3:], a[np.int32(3)], a[5:5], a[slice(None, None, 3)])
# case: getitem_oob
nd.arange(3)[5]
# case: getitem_ndarray_float_index
a = nd.arange(6).reshape((2, 3))
P(a[nd.array([1, 0])], a[[1, 0], [2, 2]], a[nd.array([[0], [1]]), nd.array([[0, 1]])])
# case: setitem_adv
a = nd.zeros((3, 3))
a[[0, 2], [1, 1]] = nd.array([4, 5])
P(a)
a[nd.array([1]), :] = 2
P(a)
# case: large_int_rounding
a = nd.array([2**24 + 1], dtype='int64'); P(a, nd.array([16777217]))
# case: random_shapes
print(nd.random.uniform(shape=(2, 3)).shape, nd.random.normal(0, 1, shape=2).shape, nd.random.randint(0, 5, shape=(3,)).dtype, nd.random.uniform(dtype='float64', shape=(1,)).dtype, nd.random.poisson(2, shape=(2,)).dtype)
print(nd.random.uniform(nd.zeros((2,)), nd.ones((2,)), shape=3).shape, nd.random.multinomial(nd.array([[0.5, 0.5]]), shape=4).shape, nd.random.shuffle(nd.arange(5)).shape, nd.random.randn(2, 3).shape, nd.random.exponential(shape=(2,)).dtype)
print(nd.random.multinomial(nd.array([0.1, 0.9]), get_prob=True)[1].shape, nd.sample_uniform(nd.array([0, 1]), nd.array([1, 2]), shape=(3,)).shape)
# case: random_seed_repeat
mx.random.seed(42); a = nd.random.uniform(shape=(3,)).asnumpy()
mx.random.seed(42); b = nd.random.uniform(shape=(3,)).asnumpy()
print((a == b).all())
# case: norm_variants
a = nd.array([[3., -4], [1, 2]])
P(nd.norm(a), nd.norm(a, ord=1), nd.norm(a, axis=1), nd.norm(a, ord=2, axis=0, keepdims=True), a.norm(ord=1, axis=(0,)))
# case: norm_bad_ord
nd.norm(nd.ones((2,)), ord=3)
# case: moments
m, v = nd.moments(nd.array([[1., 2], [3, 5]]), axes=(0,))
P(m, v)
# case: sum_exclude
a = nd.arange(24).reshape((2, 3, 4))
P(nd.sum(a, axis=(0, 2), exclude=True), nd.max(a, axis=1, exclude=True, keepdims=True).shape, nd.mean(a, axis=()), nd.sum(a, axis=-1, keepdims=True).shape)
# case: reduce_bad_axis
nd.sum(nd.ones((2, 3)), axis=2)
# case: ndarray_equal_ops
a = nd.array([1, 2]); b = nd.array([1, 3])
print((a == b).asnumpy().tolist(), (a == a).asnumpy().tolist())
print(a.__eq__(None) if hasattr(a, '__eq__') else '')
# case: copyto
a = nd.array([1, 2]); b = nd.zeros((2,))
a.copyto(b); P(b); c = a.copyto(mx.cpu()); P(c)
# case: copyto_err
nd.array([1, 2]).copyto(nd.zeros((3,)))
# case: as_in_ctx
a = nd.array([1.]); print(a.as_in_context(mx.cpu()) is a, a.copyto(mx.cpu()) is a, mx.cpu(1), mx.gpu(0), str(mx.cpu_pinned()))
# case: dtype_names
print([str(nd.zeros((1,), dtype=d).dtype) for d in ['float32', 'float64', 'float16', 'uint8', 'int8', 'int32', 'int64', 'bool']])
print(nd.zeros((1,), dtype=np.float32).dtype is np.float32, nd.zeros((1,)).dtype == np.float32, nd.zeros((1,)).dtype == 'float32')
# case: grad_attached
a = nd.ones((2,)); print(a.grad); a.attach_grad(); P(a.grad); print(a._fresh_grad if hasattr(a, '_fresh_grad') else '')
# case: contrib_control
def body(data, states):
    return data * 2, [states[0] + data]
outs, st = nd.contrib.foreach(body, nd.arange(3), [nd.zeros((1,))])
P(outs, st)
res = nd.contrib.while_loop(lambda i, s: i < 3, lambda i, s: (i, (i + 1, s + i)), [nd.array([0.]), nd.array([0.])], max_iterations=5)
P(res)
P(nd.contrib.cond(nd.array([1]), lambda: nd.ones((1,)), lambda: nd.zeros((1,))))
