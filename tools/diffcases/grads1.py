# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import autograd
nd = mx.nd
def G(name, f, *shapes, pos=False):
    rs = np.random.RandomState(1)
    ins = [nd.array(rs.uniform(0.2, 0.9, s) if pos else rs.uniform(-0.9, 0.9, s)) for s in shapes]
    for i in ins: i.attach_grad()
    try:
        with autograd.record():
            y = f(*ins)
            if isinstance(y, (list, tuple)):
                y = sum(v.sum() * (k + 1) for k, v in enumerate(y))
            l = (y * nd.array(np.linspace(0.5, 1.5, y.size).reshape(y.shape))).sum()
        l.backward()
        print(name, np.round(y.asnumpy().ravel()[:6], 4).tolist(), [np.round(i.grad.asnumpy().ravel()[:6], 4).tolist() for i in ins])
    except Exception as e:
        print(name, 'EXC', type(e).__name__)
# case: unary_grads
for n in ['sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'arcsinh', 'exp', 'expm1', 'sigmoid', 'relu', 'softsign', 'square', 'abs', 'sign', 'erf', 'erfinv', 'log_sigmoid', 'mish', 'radians', 'degrees', 'round', 'floor']:
    if hasattr(nd, n):
        G(n, getattr(nd, n), (2, 3))
for n in ['log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt', 'cbrt', 'rcbrt', 'reciprocal', 'gamma', 'gammaln', 'arccosh', 'digamma' ]:
    if hasattr(nd, n):
        G(n, getattr(nd, n), (2, 3), pos=True)
# case: binary_grads
for n in ['broadcast_add', 'broadcast_sub', 'broadcast_mul', 'broadcast_div', 'broadcast_maximum', 'broadcast_minimum', 'broadcast_hypot', 'broadcast_power', 'broadcast_mod']:
    G(n, getattr(nd, n), (2, 3), (1, 3), pos=True)
G('arctan2', lambda a, b: nd.arctan2(a, b) if hasattr(nd, 'arctan2') else a, (2, 3), (2, 3))
# case: reduce_grads
G('sum', lambda x: nd.sum(x, axis=1), (2, 3)); G('mean', lambda x: nd.mean(x, axis=0, keepdims=True), (2, 3)); G('max', lambda x: nd.max(x, axis=1), (2, 3)); G('min', lambda x: nd.min(x), (2, 3))
G('prod', lambda x: nd.prod(x, axis=1), (2, 3)); G('norm', lambda x: nd.norm(x, axis=1), (2, 3)); G('norm1', lambda x: nd.norm(x, ord=1, axis=1), (2, 3)); G('nansum', lambda x: nd.nansum(x), (2, 3))
G('softmax', lambda x: nd.softmax(x, temperature=2.0), (2, 3)); G('log_softmax', lambda x: nd.log_softmax(x, axis=0), (2, 3)); G('softmin', lambda x: nd.softmin(x), (2, 3))
G('softmax_len', lambda x: nd.softmax(x, nd.array([2, 3], dtype='int32'), use_length=True, axis=1), (2, 3))
# case: shape_grads
G('transpose', lambda x: nd.transpose(x), (2, 3)); G('tile', lambda x: nd.tile(x, (2, 1)), (2, 3)); G('repeat', lambda x: nd.repeat(x, 2, axis=1), (2, 3))
G('pad', lambda x: nd.pad(x.reshape((1, 1, 2, 3)), mode='reflect', pad_width=(0, 0, 0, 0, 1, 1, 1, 1)), (2, 3))
G('pad_edge', lambda x: nd.pad(x.reshape((1, 1, 2, 3)), mode='edge', pad_width=(0, 0, 0, 0, 1, 0, 2, 1)), (2, 3))
G('slice', lambda x: nd.slice(x, begin=(0, 2), end=(2, 0), step=(1, -1)), (2, 3)); G('take', lambda x: nd.take(x, nd.array([0, 0, 1])), (2, 3)); G('pick', lambda x: nd.pick(x, nd.array([2, 0])), (2, 3))
G('gather_nd', lambda x: nd.gather_nd(x, nd.array([[0, 1, 1], [2, 0, 0]])), (2, 3)); G('where', lambda a, b: nd.where(a > 0, a, b), (2, 3), (2, 3)); G('clip', lambda x: nd.clip(x, -0.3, 0.3), (2, 3))
G('dot', lambda a, b: nd.dot(a, b, transpose_b=True), (2, 3), (4, 3)); G('batch_dot', lambda a, b: nd.batch_dot(a, b), (2, 2, 3), (2, 3, 2)); G('concat', lambda a, b: nd.concat(a, b, dim=0), (2, 3), (1, 3))
G('topk', lambda x: nd.topk(x, k=2, ret_typ='value'), (2, 3)); G('sort', lambda x: nd.sort(x, axis=0), (2, 3)); G('broadcast_to', lambda x: nd.broadcast_to(x, (2, 2, 3)), (1, 3)); G('expand_dims', lambda x: nd.expand_dims(x, 0), (2, 3))
G('embedding', lambda w: nd.Embedding(nd.array([1, 1, 0]), w, input_dim=2, output_dim=3), (2, 3)); G('one_hot_dot', lambda x: nd.dot(nd.one_hot(nd.array([1, 0]), 2), x), (2, 3))
G('cumsum', lambda x: nd.cumsum(x, axis=1) if hasattr(nd, 'cumsum') else x, (2, 3)); G('diag', lambda x: nd.diag(x), (3, 3)); G('reverse', lambda x: nd.reverse(x, axis=1), (2, 3))
G('seqmask', lambda x: nd.SequenceMask(x, nd.array([1, 2]), use_sequence_length=True), (2, 2, 3)); G('seqlast', lambda x: nd.SequenceLast(x, nd.array([1, 2]), use_sequence_length=True), (2, 2, 3))
G('seqreverse', lambda x: nd.SequenceReverse(x, nd.array([1, 2]), use_sequence_length=True), (2, 2, 3))
# case: nn_grads
G('fc', lambda x, w, b: nd.FullyConnected(x, w, b, num_hidden=2), (2, 3), (2, 3), (2,)); G('leaky', lambda x: nd.LeakyReLU(x, slope=0.2), (2, 3)); G('elu', lambda x: nd.LeakyReLU(x, act_type='elu'), (2, 3))
G('selu', lambda x: nd.LeakyReLU(x, act_type='selu'), (2, 3)); G('gelu', lambda x: nd.LeakyReLU(x, act_type='gelu'), (2, 3)); G('prelu', lambda x, g: nd.LeakyReLU(x, g, act_type='prelu'), (2, 3), (3,))
G('instnorm', lambda x, g, b: nd.InstanceNorm(x, g, b), (2, 3, 4), (3,), (3,)); G('l2norm', lambda x: nd.L2Normalization(x), (2, 3)); G('l2norm_ch', lambda x: nd.L2Normalization(x, mode='channel'), (2, 3, 2))
G('groupnorm', lambda x, g, b: nd.GroupNorm(x, g, b, num_groups=2), (2, 4, 3), (2,), (2,))
G('bn_train', lambda x, g, b: nd.BatchNorm(x, g, b, nd.zeros((3,)), nd.ones((3,)), fix_gamma=False), (4, 3), (3,), (3,))
G('lrn', lambda x: nd.LRN(x, nsize=3), (1, 4, 2, 2)); G('hard_sigmoid', lambda x: nd.hard_sigmoid(x), (2, 3)); G('smooth_l1', lambda x: nd.smooth_l1(x, scalar=2.0), (2, 3))
G('upsample', lambda x: nd.UpSampling(x, scale=2, sample_type='nearest'), (1, 1, 2, 2)); G('bilinear', lambda x: nd.contrib.BilinearResize2D(x, height=3, width=5), (1, 1, 2, 2))
G('roialign', lambda x: nd.contrib.ROIAlign(x, nd.array([[0, 0, 0, 1, 1]]), pooled_size=(2, 2), spatial_scale=1.0), (1, 1, 3, 3))
G('adaptive', lambda x: nd.contrib.AdaptiveAvgPooling2D(x, output_size=(2, 2)), (1, 1, 3, 5))
G('ctc', lambda x: nd.CTCLoss(x, nd.array([[1, 2]])), (4, 1, 3)); G('softmax_ce', lambda x: nd.softmax_cross_entropy(x, nd.array([0, 2])), (2, 3))
G('rnn_lstm', lambda x, p: nd.RNN(x, p, nd.zeros((1, 2, 2)), nd.zeros((1, 2, 2)), state_size=2, num_layers=1, mode='lstm'), (3, 2, 2), (4 * 2 * 4 + 16,))
G('rnn_gru', lambda x, p: nd.RNN(x, p, nd.zeros((1, 2, 2)), state_size=2, num_layers=1, mode='gru'), (3, 2, 2), (3 * 2 * 4 + 12,))
