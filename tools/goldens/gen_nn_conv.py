"""Goldens for FullyConnected, Convolution, Deconvolution, Pooling, UpSampling, im2col, col2im."""
import numpy as np

from harness import Goldens

g = Goldens("nn_conv")
r = g.rng


def a(*shape, dtype=np.float32):
    return r.normal(size=shape).astype(dtype)


# FullyConnected
g.case("fc", "FullyConnected", [a(4, 3, 2), a(5, 6), a(5)], {"num_hidden": 5})
g.case("fc_nobias", "FullyConnected", [a(4, 6), a(5, 6)], {"num_hidden": 5, "no_bias": True})
g.case("fc_noflat", "FullyConnected", [a(2, 3, 4), a(5, 4), a(5)], {"num_hidden": 5, "flatten": False})
g.case("fc_f64", "FullyConnected", [a(3, 4, dtype=np.float64), a(2, 4, dtype=np.float64),
                                    a(2, dtype=np.float64)], {"num_hidden": 2})

# Convolution
g.case("conv2d", "Convolution", [a(2, 3, 6, 6), a(4, 3, 3, 3), a(4)], {"kernel": (3, 3), "num_filter": 4})
g.case("conv2d_sp", "Convolution", [a(2, 3, 7, 6), a(4, 3, 3, 2), a(4)],
       {"kernel": (3, 2), "num_filter": 4, "stride": (2, 1), "pad": (1, 2)})
g.case("conv2d_dil", "Convolution", [a(1, 2, 8, 8), a(3, 2, 3, 3)],
       {"kernel": (3, 3), "num_filter": 3, "dilate": (2, 1), "no_bias": True, "pad": (1, 1)})
g.case("conv2d_grp", "Convolution", [a(2, 4, 5, 5), a(6, 2, 3, 3), a(6)],
       {"kernel": (3, 3), "num_filter": 6, "num_group": 2, "stride": (2, 2), "pad": (1, 1)})
g.case("conv2d_dw", "Convolution", [a(1, 3, 5, 5), a(3, 1, 3, 3), a(3)],
       {"kernel": (3, 3), "num_filter": 3, "num_group": 3, "cudnn_tune": "off", "workspace": 256})
g.case("conv1d", "Convolution", [a(2, 3, 9), a(4, 3, 3), a(4)],
       {"kernel": (3,), "num_filter": 4, "stride": (2,), "pad": (1,), "dilate": (2,)})
g.case("conv3d", "Convolution", [a(1, 2, 4, 5, 5), a(3, 2, 2, 3, 3), a(3)],
       {"kernel": (2, 3, 3), "num_filter": 3, "stride": (1, 2, 1), "pad": (0, 1, 1)})
# (NHWC convolution is GPU-only in MXNet 1.9.1; tests/test_nn_conv.py checks it against NCHW)
# (float64 convolution fails under MXNet's oneDNN build; tests/test_nn_conv.py checks it by
# finite differences and a direct sum)
g.case("conv_lenet", "Convolution", [a(2, 1, 28, 28), a(4, 1, 5, 5), a(4)],
       {"kernel": (5, 5), "num_filter": 4}, rtol=1e-4, atol=1e-4)

# Deconvolution
g.case("deconv2d", "Deconvolution", [a(2, 3, 4, 4), a(3, 2, 3, 3)], {"kernel": (3, 3), "num_filter": 2})
g.case("deconv2d_s", "Deconvolution", [a(2, 3, 4, 5), a(3, 2, 3, 3), a(2)],
       {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1), "adj": (1, 0), "no_bias": False})
g.case("deconv2d_adj", "Deconvolution", [a(1, 2, 3, 3), a(2, 2, 3, 3)],
       {"kernel": (3, 3), "num_filter": 2, "stride": (3, 3), "adj": (2, 1)})
# (target_shape fails under MXNet's oneDNN build; tests/test_nn_conv.py checks the crop it makes)
g.case("deconv2d_grp", "Deconvolution", [a(1, 4, 3, 3), a(4, 3, 2, 2), a(6)],
       {"kernel": (2, 2), "num_filter": 6, "num_group": 2, "stride": (2, 2), "dilate": (1, 2),
        "no_bias": False})
g.case("deconv1d", "Deconvolution", [a(2, 2, 5), a(2, 3, 4)],
       {"kernel": (4,), "num_filter": 3, "stride": (2,), "pad": (1,)})
g.case("deconv3d", "Deconvolution", [a(1, 2, 2, 3, 3), a(2, 2, 2, 2, 3)],
       {"kernel": (2, 2, 3), "num_filter": 2, "stride": (2, 1, 2), "pad": (0, 1, 1)})

