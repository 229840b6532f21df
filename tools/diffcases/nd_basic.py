# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
# case: create
P(nd.array([1, 2, 3]), nd.array([1, 2], dtype='int32'), nd.array(np.arange(3)), nd.zeros((2, 0)))
P(nd.ones((2,), dtype='float16'), nd.full((2,), 3), nd.arange(5), nd.arange(1, 4, 0.5), nd.arange(3, repeat=2))
P(nd.empty((2, 3)).shape, nd.eye(3, k=1), nd.linspace(0, 1, 5), nd.array([[1, 2]], dtype=np.int64))
# case: create_bool
P(nd.array([True, False]))
# case: scalar_ops
a = nd.array([1, 2, 3], dtype='int32')
P(a + 1, a * 2.5, a / 2, 2 / a, a ** 2, a % 2, -a, abs(-a), a // 2)
# case: scalar_ops_f16
a = nd.array([1, 2, 3], dtype='float16')
P(a + 1.5, a * 2, 1 - a, a > 1, a == 2)
# case: compare
a = nd.array([1, 2, 3]); b = nd.array([3, 2, 1])
P(a < b, a >= b, a != b, a == 2, 2 < a)
# case: inplace
a = nd.array([1, 2, 3]); b = a
a += 1; a *= 2; a -= 1; a /= 2
P(a, b, a is b)
# case: indexing_basic
a = nd.arange(24).reshape((2, 3, 4))
P(a[1], a[1, 2], a[:, 1], a[..., 1], a[:, ::2, 1:3], a[-1, -1, -1], a[1, 2, 3])
# case: indexing_adv
a = nd.arange(24).reshape((2, 3, 4))
P(a[[0, 1]], a[nd.array([0, 1]), nd.array([1, 2])], a[:, [0, 2]], a[None].shape, a[:, None, 1].shape)
# case: indexing_bool
a = nd.arange(6).reshape((2, 3))
P(a[nd.array([1, 0], dtype='bool')] if hasattr(nd, 'array') else None)
# case: setitem
a = nd.zeros((3, 4))
a[1] = 1; a[:, 2] = nd.array([5, 6, 7]); a[0, 0] = 9; a[2, 1:3] = 4
P(a)
a[:] = 2
P(a)
a[[0, 2]] = 3
P(a)
# case: scalar_index
a = nd.array([[1, 2], [3, 4]])
print(a[0, 1].shape, a.asscalar() if a.size == 1 else 'n', nd.array([5]).asscalar(), type(nd.array([5]).asscalar()).__name__)
# case: asscalar_err
nd.array([1, 2]).asscalar()
# case: astype_copy
a = nd.array([1.7, -2.3])
P(a.astype('int32'), a.astype(np.uint8), a.astype('float64'), a.copy(), a.astype('float32', copy=False) is a)
# case: repr
print(repr(nd.array([1, 2])))
print(str(nd.array([[1, 2], [3, 4]], dtype='int32')))
# case: context
a = nd.ones((2,), ctx=mx.cpu(0))
print(a.context, a.ctx, repr(a.context), mx.cpu() == mx.cpu(0), a.as_in_context(mx.cpu()).context, mx.context.current_context())
# case: shape_props
a = nd.ones((2, 3, 4))
print(a.ndim, a.size, a.shape, len(a), a.T.shape, a.stype, a.handle is not None)
# case: reshape_codes
a = nd.arange(24).reshape((2, 3, 4))
for s in [(0, -1), (-2,), (-3, 4), (2, -4, 3, -1, 4), (-1, 0), (4, 0, -1), (0, 0, -4, 2, 2)]:
    P(a.reshape(s).shape)
P(a.reshape((-3, -2)).shape, a.reshape(6, 4).shape)
P(nd.reshape(a, shape=(-1, 0), reverse=True).shape)
# case: reshape_err
nd.arange(6).reshape((4, -1))
# case: reshape_like
P(nd.reshape_like(nd.arange(6), nd.zeros((2, 3))))
# case: iteration
for r in nd.arange(6).reshape((3, 2)):
    P(r)
# case: bool_conv
print(bool(nd.array([1])), bool(nd.array([0])))
# case: bool_multi
bool(nd.array([1, 2]))
# case: len0
print(float(nd.array([2.5])), int(nd.array([3.7])))
# case: numpy_interop
a = nd.array([1, 2])
P(a.asnumpy(), np.array(a.asnumpy()) + 1, nd.array(a))
# case: dtype_mixed_bin
a = nd.array([1, 2], dtype='int32'); b = nd.array([1, 2], dtype='float32')
P(a + b)
# case: broadcast_auto
a = nd.ones((2, 3)); b = nd.ones((3,))
P(a + b)
# case: broadcast_auto_err
a = nd.ones((2, 3)); b = nd.ones((2,))
P(a + b)
# case: zeros_like
a = nd.array([[1, 2]], dtype='int32')
P(nd.zeros_like(a), nd.ones_like(a), a.zeros_like() if hasattr(a, 'zeros_like') else 'na')
# case: waitall
a = nd.ones((2,)); a.wait_to_read(); nd.waitall(); print('ok')
# case: tostype
a = nd.array([[0, 1], [0, 0]])
s = a.tostype('csr')
print(s.stype, type(s).__name__, s.indptr.asnumpy().tolist(), s.indices.asnumpy().tolist(), s.data.asnumpy().tolist())
r = a.tostype('row_sparse')
print(r.stype, r.indices.asnumpy().tolist(), r.data.asnumpy().tolist())
# case: slice_methods
a = nd.arange(12).reshape((3, 4))
P(a.slice_axis(axis=1, begin=1, end=3), nd.slice(a, begin=(0, 1), end=(2, 3)), nd.slice(a, begin=(None, 1), end=(None, None), step=(2, 2)))
P(nd.slice(a, begin=(2,), end=(0,), step=(-1,)), nd.slice_like(a, nd.zeros((2, 2))), nd.slice_like(a, nd.zeros((2, 2)), axes=(1,)))
# case: methods_chain
a = nd.arange(6).reshape((2, 3))
P(a.sum(), a.sum(axis=1), a.mean(axis=0, keepdims=True), a.max(), a.argmax(axis=1), a.flatten(), a.expand_dims(1).shape, a.square(), a.sqrt())
P(a.clip(1, 3), a.transpose(), a.swapaxes(0, 1), a.tile((2, 1)), a.repeat(2, axis=1), a.flip(axis=1), a.softmax(), a.log_softmax(axis=0))
# case: methods_misc
a = nd.arange(6).reshape((2, 3))
P(a.split(num_outputs=3, axis=1), a.one_hot(6).shape, a.norm(), a.abs(), a.sign(), a.round(), a.topk(k=2), a.sort(is_ascend=False), a.argsort())
