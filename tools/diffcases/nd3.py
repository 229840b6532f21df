# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
a = nd.array([[1., 2], [3, 4]]); b = nd.array([[2., 2], [1, 5]])
# case: py_funcs
P(nd.add(a, b), nd.subtract(a, 1), nd.multiply(2, a), nd.divide(a, b), nd.true_divide(a, 2), nd.modulo(a, b), nd.power(a, 2), nd.maximum(a, b), nd.minimum(a, 2.5))
P(nd.equal(a, b), nd.not_equal(a, 2), nd.greater(a, b), nd.greater_equal(a, 2), nd.lesser(a, b), nd.lesser_equal(2, a), nd.logical_and(a, b), nd.logical_or(a, 0), nd.logical_xor(a, b), nd.negative(a))
# case: py_funcs_scalar_both
print(nd.add(1, 2), nd.power(2, 3), nd.maximum(1, 3))
# case: onehot_encode
out = nd.zeros((2, 3))
nd.onehot_encode(nd.array([0, 2]), out); P(out)
# case: moveaxis
P(nd.moveaxis(nd.ones((2, 3, 4)), 0, 2).shape, nd.moveaxis(nd.ones((2, 3, 4)), [0, 1], [2, 0]).shape)
# case: clip_bad
P(nd.clip(a, 3, 1))
# case: ndarray_misc_props
print(a.size, a.ndim, a.context.device_type, a.context.device_id, hash(a) is not None, a.writable if hasattr(a, 'writable') else '', a.grad)
# case: empty_like_full_like
P(nd.full_like(a, 7) if hasattr(nd, 'full_like') else 0, nd.zeros_like(a, dtype='int32') if False else 0)
# case: imports
print(callable(nd.imdecode), hasattr(nd, 'concatenate'), hasattr(nd, 'load_frombuffer'), hasattr(nd, 'from_numpy'), hasattr(nd, 'histogram'))
# case: load_frombuffer
import tempfile, os
f = os.path.join(tempfile.mkdtemp(), 'x'); nd.save(f, {'a': a})
P(nd.load_frombuffer(open(f, 'rb').read())['a'])
# case: linspace_endpoint
P(nd.linspace(0, 1, 4, endpoint=False), nd.linspace(0, 10, 3, dtype='int32'))
# case: eye_variants
P(nd.eye(2, 3), nd.eye(3, k=-1, dtype='int32'))
# case: arange_repeat_ctx
P(nd.arange(0, 6, 2, repeat=2, dtype='int64'))
# case: ndarray_iadd_broadcast
x = nd.ones((2, 3)); x += nd.array([1, 2, 3]); P(x)
# case: ndarray_iadd_bad
x = nd.ones((3,)); x += nd.ones((2, 3)); P(x)
# case: ndarray_rops
x = nd.array([1., 2])
P(1 + x, 3 - x, 2 * x, 4 / x, 5 % x, 2 ** x, x.__rpow__(3), -x, +x if hasattr(x, '__pos__') else 0)
# case: ndarray_compare_scalar_types
x = nd.array([1, 2], dtype='int32')
P(x == 1, x > np.int64(1), x < 1.5, x != np.float32(2))
# case: ndarray_numpy_scalar_ops
x = nd.array([1., 2])
P(x * np.float32(2), np.float32(2) * x if False else 0, x + np.int64(1), x / np.float64(2))
# case: numpy_left_op
x = nd.array([1., 2])
r = np.float64(2) * x
print(type(r).__name__)
# case: copy_semantics
x = nd.array([1., 2]); y = x[:]; y[0] = 9; P(x)
z = x[0:1]; z[:] = 7; P(x)
w = x.reshape((2, 1)); w[1] = 5; P(x)
# case: asnumpy_writable
x = nd.array([1., 2]); n = x.asnumpy(); n[0] = 5; P(x)
# case: astype_same
x = nd.array([1., 2]); y = x.astype('float32'); y[0] = 9; P(x)
