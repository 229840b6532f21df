"""Executor, shape-inference and operator behaviours that MXNet 1.9.1's test_operator.py relies on
(expected values observed under real MXNet 1.9.1)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.test_utils import check_numeric_gradient


def _bind_backward(sym, shapes, out_grads=None, values=None):
    exe = sym.simple_bind(mx.cpu(), **shapes)
    exe.forward(is_train=True, **(values or {}))
    exe.backward(out_grads)
    return exe


def test_backward_without_head_gradient_for_zero_gradient_outputs():
    x, y = mx.sym.var("x"), mx.sym.var("y")
    for z in (x == y, mx.sym.BlockGrad(x), x > 1, mx.sym.broadcast_equal(x, y), mx.sym.round(x)):
        shapes = {k: (2, 2) for k in z.list_arguments()}
        exe = _bind_backward(z, shapes, values={k: np.ones((2, 2)) for k in shapes})
        assert exe.grad_dict["x"].asnumpy().tolist() == [[0, 0], [0, 0]]
    with pytest.raises(MXNetError, match="head_gradient is required"):
        _bind_backward(x * y, {"x": (2, 2), "y": (2, 2)})


def test_head_gradient_takes_the_output_type():
    a = mx.sym.var("a")
    for dtype, want in (("int32", [0, 4]), ("float64", [1.4, 5.2])):
        c = mx.sym.cast(a, dtype=dtype) * 2
        g = mx.nd.empty((2,))
        exe = c.bind(mx.cpu(), args={"a": mx.nd.array([1.5, 2])}, args_grad=[g])
        exe.forward(is_train=True)
        exe.backward([mx.nd.array([0.7, 2.6])])
        np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-6)


def test_integer_remainder_has_zero_gradients():
    for op in (mx.nd.broadcast_mod, lambda a, b: mx.nd._internal._mod_scalar(a, scalar=3),
               lambda a, b: mx.nd._internal._rmod_scalar(a, scalar=3)):
        a = mx.nd.array([5, 3, -4], dtype="int32")
        b = mx.nd.array([0, 2, 0], dtype="int32")
        a.attach_grad()
        with mx.autograd.record():
            c = op(a, b)
        c.backward(mx.nd.array([2, 2, 2], dtype="int32"))
        assert a.grad.asnumpy().tolist() == [0, 0, 0]
    # float remainders keep theirs
    a, b = mx.nd.array([5, 3]), mx.nd.array([2, 2])
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        c = mx.nd.broadcast_mod(a, b)
    c.backward()
    assert a.grad.asnumpy().tolist() == [1, 1] and b.grad.asnumpy().tolist() == [-2, -1]


def test_backward_before_forward_and_simple_bind_keywords():
    data = mx.sym.var("data")
    exe = mx.sym.tile(data, reps=(2,)).bind(mx.cpu(), args=[mx.nd.array([1, 2])],
                                            args_grad=[mx.nd.zeros((2,))])
    exe.backward(mx.nd.array([1, 2, 3, 4]))
    assert exe.grad_arrays[0].asnumpy().tolist() == [4, 6]
    # non-shape keywords (an operator's parameters passed along) are ignored, as in MXNet
    sym = mx.sym.take(mx.sym.var("a"), mx.sym.var("indices"), axis=0, mode="clip")
    exe = sym.simple_bind(mx.cpu(), a=(3, 2), indices=(4,), axis=0, mode="clip")
    assert exe.outputs[0].shape == (4, 2)


def test_creation_shapes_inferred_through_transpose():
    for s1, s2 in (((2, 3), (-1, -1)), ((2, -1), (3, -1))):
        b = mx.sym.ones(shape=s1) + mx.sym.transpose(mx.sym.ones(shape=s2))
        y = b.bind(mx.cpu(), args={}).forward()
        assert y[0].shape == (2, 3) and y[0].asnumpy().sum() == 12


@pytest.mark.parametrize("src,codes,reverse,dst", [
    ((2, 3, 5, 5), (0, -1), False, (2, 75)),
    ((5, 3, 4, 5), (0, -1, 0), True, (3, 20, 5)),
    ((2, 3, 5, 6), (-3, -1), False, (6, 30)),
    ((64,), (16, 4, -4), True, (16, 4)),
    ((1, 2, 3, 64), (-2, -1, 16, -4), True, (1, 2, 3, 4, 16))])
def test_reshape_codes_and_held_out_input_dims(src, codes, reverse, dst):
    assert mx.nd.zeros(src).reshape(codes, reverse=reverse).shape == dst
    for i in range(len(src)):
        held = tuple(0 if j == i else d for j, d in enumerate(src))
        net = mx.sym.elemwise_add(mx.sym.var("data").reshape(codes, reverse=reverse), mx.sym.ones(shape=dst))
        ins, outs, _ = net.infer_shape(data=held)
        assert ins[0] == src and outs[0] == dst


def test_upsampling_shapes():
    up = mx.sym.UpSampling(mx.sym.var("data"), mx.sym.var("weight"), sample_type="bilinear", scale=3,
                           num_filter=3, num_args=2)
    assert up.infer_shape(data=(1, 3, 4, 4)) == ([(1, 3, 4, 4), (3, 1, 5, 5)], [(1, 3, 12, 12)], [])
    up = mx.sym.UpSampling(mx.sym.var("a"), mx.sym.var("b"), sample_type="nearest", scale=2, num_args=2)
    assert up.infer_shape(a=(1, 3, 4, 4), b=(1, 2, 2, 2))[1] == [(1, 5, 8, 8)]


def test_index_errors_and_unknown_dims():
    data = mx.nd.array([[0, 1, 2], [3, 4, 5]])
    for idx in ([[0, 1, 0], [0, 1, 3]], [[0, 1, 0], [0, 1, -5]]):
        with pytest.raises(IndexError, match="out of bounds"):
            mx.nd.gather_nd(data, mx.nd.array(idx)).asnumpy()
    # a legacy shape's 0 is an unknown dimension, which these operators reject
    for op in (mx.nd.depth_to_space, mx.nd.space_to_depth):
        with pytest.raises(MXNetError):
            op(mx.nd.zeros((1, 4, 0, 2)), 2)


def test_numeric_gradient_of_many_float32_outputs():
    # each output's difference is taken before the sum: a float32 sum first would lose the digits
    rng = np.random.RandomState(0)
    x = mx.sym.var("x")
    check_numeric_gradient(mx.sym.square(x), [rng.uniform(2, 5, (60, 60))])


def test_softmax_output_probability_labels_and_flattened_samples():
    rng = np.random.RandomState(1)

    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def run(x, label, **kw):
        sym = mx.sym.SoftmaxOutput(mx.sym.var("x"), mx.sym.var("l"), **kw)
        g = mx.nd.empty(x.shape)
        exe = sym.bind(mx.cpu(), args=[mx.nd.array(x), mx.nd.array(label)], args_grad={"x": g})
        exe.forward(is_train=True)
        exe.backward()
        return exe.outputs[0].asnumpy(), g.asnumpy()

    x = rng.uniform(-1, 1, (3, 4, 2)).astype(np.float32)
    # a label shaped like the data holds probabilities: out - label, scaled by grad_scale only
    p = softmax(rng.uniform(-1, 1, (3, 4, 2)))
    y, g = run(x, p, preserve_shape=True, grad_scale=2.0, normalization="batch")
    np.testing.assert_allclose(y, softmax(x), rtol=1e-5)
    np.testing.assert_allclose(g, 2 * (softmax(x) - p), rtol=1e-4, atol=1e-6)
    # without preserve_shape each sample is one distribution; its label is the flat label's entry
    label = np.array([[1, 0, 0, 0], [5, 0, 0, 0], [7, 0, 0, 0]], np.float32)
    y, g = run(x, label)
    flat = softmax(x.reshape(3, 8))
    np.testing.assert_allclose(y, flat.reshape(3, 4, 2), rtol=1e-5)
    want = flat.copy()
    want[np.arange(3), [1, 0, 0]] -= 1
    np.testing.assert_allclose(g, want.reshape(3, 4, 2), rtol=1e-5, atol=1e-6)


def test_prelu_gamma_aligns_with_the_first_two_axes():
    x = mx.nd.array(np.arange(-12, 12).reshape(2, 3, 4) * 0.5)
    for gamma, y0, dgamma in (([[.1, .2, .3], [.4, .5, .6]], [-0.6, -0.8, -0.6], [[-31.5, -19.5, -7.5], [0, 0, 0]]),
                              ([.1, .2], [-0.6, -0.4, -0.2], [-58.5, 0])):
        g = mx.nd.array(gamma)
        g.attach_grad()
        with mx.autograd.record():
            y = mx.nd.LeakyReLU(x, gamma=g, act_type="prelu")
        y.backward(mx.nd.ones_like(y) * 1.5)
        np.testing.assert_allclose(y.asnumpy()[0, :, 0], y0, rtol=1e-6)
        np.testing.assert_allclose(g.grad.asnumpy(), dgamma, rtol=1e-6)
    with pytest.raises(MXNetError):
        mx.nd.LeakyReLU(x, gamma=mx.nd.ones((2, 3, 4)), act_type="prelu")


def test_smooth_l1_default_scalar():
    np.testing.assert_allclose(mx.nd.smooth_l1(mx.nd.array([-2, -0.5, 0.3, 3])).asnumpy(),
                               [1.5, 0.125, 0.045, 2.5], rtol=1e-6)


def test_norm_out_dtype_needs_safe_accumulation(monkeypatch):
    x = mx.nd.array([[1, -2], [3, 4.001]], dtype="float16")
    monkeypatch.delenv("MXNET_SAFE_ACCUMULATION", raising=False)
    with pytest.raises(MXNetError, match="MXNET_SAFE_ACCUMULATION"):
        mx.nd.norm(x, ord=2, axis=1, out_dtype="float32").asnumpy()
    monkeypatch.setenv("MXNET_SAFE_ACCUMULATION", "1")
    y = mx.nd.norm(x, ord=2, axis=1, out_dtype="float32")
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy(), [2.236068, 5.0], rtol=1e-6)
    s = mx.sym.norm(mx.sym.var("d"), ord=1, axis=1, out_dtype="float64")
    assert s.infer_type(d="float16")[1] == [np.float64]


def test_layer_norm_gradients_over_many_rows_stay_accurate():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(4096, 8)).astype(np.float32)
    og = rng.normal(size=(4096, 8)).astype(np.float32)
    xs = [mx.nd.array(x), mx.nd.ones((8,)), mx.nd.zeros((8,))]
    for a in xs:
        a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.LayerNorm(*xs, axis=-1)
    y.backward(mx.nd.array(og))
    np.testing.assert_allclose(xs[2].grad.asnumpy(), og.astype(np.float64).sum(0), rtol=1e-6, atol=2e-6)


def test_sequence_ops_take_sequence_length_only_when_used():
    X = mx.sym.var("X")
    for f in (mx.sym.SequenceMask, mx.sym.SequenceReverse, mx.sym.SequenceLast):
        assert f(data=X, use_sequence_length=False).list_arguments() == ["X"]
        assert f(data=X, sequence_length=None).list_arguments() == ["X"]
        assert len(f(data=X, use_sequence_length=True).list_arguments()) == 2
    x = mx.nd.array([[1, 2], [3, 4], [5, 6]])
    # lengths truncate; a length of 0 leaves the sequence as it is
    out = mx.nd.SequenceReverse(x, mx.nd.array([0.995, 2.7]), use_sequence_length=True)
    assert out.asnumpy().tolist() == [[1, 4], [3, 2], [5, 6]]


def test_integer_arange_steps_in_the_integer_type():
    a = mx.nd.arange(1.3, 456.6, 1.3, dtype=np.int32)
    assert a.shape == (351,) and a[:4].asnumpy().tolist() == [1, 2, 3, 4]
    assert mx.nd.arange(-100, 100, 1, dtype=np.uint8)[:3].asnumpy().tolist() == [156, 157, 158]


def test_monitor_all_reports_inputs_as_mxnet_names_them():
    def names(sym, monitor_all=True, **shapes):
        out = []
        exe = sym.simple_bind(mx.cpu(), grad_req="null", **shapes)
        exe.set_monitor_callback(lambda n, a: out.append(n), monitor_all=monitor_all)
        exe.forward()
        return out
    d = mx.sym.var("data")
    fc = mx.sym.FullyConnected(d, num_hidden=4, name="fc")
    s = mx.sym.elemwise_add(mx.sym.Activation(fc, act_type="relu", name="act"), fc, name="add")
    assert names(s, data=(2, 3)) == ["data", "fc_data", "fc_weight", "fc_weight", "fc_bias", "fc_bias",
                                     "fc_output", "act_input0", "act_output", "add_lhs", "add_rhs",
                                     "add_output"]
    assert names(s, monitor_all=False, data=(2, 3)) == ["fc_output", "act_output", "add_output"]
    assert names(mx.sym.concat(d, d, dim=0, name="c"), data=(2, 3)) == [
        "data", "c_arg0", "data", "c_arg1", "c_output"]
    assert names(mx.sym.Dropout(d, name="dr"), data=(2, 3)) == ["data", "dr_data", "dr_output", "dr_mask"]
    assert names(d * 2, data=(2, 3))[1].endswith("_input0")


def test_ndarray_handles_and_monitor_across_reshape():
    import ctypes
    from mxnet.base import NDArrayHandle
    a = mx.nd.array([1, 2, 3])
    b = mx.nd.NDArray(ctypes.cast(a, NDArrayHandle), writable=False)
    assert b.asnumpy().tolist() == [1, 2, 3] and not b.writable
    seen = []
    exe = mx.sym.relu(mx.sym.var("data"), name="r").simple_bind(mx.cpu(), data=(2, 3))
    exe.set_monitor_callback(lambda n, h: seen.append((n, mx.nd.NDArray(ctypes.cast(h, NDArrayHandle)).shape)))
    exe.reshape(allow_up_sizing=True, data=(4, 3)).forward()
    assert seen == [("r_output", (4, 3))]
    from mxnet.operator import ctypes as star_ctypes, NDArray  # MXNet's star import gives them
    assert star_ctypes is ctypes and NDArray is mx.nd.NDArray


def test_batchnorm_v1_2d_data_and_sync_batchnorm_variance():
    x = np.arange(6).reshape(2, 3) ** 1.5
    s = mx.sym.BatchNorm_v1(mx.sym.var("data"), fix_gamma=False, name="bn")
    exe = s.simple_bind(mx.cpu(), data=(2, 3))
    exe.arg_dict["data"][:] = x
    exe.arg_dict["bn_gamma"][:] = 2
    exe.arg_dict["bn_beta"][:] = 1
    exe.forward(is_train=True)
    exe.backward(mx.nd.ones((2, 3)))
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), [[-1, -1, -1], [3, 3, 3]], atol=2e-4)
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(), [0.2598, 0.45, 0.7004], atol=1e-4)
    x = mx.nd.array(np.arange(8).reshape(4, 2) ** 1.3)
    with mx.autograd.record():
        out = mx.nd.contrib.SyncBatchNorm(x, mx.nd.ones(2), mx.nd.zeros(2), mx.nd.zeros(2), mx.nd.ones(2),
                                          output_mean_var=True, fix_gamma=False, key="k")
    np.testing.assert_allclose(out[2].asnumpy(), [14.996639, 18.708263], rtol=1e-5)


def test_pooling_same_convention_1d():
    x = mx.nd.array(np.arange(10.0)[::-1].reshape(1, 1, 10).copy())
    for k, s, pt, want in ((2, 2, "avg", [8.5, 6.5, 4.5, 2.5, 0.5]), (5, 3, "avg", [7, 4, 1.5, 0]),
                           (3, 2, "max", [9, 7, 5, 3, 1])):
        y = mx.nd.Pooling(x, kernel=k, stride=s, pad=(0, 0, 0), pool_type=pt, pooling_convention="same")
        np.testing.assert_allclose(y.asnumpy().ravel(), want, rtol=1e-6)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, kernel=5, stride=3, pool_type="avg", pooling_convention="same")
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy().ravel(), [.2, .2, .2, .4, .4, .2, .45, .45, .25, 1.25], rtol=1e-6)
    with pytest.raises(MXNetError):
        mx.nd.Pooling(x, kernel=2, stride=2, pad=2, pool_type="max", pooling_convention="same")
    with pytest.raises(MXNetError):
        mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4)), kernel=(2, 2), pool_type="max", pooling_convention="same")


def test_symbolic_image_normalize():
    s = mx.sym.image.normalize(data=mx.sym.var("data"), mean=(0, 1, 2), std=(3, 2, 1))
    g = mx.nd.zeros((2, 3, 2, 2))
    exe = s.bind(mx.cpu(), args={"data": mx.nd.ones((2, 3, 2, 2))}, args_grad={"data": g})
    exe.forward(is_train=True)
    exe.backward(mx.nd.ones((2, 3, 2, 2)))
    np.testing.assert_allclose(exe.outputs[0].asnumpy()[1, :, 0, 0], [1 / 3, 0, -1], rtol=1e-6)
    np.testing.assert_allclose(g.asnumpy()[0, :, 1, 1], [1 / 3, 1 / 2, 1], rtol=1e-6)


def test_ctc_loss_ignores_steps_past_the_data_length():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(4, 2, 3)).astype(np.float32)
    x[3] = np.nan
    data = mx.nd.array(x)
    data.attach_grad()
    with mx.autograd.record():
        loss = mx.nd.CTCLoss(data, mx.nd.array([[1, 0], [1, 1]]), mx.nd.array([3, 3]), use_data_lengths=True)
    loss.backward()
    assert np.isfinite(loss.asnumpy()).all()
    g = data.grad.asnumpy()
    assert np.isfinite(g).all() and (g[3] == 0).all()
