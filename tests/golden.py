"""Replays golden cases recorded under real MXNet 1.9.1 (tools/goldens/harness.py) on mxnext."""
import ast
import json
import os

import numpy as np

import mxnet as mx
from mxnet.test_utils import assert_almost_equal

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens")


def load_cases(family):
    """The case list of a family, each with its arrays attached."""
    with open(os.path.join(HERE, f"{family}.json")) as f:
        meta = json.load(f)
    arrays = np.load(os.path.join(HERE, f"{family}.npz"))
    cases = []
    for c in meta["cases"]:
        c = dict(c)
        c["arrays"] = {k.split("/", 1)[1]: arrays[k] for k in arrays.files if k.startswith(c["id"] + "/")}
        cases.append(c)
    return cases


def case_ids(cases):
    return [c["id"] for c in cases]


def resolve(path):
    obj = mx.nd
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def run_case(case, rtol=None, atol=None):
    """Run one golden case on mxnext and compare outputs and input gradients."""
    arr = case["arrays"]
    kwargs = ast.literal_eval(case["kwargs"])
    fn = resolve(case["op"])
    ins = [arr[f"in{i}"] for i in range(case["n_in"])]
    xs = [mx.nd.array(a, dtype=a.dtype) for a in ins]
    for x, g in zip(xs, case["grad"]):
        if g:
            x.attach_grad()
    with mx.autograd.record(train_mode=case["train"]):
        out = fn(*xs, **kwargs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == case["n_out"], f"{case['id']}: {len(outs)} outputs, expected {case['n_out']}"
    rtol = case.get("rtol", rtol)
    atol = case.get("atol", atol)
    for i, o in enumerate(outs):
        want = arr[f"out{i}"]
        assert o.shape == want.shape, f"{case['id']} out{i}: shape {o.shape} vs {want.shape}"
        assert o.dtype == want.dtype, f"{case['id']} out{i}: dtype {o.dtype} vs {want.dtype}"
        assert_almost_equal(o.asnumpy(), want, rtol=rtol, atol=atol, names=(f"out{i}", "golden"))
    if any(case["grad"]):
        heads = [(o, arr[f"head{i}"]) for i, o in enumerate(outs) if f"head{i}" in arr]
        mx.autograd.backward([o for o, _ in heads], [mx.nd.array(h, dtype=h.dtype) for _, h in heads])
        for i, (x, g) in enumerate(zip(xs, case["grad"])):
            if g:
                assert_almost_equal(x.grad.asnumpy(), arr[f"grad{i}"], rtol=rtol, atol=atol,
                                    names=(f"grad{i}", "golden"))
