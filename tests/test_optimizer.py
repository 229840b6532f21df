"""mx.optimizer: 5 Updater steps of every optimizer against MXNet 1.9.1 goldens, and the API around it."""
import ast
import pickle

import numpy as np
import pytest

import mxnet as mx
import mxnet.optimizer as opt
import mxnet.lr_scheduler as lrs
from test_optimizer_ops import load

CASES = load("optimizers")
SCHEDS = {"factor": ("FactorScheduler", dict(step=2, factor=0.5, base_lr=0.1)),
          "poly": ("PolyScheduler", dict(max_update=6, base_lr=0.1, pwr=2, warmup_steps=2)),
          "cosine": ("CosineScheduler", dict(max_update=8, base_lr=0.05, final_lr=0.01))}


def _flat(s):
    if s is None:
        return [None]
    if isinstance(s, mx.nd.NDArray):
        return [s.asnumpy()]
    return [x for t in s for x in _flat(t)]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_optimizer_golden(case):
    arr = case["arrays"]
    kw = ast.literal_eval(case["kwargs"])
    if case["sched"]:
        cls, skw = SCHEDS[case["sched"]]
        kw["lr_scheduler"] = getattr(lrs, cls)(**skw)
    if case["idx2name"]:
        kw["param_idx2name"] = {0: "fc_weight", 1: "fc_bias"}
    o = opt.create(case["name"], **kw)
    upd = opt.get_updater(o)
    dt = case["dtype"]
    ws = [mx.nd.array(arr["w0"], dtype=dt), mx.nd.array(arr["w1"], dtype=dt)]
    for s in range(case["steps"]):
        gs = [mx.nd.array(arr[f"g{s}_{i}"], dtype=dt) for i in range(2)]
        upd([0, 1], gs, ws)
    tol = dict(rtol=2e-3, atol=2e-3) if dt == "float16" else dict(rtol=1e-5, atol=1e-6)
    assert o.num_update == case["num_update"]
    for i, w in enumerate(ws):
        assert w.dtype == np.dtype(dt)
        np.testing.assert_allclose(w.asnumpy(), arr[f"final{i}"], **tol, err_msg=f"weight {i}")
        st = _flat(upd.states[i])
        assert [x is not None for x in st] == case["states"][i]
        for k, x in enumerate(st):
            if x is not None:
                np.testing.assert_allclose(x, arr[f"st{i}_{k}"], **tol, err_msg=f"state {i}.{k}")


def test_create_register_and_errors():
    assert isinstance(opt.create("SGD"), opt.SGD)
    assert isinstance(mx.optimizer.create("adam", learning_rate=0.1), opt.Adam)
    with pytest.raises(ValueError, match="Cannot find optimizer"):
        opt.create("nope")

    @opt.register
    class MyOpt(opt.Optimizer):
        def update(self, index, weight, grad, state):
            weight[:] = 7

    assert isinstance(opt.Optimizer.create_optimizer("myopt"), MyOpt)
    del opt.Optimizer.opt_registry["myopt"]


def test_learning_rate_and_mults():
    o = opt.SGD(learning_rate=0.5, wd=0.1, param_idx2name={0: "a_weight", 1: "a_bias", 2: "b_gamma"})
    assert o.learning_rate == 0.5
    o.set_learning_rate(0.2)
    assert o.learning_rate == 0.2
    assert o.wd_mult == {"a_bias": 0.0}
    assert [o._get_wd(i) for i in range(3)] == [0.1, 0.0, 0.1]
    o.set_lr_mult({0: 2.0, "b_gamma": 3.0})
    assert o._get_lrs([0, 1, 2]) == [0.4, 0.2, pytest.approx(0.6)]
    s = opt.SGD(lr_scheduler=lrs.FactorScheduler(step=1, factor=0.5, base_lr=1.0))
    assert s.lr is None and s.learning_rate == 1.0
    with pytest.raises(UserWarning):
        s.set_learning_rate(0.1)

    class P:
        lr_mult, wd_mult = 3.0, 0.5
    o2 = opt.SGD(learning_rate=0.1, wd=0.2, param_dict={0: P()})
    assert o2._get_lr(0) == pytest.approx(0.3) and o2._get_wd(0) == pytest.approx(0.1)


def test_updater_states_roundtrip_and_counts():
    o = opt.Adam(learning_rate=0.1)
    u = opt.get_updater(o)
    w = mx.nd.ones((3,))
    u(0, mx.nd.ones((3,)), w)
    u(0, mx.nd.ones((3,)), w)
    assert o.num_update == 2 and o._index_update_count[0] == 2
    blob = u.get_states(dump_optimizer=True)
    u2 = opt.get_updater(opt.Adam())
    u2.set_states(blob)
    assert isinstance(u2.optimizer, opt.Adam) and u2.optimizer.num_update == 2
    np.testing.assert_array_equal(u2.states[0][0].asnumpy(), u.states[0][0].asnumpy())
    u2(0, mx.nd.ones((3,)), w.copy())
    assert u2.states_synced[0]
    assert pickle.loads(u.get_states())[0][1].shape == (3,)


def test_multi_precision_keeps_master_copy():
    o = opt.SGD(learning_rate=0.1, momentum=0.9, multi_precision=True)
    w = mx.nd.array([1.0, 2.0], dtype="float16")
    state = o.create_state_multi_precision(0, w)
    assert state[1].dtype == np.float32 and state[0].dtype == np.float32
    o.update_multi_precision(0, w, mx.nd.array([1.0, 1.0], dtype="float16"), state)
    np.testing.assert_allclose(state[1].asnumpy(), [0.9, 1.9], rtol=1e-6)
    assert w.dtype == np.float16


def test_sgld_moves_weights_with_noise():
    o = opt.SGLD(learning_rate=0.01)
    w = mx.nd.zeros((2000,))
    o.update(0, w, mx.nd.ones((2000,)), None)
    v = w.asnumpy()
    # mean -lr/2 * g, spread sqrt(lr)
    assert abs(v.mean() + 0.005) < 0.01 and 0.08 < v.std() < 0.12
