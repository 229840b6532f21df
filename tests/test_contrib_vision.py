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
    with mx.name.NameManager():     # fresh counters: named quantize0, after its short name
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


def test_roi_ops_errors_and_gradients():
    data, rois = mx.nd.ones((1, 8, 4, 4)), mx.nd.array([[0, 0, 0, 3, 3]])
    with pytest.raises(MXNetError, match="output_dim \\* group_size"):
        mx.nd.contrib.PSROIPooling(data, rois, spatial_scale=1.0, output_dim=3, pooled_size=2)
    with pytest.raises(MXNetError, match="rois \\(R, 6\\)"):
        mx.nd.contrib.RROIAlign(data, rois, pooled_size=(2, 2), spatial_scale=1.0)
    # RROIAlign has no gradient in MXNet: binding for one fails
    s = mx.sym.contrib.RROIAlign(mx.sym.var("d"), mx.sym.var("r"), pooled_size=(2, 2), spatial_scale=1.0)
    with pytest.raises(MXNetError, match="FGradient"):
        s.simple_bind(mx.cpu(), d=(1, 8, 4, 4), r=(1, 6), grad_req={"d": "write", "r": "null"})
    # PSROIPooling: every pixel of a cell gets the cell's gradient over the cell's area
    d = mx.nd.ones((1, 4, 4, 4))
    d.attach_grad()
    with mx.autograd.record():
        out = mx.nd.contrib.PSROIPooling(d, mx.nd.array([[0, 0, 0, 3, 3]]), spatial_scale=1.0,
                                         output_dim=1, pooled_size=2)
    out.backward()
    np.testing.assert_allclose(out.asnumpy(), np.ones((1, 1, 2, 2)))
    np.testing.assert_allclose(d.grad.asnumpy().sum(axis=(2, 3)), [[1, 1, 1, 1]])
