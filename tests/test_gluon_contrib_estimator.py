"""mx.gluon.contrib.estimator against real MXNet 1.9.1 (tools/goldens/gen_gluon_contrib.py)."""
import io
import json
import os
import sys
import warnings

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon
from mxnet.gluon.contrib.estimator import (BatchEnd, CheckpointHandler, EarlyStoppingHandler, EpochEnd,
                                           Estimator, GradientUpdateHandler, LoggingHandler, MetricHandler,
                                           StoppingHandler, ValidationHandler)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools", "goldens"))
from gen_gluon_contrib import estimator_scenario  # noqa: E402

with open(os.path.join(HERE, "goldens", "gluon_contrib", "estimator.json")) as f:
    GOLDEN = json.load(f)


def test_scenario_log_files_and_metrics_match_mxnet():
    got = estimator_scenario()
    assert got["log"] == GOLDEN["log"]
    assert got["files"] == GOLDEN["files"]
    assert [n for n, _ in got["metrics"]] == [n for n, _ in GOLDEN["metrics"]]
    np.testing.assert_allclose([v for _, v in got["metrics"]], [v for _, v in GOLDEN["metrics"]], rtol=1e-4)


def _data(n=128, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    y = (X @ rng.normal(size=5) > 0).astype(np.float32)
    return gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), batch_size=16, shuffle=False)


def _estimator(lr=0.2, **kw):
    mx.random.seed(3)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(16, activation="relu"), gluon.nn.Dense(2))
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, **kw)
    est.logger.handlers[0].stream = io.StringIO()
    return est


def test_fit_reaches_accuracy():
    est = _estimator()
    data = _data()
    est.fit(data, val_data=data, epochs=15)
    names = [m.name for m in est.train_metrics + est.val_metrics]
    assert names == ["training accuracy", "training softmaxcrossentropyloss",
                     "validation accuracy", "validation softmaxcrossentropyloss"]
    assert est.val_metrics[0].get()[1] > 0.9
    assert est.train_metrics[1].get()[1] < 0.4


def test_default_trainer_and_metrics_warn():
    net = gluon.nn.Dense(1, in_units=5)
    with pytest.warns(UserWarning, match="default SGD optimizer with learning rate 0.001"):
        est = Estimator(net, gluon.loss.L2Loss())
    assert est.trainer.learning_rate == pytest.approx(0.001)
    assert [m.name for m in est.train_metrics] == ["training l2loss"]
    assert [m.name for m in est.val_metrics] == ["validation l2loss"]
    assert est.context == [mx.cpu()]


def test_checkpoint_names_rotation_and_resume(tmp_path):
    est = _estimator()
    data = _data(64)  # 4 batches per epoch
    ck = CheckpointHandler(str(tmp_path), model_prefix="net", epoch_period=1, max_checkpoints=2)
    est.fit(data, epochs=3, event_handlers=[ck])
    files = sorted(os.listdir(tmp_path))
    # no symbol file: the net was never hybridized
    assert files == ["net-epoch1batch8.params", "net-epoch1batch8.states",
                     "net-epoch2batch12.params", "net-epoch2batch12.states"]
    w = est.net[0].weight.data().asnumpy()
    est2 = _estimator()
    ck2 = CheckpointHandler(str(tmp_path), model_prefix="net", resume_from_checkpoint=True)
    stop = StoppingHandler()
    est2.fit(data, epochs=5, event_handlers=[ck2, stop])
    assert ck2.trained_epoch == 2 and ck2.trained_batch == 12
    assert est2.max_epoch == 2  # 5 - (2 + 1) epochs remain
    assert "net-epoch4batch20.params" in os.listdir(tmp_path)
    assert not np.allclose(est2.net[0].weight.data().asnumpy(), w)
    with pytest.raises(ValueError, match="maximum number of epoch 3 reached"):
        _estimator().fit(data, epochs=3, event_handlers=[CheckpointHandler(str(tmp_path), "net",
                                                                           resume_from_checkpoint=True)])


def test_checkpoint_batch_period_and_symbol(tmp_path):
    est = _estimator()
    est.net.hybridize()
    ck = CheckpointHandler(str(tmp_path), batch_period=2, epoch_period=None)
    est.fit(_data(64), batches=5, event_handlers=[ck])
    assert sorted(os.listdir(tmp_path)) == ["model-epoch0batch1.params", "model-epoch0batch1.states",
                                            "model-epoch0batch3.params", "model-epoch0batch3.states",
                                            "model-symbol.json"]
    with pytest.raises(ValueError, match="monitor"):
        CheckpointHandler(str(tmp_path), save_best=True)


def test_early_stopping_stops():
    est = _estimator(lr=0.0)  # nothing improves
    acc = est.train_metrics[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = EarlyStoppingHandler(monitor=acc, patience=2)
    est.fit(_data(32), epochs=20, event_handlers=[es])
    assert es.stopped_epoch == 2 and es.current_epoch == 3
    assert "EarlyStoppingHanlder: early stopping due to training accuracy not improving" in \
        est.logger.handlers[0].stream.getvalue()
    with pytest.raises(ValueError, match="CompositeEvalMetric"):
        EarlyStoppingHandler(monitor=mx.metric.CompositeEvalMetric())


def test_handler_order_and_custom_stop():
    est = _estimator()
    seen = []

    class Stopper(BatchEnd, EpochEnd):
        def batch_end(self, estimator, *args, **kwargs):
            seen.append(kwargs["batch"][0].shape[0])
            return len(seen) == 3

        def epoch_end(self, estimator, *args, **kwargs):
            return True

    est.fit(_data(), epochs=10, event_handlers=[Stopper()])
    assert seen == [16, 16, 16]
    hs = est._prepare_default_handlers(None, [GradientUpdateHandler(), LoggingHandler()])
    assert [type(h).__name__ for h in hs] == ["GradientUpdateHandler", "MetricHandler", "StoppingHandler",
                                             "LoggingHandler"]


def test_validation_handler_batch_period_and_evaluate():
    est = _estimator()
    calls = []
    vh = ValidationHandler(_data(32), eval_fn=lambda **kw: calls.append(sorted(kw)), epoch_period=None,
                           batch_period=3)
    est.fit(_data(64), epochs=2, event_handlers=[vh])
    assert calls == [["batch_axis", "event_handlers", "val_data"]] * 2
    est.evaluate(_data(32))
    assert 0 <= est.val_metrics[0].get()[1] <= 1


def test_bad_arguments():
    est = _estimator()
    with pytest.raises(ValueError, match="exactly one type of iteration"):
        est.fit(_data(), epochs=1, batches=2)
    with pytest.raises(ValueError, match="DataLoader"):
        est.fit([(1, 2)], epochs=1)
    with pytest.raises(ValueError, match="loss must be a Loss"):
        Estimator(est.net, "l2")
    with pytest.raises(ValueError, match="log_interval"):
        LoggingHandler(log_interval="batch")
    with pytest.raises(ValueError, match="outside of the known training and validation metrics"):
        est.fit(_data(), epochs=1, event_handlers=[MetricHandler([mx.metric.Accuracy()]), LoggingHandler()])
