"""mx.callback (log lines checked against MXNet 1.9.1's format) and mx.monitor."""
import collections
import logging
import re
import types

import pytest

import mxnet as mx
from mxnet.gluon import nn

# defined here: mx.model.BatchEndParam belongs to another module
BatchEndParam = collections.namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def _metric():
    m = mx.metric.Accuracy()
    m.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[1, 0], [0, 1], [1, 0]])])
    return m


def _messages(caplog):
    msgs = [r.getMessage() for r in caplog.records]
    caplog.clear()
    return [re.sub(r"Speed: [0-9.]+|Speed: inf", "Speed: S", m) for m in msgs]


def test_speedometer(caplog):
    caplog.set_level(logging.INFO)
    m = _metric()
    s = mx.callback.Speedometer(4, frequent=2)
    for i in range(7):
        s(BatchEndParam(0, i, m, None))
    # MXNet 1.9.1 logs exactly these lines (speeds differ)
    assert _messages(caplog) == ["Epoch[0] Batch [0-2]\tSpeed: S samples/sec\taccuracy=0.666667",
                                 "Epoch[0] Batch [2-4]\tSpeed: S samples/sec\taccuracy=nan",
                                 "Epoch[0] Batch [4-6]\tSpeed: S samples/sec\taccuracy=nan"]
    m = _metric()
    s = mx.callback.Speedometer(4, frequent=2, auto_reset=False)
    for i in range(5):
        s(BatchEndParam(1, i, m, None))
    assert _messages(caplog) == ["Epoch[1] Batch [0-2]\tSpeed: S samples/sec\taccuracy=0.666667",
                                 "Epoch[1] Batch [0-4]\tSpeed: S samples/sec\taccuracy=0.666667"]
    s = mx.callback.Speedometer(4, frequent=2)
    for i in range(5):
        s(BatchEndParam(1, i, None, None))
    assert _messages(caplog) == ["Iter[1] Batch [2]\tSpeed: S samples/sec", "Iter[1] Batch [4]\tSpeed: S samples/sec"]
    ms = mx.metric.CompositeEvalMetric([mx.metric.Accuracy(), mx.metric.MSE()])
    ms.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[1, 0], [0, 1], [1, 0]])])
    s = mx.callback.Speedometer(4, frequent=1)
    s(BatchEndParam(2, 0, ms, None))
    s(BatchEndParam(2, 1, ms, None))
    assert _messages(caplog) == ["Epoch[2] Batch [0-1]\tSpeed: S samples/sec\taccuracy=0.666667\tmse=0.500000"]
    # a smaller batch number means a new epoch: the timer restarts and nothing is logged
    s(BatchEndParam(3, 0, ms, None))
    assert _messages(caplog) == []


def test_speed_value(caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    clock = iter([100.0, 102.0, 102.0])
    monkeypatch.setattr(mx.callback, "time", types.SimpleNamespace(time=lambda: next(clock)))
    s = mx.callback.Speedometer(8, frequent=2)
    s(BatchEndParam(0, 0, None, None))
    s(BatchEndParam(0, 1, None, None))
    s(BatchEndParam(0, 2, None, None))
    assert [r.getMessage() for r in caplog.records] == ["Iter[0] Batch [2]\tSpeed: 8.00 samples/sec"]


def test_progress_and_metric_loggers(caplog):
    caplog.set_level(logging.INFO)
    m = _metric()
    mx.callback.ProgressBar(10, length=20)(BatchEndParam(0, 3, m, None))
    mx.callback.LogValidationMetricsCallback()(BatchEndParam(3, 5, m, None))
    assert _messages(caplog) == ["[======--------------] 30%\r", "Epoch[3] Validation-accuracy=0.666667"]
    cb = mx.callback.log_train_metric(2, auto_reset=True)
    for i in (1, 2, 4):
        cb(BatchEndParam(0, i, m, None))
    assert _messages(caplog) == ["Iter[0] Batch[2] Train-accuracy=0.666667", "Iter[0] Batch[4] Train-accuracy=nan"]


def test_checkpoints(monkeypatch):
    import mxnet.model
    calls = []
    monkeypatch.setattr(mxnet.model, "save_checkpoint", lambda *a: calls.append(a), raising=False)
    cb = mx.callback.do_checkpoint("pre", period=2)
    for epoch in range(4):
        cb(epoch, "sym", {"a": 1}, {})
    assert calls == [("pre", 2, "sym", {"a": 1}, {}), ("pre", 4, "sym", {"a": 1}, {})]
    assert mx.callback.save_checkpoint is mxnet.model.save_checkpoint

    class Mod:
        saved = []

        def save_checkpoint(self, prefix, epoch, save_opt):
            self.saved.append((prefix, epoch, save_opt))
    cb = mx.callback.module_checkpoint(Mod(), "p", period=0, save_optimizer_states=True)
    cb(0)
    cb(1)
    assert Mod.saved == [("p", 1, True), ("p", 2, True)]


def test_monitor_executor(caplog):
    # values and names from MXNet 1.9.1 (norm/sqrt(size) of each array)
    x = mx.sym.var("data")
    z = mx.sym.relu(mx.sym.FullyConnected(x, num_hidden=2, name="fc1"), name="r")
    exe = z.simple_bind(mx.cpu(), data=(2, 3))
    exe.arg_dict["data"][:] = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    exe.arg_dict["fc1_weight"][:] = 0.5
    exe.arg_dict["fc1_bias"][:] = 0.1
    m = mx.monitor.Monitor(1, pattern=".*", sort=True)
    m.install(exe)
    m.tic()
    exe.forward()
    res = m.toc()
    assert [(n, k) for n, k, _ in res] == [(1, "data"), (1, "fc1_bias"), (1, "fc1_output"),
                                         (1, "fc1_weight"), (1, "r_output")]
    vals = [float(v.strip()) for _, _, v in res]
    assert vals == pytest.approx([3.8944402, 0.1, 5.8038783, 0.5, 5.8038783], rel=1e-5)
    assert all(v.endswith("\t") for _, _, v in res)
    m2 = mx.monitor.Monitor(2, stat_func=lambda a: a.sum(), pattern="fc.*")
    m2.install(exe)
    out = []
    for _ in range(3):
        m2.tic()
        exe.forward()
        out.append(m2.toc())
    assert out[1] == []
    assert [(n, k) for n, k, _ in out[2]] == [(3, "fc1_output"), (3, "fc1_weight"), (3, "fc1_bias")]
    assert [float(v) for _, _, v in out[2]] == pytest.approx([21.4, 3.0, 0.2])
    caplog.set_level(logging.INFO)
    m.tic()
    exe.forward()
    m.toc_print()
    assert caplog.records[0].getMessage().startswith("Batch:       2 data                           3.89444")


def test_monitor_gluon_block():
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Dense(2, in_units=3, prefix="d_"), nn.Activation("relu", prefix="a_"))
    net.initialize(mx.init.Constant(0.5))
    m = mx.monitor.Monitor(1, pattern="net_d_.*", sort=True, monitor_all=True)
    m.install(net)
    m.tic()
    net(mx.nd.array([[1, 2, 3], [4, 5, 6]]))
    res = m.toc()
    assert [k for _, k, _ in res] == ["net_d_bias", "net_d_input0", "net_d_output", "net_d_weight"]
    vals = dict((k, float(v)) for _, k, v in res)
    assert vals["net_d_input0"] == pytest.approx(91 ** 0.5 / 6 ** 0.5, rel=1e-5)
    assert vals["net_d_weight"] == pytest.approx(0.5)
    assert m.toc() == []
