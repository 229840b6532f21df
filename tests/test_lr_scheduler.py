"""mx.lr_scheduler: values over a range of num_update (with warm-up) equal MXNet 1.9.1's exactly."""
import ast
import logging

import pytest

import mxnet.lr_scheduler as lrs
from test_optimizer_ops import load

CASES = load("schedulers")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_scheduler_golden(case):
    s = getattr(lrs, case["cls"])(**ast.literal_eval(case["kwargs"]))
    assert [s(n) for n in case["nums"]] == case["values"]


def test_validation():
    with pytest.raises(ValueError, match="warmup_begin_lr"):
        lrs.FactorScheduler(step=2, base_lr=0.1, warmup_begin_lr=0.5)
    with pytest.raises(ValueError, match="step"):
        lrs.FactorScheduler(step=0)
    with pytest.raises(ValueError, match="Factor"):
        lrs.FactorScheduler(step=2, factor=1.5)
    with pytest.raises(ValueError, match="increasing"):
        lrs.MultiFactorScheduler(step=[5, 3])
    with pytest.raises(ValueError, match="warmup"):
        lrs.PolyScheduler(max_update=10, warmup_mode="exp")
    with pytest.raises(ValueError, match="strictly positive"):
        lrs.CosineScheduler(max_update=0)
    with pytest.raises(NotImplementedError):
        lrs.LRScheduler()(1)


def test_factor_logs_changes(caplog):
    s = lrs.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    with caplog.at_level(logging.INFO):
        assert s(5) == 0.25
    assert "Change learning rate to 5.00000e-01" in caplog.text