# Pooling
# MXNet's oneDNN max-pool backward scatters random head gradients to the wrong places when run after
# other cases in one process, so those cases record the forward only; tests/test_nn_conv.py checks the
# max-pool gradients by finite differences and the first-max tie rule.
x4 = a(2, 3, 7, 7)
g.case("maxpool", "Pooling", [a(2, 3, 6, 6)], {"kernel": (2, 2), "stride": (2, 2)}, grad=False)
g.case("maxpool_ov", "Pooling", [x4], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}, grad=False)
g.case("maxpool_full", "Pooling", [x4], {"kernel": (2, 2), "stride": (2, 2), "pooling_convention": "full"},
       grad=False)
g.case("maxpool_s1", "Pooling", [a(1, 2, 5, 4)], {"kernel": (2, 3)}, grad=False)
g.case("avgpool", "Pooling", [x4], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg"})
g.case("avgpool_nopad", "Pooling", [x4],
       {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "count_include_pad": False})
g.case("avgpool_full", "Pooling", [x4],
       {"kernel": (3, 3), "stride": (3, 3), "pad": (1, 1), "pool_type": "avg", "pooling_convention": "full"})
g.case("avgpool_full_nopad", "Pooling", [x4], {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1),
                                               "pool_type": "avg", "pooling_convention": "full",
                                               "count_include_pad": False})
g.case("sumpool", "Pooling", [x4], {"kernel": (2, 3), "stride": (1, 2), "pool_type": "sum"})
g.case("lp1", "Pooling", [x4], {"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp", "p_value": 1})
g.case("lp2", "Pooling", [x4], {"kernel": (3, 3), "stride": (2, 2), "pool_type": "lp", "p_value": 2})
g.case("lp3", "Pooling", [np.abs(x4) + 0.5], {"kernel": (2, 2), "pool_type": "lp", "p_value": 3},
       rtol=1e-4, atol=1e-5)
g.case("gmax", "Pooling", [x4], {"kernel": (2, 2), "global_pool": True}, grad=False)
g.case("gavg", "Pooling", [x4], {"global_pool": True, "pool_type": "avg"})
g.case("gsum1d", "Pooling", [a(2, 3, 5)], {"global_pool": True, "pool_type": "sum", "kernel": (1,)})
g.case("glp2", "Pooling", [x4], {"global_pool": True, "pool_type": "lp", "p_value": 2})
g.case("maxpool1d", "Pooling", [a(2, 3, 9)], {"kernel": (3,), "stride": (2,), "pad": (1,)}, grad=False)
g.case("avgpool1d", "Pooling", [a(2, 3, 9)], {"kernel": (4,), "stride": (3,), "pool_type": "avg",
                                              "pooling_convention": "full"})
g.case("maxpool3d", "Pooling", [a(1, 2, 4, 5, 5)], {"kernel": (2, 2, 2), "stride": (2, 2, 2)}, grad=False)
g.case("avgpool3d", "Pooling", [a(1, 2, 4, 5, 5)],
       {"kernel": (2, 3, 3), "stride": (1, 2, 2), "pad": (0, 1, 1), "pool_type": "avg",
        "count_include_pad": False})
g.case("maxpool_nhwc", "Pooling", [a(2, 6, 6, 3)], {"kernel": (2, 2), "stride": (2, 2), "layout": "NHWC"})
g.case("avgpool_nwc", "Pooling", [a(2, 7, 3)], {"kernel": (3,), "stride": (2,), "pool_type": "avg",
                                                "layout": "NWC"})
g.case("maxpool_f64", "Pooling", [a(1, 2, 5, 5, dtype=np.float64)], {"kernel": (3, 3), "stride": (2, 2)})

# UpSampling
g.case("up_nearest", "UpSampling", [a(2, 3, 3, 4)], {"scale": 2, "sample_type": "nearest"})
g.case("up_nearest_cat", "UpSampling", [a(1, 2, 2, 2), a(1, 3, 3, 3)],
       {"scale": 3, "sample_type": "nearest", "num_args": 2})
g.case("up_nearest_sum", "UpSampling", [a(1, 2, 2, 2), a(1, 2, 1, 1)],
       {"scale": 2, "sample_type": "nearest", "num_args": 2, "multi_input_mode": "sum"})
g.case("up_bilinear", "UpSampling", [a(1, 2, 3, 3), a(2, 1, 4, 4)],
       {"scale": 2, "sample_type": "bilinear", "num_filter": 2, "num_args": 2})
g.case("up_bilinear3", "UpSampling", [a(1, 2, 3, 3), a(2, 1, 5, 5)],
       {"scale": 3, "sample_type": "bilinear", "num_filter": 2, "num_args": 2})

# im2col / col2im
g.case("im2col", "im2col", [a(2, 2, 5, 5)], {"kernel": (3, 3), "stride": (2, 1), "pad": (1, 1)})
g.case("col2im", "col2im", [a(2, 18, 15)], {"output_size": (5, 5), "kernel": (3, 3), "stride": (2, 1),
                                            "pad": (1, 1)})
g.save()
