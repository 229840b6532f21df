"""Tests for the extra operator families: goldens from MXNet 1.9.1 and finite differences."""
import numpy as np
import pytest

import mxnet as mx
import mxnet.ops.rnn_op  # noqa: F401  (registers the ops; until mxnet/ops/__init__ imports them)
import mxnet.ops.misc_ops  # noqa: F401
import mxnet.ops.nn_extra  # noqa: F401
import mxnet.ops.contrib_ops  # noqa: F401
from mxnet.base import MXNetError
from mxnet.ndarray import register as _ndreg

from fd import check_fd
from golden import load_cases, run_case, case_ids


def _wire():
    """Expose ops registered after mx.nd was generated (no-op once mxnet.ops imports them)."""
    top, internal, subs = _ndreg.generate()
    for k, v in {**internal, **top}.items():
        if not hasattr(mx.nd, k):
            setattr(mx.nd, k, v)
        if not hasattr(mx.nd.op, k):
            setattr(mx.nd.op, k, v)
        if k.startswith("_") and not hasattr(mx.nd._internal, k):
            setattr(mx.nd._internal, k, v)
    for mod, funcs in subs.items():
        m = getattr(mx.nd, mod, None)
        if m is not None:
            for k, v in funcs.items():
                if not hasattr(m, k):
                    setattr(m, k, v)


_wire()
CASES = load_cases("extra_ops_rnn") + load_cases("extra_ops")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_extra_golden(case):
    run_case(case)


# -- RNN -------------------------------------------------------------------------------------
def _rnn_params(mode, C, H, L, D, rng):
    G = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}[mode]
    n = sum(D * G * H * ((C if l == 0 else D * H) + H + 2) for l in range(L))
    return rng.normal(size=n) * 0.4


@pytest.mark.parametrize("mode", ["rnn_tanh", "lstm", "gru"])
def test_rnn_fd(mode):
    rng = np.random.RandomState(1)
    T, N, C, H, L, D = 3, 2, 2, 2, 2, 2
    ins = [rng.normal(size=(T, N, C)), _rnn_params(mode, C, H, L, D, rng), rng.normal(size=(L * D, N, H))]
    if mode == "lstm":
        ins.append(rng.normal(size=(L * D, N, H)))
    check_fd(lambda *a: mx.nd.RNN(*a, state_size=H, num_layers=L, bidirectional=True, mode=mode,
                                  state_outputs=True), ins)


