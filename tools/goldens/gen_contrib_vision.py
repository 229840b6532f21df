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


def roi_cases():
    data = rng.rand(2, 18, 7, 8).astype(np.float32)
    rois = np.array([[0, 1.2, 0.5, 40.3, 60.1], [1, -10, 3, 30, 35], [0, 20.5, 20.5, 21, 22],
                     [1, 50, 40, 90, 70]], np.float32)
    G.case("psroipool", "contrib.PSROIPooling", [data, rois],
           {"spatial_scale": 0.125, "output_dim": 2, "pooled_size": 3}, grad_inputs=[0])
    G.case("psroipool_group", "contrib.PSROIPooling", [data[:, :8], rois],
           {"spatial_scale": 0.25, "output_dim": 2, "pooled_size": 3, "group_size": 2}, grad_inputs=[0])
    rrois = np.array([[0, 20, 20, 30, 18, 30], [1, 30, 12, 10, 40, 100], [0, 5, 40, 60, 9, -45],
                      [1, 70, 70, 200, 200, 180]], np.float32)
    G.case("rroialign", "contrib.RROIAlign", [data, rrois], {"pooled_size": (2, 3), "spatial_scale": 0.25},
           grad=False, rtol=1e-5, atol=1e-5)
    G.case("rroialign_s2", "contrib.RROIAlign", [data, rrois],
           {"pooled_size": (3, 3), "spatial_scale": 0.125, "sampling_ratio": 2}, grad=False,
           rtol=1e-5, atol=1e-5)


def proposal_cases():
    A, H, W = 9, 5, 6
    cls = rng.rand(2, 2 * A, H, W).astype(np.float32)
    bbox = (rng.rand(2, 4 * A, H, W).astype(np.float32) - 0.5)
    # the first image is smaller than the feature map covers (cells beyond it score -1)
    info = np.array([[50, 70, 0.9], [80, 96, 1.0]], np.float32)
    kw = dict(feature_stride=16, scales=(2, 4, 8), ratios=(0.5, 1, 2), rpn_pre_nms_top_n=100,
              rpn_post_nms_top_n=20, threshold=0.7, rpn_min_size=8, output_score=True)
    G.case("multi_proposal", "contrib.MultiProposal", [cls, bbox, info], kw, rtol=1e-5, atol=1e-4)
    G.case("proposal", "contrib.Proposal", [cls[1:], bbox[1:], info[1:]], kw, rtol=1e-5, atol=1e-4)
    # large rpn_min_size (most boxes scored -1 and grown), a tight NMS threshold (fewer survivors
    # than rpn_post_nms_top_n: the list repeats) and corner-offset deltas
    G.case("proposal_small", "contrib.Proposal", [cls[:1], bbox[:1] * 8, info[:1]],
           dict(kw, rpn_min_size=40, threshold=0.3, rpn_post_nms_top_n=30), rtol=1e-5, atol=1e-4)
    G.case("proposal_iou", "contrib.MultiProposal", [cls, bbox * 10, info],
           dict(kw, iou_loss=True, output_score=False), rtol=1e-5, atol=1e-4)


quantize_cases()
roi_cases()
proposal_cases()
G.save()
