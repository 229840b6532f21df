"""Optimizer update operators against goldens recorded under MXNet 1.9.1 (tools/goldens/gen_optimizer.py)."""
import ast
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens")


def load(section):
    with open(os.path.join(HERE, "optimizer.json")) as f:
        meta = json.load(f)[section]
    arrays = np.load(os.path.join(HERE, "optimizer.npz"))
    out = []
    for c in meta:
        pre = f"{section}/{c['id']}/"
        out.append(dict(c, arrays={k[len(pre):]: arrays[k] for k in arrays.files if k.startswith(pre)}))
    return out


CASES = load("ops")


def _tol(a):
    return (2e-3, 2e-3) if a.dtype == np.float16 else (1e-5, 1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_op_golden(case):
    arr = case["arrays"]
    ins = [arr[f"in{i}"] for i in range(case["n_in"])]
    xs = [mx.nd.array(a, dtype=a.dtype) for a in ins]
    fn = getattr(mx.nd, case["op"])
    kwargs = ast.literal_eval(case["kwargs"])
    if case.get("out_idx") is not None:
        out = fn(*xs, out=[xs[i] for i in case["out_idx"]], **kwargs)
    else:
        out = fn(*xs, **kwargs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == case["n_out"]
    for j, o in enumerate(outs):
        want = arr[f"out{j}"]
        assert o.dtype == want.dtype and o.shape == want.shape
        np.testing.assert_allclose(o.asnumpy(), want, *_tol(want), err_msg=f"out{j}")
    for i, x in enumerate(xs):
        want = arr[f"after{i}"]
        np.testing.assert_allclose(x.asnumpy(), want, *_tol(want), err_msg=f"input {i} after the call")


def test_out_is_weight_updates_in_place():
    w = mx.nd.array([1.0, 2.0])
    g = mx.nd.array([0.5, -1.0])
    mom = mx.nd.zeros((2,))
    r = mx.nd.sgd_mom_update(w, g, mom, out=w, lr=0.1, momentum=0.9, wd=0.0)
    assert r is w
    np.testing.assert_allclose(w.asnumpy(), [0.95, 2.1], rtol=1e-6)
    np.testing.assert_allclose(mom.asnumpy(), [-0.05, 0.1], rtol=1e-6)
    assert w.dtype == np.float32 and mom.dtype == np.float32


def test_float32_stays_float32():
    w = mx.nd.array(np.random.rand(4).astype("f"))
    args = [w, w.copy(), mx.nd.zeros((4,)), mx.nd.ones((4,))]
    assert mx.nd.adam_update(*args, lr=0.1).dtype == np.float32
    states = [mx.nd.ones((4,)) for _ in range(3)]
    assert mx.nd.ftml_update(w, w.copy(), *states, lr=0.1, t=1).dtype == np.float32


def test_errors():
    w = mx.nd.ones((3,))
    with pytest.raises(MXNetError, match="lr"):
        mx.nd.sgd_update(w, w)
    with pytest.raises(MXNetError, match="shape"):
        mx.nd.sgd_mom_update(w, w, mx.nd.zeros((4,)), lr=0.1)
    with pytest.raises(MXNetError, match="num_weights"):
        mx.nd.multi_sgd_update(w, w, w, lrs=(0.1,), wds=(0.0,), num_weights=2)
    with pytest.raises(MXNetError, match="weight32"):
        mx.nd.mp_sgd_update(w.astype("float16"), w.astype("float16"), w.astype("float16"), lr=0.1)


def test_not_recorded_by_autograd():
    w = mx.nd.ones((3,))
    w.attach_grad()
    with mx.autograd.record():
        y = mx.nd.sgd_update(w, mx.nd.ones((3,)), lr=0.1)
    assert y._entry is None
