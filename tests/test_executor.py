"""Executor / GraphPlan: golden forward (train and inference) and backward runs recorded under
MXNet 1.9.1 (tools/goldens/gen_symbol.py), grad_req semantics, simple_bind, reshape."""
import importlib.util
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.executor import GraphPlan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLD = os.path.join(ROOT, "tests", "goldens", "symbol")
_spec = importlib.util.spec_from_file_location("gen_symbol", os.path.join(ROOT, "tools", "goldens",
                                                                           "gen_symbol.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)
with open(os.path.join(GOLD, "symbol.json")) as _f:
    META = json.load(_f)
ARR = dict(np.load(os.path.join(GOLD, "symbol.npz")))


def close(a, b, msg):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=msg)


@pytest.mark.parametrize("name", gen.NUMERIC)
def test_golden_forward_backward(name):
    rec = META[name]
    sym = mx.sym.load_json(rec["json"])
    args = {k: mx.nd.array(ARR[f"{name}/in/{k}"]) for k in sym.list_arguments()}
    aux = {k: mx.nd.array(ARR[f"{name}/in/{k}"]) for k in sym.list_auxiliary_states()}
    grads = {k: mx.nd.zeros(v.shape) for k, v in args.items() if not k.endswith("label")}
    exe = sym.bind(mx.cpu(), args, args_grad=grads, aux_states=aux)
    for i, o in enumerate(exe.forward(is_train=False)):
        close(o.asnumpy(), ARR[f"{name}/infer/{i}"], f"{name} inference output {i}")
    outs = exe.forward(is_train=True)
    for i, o in enumerate(outs):
        assert o.dtype == np.float32
        close(o.asnumpy(), ARR[f"{name}/train/{i}"], f"{name} training output {i}")
    og = [mx.nd.array(ARR[f"{name}/ograd/{i}"]) for i in range(len(outs))] if rec["uses_ograds"] else None
    exe.backward(og)
    for k, g in exe.grad_dict.items():
        if g is not None:
            assert g.dtype == np.float32
            close(g.asnumpy(), ARR[f"{name}/grad/{k}"], f"{name} gradient of {k}")
    for k, v in exe.aux_dict.items():
        close(v.asnumpy(), ARR[f"{name}/aux_after/{k}"], f"{name} auxiliary state {k} after backward")
    assert set(exe.output_dict) == set(sym.list_outputs())


def test_graph_plan_gradient_matches_finite_differences():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    h = mx.sym.FullyConnected(a * b + a, num_hidden=3, name="fc")
    out = mx.sym.Group([mx.sym.tanh(h), mx.sym.sum(mx.sym.sqrt(b * b + 1), axis=0)])
    plan = GraphPlan(out)
    assert plan.arg_names == ["a", "b", "fc_weight", "fc_bias"]
    rng = np.random.RandomState(0)
    xs = [rng.standard_normal(s) for s in [(2, 4), (2, 4), (3, 4), (3,)]]
    outs = plan.forward(xs)
    heads = [rng.standard_normal(o.shape) for o in outs]
    grads = plan.backward(heads)

    def f(vals):
        return sum(float((o * hh).sum()) for o, hh in zip(GraphPlan(out).forward(vals), heads))

    eps = 1e-6
    for i, x in enumerate(xs):
        num = np.zeros_like(x)
        for j in range(x.size):
            xp_, xm = [v.copy() for v in xs], [v.copy() for v in xs]
            xp_[i].flat[j] += eps
            xm[i].flat[j] -= eps
            num.flat[j] = (f(xp_) - f(xm)) / (2 * eps)
        np.testing.assert_allclose(grads[i], num, rtol=1e-5, atol=1e-7, err_msg=plan.arg_names[i])


def test_grad_req_write_add_null():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    s = a * b
    args = {"a": mx.nd.array([1.0, 2.0]), "b": mx.nd.array([3.0, 4.0])}
    ga, gb = mx.nd.zeros((2,)), mx.nd.ones((2,)) * 9
    exe = s.bind(mx.cpu(), args, args_grad={"a": ga, "b": gb}, grad_req={"a": "add", "b": "null"})
    for _ in range(2):
        exe.forward(is_train=True)
        exe.backward(mx.nd.ones((2,)))
    assert ga.asnumpy().tolist() == [6.0, 8.0] and gb.asnumpy().tolist() == [9.0] * 2
    assert exe.grad_dict["b"] is gb   # real MXNet keeps the given buffer, unwritten
    exe2 = s.simple_bind(mx.cpu(), a=(2,), b=(2,), grad_req={"a": "write", "b": "null"})
    assert exe2.grad_dict["b"] is None
    exe2 = s.bind(mx.cpu(), args, args_grad=[mx.nd.ones((2,)), mx.nd.ones((2,))], grad_req=["write", "write"])
    exe2.forward(is_train=True)
    exe2.backward([mx.nd.array([1.0, -1.0])])
    assert exe2.grad_arrays[0].asnumpy().tolist() == [3.0, -4.0]
    assert exe2.grad_arrays[1].asnumpy().tolist() == [1.0, -2.0]
    with pytest.raises(MXNetError, match="head_gradient"):
        exe2.backward()
    with pytest.raises(ValueError, match="missing"):
        s.bind(mx.cpu(), {"a": mx.nd.ones((2,))})
    with pytest.raises(ValueError):
        s.bind(mx.cpu(), args, grad_req="sometimes")


def test_simple_bind_types_outputs_and_forward_kwargs():
    data = mx.sym.var("data")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=3, name="fc"), name="sm")
    exe = net.simple_bind(mx.cpu(), data=(4, 5), grad_req={"fc_weight": "write", "fc_bias": "write"})
    assert exe.arg_dict["fc_weight"].shape == (3, 5) and exe.grad_dict["data"] is None
    assert exe.outputs[0].shape == (4, 3)
    out_ref = exe.outputs[0]
    exe.copy_params_from({"fc_weight": mx.nd.ones((3, 5)), "fc_bias": mx.nd.array([0, 1, 2])})
    exe.forward(is_train=True, data=mx.nd.ones((4, 5)), sm_label=mx.nd.array([0, 1, 2, 0]))
    p = np.exp([5.0, 6.0, 7.0]) / np.exp([5.0, 6.0, 7.0]).sum()
    np.testing.assert_allclose(out_ref.asnumpy(), np.tile(p, (4, 1)), rtol=1e-5)
    exe.backward()
    onehot = np.eye(3)[[0, 1, 2, 0]]
    np.testing.assert_allclose(exe.grad_dict["fc_bias"].asnumpy(), (p - onehot).sum(0), rtol=1e-5)
    with pytest.raises(ValueError):
        exe.copy_params_from({"nope": mx.nd.ones((1,))})
    exe.copy_params_from({"nope": mx.nd.ones((1,))}, allow_extra_params=True)
    e64 = (data * 2).simple_bind(mx.cpu(), type_dict={"data": "float64"}, data=(2,))
    assert e64.arg_dict["data"].dtype == np.float64 and e64.outputs[0].dtype == np.float64
    with pytest.raises(MXNetError):
        net.simple_bind(mx.cpu())


