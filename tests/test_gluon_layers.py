"""Every Gluon layer and loss against real MXNet 1.9.1 (tools/goldens/gen_gluon.py).

The parameters come from .params files real MXNet wrote with save_parameters, so each case
also checks that those files load here under their structural names.
"""
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon  # noqa: F401  (used by the constructor expressions)
from mxnet.gluon import nn  # noqa: F401
from mxnet.test_utils import assert_almost_equal

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "gluon")
with open(os.path.join(DIR, "layers.json")) as f:
    CASES = json.load(f)
ARRAYS = np.load(os.path.join(DIR, "layers.npz"))
# real MXNet 1.9.1 cannot hybridize these either
NOT_HYBRIDIZABLE = {"loss_sdml": "SDMLLoss reads x1.shape, which a Symbol does not have"}


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_layer_matches_mxnet(case, hybridize):
    cid = case["id"]
    block = eval(case["ctor"])
    if hybridize and cid in NOT_HYBRIDIZABLE:
        pytest.skip(NOT_HYBRIDIZABLE[cid])
    block.load_parameters(os.path.join(DIR, f"{cid}.params"))
    if hybridize:
        block.hybridize()
    ins = [ARRAYS[f"{cid}/in{i}"] for i in range(len(case["float_in"]))]
    xs = [mx.nd.array(a) for a in ins]
    for x, f in zip(xs, case["float_in"]):
        if f:
            x.attach_grad()
    with autograd.record(train_mode=case["train"]):
        out = block(*xs)
    assert_almost_equal(out, ARRAYS[f"{cid}/out"], rtol=1e-4, atol=1e-5, names=("out", "mxnet"))
    out.backward(mx.nd.array(ARRAYS[f"{cid}/head"]))
    for i, (x, f) in enumerate(zip(xs, case["float_in"])):
        if f:
            assert_almost_equal(x.grad, ARRAYS[f"{cid}/grad_in{i}"], rtol=1e-4, atol=1e-5,
                                names=(f"grad_in{i}", "mxnet"))
    for name, p in block._collect_params_with_prefix().items():
        if p.grad_req != "null":
            assert_almost_equal(p.grad(), ARRAYS[f"{cid}/grad_{name}"], rtol=1e-4, atol=1e-5,
                                names=(f"grad_{name}", "mxnet"))
        assert_almost_equal(p.data(), ARRAYS[f"{cid}/after_{name}"], rtol=1e-5, atol=1e-6,
                            names=(name, "mxnet"))
    assert repr(block) == case["repr"]
