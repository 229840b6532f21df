"""Gluon Block/Parameter/Trainer behaviour (names, deferred init, files, updates)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon import nn
from mxnet.test_utils import assert_almost_equal


def _mlp():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(4, activation="relu"), nn.Dense(2, in_units=4))
    return net


def test_names_and_repr_match_mxnet():
    with mx.name.Prefix("t0_"):
        net = _mlp()
    names = list(net.collect_params().keys())
    assert names == ["t0_hybridsequential0_dense0_weight", "t0_hybridsequential0_dense0_bias",
                     "t0_hybridsequential0_dense1_weight", "t0_hybridsequential0_dense1_bias"]
    assert net.collect_params()[names[0]].shape == (4, 0)
    assert repr(net) == ("HybridSequential(\n  (0): Dense(None -> 4, Activation(relu))\n"
                         "  (1): Dense(4 -> 2, linear)\n)")
    assert list(net.collect_params(".*weight").keys()) == [names[0], names[2]]
    assert list(net._collect_params_with_prefix()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_deferred_init_and_uninitialized_errors():
    net = _mlp()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net[1].weight.data()
    net.initialize()
    with pytest.raises(gluon.DeferredInitializationError):
        net[0].weight.data()
    out = net(mx.nd.ones((3, 7)))
    assert out.shape == (3, 2)
    assert net[0].weight.shape == (4, 7)


def test_save_load_parameters_round_trip(tmp_path):
    net = _mlp()
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).normal(size=(3, 5)))
    y = net(x)
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    assert sorted(mx.nd.load(f)) == ["0.bias", "0.weight", "1.bias", "1.weight"]
    net2 = _mlp()
    net2.load_parameters(f)
    assert_almost_equal(net2(x), y)
    other = nn.HybridSequential()
    other.add(nn.Dense(4, in_units=5))
    with pytest.raises(ValueError, match="not present"):
        other.load_parameters(f)
    other.load_parameters(f, ignore_extra=True)
    big = _mlp()
    big.add(nn.Dense(3, in_units=2))
    with pytest.raises(AssertionError, match="missing"):
        big.load_parameters(f)


def test_trainer_sgd_momentum_matches_formula():
    net = nn.Dense(2, in_units=3, use_bias=False)
    net.initialize(mx.init.Constant(0.5))
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01})
    x = mx.nd.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    w = np.full((2, 3), 0.5, np.float32)
    mom = np.zeros_like(w)
    for _ in range(3):
        with autograd.record():
            loss = (net(x) ** 2).sum()
        loss.backward()
        g = 2 * (x.asnumpy() @ w.T).T @ x.asnumpy() / 2
        trainer.step(2)
        mom = 0.9 * mom - 0.1 * (g + 0.01 * w)
        w = w + mom
        assert_almost_equal(net.weight.data(), w, rtol=1e-5, atol=1e-6)


def test_trainer_stale_gradient():
    a = nn.Dense(2, in_units=2)
    b = nn.Dense(2, in_units=2)
    a.initialize()
    b.initialize()
    params = a.collect_params()
    params.update(b.collect_params())
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    with autograd.record():
        loss = a(mx.nd.ones((1, 2))).sum()
    loss.backward()
    with pytest.raises(UserWarning, match="has not been updated by backward"):
        trainer.step(1)
    before = b.weight.data().asnumpy()
    with autograd.record():
        loss = a(mx.nd.ones((1, 2))).sum()
    loss.backward()
    trainer.step(1, ignore_stale_grad=True)
    assert_almost_equal(b.weight.data(), before)


def test_grad_req_add_accumulates():
    net = nn.Dense(1, in_units=2, use_bias=False)
    net.initialize(mx.init.One())
    net.collect_params().setattr("grad_req", "add")
    x = mx.nd.array([[1.0, 2.0]])
    for _ in range(3):
        with autograd.record():
            y = net(x)
        y.backward()
    assert_almost_equal(net.weight.grad(), np.array([[3.0, 6.0]], np.float32))
    net.collect_params().zero_grad()
    assert_almost_equal(net.weight.grad(), np.zeros((1, 2), np.float32))


def test_hooks_apply_and_summary(capsys):
    net = _mlp()
    net.initialize()
    seen = []
    h = net.register_forward_hook(lambda blk, i, o: seen.append(o.shape))
    net(mx.nd.ones((2, 5)))
    h.detach()
    net(mx.nd.ones((2, 5)))
    assert seen == [(2, 2)]
    kinds = []
    net.apply(lambda b: kinds.append(type(b).__name__))
    assert kinds == ["Activation", "Dense", "Dense", "HybridSequential"]
    net.summary(mx.nd.ones((2, 5)))
    out = capsys.readouterr().out
    assert "Total params: 34" in out and "Dense-2" in out


def test_parameter_cast_and_reset_ctx():
    p = gluon.Parameter("w", shape=(2, 2))
    p.initialize(mx.init.One())
    p.cast("float64")
    assert p.data().dtype == np.float64
    assert p.grad().dtype == np.float64
    p.reset_ctx(mx.cpu(0))
    assert p.list_ctx() == [mx.cpu(0)]
