"""FullyConnected, Convolution, Deconvolution, Pooling, UpSampling, im2col/col2im."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.ops.registry import get_op
from fd import check_fd
from golden import load_cases, run_case, case_ids

CASES = load_cases("nn_conv")
nd = mx.nd
R = np.random.RandomState(0)


def rnd(*shape):
    return R.normal(size=shape)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_golden(case, kernels):
    run_case(case, rtol=1e-5, atol=1e-5)


FD = [
    ("fc", lambda x, w, b: nd.FullyConnected(x, w, b, num_hidden=3), [rnd(2, 2, 2), rnd(3, 4), rnd(3)]),
    ("fc_noflat", lambda x, w: nd.FullyConnected(x, w, num_hidden=2, flatten=False, no_bias=True),
     [rnd(2, 2, 3), rnd(2, 3)]),
    ("conv2d", lambda x, w, b: nd.Convolution(x, w, b, kernel=(2, 2), num_filter=4, num_group=2,
                                              stride=(2, 1), pad=(1, 0), dilate=(1, 2)),
     [rnd(1, 2, 4, 5), rnd(4, 1, 2, 2), rnd(4)]),
    ("conv1d", lambda x, w: nd.Convolution(x, w, kernel=(3,), num_filter=2, no_bias=True, pad=(1,)),
     [rnd(2, 1, 4), rnd(2, 1, 3)]),
    ("conv3d", lambda x, w, b: nd.Convolution(x, w, b, kernel=(2, 1, 2), num_filter=2, stride=(1, 1, 2)),
     [rnd(1, 1, 3, 2, 4), rnd(2, 1, 2, 1, 2), rnd(2)]),
    ("conv_nhwc", lambda x, w, b: nd.Convolution(x, w, b, kernel=(2, 2), num_filter=2, layout="NHWC"),
     [rnd(1, 3, 3, 2), rnd(2, 2, 2, 2), rnd(2)]),
    ("deconv2d", lambda x, w, b: nd.Deconvolution(x, w, b, kernel=(3, 2), num_filter=2, stride=(2, 2),
                                                  pad=(1, 0), adj=(1, 1), no_bias=False),
     [rnd(1, 2, 2, 3), rnd(2, 2, 3, 2), rnd(2)]),
    ("deconv_tgt", lambda x, w: nd.Deconvolution(x, w, kernel=(3,), num_filter=2, num_group=2,
                                                 stride=(2,), target_shape=(6,)),
     [rnd(1, 2, 3), rnd(2, 1, 3)]),
    ("maxpool", lambda x: nd.Pooling(x, kernel=(2, 2), stride=(1, 2), pad=(1, 0)), [rnd(1, 2, 3, 4)]),
    ("avgpool", lambda x: nd.Pooling(x, kernel=(2, 2), stride=(2, 2), pad=(1, 1), pool_type="avg",
                                     pooling_convention="full", count_include_pad=False), [rnd(1, 1, 3, 4)]),
    ("sumpool3d", lambda x: nd.Pooling(x, kernel=(2, 1, 2), pool_type="sum"), [rnd(1, 1, 2, 2, 3)]),
    ("lp2", lambda x: nd.Pooling(x, kernel=(2,), stride=(1,), pool_type="lp", p_value=2), [rnd(1, 2, 4)]),
    ("lp3", lambda x: nd.Pooling(x, kernel=(2, 2), pool_type="lp", p_value=3),
     [np.abs(rnd(1, 1, 3, 3)) + 0.5]),
    ("gavg", lambda x: nd.Pooling(x, global_pool=True, pool_type="avg"), [rnd(2, 2, 3)]),
    ("gmax", lambda x: nd.Pooling(x, global_pool=True, layout="NHWC"), [rnd(1, 2, 2, 3)]),
    ("up_nearest", lambda x, y: nd.UpSampling(x, y, scale=2, sample_type="nearest", num_args=2),
     [rnd(1, 1, 2, 2), rnd(1, 2, 1, 1)]),
    ("up_bilinear", lambda x, w: nd.UpSampling(x, w, scale=2, sample_type="bilinear", num_filter=2),
     [rnd(1, 2, 2, 2), rnd(2, 1, 4, 4)]),
    ("im2col", lambda x: nd.im2col(x, kernel=(2, 2), stride=(1, 2), pad=(1, 1)), [rnd(1, 2, 3, 3)]),
    ("col2im", lambda x: nd.col2im(x, output_size=(3, 3), kernel=(2, 2), pad=(1, 1), stride=(2, 2)),
     [rnd(1, 8, 4)]),
]


@pytest.mark.parametrize("fn,inputs", [f[1:] for f in FD], ids=[f[0] for f in FD])
def test_fd(fn, inputs):
    check_fd(fn, inputs)


def test_float64_conv_matches_direct_sum():
    x, w, b = rnd(2, 3, 5, 6), rnd(4, 3, 3, 2), rnd(4)
    y = nd.Convolution(nd.array(x, dtype=np.float64), nd.array(w, dtype=np.float64),
                       nd.array(b, dtype=np.float64), kernel=(3, 2), num_filter=4, pad=(1, 1))
    assert y.dtype == np.float64
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (3, 2), axis=(2, 3))
    want = np.einsum("nchwij,fcij->nfhw", win, w) + b[:, None, None]
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_nhwc_conv_equals_nchw():
    x, w, b = (rnd(*s).astype(np.float32) for s in [(2, 5, 4, 3), (6, 3, 3, 3), (6,)])
    y = nd.Convolution(nd.array(x), nd.array(w), nd.array(b), kernel=(3, 3), num_filter=6, layout="NHWC",
                       stride=(2, 1), pad=(1, 1))
    ref = nd.Convolution(nd.array(x.transpose(0, 3, 1, 2)), nd.array(w.transpose(0, 3, 1, 2)), nd.array(b),
                         kernel=(3, 3), num_filter=6, stride=(2, 1), pad=(1, 1))
    np.testing.assert_allclose(y.asnumpy(), ref.asnumpy().transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-5)


def test_deconv_target_shape_crop():
    # MXNet pads (total+1)//2 at the low end, with total = full size - target (checked with MXNet's
    # native engine; its oneDNN path fails on target_shape)
    x, w = nd.array(rnd(1, 2, 5, 5)), nd.array(rnd(2, 3, 3, 3))
    full = nd.Deconvolution(x, w, kernel=(3, 3), num_filter=3, stride=(2, 2)).asnumpy()
    assert full.shape == (1, 3, 11, 11)
    for th, tw in [(10, 10), (9, 9), (10, 9), (11, 8)]:
        y = nd.Deconvolution(x, w, kernel=(3, 3), num_filter=3, stride=(2, 2), target_shape=(th, tw))
        ph, pw = (12 - th) // 2, (12 - tw) // 2
        np.testing.assert_allclose(y.asnumpy(), full[:, :, ph:ph + th, pw:pw + tw], rtol=1e-6)


def test_max_pool_ties_go_to_first():
    x = nd.ones((1, 1, 4, 4))
    x.attach_grad()
    with mx.autograd.record():
        y = nd.Pooling(x, kernel=(2, 2), stride=(2, 2))
    y.backward()
    want = np.zeros((4, 4), np.float32)
    want[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.asnumpy()[0, 0], want)


def test_float32_stays_float32():
    x = nd.array(rnd(2, 1, 6, 6))
    w = nd.array(rnd(3, 1, 3, 3))
    for v in (x, w):
        v.attach_grad()
    with mx.autograd.record():
        y = nd.Pooling(nd.Convolution(x, w, kernel=(3, 3), num_filter=3, no_bias=True), kernel=(2, 2),
                       stride=(2, 2), pool_type="avg")
    y.backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == np.float32


@pytest.mark.parametrize("name,shapes,kwargs,want", [
    ("FullyConnected", [(128, 784), None, None], {"num_hidden": 10}, [(128, 784), (10, 784), (10,)]),
    ("FullyConnected", [(2, 3, 5), None], {"num_hidden": 4, "flatten": False, "no_bias": True},
     [(2, 3, 5), (4, 5)]),
    ("Convolution", [(8, 6, 12, 12), None, None], {"kernel": (5, 5), "num_filter": 16, "num_group": 2},
     [(8, 6, 12, 12), (16, 3, 5, 5), (16,)]),
    ("Convolution", [(8, 12, 12, 6), None], {"kernel": (3, 3), "num_filter": 4, "no_bias": True,
                                             "layout": "NHWC"}, [(8, 12, 12, 6), (4, 3, 3, 6)]),
    ("Deconvolution", [(2, 4, 5, 5), None], {"kernel": (3, 3), "num_filter": 6, "num_group": 2},
     [(2, 4, 5, 5), (4, 3, 3, 3)]),
])
def test_infer_shape_fills_weights(name, shapes, kwargs, want):
    op = get_op(name)
    ins, outs = op.infer_shape(op.parse_attrs(kwargs), shapes)
    assert [tuple(s) for s in ins] == want


def test_infer_shape_outputs():
    op = get_op("Convolution")
    _, outs = op.infer_shape(op.parse_attrs({"kernel": (3, 3), "num_filter": 5, "stride": (2, 2),
                                             "pad": (1, 1)}), [(2, 3, 7, 8), None, None])
    assert outs == [(2, 5, 4, 4)]
    op = get_op("Pooling")
    _, outs = op.infer_shape(op.parse_attrs({"kernel": (3, 3), "stride": (2, 2),
                                             "pooling_convention": "full"}), [(2, 3, 8, 8)])
    assert outs == [(2, 3, 4, 4)]
    op = get_op("Deconvolution")
    _, outs = op.infer_shape(op.parse_attrs({"kernel": (4, 4), "num_filter": 3, "stride": (2, 2),
                                             "pad": (1, 1)}), [(1, 2, 5, 5), None])
    assert outs == [(1, 3, 10, 10)]


@pytest.mark.parametrize("call,words", [
    (lambda: nd.FullyConnected(nd.ones((2, 5)), nd.ones((3, 4)), nd.ones(3), num_hidden=3),
     ["FullyConnected", "weight", "(3, 4)", "(3, 5)"]),
    (lambda: nd.Convolution(nd.ones((1, 2, 5, 5)), nd.ones((3, 2, 3, 3)), nd.ones(3), kernel=(3, 3),
                            num_filter=4), ["Convolution", "weight", "(4, 2, 3, 3)"]),
    (lambda: nd.Convolution(nd.ones((1, 2, 5, 5)), nd.ones((3, 2, 3, 3)), kernel=(3, 3), num_filter=3),
     ["Convolution", "3 inputs"]),
    (lambda: nd.Convolution(nd.ones((1, 2, 5, 5)), nd.ones((3, 2, 7, 7)), nd.ones(3), kernel=(7, 7),
                            num_filter=3), ["Convolution", "kernel", "exceeds"]),
    (lambda: nd.Convolution(nd.ones((1, 2, 5)), nd.ones((3, 2, 3, 3)), nd.ones(3), kernel=(3, 3),
                            num_filter=3), ["Convolution", "4 dimensions"]),
    (lambda: nd.Deconvolution(nd.ones((1, 2, 5, 5)), nd.ones((2, 3, 3, 3)), nd.ones(3), kernel=(3, 3),
                              num_filter=3), ["Deconvolution", "2 inputs"]),
    (lambda: nd.Deconvolution(nd.ones((1, 2, 5, 5)), nd.ones((2, 3, 3, 3)), kernel=(3, 3), num_filter=3,
                              stride=(2, 2), adj=(2, 2)), ["Deconvolution", "adj"]),
    (lambda: nd.Deconvolution(nd.ones((1, 2, 5, 5)), nd.ones((2, 3, 3, 3)), kernel=(3, 3), num_filter=3,
                              stride=(2, 2), target_shape=(12, 12)), ["Deconvolution", "target_shape"]),
    (lambda: nd.Pooling(nd.ones((1, 1, 4))), ["Pooling", "kernel"]),
    (lambda: nd.Pooling(nd.ones((1, 1, 4)), kernel=(2,), pool_type="lp"), ["Pooling", "p_value"]),
    (lambda: nd.Pooling(nd.ones((1, 2, 5, 5)), kernel=(7, 7)), ["Pooling", "kernel", "exceeds"]),
    (lambda: nd.Pooling(nd.ones((2, 3)), kernel=(1,)), ["Pooling", "3-D"]),
    (lambda: nd.Pooling(nd.ones((1, 1, 4)), kernel=(2,), pool_type="median"), ["Pooling", "pool_type"]),
    (lambda: nd.UpSampling(nd.ones((1, 2, 2, 2)), nd.ones((1, 3, 2, 2)), scale=2, sample_type="nearest",
                           multi_input_mode="sum"), ["UpSampling", "sum"]),
    (lambda: nd.UpSampling(nd.ones((1, 2, 2, 2)), nd.ones((2, 1, 3, 3)), scale=2, sample_type="bilinear",
                           num_filter=2), ["UpSampling", "weight", "(2, 1, 4, 4)"]),
])
def test_errors(call, words):
    with pytest.raises(MXNetError) as e:
        call()
    for w in words:
        assert w in str(e.value), (w, str(e.value))
