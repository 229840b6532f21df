"""HybridBlock arguments (None, lists, Python values), Block.save/load, initializer equality,
loading with the saved dtype, and gluon.utils.download over requests."""
import io
import os
from unittest import mock

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon


class _AddOptional(gluon.HybridBlock):
    def hybrid_forward(self, F, a, b=None):
        if a is None:
            return b * 2
        return a if b is None else a + b


def test_hybrid_block_none_and_default_arguments():
    one = mx.nd.ones((3,))
    for hybridize in (False, True):
        blk = _AddOptional()
        if hybridize:
            blk.hybridize()
        np.testing.assert_array_equal(blk(None, one).asnumpy(), [2, 2, 2])
        with pytest.raises(ValueError, match="must be one NDArray or one Symbol"):
            blk(None, None)
    blk = _AddOptional()
    blk.hybridize()
    np.testing.assert_array_equal(blk(one).asnumpy(), [1, 1, 1])
    np.testing.assert_array_equal(blk(one, None).asnumpy(), [1, 1, 1])   # a trailing default None
    with pytest.raises(ValueError, match="argument structure"):
        blk(one, one)


def test_hybrid_block_python_values_unhybridized_only():
    blk = _AddOptional()
    np.testing.assert_array_equal(blk([mx.nd.ones((2,))][0], 3).asnumpy(), [4, 4])
    blk.hybridize()
    with pytest.raises(ValueError):
        blk(mx.nd.ones((2,)), 3)
    with pytest.raises(ValueError, match="mixed NDArrays and Symbols"):
        _AddOptional()(mx.nd.ones((2,)), mx.sym.var("b"))


def test_symbol_block_rejects_row_sparse_variables():
    data = mx.sym.var("data")
    out = mx.sym.dot(data, mx.sym.var("weight", stype="row_sparse"))
    with pytest.raises(AssertionError, match="row_sparse"):
        gluon.SymbolBlock(out, data)


class _Chain(gluon.Block):
    def add(self, block):
        self._children[block.name + str(len(self._children))] = block

    def forward(self, x):
        for block in self._children.values():
            x = block(x)
        return x


def _chain():
    inner = _Chain()
    inner.add(gluon.nn.Dense(4))
    net = _Chain()
    net.add(inner)
    net.add(gluon.nn.Dense(2))
    return net


def test_block_save_and_load_restore_graphs_and_names(tmp_path):
    net = _chain()
    net.initialize()
    net.hybridize()
    x = mx.nd.array(np.arange(6).reshape(2, 3))
    out = net(x)
    prefix = str(tmp_path / "m")
    net.save(prefix)
    assert os.path.exists(prefix + "-model.json") and os.path.exists(prefix + "-model.params")
    net2 = _chain()   # new blocks, new names: load renames them back
    net2.load(prefix)
    assert [c.name for c in net2._children.values()] == [c.name for c in net._children.values()]
    np.testing.assert_allclose(net2(x).asnumpy(), out.asnumpy(), rtol=1e-6)


