"""mx.metric against values computed by MXNet 1.9.1 (tools/goldens/gen_optimizer.py), and its API."""
import ast
import math
from collections import OrderedDict

import numpy as np
import pytest

import mxnet as mx
import mxnet.metric as metric
from test_optimizer_ops import load

CASES = load("metrics")


def _same(got, want):
    name, val = got
    wname, wval = want
    assert name == wname
    vals = val if isinstance(val, list) else [val]
    wvals = wval if isinstance(wval, list) else [wval]
    assert len(vals) == len(wvals)
    for v, w in zip(vals, wvals):
        if math.isnan(w):
            assert math.isnan(v)
        else:
            assert float(v) == pytest.approx(w, rel=1e-6, abs=1e-9)


def _batch(arr, b, n):
    ls = [mx.nd.array(arr[f"l{b}_{i}"], dtype=arr[f"l{b}_{i}"].dtype) for i in range(n[0])]
    ps = [mx.nd.array(arr[f"p{b}_{i}"], dtype=arr[f"p{b}_{i}"].dtype) for i in range(n[1])]
    return ls, ps


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_metric_golden(case):
    m = metric.create(case["metric"], **ast.literal_eval(case["kwargs"]))
    arr = case["arrays"]
    for b in range(case["n_batches"]):
        m.update(*_batch(arr, b, case["n"][b]))
    _same(m.get(), case["get"])
    m.reset_local()
    last = case["n_batches"] - 1
    m.update(*_batch(arr, last, case["n"][last]))
    _same(m.get(), case["get_after_reset_local"])
    _same(m.get_global(), case["get_global"])


def test_create_forms():
    assert isinstance(metric.create("acc"), metric.Accuracy)
    assert isinstance(metric.create("ce"), metric.CrossEntropy)
    assert isinstance(metric.create("top_k_acc", top_k=3), metric.TopKAccuracy)
    comp = metric.create(["acc", "mse"])
    assert isinstance(comp, metric.CompositeEvalMetric) and len(comp.metrics) == 2
    assert isinstance(comp.get_metric(5), ValueError)
    acc = metric.Accuracy()
    assert metric.create(acc) is acc
    cfg = metric.Accuracy(axis=0, name="a0").get_config()
    assert cfg == {"axis": 0, "metric": "Accuracy", "name": "a0", "output_names": None, "label_names": None}
    again = metric.create(**cfg)
    assert isinstance(again, metric.Accuracy) and again.axis == 0 and again.name == "a0"
    assert isinstance(metric.create('["mae", {}]'), metric.MAE)
    with pytest.raises(AssertionError, match="not registered"):
        metric.create("nope")


def test_register_alias_custom():
    @metric.register
    @metric.alias("double")
    class Twice(metric.EvalMetric):
        def __init__(self):
            super().__init__("twice")

        def update(self, labels, preds):
            self.sum_metric += 2
            self.num_inst += 1

    t = metric.create("double")
    t.update([], [])
    assert t.get() == ("twice", 2.0)
    assert isinstance(metric.create("twice"), Twice)
    assert mx.registry.get_registry(metric.EvalMetric)["double"] is Twice
    for key in ("twice", "double"):  # leave the registry as it was for other tests
        del mx.registry._REGISTRY[metric.EvalMetric][key]

    def feval(label, pred):
        return float(np.abs(label - pred).sum()), label.size
    c = metric.create(feval)
    assert c.name == "feval"
    c.update([mx.nd.array([1, 2])], [mx.nd.array([1, 4])])
    assert c.get() == ("feval", 1.0)
    with pytest.raises(NotImplementedError):
        c.get_config()
    npm = metric.np(lambda label, pred: float((label == pred).mean()))
    assert npm.name == "custom(<lambda>)"
    npm.update([mx.nd.array([1, 2])], [mx.nd.array([1, 3])])
    assert npm.get()[1] == 0.5


def test_update_dict_and_single_arrays():
    m = metric.Accuracy(output_names=["out"], label_names=["lab"])
    m.update_dict(OrderedDict(lab=mx.nd.array([0, 1])), OrderedDict(out=mx.nd.array([[0.9, 0.1], [0.8, 0.2]]),
                                                                       other=mx.nd.zeros((2, 2))))
    assert m.get() == ("accuracy", 0.5)
    m2 = metric.MSE()
    m2.update(mx.nd.array([1.0, 2.0]), mx.nd.array([1.0, 4.0]))
    assert m2.get() == ("mse", 2.0)
    assert m2.get_name_value() == [("mse", 2.0)]
    assert math.isnan(metric.MAE().get()[1])
    assert str(m2) == "EvalMetric: {'mse': 2.0}"


def test_errors():
    with pytest.raises(ValueError, match="does not match"):
        metric.Accuracy().update([mx.nd.array([0]), mx.nd.array([1])], [mx.nd.array([[1, 0]])])
    with pytest.raises(ValueError, match="binary"):
        metric.F1().update([mx.nd.array([0, 1, 2])], [mx.nd.ones((3, 2))])
    with pytest.raises(ValueError, match="does not match"):
        metric.check_label_shapes(mx.nd.ones((2,)), mx.nd.ones((3,)), shape=True)
    with pytest.raises(AssertionError):
        metric.TopKAccuracy(top_k=1)