def test_reshape_shares_parameters():
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data, num_hidden=2, name="fc")
    exe = net.simple_bind(mx.cpu(), data=(4, 3))
    small = exe.reshape(data=(2, 3))
    assert small.arg_dict["fc_weight"] is exe.arg_dict["fc_weight"]
    assert small.arg_dict["data"].shape == (2, 3) and small.outputs[0].shape == (2, 2)
    with pytest.raises(MXNetError, match="larger"):
        exe.reshape(data=(8, 3))
    assert exe.reshape(allow_up_sizing=True, data=(8, 3)).outputs[0].shape == (8, 2)


def test_reshape_shrunk_arrays_are_views_of_the_source():
    """As MXNet 1.9.1's shared memory pool: a smaller executor reads and writes the leading
    elements of its source's arrays, outputs and gradients included (values from MXNet)."""
    x = mx.sym.var("x")
    exe = mx.sym.FullyConnected(x, num_hidden=4, name="fc").simple_bind(mx.cpu(), x=(5, 4))
    exe.arg_arrays[0][:] = 1
    exe.arg_arrays[1][:] = 1
    exe.arg_arrays[2][:] = 0
    new = exe.reshape(x=(3, 4))
    new.forward(is_train=True)
    np.testing.assert_array_equal(new.outputs[0].asnumpy()[:, 0], [4, 4, 4])
    np.testing.assert_array_equal(exe.outputs[0].asnumpy()[:3, 0], [4, 4, 4])
    new.backward(mx.nd.ones((3, 4)))
    np.testing.assert_array_equal(exe.grad_arrays[1].asnumpy()[0], [3, 3, 3, 3])
    np.testing.assert_array_equal(exe.grad_arrays[0].asnumpy()[:, 0], [4, 4, 4, 0, 0])
    exe.arg_arrays[0][:] = 2
    exe.forward()
    np.testing.assert_array_equal(new.outputs[0].asnumpy()[:, 0], [8, 8, 8])
    big = exe.reshape(allow_up_sizing=True, x=(6, 4))
    big.arg_arrays[0][:] = 0
    assert exe.arg_arrays[0].asnumpy().min() == 2


