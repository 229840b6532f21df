"""Reductions: goldens from MXNet 1.9.1, finite differences, errors, recorded gradients."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from fd import check_fd
from golden import load_cases, run_case, case_ids

CASES = load_cases("reduce")
nd = mx.nd


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_reduce_golden(case):
    run_case(case)


FD = [("sum", {"axis": 1}), ("sum", {}), ("mean", {"axis": (0, 2)}), ("prod", {"axis": 2}),
      ("max", {"axis": 1}), ("min", {"axis": -1, "keepdims": True}), ("nansum", {"axis": 0}),
      ("nanprod", {}), ("norm", {}), ("norm", {"axis": 1, "ord": 1}), ("norm", {"axis": (0, 2)}),
      ("mean", {"axis": 1, "exclude": True})]


@pytest.mark.parametrize("op,kw", FD, ids=[f"{o}-{k}" for o, k in FD])
def test_reduce_fd(op, kw):
    # distinct values: max/min have no ties to make the difference quotient one-sided
    x = np.random.RandomState(1).permutation(24).reshape(2, 3, 4) / 10.0 + 0.5
    check_fd(lambda a: getattr(nd, op)(a, **kw), [x])


@pytest.mark.parametrize("op,kw", [("sum", {"axis": 1}), ("mean", {}), ("max", {"axis": 0}),
                                   ("norm", {"axis": 1}), ("prod", {"axis": 1})])
def test_reduce_second_order(op, kw):
    # d/dx of sum(grad(reduce(x^3))) is checked against the closed form of each reduction
    x0 = np.array([[0.5, 1.5, 1.2], [2.0, 0.7, 1.1]])
    x = nd.array(x0, dtype=np.float64)
    x.attach_grad()
    with mx.autograd.record():
        y = getattr(nd, op)(x * x * x, **kw)
        dx = mx.autograd.grad(y, x, create_graph=True)[0]
    dx.backward()
    c = x0 ** 3
    if op == "sum":
        want = 6 * x0
    elif op == "mean":
        want = 6 * x0 / x0.size
    elif op == "max":
        want = 6 * x0 * (c == c.max(axis=0))
    elif op == "norm":
        # first gradient 3 x^2 c / n with c = x^3, n = |c| over axis 1; differentiate its row sum
        n = np.sqrt((c * c).sum(axis=1, keepdims=True))
        dn = 3 * x0 ** 2 * c / n                   # dn/dx_j
        want = 15 * x0 ** 4 / n - dn * (3 * x0 ** 2 * c).sum(axis=1, keepdims=True) / n ** 2
    else:
        p = c.prod(axis=1, keepdims=True)
        # grad_j = 3 x_j^2 p / c_j = 3 p / x_j;  sum_j grad_j differentiated w.r.t. x_i
        s = (3 / x0).sum(axis=1, keepdims=True)
        want = s * 3 * p / x0 - 3 * p / x0 ** 2
    np.testing.assert_allclose(x.grad.asnumpy(), want, rtol=1e-6)


def test_axis_rules_and_errors():
    x = nd.ones((2, 3, 4))
    assert nd.sum(x).shape == (1,)
    assert nd.sum(x, axis=(), exclude=True).shape == (1,)
    assert nd.sum(x, axis=(0, 1, 2), exclude=True).shape == (2, 3, 4)
    assert nd.max(x, axis=(0, 2), keepdims=True).shape == (1, 3, 1)
    assert nd.argmax(x).shape == (1,)
    assert nd.argmax(nd.ones((2, 3), dtype=np.int32), axis=1).dtype == np.int32
    with pytest.raises(MXNetError, match="out of range"):
        nd.sum(x, axis=3)
    with pytest.raises(MXNetError, match="twice"):
        nd.sum(x, axis=(1, 1))
    with pytest.raises(MXNetError, match="ord"):
        nd.norm(x, ord=3)
    with pytest.raises(MXNetError, match="out_dtype"):
        nd.norm(x, out_dtype="float64")
    with pytest.raises(MXNetError, match="out of range"):
        nd.argmax_channel(nd.ones((3,)))
