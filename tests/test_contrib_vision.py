"""Contrib operators of vision and deployment models against goldens recorded under MXNet 1.9.1
(tools/goldens/gen_contrib_vision.py): quantize/dequantize, PSROIPooling, RROIAlign and the RPN
Proposal/MultiProposal."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from golden import load_cases, run_case, case_ids

CASES = load_cases("contrib_vision")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_contrib_vision_golden(case):
    run_case(case, rtol=case.get("rtol", 1e-5), atol=case.get("atol", 1e-6))


def test_quantize_symbol_types_and_errors():
    s = mx.sym.contrib.quantize(mx.sym.var("d"), mx.sym.var("lo"), mx.sym.var("hi"), out_type="int8")
    assert s.list_outputs() == ["quantize0_output0", "quantize0_output1", "quantize0_output2"]
    _, outs, _ = s.infer_type(d=np.float32)
    assert outs == [np.int8, np.float32, np.float32]
    _, shapes, _ = s.infer_shape(d=(2, 3), lo=(1,), hi=(1,))
    assert shapes == [(2, 3), (1,), (1,)]
    with pytest.raises(MXNetError, match="int8 or uint8"):
        mx.nd.contrib.dequantize(mx.nd.ones((2,), dtype="int32"), mx.nd.zeros((1,)), mx.nd.ones((1,)))
    with pytest.raises(MXNetError, match="float32"):
        mx.nd.contrib.quantize(mx.nd.ones((2,), dtype="float64"), mx.nd.zeros((1,)), mx.nd.ones((1,)))