@pytest.mark.parametrize("mode", ["rnn_relu", "lstm", "gru"])
def test_rnn_sequence_length(mode):
    """Each sample must equal a run on its own truncated sequence; steps past its length give 0."""
    rng = np.random.RandomState(2)
    T, N, C, H = 4, 3, 3, 2
    p = mx.nd.array(_rnn_params(mode, C, H, 1, 2, rng), dtype="float32")
    x = mx.nd.array(rng.normal(size=(T, N, C)), dtype="float32")
    s = mx.nd.array(rng.normal(size=(2, N, H)), dtype="float32")
    lens = [4, 2, 1]
    extra = [s] if mode == "lstm" else []
    kw = dict(state_size=H, num_layers=1, bidirectional=True, mode=mode, state_outputs=True)
    out = mx.nd.RNN(x, p, s, *extra, mx.nd.array(lens), use_sequence_length=True, **kw)
    for n, ln in enumerate(lens):
        sub = [x[:ln, n:n + 1], p, s[:, n:n + 1]] + ([s[:, n:n + 1]] if extra else [])
        ref = mx.nd.RNN(*sub, **kw)
        np.testing.assert_allclose(out[0].asnumpy()[:ln, n], ref[0].asnumpy()[:, 0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[1].asnumpy()[:, n], ref[1].asnumpy()[:, 0], rtol=1e-5, atol=1e-6)
        assert not out[0].asnumpy()[ln:, n].any()


def test_rnn_sequence_length_fd():
    rng = np.random.RandomState(3)
    T, N, C, H = 3, 2, 2, 2
    ins = [rng.normal(size=(T, N, C)), _rnn_params("lstm", C, H, 1, 2, rng), rng.normal(size=(2, N, H)),
           rng.normal(size=(2, N, H)), np.array([3.0, 2.0])]
    check_fd(lambda *a: mx.nd.RNN(*a, state_size=H, num_layers=1, bidirectional=True, mode="lstm",
                                  state_outputs=True, use_sequence_length=True), ins, grad_inputs=[0, 1, 2, 3])


def test_rnn_lstm_clip():
    rng = np.random.RandomState(4)
    T, N, C, H = 3, 2, 2, 3
    ins = [rng.normal(size=(T, N, C)) * 3, _rnn_params("lstm", C, H, 1, 1, rng) * 3,
           rng.normal(size=(1, N, H)), rng.normal(size=(1, N, H))]
    kw = dict(state_size=H, num_layers=1, mode="lstm", state_outputs=True,
              lstm_state_clip_min=-0.2, lstm_state_clip_max=0.3)
    out = mx.nd.RNN(*[mx.nd.array(a, dtype="float32") for a in ins], **kw)
    cy = out[2].asnumpy()
    assert cy.min() >= np.float32(-0.2) and cy.max() <= np.float32(0.3) and (np.abs(cy) > 0.19).any()
    check_fd(lambda *a: mx.nd.RNN(*a, **kw), ins)


def test_rnn_errors_and_shapes():
    x = mx.nd.zeros((2, 3, 4))
    s = mx.nd.zeros((1, 3, 5))
    with pytest.raises(MXNetError, match="parameters"):
        mx.nd.RNN(x, mx.nd.zeros((7,)), s, state_size=5, num_layers=1, mode="gru")
    with pytest.raises(MXNetError, match="mode"):
        mx.nd.RNN(x, mx.nd.zeros((7,)), s, state_size=5, num_layers=1, mode="bad")
    n = 4 * 5 * (4 + 5 + 2)   # one dtype throughout, as MXNet requires
    with pytest.raises(MXNetError, match="uniform type.*'float64' at 'parameters'"):
        mx.nd.RNN(x, mx.nd.zeros((n,), dtype="float64"), s, s, state_size=5, num_layers=1, mode="lstm")
    with pytest.raises(MXNetError, match="'float16' at 'state_cell'"):
        mx.nd.RNN(x, mx.nd.zeros((n,)), s, s.astype("float16"), state_size=5, num_layers=1, mode="lstm")
    sym = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("p"), mx.sym.var("s"), mx.sym.var("c"),
                     state_size=5, num_layers=2, bidirectional=True, mode="lstm", state_outputs=True)
    args, outs, _ = sym.infer_shape(data=(2, 3, 4))
    assert args[1] == (2 * 4 * 5 * (4 + 5 + 2) + 2 * 4 * 5 * (10 + 5 + 2),)
    assert outs == [(2, 3, 10), (4, 3, 5), (4, 3, 5)]
    out = mx.nd.RNN(x, mx.nd.zeros(args[1][0]), mx.nd.zeros((4, 3, 5)), mx.nd.zeros((4, 3, 5)),
                    state_size=5, num_layers=2, bidirectional=True, mode="lstm")
    assert out.shape == (2, 3, 10) and out.dtype == np.float32


# -- misc_ops --------------------------------------------------------------------------------
def test_moments_fd_and_errors():
    rng = np.random.RandomState(5)
    check_fd(lambda x: mx.nd.moments(x, axes=(0, 2)), [rng.normal(size=(2, 3, 2))])
    with pytest.raises(MXNetError, match="axes"):
        mx.nd.moments(mx.nd.ones((2, 3)))


def test_cumsum_fd():
    check_fd(lambda x: mx.nd.cumsum(x, axis=1), [np.random.RandomState(6).normal(size=(2, 3))])


def test_histogram_and_split_v2_wrappers():
    from mxnet.ops.misc_ops import histogram, split_v2
    x = mx.nd.array([1, 2, 3, 4, 5, 11])
    counts, edges = histogram(x, bins=3, range=(0, 10))
    assert counts.asnumpy().tolist() == [3, 2, 0] and counts.dtype == np.int64
    np.testing.assert_allclose(edges.asnumpy(), [0, 10 / 3, 20 / 3, 10], rtol=1e-6)
    counts, _ = histogram(x, bins=mx.nd.array([0, 2.5, 6]))
    assert counts.asnumpy().tolist() == [2, 3]
    with pytest.warns(UserWarning):
        counts, edges = histogram(mx.nd.array([1, 2, 3, 4, 5]), bins=3)
    assert counts.asnumpy().tolist() == [2, 1, 2] and edges.shape == (4,)
    parts = split_v2(mx.nd.arange(10).reshape((5, 2)), (1, 3), axis=0)
    assert [p.shape for p in parts] == [(1, 2), (2, 2), (2, 2)]
    assert parts[2].asnumpy()[:, 0].tolist() == [6, 8]
    assert len(split_v2(mx.nd.ones((2, 6)), 3, axis=1)) == 3
    with pytest.raises(ValueError):
        split_v2(mx.nd.ones((2, 6)), [1, 2])


