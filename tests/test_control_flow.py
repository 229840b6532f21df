"""Symbolic control flow (mx.sym.contrib.foreach / while_loop / cond); goldens from MXNet 1.9.1."""
import numpy as np
import pytest

import mxnet as mx

FOREACH_JSON = '{\n  "nodes": [\n    {\n      "op": "null", \n      "name": "x", \n      "inputs": []\n    }, \n    {\n      "op": "null", \n      "name": "s", \n      "inputs": []\n    }, \n    {\n      "op": "null", \n      "name": "w", \n      "inputs": []\n    }, \n    {\n      "op": "_foreach", \n      "name": "_foreach0", \n      "attrs": {\n        "in_data_locs": "[0]", \n        "in_state_locs": "[2]", \n        "num_args": "4", \n        "num_out_data": "1", \n        "num_outputs": "2", \n        "remain_locs": "[1]"\n      }, \n      "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]], \n      "subgraphs": [\n        {\n          "nodes": [\n            {\n              "op": "null", \n              "name": "x-0", \n              "attrs": {"__subgraph_name__": "foreach0"}, \n              "inputs": []\n            }, \n            {\n              "op": "null", \n              "name": "w", \n              "inputs": []\n            }, \n            {\n              "op": "elemwise_mul", \n              "name": "_mul0", \n              "attrs": {"__subgraph_name__": "foreach0"}, \n              "inputs": [[0, 0, 0], [1, 0, 0]]\n            }, \n            {\n              "op": "null", \n              "name": "s-0", \n              "attrs": {"__subgraph_name__": "foreach0"}, \n              "inputs": []\n            }, \n            {\n              "op": "elemwise_add", \n              "name": "_plus0", \n              "attrs": {"__subgraph_name__": "foreach0"}, \n              "inputs": [[2, 0, 0], [3, 0, 0]]\n            }, \n            {\n              "op": "elemwise_add", \n              "name": "_plus1", \n              "attrs": {"__subgraph_name__": "foreach0"}, \n              "inputs": [[3, 0, 0], [0, 0, 0]]\n            }\n          ], \n          "arg_nodes": [0, 1, 3], \n          "node_row_ptr": [0, 1, 2, 3, 4, 5, 6], \n          "heads": [[4, 0, 0], [5, 0, 0]]\n        }\n      ]\n    }\n  ], \n  "arg_nodes": [0, 1, 2], \n  "node_row_ptr": [0, 1, 2, 3, 5], \n  "heads": [[3, 0, 0], [3, 1, 0]], \n  "attrs": {"mxnet_version": ["int", 10901]}\n}'  # noqa: E501


def _foreach_group():
    from mxnet.attribute import AttrScope
    AttrScope._subgraph_names.clear()
    x, s, w = mx.sym.var("x"), mx.sym.var("s"), mx.sym.var("w")
    out, st = mx.sym.contrib.foreach(lambda d, s_: (d * w + s_[0], [s_[0] + d]), x, [s])
    return mx.sym.Group([out] + st)


def _bind(sym, args, grads):
    return sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in args.items()},
                    args_grad={k: mx.nd.zeros(np.shape(args[k])) for k in grads})


def test_foreach_json_matches_mxnet_and_round_trips():
    with mx.name.NameManager():
        g = _foreach_group()
    assert g.tojson() == FOREACH_JSON
    assert mx.sym.load_json(FOREACH_JSON).tojson() == FOREACH_JSON
    assert g.list_arguments() == ["x", "s", "w"]
    assert g.infer_shape(x=(3, 2), s=(2,), w=(2,))[1] == [(3, 2), (2,)]


@pytest.mark.parametrize("reload", [False, True])
def test_foreach_forward_backward(reload):
    g = _foreach_group()
    if reload:
        g = mx.sym.load_json(g.tojson())
    e = _bind(g, {"x": [[1, 2], [3, 4], [5, 6]], "s": [1, 1], "w": [2, 3]}, ["x", "s", "w"])
    out, st = e.forward(is_train=True)
    np.testing.assert_allclose(out.asnumpy(), [[3, 7], [8, 15], [15, 25]])
    np.testing.assert_allclose(st.asnumpy(), [10, 13])
    e.backward([mx.nd.ones((3, 2)), mx.nd.ones(2)])
    np.testing.assert_allclose(e.grad_dict["x"].asnumpy(), [[5, 6], [4, 5], [3, 4]])
    np.testing.assert_allclose(e.grad_dict["s"].asnumpy(), [4, 4])
    np.testing.assert_allclose(e.grad_dict["w"].asnumpy(), [9, 12])


