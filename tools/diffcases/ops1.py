# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
x = nd.array(np.arange(24).reshape((2, 3, 4)) % 7 - 3.0)
# case: reduce_axes
P(nd.sum(x, axis=(0, 2)), nd.sum(x, axis=1, keepdims=True), nd.sum(x, axis=1, exclude=True), nd.mean(x, axis=-1))
P(nd.max(x, axis=()), nd.prod(x, axis=0), nd.nansum(x), nd.min(x, axis=2, keepdims=True), nd.norm(x, ord=1, axis=1), nd.norm(x, axis=(1, 2), keepdims=True))
# case: reduce_int
a = nd.array([[1, 2], [3, 4]], dtype='int32')
P(nd.sum(a), nd.mean(a), nd.max(a, axis=0), nd.argmax(a, axis=1), nd.argmin(a), nd.prod(a))
# case: argmax_keep
P(nd.argmax(x, axis=1, keepdims=True), nd.argmax_channel(x[0]), nd.argmax(x))
# case: softmax_variants
a = nd.array([[1, 2, 3], [1, 1, 5]])
P(nd.softmax(a, temperature=2.0), nd.softmax(a, axis=0), nd.log_softmax(a, temperature=0.5), nd.softmin(a))
P(nd.softmax(a, length=nd.array([2, 1]), use_length=True))
P(nd.softmax(a.astype('float16'), dtype='float32'))
# case: softmax_output
P(nd.SoftmaxOutput(nd.array([[1, 2, 3.]]), nd.array([2])), nd.SoftmaxActivation(nd.array([[1, 2, 3.]])))
# case: topk
a = nd.array([[3, 1, 4, 1], [5, 9, 2, 6]])
P(nd.topk(a, k=2), nd.topk(a, k=2, ret_typ='value'), nd.topk(a, k=2, ret_typ='both'), nd.topk(a, k=1, ret_typ='mask'), nd.topk(a, axis=0, is_ascend=True, dtype='int32'))
P(nd.topk(a, axis=None, k=3), nd.sort(a, axis=None), nd.argsort(a, axis=0, dtype='int32'), nd.sort(a, is_ascend=False))
# case: pick
a = nd.array([[1, 2], [3, 4], [5, 6]])
P(nd.pick(a, nd.array([0, 1, 0])), nd.pick(a, nd.array([0, 1]), axis=0), nd.pick(a, nd.array([2, -1, 3]), mode='wrap'), nd.pick(a, nd.array([2, -1, 3]), mode='clip'), nd.pick(a, nd.array([0, 1, 1]), keepdims=True))
# case: take
a = nd.array([[1, 2], [3, 4], [5, 6]])
P(nd.take(a, nd.array([0, 2])), nd.take(a, nd.array([[0, 1], [3, -1]]), mode='wrap'), nd.take(a, nd.array([5, -2]), mode='clip'), nd.take(a, nd.array([1]), axis=1), nd.take(a, nd.array([1, 0]), axis=-1))
# case: take_raise
P(nd.take(nd.array([1, 2]), nd.array([5]), mode='raise'))
# case: one_hot
P(nd.one_hot(nd.array([1, 0, 2, -1, 5]), 3), nd.one_hot(nd.array([[1, 0]]), 3, on_value=5, off_value=-1, dtype='int32'))
# case: where_clip
c = nd.array([1, 0, 1]); a = nd.array([1, 2, 3]); b = nd.array([4, 5, 6])
P(nd.where(c, a, b), nd.where(nd.array([1, 0]), nd.ones((2, 2)), nd.zeros((2, 2))), nd.clip(a, 1.5, 2.5), nd.clip(a.astype('int32'), 1, 2))
# case: concat_stack_split
a = nd.ones((2, 3)); b = nd.zeros((2, 3))
P(nd.concat(a, b, dim=0).shape, nd.concat(a, b).shape, nd.stack(a, b, axis=1).shape, nd.stack(a, b, axis=-1).shape)
P(nd.split(nd.arange(6).reshape((2, 3)), num_outputs=3, axis=1, squeeze_axis=True), nd.split_v2(nd.arange(6), [2, 3]), nd.split_v2(nd.arange(6), 3))
# case: split_single
r = nd.split(nd.arange(4).reshape((1, 4)), num_outputs=1, axis=0)
print(type(r).__name__)
# case: split_err
nd.split(nd.arange(5), num_outputs=2)
# case: tile_repeat_pad
a = nd.array([[1, 2], [3, 4]])
P(nd.tile(a, reps=(2,)), nd.tile(a, reps=(2, 1, 2)).shape, nd.repeat(a, repeats=2), nd.repeat(a, repeats=2, axis=0))
b = nd.arange(8).reshape((1, 2, 2, 2))
P(nd.pad(b, mode='constant', pad_width=(0, 0, 0, 0, 1, 1, 1, 0), constant_value=-1), nd.pad(b, mode='edge', pad_width=(0, 0, 0, 0, 1, 1, 0, 1)), nd.pad(b, mode='reflect', pad_width=(0, 0, 0, 0, 1, 1, 1, 1)))
# case: transpose_swap
a = nd.arange(24).reshape((2, 3, 4))
P(nd.transpose(a).shape, nd.transpose(a, axes=(1, 0, 2)).shape, nd.swapaxes(a, 0, 2).shape, nd.SwapAxis(a, dim1=1, dim2=2).shape, nd.moveaxis(a, 0, -1).shape if hasattr(nd, 'moveaxis') else 'na')
# case: expand_squeeze_flatten
a = nd.ones((2, 1, 3, 1))
P(nd.squeeze(a).shape, nd.squeeze(a, axis=1).shape, nd.squeeze(a, axis=(1, 3)).shape, nd.expand_dims(a, axis=-1).shape, nd.flatten(a).shape, nd.Flatten(nd.ones((3,))).shape)
# case: squeeze_err
nd.squeeze(nd.ones((2, 3)), axis=0)
# case: broadcast_ops
a = nd.array([[1], [2]]); b = nd.array([[1, 2, 3]])
P(nd.broadcast_add(a, b), nd.broadcast_maximum(a, b), nd.broadcast_power(a, b), nd.broadcast_mod(b, a), nd.broadcast_hypot(a, b), nd.broadcast_equal(a, b), nd.broadcast_logical_and(a, b))
P(nd.broadcast_to(a, shape=(2, 3)), nd.broadcast_to(a, shape=(0, 4)), nd.broadcast_axis(a, axis=1, size=3), nd.broadcast_axes(a, axis=(1,), size=(2,)), nd.broadcast_like(a, nd.zeros((2, 5))))
# case: broadcast_like_axes
P(nd.broadcast_like(nd.ones((1, 2)), nd.zeros((3, 4)), lhs_axes=(0,), rhs_axes=(0,)))
# case: elemwise_unary
a = nd.array([-1.5, -0.5, 0.5, 1.5, 2.5])
P(nd.round(a), nd.rint(a), nd.fix(a), nd.floor(a), nd.ceil(a), nd.trunc(a), nd.sign(a), nd.relu(a), nd.sigmoid(a), nd.erf(a), nd.gamma(nd.abs(a)), nd.gammaln(nd.abs(a)))
P(nd.rsqrt(nd.abs(a)), nd.cbrt(a), nd.rcbrt(nd.abs(a)), nd.reciprocal(a), nd.log1p(nd.abs(a)), nd.expm1(a), nd.arctanh(a / 3), nd.degrees(a), nd.radians(a), nd.logical_not(a), nd.erfinv(a / 3))
# case: elemwise_int_unary
a = nd.array([-3, 2, 5], dtype='int32')
P(nd.abs(a), nd.square(a), nd.negative(a), nd.sign(a), nd.exp(a).dtype if False else nd.exp(a))
# case: elemwise_binary
a = nd.array([1., 2, 3]); b = nd.array([3., 2, 1])
P(nd.elemwise_add(a, b), nd.elemwise_sub(a, b), nd.elemwise_mul(a, b), nd.elemwise_div(a, b), nd.maximum(a, 2), nd.minimum(2, a), nd.power(a, 2), nd.power(2, a), nd.add_n(a, b, a), nd.ElementWiseSum(a, b))
# case: elemwise_shape_err
nd.elemwise_add(nd.ones((2,)), nd.ones((3,)))
# case: dot
a = nd.arange(6).reshape((2, 3)); b = nd.arange(6).reshape((3, 2))
P(nd.dot(a, b), nd.dot(a, a, transpose_b=True), nd.dot(a, a, transpose_a=True), nd.batch_dot(nd.ones((2, 2, 3)), nd.ones((2, 3, 4))).shape, nd.batch_dot(nd.ones((2, 3, 2)), nd.ones((2, 3, 4)), transpose_a=True).shape)
P(nd.dot(nd.arange(3), nd.arange(3)), nd.dot(nd.ones((2, 3, 4)), nd.ones((4, 5))).shape)
# case: dot_err
nd.dot(nd.ones((2, 3)), nd.ones((2, 3)))
# case: cast
P(nd.cast(nd.array([1.6, -1.6]), dtype='int32'), nd.Cast(nd.array([300]), dtype='uint8'), nd.amp_cast(nd.array([1.]), dtype='float16'))
# case: sequence_ops
x = nd.arange(12).reshape((3, 2, 2))
P(nd.SequenceMask(x, nd.array([1, 2]), use_sequence_length=True, value=-1), nd.SequenceLast(x, nd.array([1, 3]), use_sequence_length=True), nd.SequenceReverse(x, nd.array([2, 3]), use_sequence_length=True), nd.SequenceLast(x))
P(nd.SequenceMask(x.swapaxes(0, 1), nd.array([1, 2]), use_sequence_length=True, axis=1))
# case: gather_scatter
d = nd.arange(6).reshape((2, 3))
P(nd.gather_nd(d, nd.array([[1, 0], [2, 1]])), nd.scatter_nd(nd.array([5, 6]), nd.array([[1, 0], [2, 1]]), shape=(2, 3)), nd.Embedding(nd.array([0, 2]), d.T, input_dim=3, output_dim=2))
# case: diag_etc
a = nd.arange(9).reshape((3, 3))
P(nd.diag(a), nd.diag(a, k=1), nd.diag(nd.array([1, 2])), nd.reverse(a, axis=0), nd.depth_to_space(nd.arange(16).reshape((1, 4, 2, 2)), 2).shape, nd.space_to_depth(nd.arange(16).reshape((1, 1, 4, 4)), 2).shape)
# case: shape_size_array
P(nd.shape_array(nd.ones((2, 3))), nd.size_array(nd.ones((2, 3))), nd.histogram(nd.array([1, 2, 2, 3, 5]), bins=3))
# case: cumsum_misc
P(nd.cumsum(nd.array([[1, 2], [3, 4]]), axis=0) if hasattr(nd, 'cumsum') else 'na', nd.khatri_rao(nd.ones((2, 2)), nd.ones((3, 2))).shape, nd.smooth_l1(nd.array([-2, 0.5, 3]), scalar=1.0))
# case: ravel
P(nd.ravel_multi_index(nd.array([[1, 0], [2, 1]]), shape=(3, 4)), nd.unravel_index(nd.array([9, 1]), shape=(3, 4)))
# case: boolean_mask
P(nd.contrib.boolean_mask(nd.arange(6).reshape((3, 2)), nd.array([1, 0, 1])), nd.contrib.index_copy(nd.zeros((3, 2)), nd.array([2]), nd.ones((1, 2))), nd.contrib.arange_like(nd.ones((2, 3)), axis=1))
# case: fill_element_0index
P(nd.fill_element_0index(nd.zeros((2, 3)), nd.array([7, 8]), nd.array([0, 2])) if hasattr(nd, 'fill_element_0index') else 'na')
