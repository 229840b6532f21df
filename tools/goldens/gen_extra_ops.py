"""Goldens for the extra operator families (rnn_op, nn_extra, misc_ops, contrib_ops).

Run: cd tools/goldens && ../../.ref/bin/python gen_extra_ops.py
(The fused RNN op needs oneDNN on: its native CPU path rejects LSTM inputs in 1.9.1.)
"""
import os
import subprocess

import numpy as np

from harness import ROOT, Goldens

# the fused RNN needs oneDNN (the native CPU path rejects LSTM inputs in 1.9.1); everything else is
# recorded with oneDNN off (it rejects float16 in amp_multicast)
RNN_PASS = os.environ.get("MXNET_MKLDNN_ENABLED", "1") != "0"
G = Goldens("extra_ops_rnn" if RNN_PASS else "extra_ops")
rng = np.random.RandomState(0)


def f32(*shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def rnn_cases():
    T, N, C, H = 4, 3, 5, 4
    gates = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
    for mode, G_ in gates.items():
        for L, bi in ((1, False), (2, True)):
            D = 2 if bi else 1
            n = sum(D * G_ * H * ((C if l == 0 else D * H) + H + 2) for l in range(L))
            ins = [f32(T, N, C), f32(n, scale=0.3), f32(L * D, N, H)]
            if mode == "lstm":
                ins.append(f32(L * D, N, H))
            G.case(f"rnn_{mode}_L{L}_bi{int(bi)}", "RNN", ins,
                   dict(state_size=H, num_layers=L, bidirectional=bi, mode=mode, state_outputs=True),
                   rtol=1e-4, atol=1e-5)


def misc_cases():
    x = f32(3, 4)
    G.case("cumsum_axis1", "cumsum", [x], dict(axis=1))
    G.case("cumsum_flat", "cumsum", [x])
    G.case("cumsum_int32", "cumsum", [np.arange(6, dtype=np.int32).reshape(2, 3)], dict(axis=0))
    G.case("cumsum_dtype", "cumsum", [np.arange(6, dtype=np.int8).reshape(2, 3)], dict(dtype="float64"))
    G.case("moments_axes", "moments", [f32(2, 3, 4)], dict(axes=(0, 2)))
    G.case("moments_keep", "moments", [f32(2, 3)], dict(axes=(1,), keepdims=True))
    d = f32(20)
    G.case("histogram_edges", "_internal._histogram", [d, np.array([-2, -0.5, 0, 0.7, 2.5], np.float32)],
           grad=False)
    G.case("histogram_cnt", "_internal._histogram", [d], dict(bin_cnt=4, range=(-1.0, 1.0)), grad=False)
    G.case("ravel", "ravel_multi_index", [np.array([[1, 2, 0], [3, 0, 2]], np.float32)], dict(shape=(3, 4)))
    G.case("unravel", "unravel_index", [np.array([5, 11, 0, 13], np.int64)], dict(shape=(3, 4)))
    G.case("choose0", "choose_element_0index", [f32(3, 4), np.array([1, 3, 5], np.float32)],
           grad_inputs=[0])
    G.case("fill0", "fill_element_0index", [f32(3, 4), f32(3), np.array([1, 3, 0], np.float32)], grad=False)
    G.case("amp_cast16", "amp_cast", [f32(2, 3)], dict(dtype="float16"), rtol=1e-3, atol=1e-3)
    G.case("amp_cast_int", "amp_cast", [np.arange(4, dtype=np.int32)], dict(dtype="float16"))
    G.case("amp_multicast", "amp_multicast", [f32(2), np.array([1.5, 2], np.float16), np.arange(2, dtype=np.int32)],
           dict(num_outputs=3))
    G.case("amp_multicast_narrow", "amp_multicast", [f32(2), f32(2).astype(np.float64)],
           dict(num_outputs=2, cast_narrow=True))
    G.case("cast_storage", "cast_storage", [f32(2, 3)], dict(stype="default"))


def nn_extra_cases():
    x = f32(4, 5)
    lab = np.array([0, 4, 2, 1], np.float32)
    G.case("svm_l2", "SVMOutput", [x, lab], grad_inputs=[0])
    G.case("svm_l1", "SVMOutput", [x, lab], dict(margin=0.5, regularization_coefficient=2.0, use_linear=True),
           grad_inputs=[0])
    img = f32(2, 3, 6, 7)
    G.case("crop_hw", "Crop", [img], dict(num_args=1, h_w=(3, 4), offset=(1, 2)))
    G.case("crop_like", "Crop", [img, f32(1, 1, 3, 3)], dict(num_args=2, center_crop=True), grad_inputs=[0])
    G.case("crop_like_off", "Crop", [img, f32(1, 1, 4, 2)], dict(num_args=2, offset=(2, 5)), grad_inputs=[0])
    w = f32(4, 3, 3, 3)
    G.case("conv_v1", "Convolution_v1", [img, w, f32(4)], dict(kernel=(3, 3), num_filter=4, pad=(1, 0),
                                                                stride=(2, 1)), rtol=1e-4, atol=1e-5)
    G.case("pool_v1_max", "Pooling_v1", [img], dict(kernel=(2, 3), pool_type="max", stride=(2, 2)))
    G.case("pool_v1_avg_full", "Pooling_v1", [img], dict(kernel=(3, 3), pool_type="avg", stride=(2, 2),
                                                          pooling_convention="full", pad=(1, 1)))
    G.case("pool_v1_global", "Pooling_v1", [img], dict(kernel=(1, 1), pool_type="sum", global_pool=True))


def pdf_cases():
    pos = lambda *s: rng.uniform(0.5, 2.0, size=s).astype(np.float32)  # noqa: E731
    x = pos(2, 3)
    for log in (False, True):
        t = f"_log{int(log)}"
        G.case("pdf_uniform" + t, "random_pdf_uniform", [x, pos(2) * 0.2, pos(2) + 2], dict(is_log=log))
        G.case("pdf_normal" + t, "random_pdf_normal", [f32(2, 3), f32(2), pos(2)], dict(is_log=log))
        G.case("pdf_gamma" + t, "random_pdf_gamma", [x, pos(2), pos(2)], dict(is_log=log))
        G.case("pdf_exponential" + t, "random_pdf_exponential", [x, pos(2)], dict(is_log=log))
        cnt = np.array([[0, 1, 3], [2, 5, 1]], np.float32)
        G.case("pdf_poisson" + t, "random_pdf_poisson", [cnt, pos(2)], dict(is_log=log))
        G.case("pdf_negbin" + t, "random_pdf_negative_binomial", [cnt, pos(2), pos(2) * 0.4],
               dict(is_log=log))
        G.case("pdf_gennegbin" + t, "random_pdf_generalized_negative_binomial", [cnt, pos(2), pos(2)],
               dict(is_log=log))
        d = rng.dirichlet([1, 2, 3], size=(2, 2)).astype(np.float32)
        G.case("pdf_dirichlet" + t, "random_pdf_dirichlet", [d, pos(2, 3)], dict(is_log=log))
    G.case("pdf_normal_3d", "random_pdf_normal", [f32(2, 2, 3), f32(2), pos(2)])


def spatial_cases():
    theta = np.array([[0.9, 0.2, 0.1, -0.15, 1.1, -0.05], [1.2, -0.3, 0.2, 0.1, 0.8, 0.3]], np.float32)
    G.case("grid_affine", "GridGenerator", [theta], dict(transform_type="affine", target_shape=(3, 4)))
    G.case("grid_warp", "GridGenerator", [f32(2, 2, 3, 4)], dict(transform_type="warp"))
    data = f32(2, 3, 4, 5)
    grid = rng.uniform(-1.2, 1.2, size=(2, 2, 3, 4)).astype(np.float32)
    G.case("bilinear_sampler", "BilinearSampler", [data, grid], rtol=1e-4, atol=1e-5)
    G.case("spatial_transformer", "SpatialTransformer", [data, theta],
           dict(target_shape=(3, 4), transform_type="affine", sampler_type="bilinear"), rtol=1e-4, atol=1e-5)


def roi_corr_cases():
    data = f32(2, 3, 8, 9)
    rois = np.array([[0, 0, 0, 7, 7], [1, 2.4, 1.6, 10.2, 14.8], [0, 3, 3, 3.4, 3.2], [1, -2, 4, 5, 9]],
                    np.float32)
    G.case("roi_pooling", "ROIPooling", [data, rois], dict(pooled_size=(2, 3), spatial_scale=0.5),
           grad_inputs=[0])
    a, b = f32(2, 3, 6, 7), f32(2, 3, 6, 7)
    G.case("corr_default", "Correlation", [a, b], rtol=1e-4, atol=1e-5)
    G.case("corr_k3", "Correlation", [a, b], dict(kernel_size=3, max_displacement=2, stride1=2, stride2=2,
                                                   pad_size=2), rtol=1e-4, atol=1e-5)
    G.case("corr_abs", "Correlation", [a, b], dict(kernel_size=1, max_displacement=1, pad_size=1,
                                                    is_multiply=False), rtol=1e-4, atol=1e-5)


def boxes(n, lead=()):
    xy = rng.uniform(0, 6, size=lead + (n, 2))
    wh = rng.uniform(0.5, 4, size=lead + (n, 2))
    return np.concatenate([xy, xy + wh], axis=-1).astype(np.float32)


def contrib_cases():
    x = f32(2, 3)
    G.case("arange_like", "contrib.arange_like", [x], dict(start=1.0, step=0.5, repeat=2))
    G.case("arange_like_axis", "contrib.arange_like", [np.ones((2, 4), np.int32)], dict(axis=-1))
    G.case("div_sqrt_dim", "contrib.div_sqrt_dim", [f32(2, 4)])
    G.case("quadratic", "contrib.quadratic", [x], dict(a=0.5, b=-2.0, c=1.0))
    G.case("allclose_no", "contrib.allclose", [x, x + 1e-3], grad=False)
    G.case("allclose_yes", "contrib.allclose", [x, x + 1e-9], dict(rtol=1e-3), grad=False)
    G.case("index_copy", "contrib.index_copy", [f32(5, 3), np.array([3, 0], np.int64), f32(2, 3)])
    G.case("index_array", "contrib.index_array", [x], grad=False)
    G.case("index_array_axes", "contrib.index_array", [f32(2, 3, 2)], dict(axes=(2, 0)), grad=False)
    G.case("box_iou", "contrib.box_iou", [boxes(3), boxes(4, (2,))])
    G.case("box_iou_center", "contrib.box_iou", [boxes(3), boxes(2)], dict(format="center"))
    sc = rng.uniform(0, 1, size=(2, 4, 3)).astype(np.float32)
    G.case("bipartite", "contrib.bipartite_matching", [sc], dict(threshold=0.3))
    G.case("bipartite_asc_topk", "contrib.bipartite_matching", [sc], dict(threshold=0.9, is_ascend=True, topk=2))
    img = f32(2, 3, 7, 5)
    G.case("adaptive_avg", "contrib.AdaptiveAvgPooling2D", [img], dict(output_size=(3, 4)))
    G.case("adaptive_avg_1", "contrib.AdaptiveAvgPooling2D", [img])
    G.case("adaptive_avg_sq", "contrib.AdaptiveAvgPooling2D", [img], dict(output_size=2))
    G.case("resize_size", "contrib.BilinearResize2D", [img], dict(height=10, width=3), rtol=1e-4, atol=1e-5)
    G.case("resize_noalign", "contrib.BilinearResize2D", [img], dict(height=4, width=9, align_corners=False),
           rtol=1e-4, atol=1e-5)
    G.case("resize_scale", "contrib.BilinearResize2D", [img], dict(scale_height=1.5, scale_width=0.6),
           rtol=1e-4, atol=1e-5)
    G.case("resize_like", "contrib.BilinearResize2D", [img, f32(2, 3, 4, 4)], dict(mode="like"),
           grad_inputs=[0], rtol=1e-4, atol=1e-5)
    G.case("resize_odd_scale", "contrib.BilinearResize2D", [img], dict(mode="odd_scale", scale_height=2.0,
                                                                       scale_width=0.5), rtol=1e-4, atol=1e-5)
    for m in ("to_even_down", "to_even_up", "to_odd_down", "to_odd_up"):
        G.case("resize_" + m, "contrib.BilinearResize2D", [img], dict(mode=m), rtol=1e-4, atol=1e-5)


def nms_cases():
    d = np.array([[0, 0.5, 0.1, 0.1, 0.2, 0.2], [1, 0.4, 0.1, 0.1, 0.2, 0.2], [0, 0.3, 0.1, 0.1, 0.14, 0.14],
                  [0, 0.6, 0.5, 0.5, 0.7, 0.8], [2, 0.05, 0, 0, 1, 1]], np.float32)
    G.case("nms_default", "contrib.box_nms", [d], dict(overlap_thresh=0.1))
    G.case("nms_classes", "contrib.box_nms", [d], dict(overlap_thresh=0.1, id_index=0))
    G.case("nms_force_valid", "contrib.box_nms", [d], dict(overlap_thresh=0.1, valid_thresh=0.1, id_index=0,
                                                           force_suppress=True))
    G.case("nms_topk_bg", "contrib.box_nms", [d], dict(overlap_thresh=0.1, topk=3, id_index=0, background_id=0))
    G.case("nms_center_out", "contrib.box_non_maximum_suppression", [d], dict(out_format="center"))
    n = 12
    b = boxes(n, (2, 3)) / 2
    sc = rng.uniform(0, 1, size=(2, 3, n, 1)).astype(np.float32)
    cls = rng.randint(0, 3, size=(2, 3, n, 1)).astype(np.float32)
    big = np.concatenate([sc, b, cls], axis=-1)
    G.case("nms_batched", "contrib.box_nms", [big], dict(overlap_thresh=0.3, coord_start=1, score_index=0,
                                                          id_index=5, valid_thresh=0.2, topk=8))
    cen = np.concatenate([cls, sc, b[..., :2], b[..., 2:] - b[..., :2]], axis=-1)
    G.case("nms_center_in", "contrib.box_nms", [cen], dict(overlap_thresh=0.2, in_format="center", id_index=0))


def roialign_cases():
    data = f32(2, 8, 6, 7)
    rois = np.array([[0, 0.5, 0.3, 10.2, 9.1], [1, 2.4, 1.6, 13.0, 11.8], [0, 3, 3, 3.4, 3.2], [1, -3, 4, 6, 15]],
                    np.float32)
    G.case("roialign", "contrib.ROIAlign", [data, rois], dict(pooled_size=(2, 3), spatial_scale=0.5),
           grad_inputs=[0], rtol=1e-4, atol=1e-5)
    G.case("roialign_ratio_aligned", "contrib.ROIAlign", [data, rois],
           dict(pooled_size=(3, 2), spatial_scale=0.5, sample_ratio=2, aligned=True), grad_inputs=[0],
           rtol=1e-4, atol=1e-5)
    G.case("roialign_ps", "contrib.ROIAlign", [data, rois],
           dict(pooled_size=(2, 2), spatial_scale=0.6, position_sensitive=True), grad_inputs=[0],
           rtol=1e-4, atol=1e-5)


if RNN_PASS:
    rnn_cases()
    G.save()
    # the .ref wrapper (not sys.executable) keeps the repository's own mxnet off sys.path
    subprocess.run([os.path.join(ROOT, ".ref", "bin", "python"), __file__],
                   env=dict(os.environ, MXNET_MKLDNN_ENABLED="0"), check=True)
else:
    misc_cases()
    nn_extra_cases()
    pdf_cases()
    spatial_cases()
    roi_corr_cases()
    contrib_cases()
    nms_cases()
    roialign_cases()
    # equal inputs (small integers): |data1 - data2|'s gradient at a tie is +1 for data1
    G.case("corr_abs_ties", "Correlation", [rng.randint(0, 3, (2, 2, 5, 5)).astype(np.float32),
                                            rng.randint(0, 3, (2, 2, 5, 5)).astype(np.float32)],
           dict(kernel_size=3, max_displacement=2, pad_size=3, is_multiply=False))
    G.save()
