"""Regressions for behaviour differences against MXNet 1.9.1 found by tools/difftest.py."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd
from mxnet.base import MXNetError

nd = mx.nd


def test_int_scalar_wraps_to_array_dtype():
    u = nd.array([1, 2], dtype="uint8")
    assert (u + 300).asnumpy().tolist() == [45, 46]
    assert (u - 3).asnumpy().tolist() == [254, 255]
    assert (u + 300).dtype == np.uint8
    un = mx.np.array([1, 2], dtype="uint8")
    assert (un * 200).tolist() == [200, 144]
    assert (mx.np.array([1], dtype="int8") + 200).tolist() == [-55]


def test_symbol_debug_str_lists_outputs():
    x = mx.sym.var("x")
    g = mx.sym.Group([x + x, mx.sym.split(x, num_outputs=2, name="sp")])
    lines = g.debug_str().splitlines()
    assert lines[0] == "Symbol Outputs:"
    assert lines[2:4] == ["\toutput[1]=sp(0)", "\toutput[2]=sp(1)"]


def test_infer_shape_error_prints_arguments(capsys):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    with pytest.raises(MXNetError):
        (a + b).infer_shape(a=(2, 3), b=(3, 2))
    assert capsys.readouterr().out == "infer_shape error. Arguments:\n  a: (2, 3)\n  b: (3, 2)\n"
    with pytest.raises(MXNetError):
        (a + b).infer_shape((2, 3), (3, 2))
    assert "  #1: (3, 2)\n" in capsys.readouterr().out


def test_contrib_foreach_stacks_and_records():
    x = nd.array([1., 2])
    x.attach_grad()
    with autograd.record():
        o, s = nd.contrib.foreach(lambda d, st: (d * st, st + d), x, nd.ones((1,)))
        y = o.sum() + s.sum()
    y.backward()
    assert o.shape == (2, 1) and s.asnumpy().tolist() == [4.0]
    assert x.grad.asnumpy().tolist() == [4.0, 3.0]
    outs, st = nd.contrib.foreach(lambda d, st: ([d[0], d[1]], [st[0] + 1]),
                                  [nd.ones((3, 2)), nd.ones((3, 1))], [nd.zeros((2,))])
    assert isinstance(outs, list) and [o.shape for o in outs] == [(3, 2), (3, 1)]
    assert st[0].asnumpy().tolist() == [3.0, 3.0]


def test_contrib_while_loop_and_cond():
    out, v = nd.contrib.while_loop(lambda i: i < 3, lambda i: (i * 2, i + 1), nd.array([0.]), max_iterations=5)
    assert out.shape == (5, 1) and out.asnumpy()[:3].ravel().tolist() == [0.0, 2.0, 4.0]
    assert isinstance(v, nd.NDArray) and v.asnumpy().tolist() == [3.0]
    out, v = nd.contrib.while_loop(lambda i: i < 0, lambda i: ([i], [i + 1]), [nd.array([0.])],
                                   max_iterations=5)
    assert out == [] and v[0].asnumpy().tolist() == [0.0]
    with pytest.raises(ValueError, match="max_iterations"):
        nd.contrib.while_loop(lambda i: i < 3, lambda i: (i, i + 1), nd.array([0.]))
    r = nd.contrib.cond(nd.array([0]), lambda: nd.ones((1,)), lambda: nd.zeros((1,)))
    assert r.asnumpy().tolist() == [0.0]
    with pytest.raises(ValueError):
        nd.contrib.cond(nd.array([1, 1]), lambda: nd.ones((1,)), lambda: nd.zeros((1,)))


def test_contrib_isnan_isinf_isfinite():
    a = nd.array([1, float("nan"), float("inf"), -float("inf")])
    assert nd.contrib.isnan(a).asnumpy().tolist() == [0, 1, 0, 0]
    assert nd.contrib.isinf(a).asnumpy().tolist() == [0, 0, 1, 1]
    assert nd.contrib.isfinite(a).asnumpy().tolist() == [1, 0, 0, 0]
    i = nd.array([1, 2], dtype="int32")
    assert nd.contrib.isinf(i).dtype == np.int32 and nd.contrib.isinf(i).asnumpy().tolist() == [0, 0]


def test_nested_tuple_index_acts_like_list():
    a = nd.arange(12).reshape((3, 4))
    assert a[(0, 1), :].shape == (2, 4)
    assert a[((0, 1), (1, 2))].asnumpy().tolist() == [1.0, 6.0]
    a[(0, 1), :] = 9
    assert a.asnumpy()[:2].ravel().tolist() == [9.0] * 8 and a.asnumpy()[2, 0] == 8


def test_dlpack_capsule_roundtrip():
    a = nd.array([1, 2, 3])
    b = nd.from_dlpack(a.to_dlpack_for_read())
    assert b.asnumpy().tolist() == [1.0, 2.0, 3.0]
    assert nd.from_dlpack(nd.to_dlpack_for_read(a)).shape == (3,)


def test_executor_reshape_infers_only_from_given_shapes():
    x, w = mx.sym.var("x"), mx.sym.var("w")
    ex = mx.sym.dot(x, w).simple_bind(mx.cpu(), x=(2, 3), w=(3, 1))
    with pytest.raises(MXNetError, match="unspecified"):
        ex.reshape(x=(1, 3))  # w cannot be inferred from x alone
    with pytest.raises(MXNetError, match="larger"):
        ex.reshape(x=(2, 4), partial_shaping=True)
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
    ex = fc.simple_bind(mx.cpu(), data=(4, 3))
    with pytest.raises(MXNetError, match="unspecified"):
        ex.reshape(data=(2, 5))
    assert ex.reshape(data=(2, 3)).outputs[0].shape == (2, 2)


def test_constant_parameter_initializes_to_its_value():
    c = mx.gluon.Constant("c", nd.array([1, 2]))
    c.initialize()
    assert c.data().asnumpy().tolist() == [1.0, 2.0] and c.grad_req == "null"
    c2 = mx.gluon.Constant("c2", [[3, 4]])
    c2.initialize(mx.init.One())  # an explicit init overrides the value, as in MXNet
    assert c2.data().asnumpy().tolist() == [[1.0, 1.0]]


def test_assert_almost_equal_prints_worst_errors(capsys):
    from mxnet import test_utils as tu
    with pytest.raises(AssertionError, match=r"mismatch 50\.0+%"):
        tu.assert_almost_equal(np.array([1., 2]), np.array([1., 2.1]))
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "*** Maximum errors for vector of size 2:  rtol=1e-05, atol=1e-20"
    assert out.splitlines()[3].startswith("  1: Error 4761.904762  Location of error: (1,), a=2.0")
    with pytest.raises(AssertionError, match="mismatch at least"):
        tu.assert_almost_equal(np.arange(12.), np.arange(12.) + 1, mismatches=(3, 3))
    assert len(capsys.readouterr().out.strip().splitlines()) == 5  # header, blank, 3 worst


def test_np_linalg_fallback_named_tuples_and_slogdet_list():
    a = mx.np.array([[4., 1], [1, 3]])
    q, r = mx.np.linalg.qr(a)  # NumPy 2's QRResult named tuple must unwrap into mx.np arrays
    assert isinstance(q, mx.np.ndarray) and r.shape == (2, 2)
    assert np.allclose((q @ r).asnumpy(), a.asnumpy(), atol=1e-5)
    res = mx.np.linalg.slogdet(a)
    assert isinstance(res, list) and abs(float(res[1]) - np.log(11)) < 1e-5


def test_trainer_save_states_keeps_optimizer(tmp_path):
    from mxnet import gluon
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(mx.init.One())
    tr = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.1})
    with autograd.record():
        loss = net(nd.ones((1, 2))).sum()
    loss.backward()
    tr.step(1)
    f = str(tmp_path / "s")
    tr.save_states(f)
    tr2 = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.5})
    tr2.load_states(f)
    assert tr2.optimizer.num_update == 1 and tr2.learning_rate == 0.1


def test_np_sort_argsort_axis_none_flatten():
    x = mx.np.array([[3., 1, 2], [0, 5, 4]])
    assert mx.np.sort(x, axis=None).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert mx.np.argsort(x, axis=None).tolist() == [3, 1, 2, 0, 5, 4]
    assert mx.np.sort(x).tolist() == [[1.0, 2.0, 3.0], [0.0, 4.0, 5.0]]


def test_legacy_reshape_and_bool_index_errors():
    a = nd.arange(6)
    with pytest.raises(ValueError, match="Cannot reshape array of size 6"):
        a.reshape((4, -1))
    with pytest.raises(MXNetError):
        a.reshape((7,))
    assert a.reshape((3, -1)).shape == (3, 2)
    m = nd.arange(6).reshape((2, 3))
    with pytest.raises(ValueError, match="legacy mode"):
        m[nd.array([1, 0], dtype="bool")]
    assert m[np.array([True, False])].shape == (2, 3)  # host bool arrays index as 0/1 integers


def test_nd_maximum_minimum_of_two_numbers():
    # the module-level max/min are reductions; two Python numbers must use the builtins
    assert nd.maximum(1, 3) == 3 and nd.minimum(1, 3) == 1
    assert nd.maximum(nd.array([1, 5]), 3).asnumpy().tolist() == [3.0, 5.0]


def test_top_level_np_switches_and_contrib_namespace():
    assert mx.is_np_array() is False and mx.is_np_shape() is False

    @mx.use_np
    def inside():
        return mx.is_np_array(), mx.is_np_shape()
    assert inside() == (True, True)
    assert mx.contrib.nd is nd.contrib and mx.contrib.sym is mx.sym.contrib
    from mxnet.contrib import ndarray as cnd
    assert cnd.isnan(nd.array([1.0])).asnumpy().tolist() == [0.0]


def test_fill_functions_accept_zero_dims_under_np_shape():
    with mx.util.np_shape(True):
        assert nd.zeros((2, 0)).shape == (2, 0)
        assert nd.ones(()).shape == () and nd.full((0, 3), 2).shape == (0, 3)
    with pytest.raises(MXNetError):
        nd.zeros((2, 0))


def test_ndarray_only_methods_on_symbol_raise_not_implemented_for_symbol():
    from mxnet.base import NotImplementedForSymbol

    class Net(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x.asnumpy()
    net = Net()
    net.hybridize()
    with pytest.raises(NotImplementedForSymbol, match="Function asnumpy is not implemented for Symbol"):
        net(nd.ones((1,)))
    s = mx.sym.var("x")
    for meth in (s.asscalar, s.wait_to_read, s.backward, s.detach):
        with pytest.raises(MXNetError):
            meth()


def test_symbol_infer_type_rejects_mixed_binary_operands(capsys):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    assert (a + b).infer_type(a="float32")[0] == [np.float32, np.float32]
    with pytest.raises(MXNetError, match="incompatible dtypes"):
        mx.sym.broadcast_add(a, b).infer_type(a="float16", b="float32")
    assert capsys.readouterr().out.startswith("infer_type error. Arguments:\n  a: float16\n")


def test_save_parameters_in_numpy_mode(tmp_path):
    from mxnet.gluon import nn
    mx.npx.set_np()
    try:
        net = nn.Dense(2, in_units=2)
        net.initialize(mx.init.One())
        f = str(tmp_path / "p.params")
        net.save_parameters(f)  # mx.np parameters are written with npx.save
        with open(f, "rb") as fh:
            assert fh.read(8) == b"\x12\x01\x00\x00\x00\x00\x00\x00"
        net2 = nn.Dense(2, in_units=2)
        net2.load_parameters(f)
        assert net2.weight.data().asnumpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
        net.collect_params().save(str(tmp_path / "q.params"))
        assert sorted(mx.npx.load(str(tmp_path / "q.params"))) == sorted(net.collect_params().keys())
    finally:
        mx.npx.reset_np()


def test_vision_resize_uses_opencv_rounding_and_batches():
    from mxnet.gluon.data.vision import transforms as T
    img = nd.array(np.arange(5 * 6 * 3).reshape(5, 6, 3) % 255, dtype="uint8")
    # OpenCV's fixed-point bilinear rounds these 7.5-type values down (MXNet gives 7, not 8)
    assert T.Resize(3)(img)[:, :, 0].asnumpy().tolist() == [[7, 13, 19], [38, 44, 50], [67, 73, 79]]
    assert (T.Resize(3)(img) == mx.image.imresize(img, 3, 3)).asnumpy().all()
    batch = T.Resize(3)(nd.stack(img, img[::-1]))
    assert batch.shape == (2, 3, 3, 3) and (batch[1] == T.Resize(3)(img[::-1])).asnumpy().all()


def test_vision_normalize_bad_mean_and_border_values():
    from mxnet.gluon.data.vision import transforms as T
    x = T.ToTensor()(nd.ones((5, 6, 3), dtype="uint8"))
    with pytest.raises(MXNetError, match="mean must have either 1 or 3 elements"):
        T.Normalize(mean=(0.1, 0.2), std=(1, 1))(x)
    img = nd.array(np.arange(12).reshape(2, 2, 3), dtype="uint8")
    border = [mx.image.copyMakeBorder(img, 1, 0, 0, 0, type=0, **kw)[0, 0].asnumpy().tolist()
              for kw in (dict(values=7), dict(values=(7, 8)), dict(value=5))]
    assert border == [[7, 0, 0], [7, 8, 0], [5, 5, 5]]  # cv::Scalar semantics: missing channels are 0


def test_nd_image_operators_for_legacy_arrays():
    img = nd.array(np.arange(5 * 6 * 3).reshape(5, 6, 3) % 255, dtype="uint8")
    r = nd.image.resize(img, size=3)
    assert isinstance(r, nd.NDArray) and not isinstance(r, mx.np.ndarray)
    assert r[:, :, 0].asnumpy().tolist() == [[7, 13, 19], [38, 44, 50], [67, 73, 79]]
    assert nd.image.resize(nd.stack(img, img), size=(2, 2)).shape == (2, 2, 2, 3)
    t = nd.image.to_tensor(img)
    assert t.shape == (3, 5, 6) and t.dtype == np.float32
    assert nd.image.crop(img, x=1, y=1, width=2, height=3)[:, :, 0].asnumpy().tolist() == \
        [[21, 24], [39, 42], [57, 60]]
    assert nd.image.flip_top_bottom(img)[:, 0, 0].asnumpy().tolist() == [72, 54, 36, 18, 0]
    x = nd.array(np.arange(12).reshape(2, 2, 3))
    x.attach_grad()
    with autograd.record():
        y = nd.image.normalize(nd.image.to_tensor(x), mean=(0.1, 0.2, 0.3), std=(2, 2, 2))
    y.backward()
    assert np.allclose(x.grad.asnumpy(), 1 / 510)


def test_sym_random_randn_and_shuffle():
    r = mx.sym.random.randn(2, 3, loc=1, scale=0.1, dtype="float64").eval()[0]
    assert r.shape == (2, 3) and r.dtype == np.float64 and abs(float(r.asnumpy().mean()) - 1) < 0.3
    sh = mx.sym.random.shuffle(mx.sym.var("x"))
    assert sh.list_arguments() == ["x"]
    assert sorted(sh.eval(x=nd.arange(5))[0].asnumpy().tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_mixing_legacy_ndarray_into_np_arithmetic_is_a_type_error():
    x, y = mx.np.array([1.0, 2.0]), nd.array([1.0, 2.0])
    for f in (lambda: x + y, lambda: y + x, lambda: x > y, lambda: mx.np.add(x, y)):
        with pytest.raises(TypeError, match="not supported"):
            f()
    assert (x + y.as_np_ndarray()).tolist() == [2.0, 4.0]


def test_dense_and_conv_refuse_mixed_dtypes():
    # real MXNet: "Incompatible attr ... expected float64, got float32"
    net = mx.gluon.nn.Dense(2, in_units=3)
    net.initialize()
    with pytest.raises(mx.MXNetError, match="dtype"):
        net(mx.nd.ones((1, 3), dtype="float64"))
    with pytest.raises(mx.MXNetError, match="dtype"):
        mx.nd.Convolution(mx.nd.ones((1, 1, 4, 4), dtype="float64"), mx.nd.ones((2, 1, 3, 3)),
                          kernel=(3, 3), num_filter=2, no_bias=True)