def test_while_loop_forward_backward():
    i, s, w = mx.sym.var("i"), mx.sym.var("s"), mx.sym.var("w")
    out, st = mx.sym.contrib.while_loop(lambda i, s: i < 3, lambda i, s: (s * w, [i + 1, s * w + i]),
                                        [i, s], max_iterations=5)
    e = _bind(mx.sym.Group([out] + st), {"i": [0], "s": [1.5], "w": [3]}, ["s", "w"])
    res = e.forward(is_train=True)
    np.testing.assert_allclose(res[0].asnumpy()[:3], [[4.5], [13.5], [43.5]])
    assert res[0].shape == (5, 1)
    np.testing.assert_allclose(res[1].asnumpy(), [3])
    np.testing.assert_allclose(res[2].asnumpy(), [45.5])
    e.backward([mx.nd.arange(5).reshape((5, 1)), mx.nd.ones(1), mx.nd.ones(1) * 2])
    np.testing.assert_allclose(e.grad_dict["s"].asnumpy(), [117])
    np.testing.assert_allclose(e.grad_dict["w"].asnumpy(), [175])


@pytest.mark.parametrize("iv, out, grads", [
    (1.0, 6.0, {"i": 18.0, "s": 0.0, "w": 6.0}),
    (5.0, 4.5, {"i": 0.0, "s": 3.0, "w": 3.0}),
])
def test_cond_picks_branch_and_its_gradient(iv, out, grads):
    i, s, w = mx.sym.var("i"), mx.sym.var("s"), mx.sym.var("w")
    r = mx.sym.contrib.cond((i * s).sum() < w, lambda: i * 2 * w, lambda: s + w)
    e = _bind(r, {"i": [iv], "s": [1.5], "w": [3]}, ["i", "s", "w"])
    assert e.forward(is_train=True)[0].asnumpy().tolist() == [out]
    e.backward([mx.nd.ones(1) * 3])
    assert {k: v.asnumpy()[0] for k, v in e.grad_dict.items()} == grads


def test_foreach_partial_shape_and_1d_steps():
    d = mx.sym.var("data", shape=(0, 3, 4))
    o, _ = mx.sym.contrib.foreach(lambda a, b: (a + b[0], [b[0] * 2]), d, [mx.sym.var("st")])
    assert o.infer_shape_partial() == ([(0, 3, 4), (3, 4)], [(0, 3, 4)], [])
    # the steps of a 1-D array are (1,)-shaped under legacy shapes
    out, _ = mx.sym.contrib.foreach(lambda a, b: ([a * b[0]], [b[0] * 2]), mx.sym.var("v"),
                                    [mx.sym.var("t")])
    e = _bind(out[0], {"v": [1, 2, 3], "t": [2]}, [])
    assert e.forward()[0].asnumpy().tolist() == [[2], [8], [24]]


def test_body_reading_outer_results_is_cut():
    x = mx.sym.var("x")
    y = x * 2
    _, res = mx.sym.contrib.while_loop(lambda i: i < 10, lambda i: (None, [i + y]), [x],
                                       max_iterations=10)
    e = _bind(res[0], {"x": [1.0]}, [])
    assert e.forward()[0].asnumpy().tolist() == [11.0]
    with pytest.raises(AssertionError):
        mx.sym.contrib.foreach(lambda d, s: (d, [d]), x, [mx.sym.var("unused")])


def test_cached_op_node_runs_its_subgraph():
    data = mx.sym.var("data")
    with mx.name.NameManager():     # fresh counters: the names below are _mulscalar0, _cachedop0
        orig = mx.sym.BatchNorm(mx.sym.FullyConnected(data, num_hidden=4, name="fc"), fix_gamma=False,
                                name="bn") * 2
        ins = [mx.sym.var(n) for n in orig.list_inputs()]
        sub = mx.sym._internal._CachedOp(*ins, subgraph=orig.tojson())
    # as MXNet 1.9.1 names and sorts them
    assert sub.list_arguments() == ["data", "fc_weight", "fc_bias", "bn_gamma", "bn_beta"]
    assert sub.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    assert sub.list_outputs() == ["_cachedop0__mulscalar0_output"]
    sub = mx.sym.load_json(sub.tojson())
    rng = np.random.RandomState(0)
    arrays = {n: mx.nd.array(rng.uniform(0.5, 1.5, s)) for n, s in
              zip(orig.list_inputs(), [(3, 5), (4, 5), (4,), (4,), (4,), (4,), (4,)])}
    exes = []
    for s in (orig, sub):
        args = {k: v.copy() for k, v in arrays.items()}
        grads = {k: mx.nd.zeros(v.shape) for k, v in args.items()}
        e = s.bind(mx.cpu(), args=args, args_grad=grads, aux_states=args)
        e.forward(is_train=True)
        e.backward([mx.nd.ones((3, 4))])
        exes.append(e)
    a, b = exes
    np.testing.assert_allclose(b.outputs[0].asnumpy(), a.outputs[0].asnumpy(), rtol=1e-6)
    for n in orig.list_arguments():
        np.testing.assert_allclose(b.grad_dict[n].asnumpy(), a.grad_dict[n].asnumpy(), rtol=1e-5,
                                   atol=1e-6)
    # the moving statistics the subgraph's BatchNorm updates are the outer auxiliary arrays
    for n in ("bn_moving_mean", "bn_moving_var"):
        np.testing.assert_allclose(b.aux_dict[n].asnumpy(), a.aux_dict[n].asnumpy(), rtol=1e-6)
        assert not np.allclose(b.aux_dict[n].asnumpy(), arrays[n].asnumpy())