def test_misc_errors():
    # cast_storage makes sparse arrays from dense ones (mx.nd.op / _internal name it too); MXNet
    # refuses csr <-> row_sparse
    assert mx.nd.op.cast_storage(mx.nd.ones((2, 2)), stype="csr").stype == "csr"
    assert mx.nd.cast_storage(mx.nd.ones((2, 2)), stype="row_sparse").stype == "row_sparse"
    with pytest.raises(MXNetError, match="cast_storage"):
        mx.nd.cast_storage(mx.nd.ones((2, 2)).tostype("csr"), stype="row_sparse")
    with pytest.raises(MXNetError, match="shape"):
        mx.nd.ravel_multi_index(mx.nd.ones((3, 2)), shape=(3, 4))
    with pytest.raises(MXNetError, match="fill_element_0index"):
        mx.nd.fill_element_0index(mx.nd.ones((2, 3)), mx.nd.ones((3,)), mx.nd.ones((2,)))
    with pytest.raises(MXNetError, match="bins"):
        mx.nd._internal._histogram(mx.nd.ones(3), mx.nd.ones((2, 2)))


# -- nn_extra --------------------------------------------------------------------------------
def test_crop_fd():
    rng = np.random.RandomState(7)
    check_fd(lambda x: mx.nd.Crop(x, num_args=1, h_w=(2, 2), offset=(1, 0)), [rng.normal(size=(1, 2, 3, 3))])
    with pytest.raises(MXNetError, match="does not fit"):
        mx.nd.Crop(mx.nd.ones((1, 1, 3, 3)), num_args=1, h_w=(2, 2), offset=(2, 0))


def test_kl_sparse_reg_matches_mxnet():
    # numbers recorded from MXNet 1.9.1 (executor, penalty=0.1, sparseness_target=0.2, momentum=0.5)
    x = mx.nd.array([[0.2, 0.5, 0.9], [0.4, 0.1, 0.3]])
    avg = mx.nd.array([0.5, 0.5, 0.5])
    x.attach_grad()
    kw = dict(penalty=0.1, sparseness_target=0.2, momentum=0.5)
    with mx.autograd.record():
        y = mx.nd.IdentityAttachKLSparseReg(x, avg, **kw)
    y.backward(mx.nd.ones((2, 3)))
    np.testing.assert_allclose(y.asnumpy(), x.asnumpy())
    np.testing.assert_allclose(avg.asnumpy(), [0.4, 0.4, 0.55], rtol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy()[0], [1.0833334, 1.0833334, 1.1414142], rtol=1e-6)
    sym = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("data"))
    assert sym.infer_shape(data=(2, 3))[2] == [(3,)]


