"""gluon.rnn cells/layers and gluon.contrib.nn against real MXNet 1.9.1 (tools/goldens/gen_gluon_rnn.py).

Parameters come from .params files written by MXNet's save_parameters; outputs, final states and
the gradients of inputs, begin states and parameters must match.
"""
import json
import os
import sys

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd
from mxnet.gluon import nn  # noqa: F401  (used by the constructor expressions)
from mxnet.gluon import rnn  # noqa: F401
from mxnet.gluon.contrib import nn as cnn  # noqa: F401
from mxnet.test_utils import assert_almost_equal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools", "goldens"))
from gen_gluon_rnn import _seq, run  # noqa: E402,F401  (shared case driver; _seq used by eval)

DIR = os.path.join(HERE, "goldens", "gluon_rnn")
with open(os.path.join(DIR, "cases.json")) as f:
    CASES = json.load(f)
ARRAYS = np.load(os.path.join(DIR, "cases.npz"))
RNN_CASES = [c for c in CASES if "cnn." not in c["ctor"]]


def check_case(case):
    """Replay one recorded case (also used by test_gluon_contrib.py)."""
    cid = case["id"]
    block = eval(case["ctor"])
    block.load_parameters(os.path.join(DIR, f"{cid}.params"))
    xs = [mx.nd.array(ARRAYS[f"{cid}/in{i}"]) for i in range(case["n_in"])]
    for x in xs[:case["n_float"]]:
        x.attach_grad()
    with autograd.record(train_mode=case["train"]):
        outs = run(block, tuple(case["call"]), xs)
    assert len(outs) == case["n_out"]
    for i, o in enumerate(outs):
        assert_almost_equal(o, ARRAYS[f"{cid}/out{i}"], rtol=1e-4, atol=1e-5, names=(f"out{i}", "mxnet"))
    autograd.backward(outs, [mx.nd.array(ARRAYS[f"{cid}/head{i}"]) for i in range(len(outs))])
    for i, x in enumerate(xs[:case["n_float"]]):
        assert_almost_equal(x.grad, ARRAYS[f"{cid}/grad_in{i}"], rtol=1e-4, atol=1e-5,
                            names=(f"grad_in{i}", "mxnet"))
    for name, p in block._collect_params_with_prefix().items():
        if p.grad_req != "null":
            assert_almost_equal(p.grad(), ARRAYS[f"{cid}/grad_{name}"], rtol=1e-4, atol=1e-5,
                                names=(f"grad_{name}", "mxnet"))
        assert_almost_equal(p.data(), ARRAYS[f"{cid}/after_{name}"], rtol=1e-5, atol=1e-6,
                            names=(name, "mxnet"))
    assert repr(block) == case["repr"]


@pytest.mark.parametrize("case", RNN_CASES, ids=[c["id"] for c in RNN_CASES])
def test_matches_mxnet(case):
    check_case(case)


def test_merged_and_list_unroll_agree():
    cell = rnn.GRUCell(3, input_size=2)
    cell.initialize(mx.init.Uniform(0.5))
    x = mx.nd.array(np.random.RandomState(0).normal(size=(2, 4, 2)).astype(np.float32))
    merged, st1 = cell.unroll(4, x, layout="NTC", merge_outputs=True)
    steps, st2 = cell.unroll(4, x, layout="NTC", merge_outputs=False)
    assert merged.shape == (2, 4, 3) and len(steps) == 4 and steps[0].shape == (2, 3)
    assert_almost_equal(merged, np.stack([s.asnumpy() for s in steps], axis=1))
    assert_almost_equal(st1[0], st2[0])
    assert merged.dtype == np.float32


def test_cell_begin_state_and_counters():
    cell = rnn.LSTMCell(5)
    states = cell.begin_state(batch_size=3)
    assert [s.shape for s in states] == [(3, 5), (3, 5)]
    assert all((s.asnumpy() == 0).all() for s in states)
    ones = cell.begin_state(batch_size=2, func=mx.nd.ones)
    assert (ones[1].asnumpy() == 1).all()
    with pytest.raises(NotImplementedError):
        rnn.BidirectionalCell(rnn.RNNCell(2), rnn.RNNCell(2))(mx.nd.ones((1, 2)), [])
    base = rnn.GRUCell(2)
    rnn.ZoneoutCell(base, 0.1)
    with pytest.raises(AssertionError):
        base.begin_state(batch_size=1)


def test_layer_deferred_input_and_states():
    layer = rnn.LSTM(4, num_layers=2, bidirectional=True, layout="NTC")
    layer.initialize()
    x = mx.nd.ones((2, 5, 3))
    out = layer(x)
    assert out.shape == (2, 5, 8)
    assert layer.l0_i2h_weight.shape == (16, 3) and layer.l1_i2h_weight.shape == (16, 8)
    out, states = layer(x, layer.begin_state(batch_size=2))
    assert out.shape == (2, 5, 8) and [s.shape for s in states] == [(4, 2, 4), (4, 2, 4)]
    with pytest.raises(ValueError):
        layer(x, [mx.nd.zeros((1, 2, 4)), mx.nd.zeros((1, 2, 4))])
    assert repr(layer) == "LSTM(3 -> 4, NTC, num_layers=2, bidirectional)"


def test_layer_sequence_length_masks_and_takes_last_state():
    layer = rnn.GRU(3, use_sequence_length=True, input_size=2)
    layer.initialize(mx.init.Uniform(0.5))
    x = mx.nd.array(np.random.RandomState(1).normal(size=(4, 2, 2)).astype(np.float32))
    out, states = layer(x, layer.begin_state(batch_size=2), mx.nd.array([4, 2]))
    full, full_states = layer(x[:2], layer.begin_state(batch_size=2), mx.nd.array([2, 2]))
    assert (out[2:, 1].asnumpy() == 0).all()
    assert_almost_equal(out[:2, 1], full[:, 1])
    assert_almost_equal(states[0][0, 1], full_states[0][0, 1])


def test_zoneout_training_keeps_previous_values():
    cell = rnn.ZoneoutCell(rnn.RNNCell(2, input_size=2), zoneout_outputs=0.99999, zoneout_states=0.99999)
    cell.initialize()
    begin = [mx.nd.ones((1, 2))]
    with autograd.record(train_mode=True):
        out, states = cell.unroll(2, mx.nd.ones((1, 2, 2)), begin_state=begin, merge_outputs=True)
    assert (out.asnumpy() == 0).all()
    assert (states[0].asnumpy() == 1).all()


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_layer_hybridized_runs_the_fused_operator(cls, bidirectional):
    net = mx.gluon.nn.HybridSequential()
    net.add(getattr(mx.gluon.rnn, cls)(8, num_layers=2, bidirectional=bidirectional, layout="NTC"),
            mx.gluon.nn.Dense(3, flatten=False))
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).normal(size=(4, 5, 6)))
    x.attach_grad()
    results = []
    for hybrid in (False, True):
        net.hybridize(hybrid)
        with mx.autograd.record():
            y = net(x)
        y.backward()
        results.append((y.asnumpy(), x.grad.asnumpy().copy()))
    assert any(st.op.name == "RNN" for st in net._cached_op.plan.steps)
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)