def test_simple_bind_places_ctx_groups():
    with mx.AttrScope(ctx_group="stage1"):
        fc1 = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc1")
    with mx.AttrScope(ctx_group="stage2"):
        out = mx.sym.FullyConnected(fc1, num_hidden=2, name="fc2")
    exe = out.simple_bind(mx.cpu(0), group2ctx={"stage1": mx.cpu(1), "stage2": mx.cpu(2)},
                          data=(1, 4))
    for name, arr in exe.arg_dict.items():
        assert arr.context == (mx.cpu(2) if name.startswith("fc2") else mx.cpu(1))
        assert exe.grad_dict[name].context == arr.context


def test_batchnorm_aux_update_and_monitor():
    data = mx.sym.var("data")
    bn = mx.sym.BatchNorm(data, fix_gamma=False, momentum=0.5, name="bn")
    exe = bn.simple_bind(mx.cpu(), data=(4, 2))
    exe.arg_dict["bn_gamma"][:] = 1
    exe.aux_dict["bn_moving_var"][:] = 1
    x = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], np.float32)
    seen = []
    exe.set_monitor_callback(lambda name, arr: seen.append(name))
    exe.forward(is_train=True, data=mx.nd.array(x))
    exe.backward(mx.nd.ones((4, 2)))
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(), 0.5 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(exe.aux_dict["bn_moving_var"].asnumpy(), 0.5 + 0.5 * x.var(0), rtol=1e-6)
    assert seen == ["bn_output", "bn_backward_output0", "bn_backward_output1", "bn_backward_output2"]


def test_eval_and_plan_from_loaded_json():
    a = mx.sym.var("a")
    s = mx.sym.load_json((mx.sym.relu(a - 1) * 3).tojson())
    out = s.eval(ctx=mx.cpu(), a=mx.nd.array([0.0, 2.0, 4.0]))
    assert out[0].asnumpy().tolist() == [0.0, 3.0, 9.0]
    plan = s._plan()
    res = plan.forward([np.array([3.0], np.float32)])
    assert res[0].dtype == np.float32 and res[0].tolist() == [6.0]
    with pytest.raises(MXNetError):
        GraphPlan(s).backward([np.ones(1)])