def test_initializers_compare_by_class_and_arguments():
    assert mx.init.Constant(-10.0) == mx.init.Constant(-10.0)
    assert mx.init.Constant(1.0) != mx.init.Constant(2.0)
    assert mx.init.Xavier() != mx.init.Uniform()

    class Shared(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.p = self.params.get("p", shape=(1,), init=mx.init.Constant(-10.0))

    a = Shared()
    assert Shared(params=a.collect_params()).p is a.p


def test_load_with_saved_dtype_recasts_allocated_arrays(tmp_path):
    fname = str(tmp_path / "p.params")
    src = gluon.ParameterDict()
    src.get("w", shape=(2,), dtype="float32")
    src.initialize(mx.init.One())
    src.save(fname)
    dst = gluon.ParameterDict()
    dst.get("w", shape=(2,), dtype="float16")
    dst.load(fname, cast_dtype=True, dtype_source="current")
    assert dst["w"].data().dtype == np.float16
    dst.load(fname, cast_dtype=True, dtype_source="saved")
    assert dst["w"].data().dtype == np.float32 and dst["w"].grad().dtype == np.float32


class _Response:
    def __init__(self, status, body):
        self.status_code = status
        self._body = io.BytesIO(body)

    def iter_content(self, chunk_size=1):
        return iter(lambda: self._body.read(chunk_size), b"")


def test_download_goes_through_requests_for_http(tmp_path):
    pytest.importorskip("requests")
    target = str(tmp_path / "f.txt")
    with mock.patch("requests.get", mock.Mock(return_value=_Response(200, b"abc" * 10))) as get:
        gluon.utils.download("https://example.invalid/f.txt", path=target, verify_ssl=False)
    assert get.call_args.kwargs == {"stream": True, "verify": False}
    assert open(target, "rb").read() == b"abc" * 10
    with mock.patch("requests.get", mock.Mock(return_value=_Response(404, b""))):
        with pytest.raises(RuntimeError, match="Failed downloading"):
            gluon.utils.download("https://example.invalid/g.txt", path=str(tmp_path / "g"), retries=1)
    assert sorted(os.listdir(tmp_path)) == ["f.txt"]


class _Unroll(gluon.HybridBlock):
    def __init__(self, layout, **kwargs):
        super().__init__(**kwargs)
        self.layout = layout
        with self.name_scope():
            self.cell = gluon.rnn.LSTMCell(4, prefix="l_")

    def hybrid_forward(self, F, x, h, c, valid_length):
        return gluon.contrib.rnn.rnn_cell.dynamic_unroll(self.cell, x, [h, c], layout=self.layout,
                                                         valid_length=valid_length)


@pytest.mark.parametrize("layout", ["TNC", "NTC"])
def test_dynamic_unroll_hybridized_matches_imperative(layout):
    rng = np.random.RandomState(0)
    x = mx.nd.array(rng.randn(*((5, 3, 2) if layout == "TNC" else (3, 5, 2))))
    h, c = mx.nd.array(rng.randn(3, 4)), mx.nd.array(rng.randn(3, 4))
    valid = mx.nd.array([5, 2, 1])
    net = _Unroll(layout)
    net.initialize(mx.init.Xavier())
    out, states = net(x, h, c, valid)
    net.hybridize()
    out_h, states_h = net(x, h, c, valid)
    np.testing.assert_allclose(out_h.asnumpy(), out.asnumpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(states_h, states):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-5, atol=1e-6)
    t_axis = layout.find("T")
    masked = np.take(out.asnumpy(), [2, 3, 4], axis=t_axis)
    assert not np.take(masked, [1], axis=1 - t_axis).any()   # sequence 1 stops after 2 steps


def test_conv_and_projected_cells_name_step_outputs():
    cells = [gluon.contrib.rnn.Conv1DRNNCell((3, 8), 4, 3, 3, i2h_pad=1, prefix="c_"),
             gluon.contrib.rnn.Conv1DLSTMCell((3, 8), 4, 3, 3, i2h_pad=1, prefix="c_"),
             gluon.contrib.rnn.Conv1DGRUCell((3, 8), 4, 3, 3, i2h_pad=1, prefix="c_"),
             gluon.contrib.rnn.LSTMPCell(6, 3, prefix="c_")]
    for cell in cells:
        outputs, _ = cell.unroll(2, [mx.sym.var(f"x{i}") for i in range(2)])
        assert mx.sym.Group(outputs).list_outputs() == ["c_t0_out_output", "c_t1_out_output"]


def test_get_symbol_inlines_small_hybridized_graphs():
    import json
    net = gluon.nn.HybridSequential()
    with net.name_scope():
        for _ in range(3):
            net.add(gluon.nn.Dense(4))
    net.initialize()
    ops = {}
    for limit in (3, 0):
        net.hybridize(inline_limit=limit)
        with mx.autograd.record():
            y = net(mx.nd.zeros((1, 4)))
        ops[limit] = [n["op"] for n in json.loads(mx.autograd.get_symbol(y).tojson())["nodes"]]
    assert ops[3] == ["null"] * 3 + ["FullyConnected"] + (["null"] * 2 + ["FullyConnected"]) * 2
    assert ops[0] == ["null"] * 7 + ["_CachedOp"]   # data, 3 weights and 3 biases, then the graph


def test_register_op_hook_reports_hybridized_operators():
    net = gluon.nn.HybridSequential(prefix="d_")
    with net.name_scope():
        net.add(gluon.nn.Dense(2, flatten=False))
        net.add(gluon.nn.AvgPool1D())
    net.initialize()
    net.hybridize()
    seen = []
    net.register_op_hook(lambda name, op, arr: seen.append((name, op, arr.shape)))
    net(mx.nd.ones((1, 2, 3)))
    assert seen == [("d_dense0_fwd_output", "FullyConnected", (1, 2, 2)),
                    ("d_pool0_fwd_output", "Pooling", (1, 2, 1))]
    seen.clear()
    net.register_op_hook(lambda name, op, arr: seen.append(name), monitor_all=True)
    net(mx.nd.ones((1, 2, 3)))
    assert seen == ["d_dense0_fwd_data", "d_dense0_fwd_weight", "d_dense0_fwd_bias", "d_dense0_fwd_output",
                    "d_pool0_fwd_data", "d_pool0_fwd_output"]


@pytest.mark.parametrize("req", ["write", "add"])
def test_slice_gradient_fills_the_whole_input_gradient(req):
    x = mx.nd.array(np.arange(24).reshape(2, 3, 4))
    x.attach_grad(grad_req=req)
    x.grad[:] = 5
    for _ in range(2):
        with mx.autograd.record():
            y = mx.nd.slice(x, begin=(1, 0, 1), end=(2, 2, 3)) * 3
        y.backward()
    expected = np.zeros((2, 3, 4), np.float32)
    expected[1, 0:2, 1:3] = 3
    if req == "add":
        expected = 5 + 2 * expected
    np.testing.assert_array_equal(x.grad.asnumpy(), expected)


def test_op_hook_input_names_follow_mxnet():
    # what MXNet 1.9.1's op hook reports with monitor_all (observed)
    net = gluon.nn.HybridSequential(prefix="n_")
    with net.name_scope():
        net.add(gluon.nn.Dense(2))
        net.add(gluon.nn.Activation("relu"))
    net.initialize()
    net.hybridize()
    seen = []
    net.register_op_hook(lambda name, op, arr: seen.append((name, op)), monitor_all=True)
    net(mx.nd.ones((1, 3)))
    assert seen == [("n_dense0_fwd_data", "FullyConnected"), ("n_dense0_fwd_weight", "FullyConnected"),
                    ("n_dense0_fwd_bias", "FullyConnected"), ("n_dense0_fwd_output", "FullyConnected"),
                    ("n_relu0_fwd_input0", "Activation"), ("n_relu0_fwd_output", "Activation")]


def test_assert_almost_equal_large_arrays_still_find_single_mismatches():
    from mxnet.test_utils import almost_equal, assert_almost_equal
    a = np.random.RandomState(0).rand(3, 400_000).astype(np.float32)
    b = a.copy()
    assert_almost_equal(a, b)
    b[2, 399_999] += 1e-3
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(2, 399999\)"):
        assert_almost_equal(a, b, rtol=1e-5, atol=1e-6)
    b[2, 399_999] = np.inf
    a[2, 399_999] = np.inf
    assert almost_equal(a, b)          # equal infinities pass
    a[2, 399_999] = -np.inf
    assert not almost_equal(a, b)
    a[2, 399_999] = b[2, 399_999] = np.nan
    assert not almost_equal(a, b) and almost_equal(a, b, equal_nan=True)