def test_batchnorm_v1_outputs_variance():
    # MXNet 1.9.1 gives (output, batch mean, batch variance) here; BatchNorm gives 1/sqrt(var+eps)
    rng = np.random.RandomState(0)
    x = rng.normal(size=(3, 2, 2, 2)).astype(np.float32)
    mm, mv = mx.nd.zeros(2), mx.nd.ones(2)
    with mx.autograd.record():
        out = mx.nd.BatchNorm_v1(mx.nd.array(x), mx.nd.array([1.5, 0.5]), mx.nd.array([0.1, 0.2]), mm, mv,
                                 fix_gamma=False, output_mean_var=True)
    assert len(out) == 3
    np.testing.assert_allclose(out[2].asnumpy(), x.var(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(out[1].asnumpy(), x.mean(axis=(0, 2, 3)), rtol=1e-5, atol=1e-7)
    with pytest.raises(MXNetError, match="4-D"):   # 2-D (N, C) data is accepted, 3-D is not
        mx.nd.BatchNorm_v1(mx.nd.ones((2, 2, 2)), mx.nd.ones(2), mx.nd.ones(2), mx.nd.ones(2), mx.nd.ones(2))
    sym = mx.sym.BatchNorm_v1(mx.sym.var("data"), name="bn")
    assert sym.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]


# -- random_pdf_* ------------------------------------------------------------------------------
@pytest.mark.parametrize("name,params", [
    ("normal", [np.array([0.3, -0.2]), np.array([0.8, 1.3])]),
    ("gamma", [np.array([1.5, 2.5]), np.array([0.7, 1.2])]),
    ("exponential", [np.array([0.7, 1.9])]),
    ("uniform", [np.array([0.1, 0.2]), np.array([2.5, 3.0])]),
])
def test_pdf_fd(name, params):
    x = np.random.RandomState(8).uniform(0.3, 2.0, size=(2, 3))
    fn = getattr(mx.nd, "random_pdf_" + name)
    check_fd(lambda *a: fn(*a), [x] + params)
    check_fd(lambda *a: fn(*a, is_log=True), [x] + params)


@pytest.mark.parametrize("name", ["poisson", "negative_binomial", "generalized_negative_binomial"])
def test_pdf_discrete_fd(name):
    cnt = np.array([[0.0, 2.0, 5.0], [1.0, 3.0, 0.0]])
    params = [np.array([1.3, 2.2])] if name == "poisson" else [np.array([1.3, 2.2]), np.array([0.4, 0.7])]
    fn = getattr(mx.nd, "random_pdf_" + name)
    check_fd(lambda *a: fn(*a), [cnt] + params, grad_inputs=list(range(1, 1 + len(params))))


def test_pdf_dirichlet_fd_and_errors():
    rng = np.random.RandomState(9)
    x = rng.dirichlet([1, 2, 3], size=(2, 2))
    check_fd(lambda s, a: mx.nd.random_pdf_dirichlet(s, a, is_log=True), [x, rng.uniform(1, 2, size=(2, 3))])
    with pytest.raises(MXNetError, match="prefix"):
        mx.nd.random_pdf_normal(mx.nd.ones((2,)), mx.nd.ones((2,)), mx.nd.ones((2,)))


# -- spatial ---------------------------------------------------------------------------------
def test_grid_bilinear_fd():
    rng = np.random.RandomState(10)
    theta = np.array([[0.83, 0.17, 0.06, -0.13, 0.71, -0.04]])  # no sample lands on a pixel (a kink)
    check_fd(lambda t: mx.nd.GridGenerator(t, transform_type="affine", target_shape=(2, 3)), [theta])
    check_fd(lambda f: mx.nd.GridGenerator(f, transform_type="warp"), [rng.normal(size=(1, 2, 2, 3))])
    data = rng.normal(size=(1, 2, 3, 4))
    grid = rng.uniform(-0.9, 0.9, size=(1, 2, 2, 2))
    check_fd(lambda d, g: mx.nd.BilinearSampler(d, g), [data, grid], rtol=1e-3, atol=1e-5)
    check_fd(lambda d, t: mx.nd.SpatialTransformer(d, t, target_shape=(2, 2), transform_type="affine",
                                                   sampler_type="bilinear"), [data, theta], rtol=1e-3, atol=1e-5)


def test_roi_pooling_and_correlation():
    rng = np.random.RandomState(11)
    data = rng.normal(size=(1, 2, 4, 5))
    rois = np.array([[0, 0, 0, 3, 3], [0, 1, 1, 4, 3]], np.float64)
    check_fd(lambda d, r: mx.nd.ROIPooling(d, r, pooled_size=(2, 2), spatial_scale=1.0), [data, rois],
             grad_inputs=[0])
    a, b = rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(1, 2, 4, 4))
    check_fd(lambda x, y: mx.nd.Correlation(x, y, kernel_size=3, max_displacement=1, pad_size=1), [a, b])
    check_fd(lambda x, y: mx.nd.Correlation(x, y, is_multiply=False, pad_size=1), [a, b])
    sym = mx.sym.Correlation(mx.sym.var("a"), mx.sym.var("b"), max_displacement=2, stride2=2, pad_size=2)
    assert sym.infer_shape(a=(1, 3, 6, 7), b=(1, 3, 6, 7))[1] == [(1, 9, 6, 7)]
    with pytest.raises(MXNetError, match="rois"):
        mx.nd.ROIPooling(mx.nd.ones((1, 1, 4, 4)), mx.nd.ones((2, 4)), pooled_size=(2, 2), spatial_scale=1.0)


# -- contrib ---------------------------------------------------------------------------------
def test_contrib_fd():
    rng = np.random.RandomState(12)
    img = rng.normal(size=(1, 2, 5, 4))
    check_fd(lambda x: mx.nd.contrib.AdaptiveAvgPooling2D(x, output_size=(2, 3)), [img])
    check_fd(lambda x: mx.nd.contrib.BilinearResize2D(x, height=3, width=6, align_corners=False), [img])
    check_fd(lambda x: mx.nd.contrib.quadratic(x, a=0.3, b=-1.0, c=2.0), [img[0, 0]])
    check_fd(lambda o, n: mx.nd.contrib.index_copy(o, mx.nd.array([2, 0], dtype="int64"), n),
             [rng.normal(size=(3, 2)), rng.normal(size=(2, 2))])
    rois = np.array([[0, 0.3, 0.2, 5.1, 6.3], [0, 1.2, 0.7, 3.3, 2.9]])
    check_fd(lambda d, r: mx.nd.contrib.ROIAlign(d, r, pooled_size=(2, 2), spatial_scale=0.7), [img, rois],
             grad_inputs=[0])


