# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import np as mnp, npx
npx.set_np()
def Q(*xs):
    print(*[(type(x).__name__, getattr(x, 'shape', None), str(getattr(x, 'dtype', None)), x.tolist() if hasattr(x, 'tolist') else x) for x in xs])
# case: creation
Q(mnp.array([1, 2]), mnp.array([1., 2]), mnp.array([1, 2], dtype='int32'), mnp.zeros((2,)), mnp.ones((2,), dtype=int), mnp.arange(3), mnp.arange(0, 1, 0.25), mnp.full((2,), 7), mnp.empty((0,)).shape)
Q(mnp.array([True, False]), mnp.linspace(0, 1, 3), mnp.eye(2), mnp.identity(2), mnp.zeros_like(mnp.array([1, 2])), mnp.array(np.array([1, 2], dtype=np.int64)))
# case: promotion
a = mnp.array([1, 2], dtype='int32'); b = mnp.array([1., 2], dtype='float32'); c = mnp.array([1, 2], dtype='int64')
h = mnp.array([1, 2], dtype='float16'); u = mnp.array([1, 2], dtype='uint8'); bo = mnp.array([True, False])
for x, y in [(a, b), (a, c), (h, b), (u, a), (bo, a), (bo, b), (u, h), (a, h)]:
    print(str((x + y).dtype), str((x * y).dtype))
print(str((a + 1).dtype), str((a + 1.5).dtype), str((a / 2).dtype), str((a / a).dtype), str((h * 2.0).dtype), str((bo + bo).dtype), str((u + 300).dtype))
# case: true_divide_int
Q(mnp.array([1, 2]) / mnp.array([2, 4]), mnp.array([3, 4]) // 2, mnp.array([3., -4]) % 3, mnp.array([2]) ** 3)
# case: reductions
x = mnp.arange(12).reshape(3, 4)
Q(x.sum(), x.sum(axis=0), x.mean(), x.mean(axis=1, keepdims=True), x.max(axis=1), x.argmax(), x.std(), x.var(axis=0), x.prod(axis=1), mnp.median(x) if hasattr(mnp, 'median') else None)
Q(mnp.sum(x, dtype='float32'), mnp.cumsum(x, axis=1), mnp.any(x > 10), mnp.all(x >= 0), mnp.min(x, axis=(0, 1)))
# case: reductions_int_dtype
x = mnp.array([1, 2, 3], dtype='int32')
Q(x.sum(), x.mean(), mnp.array([1, 2], dtype='int8').sum(), mnp.array([True, True]).sum(), mnp.array([1, 2], dtype='uint8').prod())
# case: indexing
x = mnp.arange(24).reshape(2, 3, 4)
Q(x[1], x[:, 1], x[..., -1], x[0, [0, 2]], x[x > 20], x[mnp.array([0, 1]), mnp.array([1, 2])], x[None, 0].shape, x[1, 1, 1])
# case: setitem
x = mnp.zeros((3, 3))
x[1] = 1; x[:, 0] = mnp.array([5, 6, 7]); x[x > 5] = -1
Q(x)
# case: scalar_index_type
x = mnp.arange(6)
y = x[2]
print(type(y).__name__, y.shape, float(y), int(y), y.item())
# case: shape_ops
x = mnp.arange(6)
Q(x.reshape(2, 3), x.reshape((3, -1)), mnp.expand_dims(x, 0).shape, mnp.transpose(x.reshape(2, 3)), mnp.concatenate([x, x]), mnp.stack([x, x], axis=1).shape, mnp.split(x, 3), mnp.split(x, [1, 4]), mnp.squeeze(x.reshape(1, 6)).shape)
Q(mnp.flip(x), mnp.roll(x, 2), mnp.tile(x, 2), mnp.repeat(x, 2), mnp.ravel(x.reshape(2, 3)), mnp.swapaxes(x.reshape(2, 3), 0, 1), mnp.moveaxis(x.reshape(1, 2, 3), 0, -1).shape, mnp.vstack([x, x]).shape, mnp.hstack([x, x]).shape)
# case: math
x = mnp.array([1., 4, 9])
Q(mnp.sqrt(x), mnp.exp(x) > 1, mnp.log(x), mnp.power(x, 0.5), mnp.maximum(x, 3), mnp.clip(x, 2, 5), mnp.where(x > 2, x, 0), mnp.abs(-x), mnp.sign(-x), mnp.dot(x, x), mnp.matmul(x.reshape(1, 3), x.reshape(3, 1)))
# case: reshape_err
mnp.arange(6).reshape(4, -1)
# case: np_nd_convert
x = mnp.array([1, 2])
y = x.as_nd_ndarray()
print(type(y).__name__, type(y.as_np_ndarray()).__name__, type(x.asnumpy()).__name__)
# case: npx_ops
x = mnp.array([[1., 2, 3], [4, 5, 6]])
Q(npx.softmax(x), npx.relu(x - 3), npx.sigmoid(mnp.zeros(1)), npx.one_hot(mnp.array([0, 2]), 3), npx.pick(x, mnp.array([0, 2])), npx.topk(x, k=1), npx.batch_flatten(mnp.ones((2, 2, 2))).shape)
# case: np_random_shape
Q(mnp.random.uniform(size=(2, 3)).shape, mnp.random.normal(0, 1, size=4).shape, str(mnp.random.randint(0, 5, size=(2,)).dtype))
# case: mixed_nd_np_err
x = mnp.array([1, 2])
y = mx.nd.array([1, 2])
x + y
# case: np_comparisons
x = mnp.array([1, 2, 3])
Q(x == 2, x > 1.5, mnp.equal(x, x), mnp.isnan(mnp.array([1., float('nan')])), x != x)
# case: np_bool_ops
Q(mnp.logical_and(mnp.array([1, 0]), mnp.array([1, 1])), mnp.array([True]) & mnp.array([False]) if True else None)
# case: npx_reshape
Q(npx.reshape(mnp.ones((2, 3, 4)), (-2, -1)).shape, npx.reshape(mnp.ones((2, 3, 4)), (-5, -1)).shape, npx.reshape(mnp.ones((6,)), (-6, 2, 3)).shape)
# case: np_len_iter
x = mnp.arange(6).reshape(2, 3)
print(len(x), [r.tolist() for r in x], x.ndim, x.size, x.T.shape)
# case: np_repr
print(repr(mnp.array([1., 2])), repr(mnp.array([1, 2], dtype='int32')), str(mnp.array(2.5)))
# case: np_astype
x = mnp.array([1.7, -2.2])
Q(x.astype('int32'), x.astype(bool), x.astype('float16'))
