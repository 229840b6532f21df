# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import autograd
nd = mx.nd
rs = np.random
x4 = nd.array(rs.randn(2, 3, 5, 5))
def G(f, *ins):
    ins = [nd.array(i) for i in ins]
    for i in ins: i.attach_grad()
    with autograd.record():
        y = f(*ins)
    y.backward(nd.ones_like(y) if not isinstance(y, (list, tuple)) else None)
    P(y, [i.grad for i in ins])
# case: conv_variants
w = nd.array(rs.randn(4, 3, 3, 3)); b = nd.array(rs.randn(4))
P(nd.Convolution(x4, w, b, kernel=(3, 3), num_filter=4, stride=(2, 2), pad=(1, 1)).shape)
P(nd.Convolution(x4, w, b, kernel=(3, 3), num_filter=4, dilate=(2, 2)).sum())
wg = nd.array(rs.randn(3, 1, 3, 3))
P(nd.Convolution(x4, wg, kernel=(3, 3), num_filter=3, num_group=3, no_bias=True).sum())
P(nd.Convolution(nd.array(rs.randn(1, 2, 7)), nd.array(rs.randn(3, 2, 3)), kernel=(3,), num_filter=3, no_bias=True, stride=(2,)).shape)
# case: conv_nhwc
P(nd.Convolution(nd.ones((1, 5, 5, 3)), nd.ones((4, 3, 3, 3)), kernel=(3, 3), num_filter=4, no_bias=True, layout='NHWC').shape)
# case: deconv_variants
w = nd.array(rs.randn(3, 2, 3, 3))
P(nd.Deconvolution(x4, w, kernel=(3, 3), num_filter=2, stride=(2, 2), pad=(1, 1), adj=(1, 1), no_bias=True).shape)
P(nd.Deconvolution(x4, w, kernel=(3, 3), num_filter=2, stride=(2, 2), target_shape=(10, 10), no_bias=True).shape)
P(nd.Deconvolution(x4, w, kernel=(3, 3), num_filter=2, no_bias=True).sum())
# case: pooling_variants
P(nd.Pooling(x4, kernel=(2, 2), stride=(2, 2), pool_type='max').shape, nd.Pooling(x4, kernel=(2, 2), stride=(2, 2), pooling_convention='full').shape)
P(nd.Pooling(x4, kernel=(3, 3), pad=(1, 1), pool_type='avg', count_include_pad=False).sum(), nd.Pooling(x4, kernel=(3, 3), pad=(1, 1), pool_type='avg').sum())
P(nd.Pooling(x4, global_pool=True, pool_type='avg').shape, nd.Pooling(x4, kernel=(1, 1), global_pool=True, pool_type='max').reshape((-1,)), nd.Pooling(x4, kernel=(2, 2), pool_type='sum').shape)
P(nd.Pooling(x4, kernel=(2, 2), pool_type='lp', p_value=2, stride=(1, 1)).sum())
P(nd.Pooling(nd.ones((1, 1, 5)), kernel=(2,), pool_type='max', pooling_convention='same', stride=(2,)).shape)
# case: pooling_grad
G(lambda x: nd.Pooling(x, kernel=(2, 2), stride=(1, 1), pool_type='max'), rs.randn(1, 1, 3, 3))
G(lambda x: nd.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type='avg', pooling_convention='full'), rs.randn(1, 1, 3, 3))
# case: fc
P(nd.FullyConnected(nd.ones((2, 3, 4)), nd.ones((5, 12)), nd.zeros((5,)), num_hidden=5).shape, nd.FullyConnected(nd.ones((2, 3, 4)), nd.ones((5, 4)), num_hidden=5, no_bias=True, flatten=False).shape)
# case: activation
a = nd.array([-2., -0.5, 0, 0.5, 2])
P(nd.Activation(a, act_type='softrelu'), nd.Activation(a, act_type='softsign'), nd.LeakyReLU(a, act_type='elu', slope=0.5), nd.LeakyReLU(a, act_type='selu'), nd.LeakyReLU(a, act_type='gelu'), nd.LeakyReLU(a), nd.LeakyReLU(a.reshape((1, 5)), nd.array([0.1]), act_type='prelu'))
P(nd.hard_sigmoid(a), nd.hard_sigmoid(a, alpha=0.1, beta=0.6), nd.softsign(a), nd.mish(a) if hasattr(nd, 'mish') else 'na', nd.log_sigmoid(a) if hasattr(nd, 'log_sigmoid') else 'na')
# case: rrelu_eval
P(nd.LeakyReLU(nd.array([-1., 1]), act_type='rrelu', lower_bound=0.2, upper_bound=0.4))
# case: norms
x = nd.array(rs.randn(2, 3, 4))
P(nd.LayerNorm(x, nd.ones((4,)), nd.zeros((4,))).sum(), nd.LayerNorm(x, nd.ones((3,)), nd.zeros((3,)), axis=1).sum(), nd.LayerNorm(x, nd.ones((4,)), nd.zeros((4,)), output_mean_var=True)[1].shape)
P(nd.InstanceNorm(x, nd.ones((3,)), nd.zeros((3,))).sum(), nd.GroupNorm(nd.array(rs.randn(2, 4, 3)), nd.ones((4,)), nd.zeros((4,)), num_groups=2).shape, nd.L2Normalization(x, mode='channel').shape, nd.L2Normalization(x).sum(), nd.L2Normalization(x, mode='spatial').sum())
P(nd.LRN(nd.array(rs.randn(1, 5, 2, 2)), nsize=3).sum())
# case: layernorm_grad
G(lambda x, g, b: nd.LayerNorm(x, g, b), rs.randn(2, 3), rs.randn(3), rs.randn(3))
# case: batchnorm_axis
x = nd.array(rs.randn(2, 3, 4))
P(nd.BatchNorm(x, nd.ones((4,)), nd.zeros((4,)), nd.zeros((4,)), nd.ones((4,)), axis=-1).sum())
with autograd.record():
    y = nd.BatchNorm(x, nd.ones((4,)), nd.zeros((4,)), nd.zeros((4,)), nd.ones((4,)), axis=2, fix_gamma=False)