def test_box_nms_grad_routes_to_kept_rows():
    d = mx.nd.array([[0, 0.5, 0.1, 0.1, 0.2, 0.2], [1, 0.4, 0.1, 0.1, 0.2, 0.2], [0, 0.6, 0.5, 0.5, 0.7, 0.8]])
    d.attach_grad()
    with mx.autograd.record():
        out = mx.nd.contrib.box_nms(d, overlap_thresh=0.1)
    out.backward(mx.nd.array(np.arange(18).reshape(3, 6)))
    assert out.asnumpy()[:, 1].tolist() == pytest.approx([0.6, 0.5, -1])
    np.testing.assert_array_equal(d.grad.asnumpy(), [[6, 7, 8, 9, 10, 11], [0] * 6, [0, 1, 2, 3, 4, 5]])
    with pytest.raises(MXNetError, match="coord_start"):
        mx.nd.contrib.box_nms(mx.nd.ones((3, 4)))


# -- front ends: symbol, hybridize, dropout -----------------------------------------------------
def test_rnn_hybridized_block_matches_eager():
    class Net(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x, p, s, c):
            return F.RNN(x, p, s, c, state_size=3, num_layers=2, mode="lstm", bidirectional=True)

    rng = np.random.RandomState(13)
    T, N, C, H = 4, 2, 3, 3
    ins = [rng.normal(size=(T, N, C)), _rnn_params("lstm", C, H, 2, 2, rng), rng.normal(size=(4, N, H)),
           rng.normal(size=(4, N, H))]
    xs = [mx.nd.array(a, dtype="float32") for a in ins]
    net = Net()
    eager = net(*xs).asnumpy()
    net.hybridize()
    xs[1].attach_grad()
    with mx.autograd.record():
        out = net(*xs)
    out.backward()
    np.testing.assert_allclose(out.asnumpy(), eager, rtol=1e-5, atol=1e-6)
    assert xs[1].grad.shape == xs[1].shape and np.abs(xs[1].grad.asnumpy()).sum() > 0


def test_rnn_dropout_only_in_training():
    rng = np.random.RandomState(14)
    T, N, C, H = 3, 4, 3, 5
    ins = [mx.nd.array(rng.normal(size=(T, N, C))), mx.nd.array(_rnn_params("gru", C, H, 2, 1, rng)),
           mx.nd.zeros((2, N, H))]
    kw = dict(state_size=H, num_layers=2, mode="gru")
    base = mx.nd.RNN(*ins, **kw).asnumpy()
    np.testing.assert_allclose(mx.nd.RNN(*ins, p=0.5, **kw).asnumpy(), base)
    ins[1].attach_grad()
    with mx.autograd.record(train_mode=True):
        out = mx.nd.RNN(*ins, p=0.5, **kw)
    out.backward()
    assert not np.allclose(out.asnumpy(), base)
    assert np.isfinite(ins[1].grad.asnumpy()).all()


def test_symbol_histogram_and_getnnz():
    from mxnet.ops.misc_ops import symbol_histogram
    sym = symbol_histogram(mx.sym.var("a"), bins=4, range=(0.0, 1.0))
    counts, edges = sym.eval(a=mx.nd.array([0.1, 0.2, 0.6, 0.99, 1.5]))
    assert counts.asnumpy().tolist() == [2, 0, 1, 1]
    np.testing.assert_allclose(edges.asnumpy(), [0, 0.25, 0.5, 0.75, 1])
    with pytest.raises(ValueError):
        symbol_histogram(mx.sym.var("a"), bins=4)
    with pytest.raises(MXNetError, match="CSR"):
        mx.nd.contrib.getnnz(mx.nd.ones((2, 2)))


def test_v1_layers_in_symbols():
    conv = mx.sym.Convolution_v1(mx.sym.var("data"), kernel=(3, 3), num_filter=4, name="c")
    args, outs, _ = conv.infer_shape(data=(2, 3, 8, 8))
    assert conv.list_arguments() == ["data", "c_weight", "c_bias"]
    assert args[1] == (4, 3, 3, 3) and outs == [(2, 4, 6, 6)]
    pool = mx.sym.Pooling_v1(mx.sym.var("data"), kernel=(2, 2), stride=(2, 2), pool_type="avg")
    assert pool.infer_shape(data=(2, 3, 8, 8))[1] == [(2, 3, 4, 4)]
    with pytest.raises(MXNetError, match="layout"):
        mx.nd.Convolution_v1(mx.nd.ones((1, 1, 4)), mx.nd.ones((1, 1, 3)), mx.nd.ones(1), kernel=(3,),
                             num_filter=1, layout="NCW")