def test_common_subexpressions_are_merged_at_bind(monkeypatch):
    """MXNet 1.9.1 merges repeated computations when binding (MXNET_ELIMINATE_COMMON_EXPR, on by
    default) and copies outputs that then coincide; names and values below are MXNet's."""
    a, b = mx.sym.var("a"), mx.sym.var("b")
    with mx.name.NameManager():
        s = (a + b) + (a + b)
    exe = s.simple_bind(mx.cpu(), a=(2,), b=(2,))
    assert exe.get_optimized_symbol().get_internals().list_outputs() == [
        "a", "b", "_plus0_output", "_plus2_output"]
    with mx.name.NameManager():
        d = a + 1
        g = mx.sym.Group([a * d + b, a * d + b])
    exe = g.simple_bind(mx.cpu(), a=(2,), b=(2,))
    opt = exe.get_optimized_symbol()
    assert opt.list_outputs() == ["_plus0_output", "_plus0_0_copy_output"]
    assert list(exe.output_dict) == ["_plus0_output", "_plus1_output"]
    outs = exe.forward(is_train=True, a=mx.nd.array([1, 2]), b=mx.nd.array([3, 4]))
    assert outs[0]._data is not outs[1]._data
    np.testing.assert_array_equal(outs[1].asnumpy(), [5, 10])
    exe.backward([mx.nd.ones(2), mx.nd.ones(2)])
    np.testing.assert_array_equal(exe.grad_dict["a"].asnumpy(), [6, 10])
    drop = mx.sym.Dropout(a) + mx.sym.Dropout(a)     # random draws never merge
    n = len(drop.get_internals())
    assert len(drop.simple_bind(mx.cpu(), a=(2,)).get_optimized_symbol().get_internals()) == n
    monkeypatch.setenv("MXNET_ELIMINATE_COMMON_EXPR", "0")
    assert len(s.simple_bind(mx.cpu(), a=(2,), b=(2,)).get_optimized_symbol().get_internals()) == 5


def test_simple_bind_under_np_shape_reads_minus_one_as_unknown():
    x, y = mx.sym.var("x"), mx.sym.var("y")
    with mx.np_shape(True):
        exe = (x + y).simple_bind(mx.cpu(), x=(2, 3), y=(-1, 3))
        assert exe.arg_dict["y"].shape == (2, 3)
        with pytest.raises(MXNetError, match="cannot infer the shapes"):
            mx.sym.FullyConnected(x, num_hidden=2, name="fc").simple_bind(mx.cpu())


def test_bind_fails_where_a_gradient_meets_an_operator_without_one():
    """MXNet 1.9.1 refuses to bind when a wanted gradient must pass an operator that registers
    none (batch_take); a BlockGrad in between, or no wanted gradient, makes it fine."""
    x, idx = mx.sym.var("x"), mx.sym.var("idx")
    y = mx.sym.batch_take(x, idx)
    types = {"x": np.float32, "idx": np.int32}
    exe = mx.sym.stop_gradient(y).simple_bind(mx.cpu(), x=(4, 3), idx=(4,), type_dict=types)
    exe.forward(is_train=True)
    exe.backward()
    y.simple_bind(mx.cpu(), x=(4, 3), idx=(4,), type_dict=types, grad_req="null")
    with pytest.raises(MXNetError, match="batch_take is non-differentiable"):
        y.simple_bind(mx.cpu(), x=(4, 3), idx=(4,), type_dict=types)
    with pytest.raises(MXNetError, match="khatri_rao"):
        mx.sym.khatri_rao(x, x).simple_bind(mx.cpu(), x=(2, 3))


def test_inference_executors_free_forward_values_and_report_memory():
    import re

    def total_mb(exe):
        return int(re.search(r"Total (\d+) MB allocated", exe.debug_str()).group(1))

    x = mx.sym.var("x")
    y = x
    for _ in range(4):
        y = y * y
    shape = (4, 256, 256)      # 1 MiB of float32 per node
    train = y.simple_bind(mx.cpu(), x=shape)
    infer = y.simple_bind(mx.cpu(), x=shape, grad_req="null")
    blocked = mx.sym.stop_gradient(y).simple_bind(mx.cpu(), x=shape)
    # training keeps the four products for backward; the others hold their output only
    assert (total_mb(train), total_mb(infer), total_mb(blocked)) == (4, 1, 1)
    for exe in (infer, blocked):
        exe.arg_dict["x"][:] = 1.5
        exe.forward(is_train=True)
        assert exe._plan._saved is None
        np.testing.assert_allclose(exe.outputs[0].asnumpy(), 1.5 ** 16)
    blocked.grad_dict["x"][:] = 7
    blocked.backward()
    assert blocked.grad_dict["x"].asnumpy().max() == 0
    train.arg_dict["x"][:] = 1.5
    train.forward(is_train=True)
    train.backward(mx.nd.ones(shape))
    np.testing.assert_allclose(train.grad_dict["x"].asnumpy()[0, 0, 0], 16 * 1.5 ** 15, rtol=1e-6)
