# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
# case: int_div
a = nd.array([7, -7], dtype='int32'); b = nd.array([2, 2], dtype='int32')
P(a / b, a % b, a / 2, a % 3, nd.broadcast_div(a, b), a ** 2, 2 ** b)
# case: int_unary
a = nd.array([4, 9], dtype='int32')
P(nd.sqrt(a), nd.exp(nd.array([1], dtype='int32')), nd.log(a), nd.relu(a), nd.sigmoid(a), nd.sin(a))
# case: f16_reduce
a = nd.array([1000, 1000, 1000], dtype='float16')
P(nd.sum(a), nd.mean(a), nd.norm(a), nd.softmax(a))
# case: int64_ops
a = nd.array([2**40, 3], dtype='int64')
P(a + 1, nd.sum(a), a * 2, nd.argmax(a, axis=0), nd.max(a))
# case: uint8_ops
a = nd.array([250, 10], dtype='uint8')
P(a + a, a - nd.array([251, 11], dtype='uint8'), nd.sum(a), nd.mean(a), a * 2, nd.cast(a, 'int8'))
# case: bool_nd
a = nd.array([1, 0, 1], dtype='bool')
P(a, nd.sum(a), a + a)
# case: arange_dtypes
P(nd.arange(3, dtype='int32'), nd.arange(0, 1, 0.3), nd.arange(5, 0, -2), nd.arange(2, dtype='float16'), nd.arange(3, infer_range=True) if False else 0)
# case: float64_keep
a = nd.array([1.5], dtype='float64')
P(a + 1, a * 2.5, nd.exp(a), nd.sum(a), a > 1, nd.dot(a.reshape((1, 1)), a.reshape((1, 1))))
# case: mixed_scalar_float
a = nd.array([1, 2], dtype='int32')
P(a + 1.7, a * 0.5, a - 0.9, a > 1.5, a == 1.0)
# case: np_dtypes
from mxnet import np as mnp, npx
npx.set_np()
P(mnp.array([1, 2]) + 1.5, mnp.array([1, 2], dtype='int32') * 0.5, mnp.array([1, 2], dtype='int32') > 1.5, mnp.sqrt(mnp.array([4], dtype='int32')), mnp.exp(mnp.array([1], dtype='int64')), mnp.mean(mnp.array([1, 2], dtype='int32')), mnp.array([1, 2], dtype='int32') ** 0.5, mnp.abs(mnp.array([-1], dtype='int8')))
P(mnp.array([1, 2], dtype='uint8') - mnp.array([3, 1], dtype='uint8'), mnp.array([1.], dtype='float16') + mnp.array([1], dtype='int32'), mnp.array([1], dtype='int64') / mnp.array([2], dtype='int64'))
# case: np_creation_default
from mxnet import np as mnp, npx
npx.set_np()
P(mnp.array([1, 2]), mnp.array([1.5]), mnp.array(np.array([1, 2])), mnp.array(np.array([1.5])), mnp.array([True]), mnp.arange(3), mnp.arange(3.0), mnp.zeros(2), mnp.full(2, 3), mnp.full(2, 3.5), mnp.ones(2, dtype=bool))