P(y.sum())
# case: embedding
P(nd.Embedding(nd.array([[0, 2], [1, 5]]), nd.arange(8).reshape((4, 2)), input_dim=4, output_dim=2))
# case: upsampling
x = nd.arange(4).reshape((1, 1, 2, 2))
P(nd.UpSampling(x, scale=2, sample_type='nearest'), nd.contrib.BilinearResize2D(x, height=3, width=3), nd.contrib.BilinearResize2D(x, scale_height=2, scale_width=2).shape)
# case: upsampling_bilinear
x = nd.arange(4).reshape((1, 1, 2, 2))
P(nd.UpSampling(x, nd.ones((1, 1, 4, 4)), scale=2, sample_type='bilinear', num_filter=1))
# case: roi_pool
d = nd.arange(32).reshape((1, 2, 4, 4)); r = nd.array([[0, 0, 0, 3, 3], [0, 1, 1, 2, 2]])
P(nd.ROIPooling(d, r, pooled_size=(2, 2), spatial_scale=1.0), nd.contrib.ROIAlign(d, r, pooled_size=(2, 2), spatial_scale=1.0).sum())
# case: grid_sampler
d = nd.arange(16).reshape((1, 1, 4, 4))
aff = nd.array([[1, 0, 0, 0, 1, 0]])
g = nd.GridGenerator(aff, transform_type='affine', target_shape=(3, 3))
P(g.sum(), nd.BilinearSampler(d, g), nd.SpatialTransformer(d, aff, target_shape=(2, 2), transform_type='affine', sampler_type='bilinear'))
# case: ctc
P(nd.CTCLoss(nd.ones((4, 2, 3)), nd.array([[1, 2], [1, 0]])), nd.contrib.ctc_loss(nd.ones((4, 2, 3)), nd.array([[1, 2], [1, 0]]), blank_label='last'))
# case: softmax_ce
P(nd.softmax_cross_entropy(nd.array([[1., 2, 3], [1, 1, 1]]), nd.array([2, 0])))
# case: regression_out
P(nd.LinearRegressionOutput(nd.array([1., 2]), nd.array([0., 0])), nd.LogisticRegressionOutput(nd.array([1., 2]), nd.array([0., 0])), nd.MAERegressionOutput(nd.array([1., 2]), nd.array([0., 0])))
G(lambda x: nd.LinearRegressionOutput(x, nd.array([[0.5, 0]]), grad_scale=2), [[1., 2]])
G(lambda x: nd.SoftmaxOutput(x, nd.array([1]), normalization='batch', grad_scale=1, multi_output=False), [[1., 2, 3]])
G(lambda x: nd.SoftmaxOutput(x, nd.array([[1, 0]]), multi_output=True, use_ignore=True, ignore_label=0), rs.randn(1, 3, 2))
# case: makeloss_blockgrad
G(lambda x: nd.MakeLoss(x * 2, grad_scale=3), [1., 2])
G(lambda x: x * nd.BlockGrad(x) + nd.stop_gradient(x), [1., 2])
# case: rnn_op
T, N, I, H = 3, 2, 4, 5
x = nd.array(rs.randn(T, N, I))
for mode, ng in [('rnn_tanh', 1), ('rnn_relu', 1), ('gru', 3), ('lstm', 4)]:
    nparam = ng * H * (I + H) + 2 * ng * H
    p = nd.array(rs.randn(nparam) * 0.1)
    h0 = nd.zeros((1, N, H))
    args = [x, p, h0] + ([nd.zeros((1, N, H))] if mode == 'lstm' else [])
    out = nd.RNN(*args, state_size=H, num_layers=1, mode=mode, state_outputs=True)
    print(mode, len(out), out[0].shape, round(float(out[0].sum().asscalar()), 3))
# case: gluon_rnn_layers
from mxnet.gluon import rnn
mx.random.seed(1)
for L in [rnn.LSTM(4, num_layers=2, bidirectional=True), rnn.GRU(4, layout='NTC'), rnn.RNN(4, activation='relu')]:
    L.initialize(mx.init.Constant(0.1))
    o = L(nd.ones((3, 2, 5)))
    print(type(L).__name__, o.shape, round(float(o.sum().asscalar()), 3), sorted(L.collect_params().keys())[:2], L)
# case: gluon_rnn_cells
from mxnet.gluon import rnn
c = rnn.LSTMCell(3, input_size=2)
c.initialize(mx.init.Constant(0.1))
outs, st = c.unroll(4, nd.ones((2, 4, 2)), layout='NTC', merge_outputs=True)
P(outs.shape, [s.shape for s in st], round(float(outs.sum().asscalar()), 4))
print(c, c.state_info(2))
s = rnn.SequentialRNNCell(); s.add(rnn.GRUCell(3)); s.add(rnn.RNNCell(2))
s.initialize(mx.init.Constant(0.1))
o, st = s.unroll(3, nd.ones((3, 2, 4)), layout='TNC')
print(len(o), o[0].shape, [x.shape for x in st])
