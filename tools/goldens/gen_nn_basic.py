"""Goldens for activation, normalisation, softmax, dropout, embedding and loss operators.

Also writes tests/goldens/nn_basic_bn.npz: BatchNorm's moving statistics after a training step
(MXNet updates them in place during the backward pass)."""
import os

import mxnet as mx
import numpy as np

from harness import Goldens, OUT

g = Goldens("nn_basic")
r = g.rng
f32, f64 = np.float32, np.float64


def rn(*shape, dt=f32):
    return r.normal(size=shape).astype(dt)


x = rn(2, 3, 4)
for t in ("relu", "sigmoid", "tanh", "softrelu", "softsign"):
    g.case(f"act_{t}", "Activation", [x], {"act_type": t})
g.case("act_tanh_f64", "Activation", [rn(3, 4, dt=f64)], {"act_type": "tanh"})
for t in ("leaky", "elu", "selu", "gelu"):
    g.case(f"leaky_{t}", "LeakyReLU", [x], {"act_type": t, "slope": 0.3})
g.case("leaky_gelu_f64", "LeakyReLU", [rn(3, 4, dt=f64)], {"act_type": "gelu"})
g.case("leaky_prelu", "LeakyReLU", [x, r.uniform(0, 0.5, 3).astype(f32)], {"act_type": "prelu"})
g.case("leaky_prelu1", "LeakyReLU", [x, np.array([0.2], f32)], {"act_type": "prelu"})

for ax in (-1, 1, 0):
    g.case(f"softmax_ax{ax}", "softmax", [x], {"axis": ax})
g.case("softmax_temp", "softmax", [x], {"temperature": 2.5})
g.case("softmax_f64", "softmax", [rn(3, 5, dt=f64)], {})
g.case("softmax_dtype64", "softmax", [x], {"dtype": "float64"})
g.case("softmax_len", "softmax", [x, np.array([[1, 4, 2], [0, 3, 4]], np.int32)],
       {"use_length": True})
g.case("softmax_len_ax1", "softmax", [x, np.array([[1, 3, 2, 3], [2, 2, 1, 3]], np.int32)],
       {"use_length": True, "axis": 1})
g.case("log_softmax", "log_softmax", [x], {})
g.case("log_softmax_ax0_t", "log_softmax", [x], {"axis": 0, "temperature": 0.7})
g.case("softmin", "softmin", [x], {"axis": 1})
g.case("softmin_t", "softmin", [x], {"temperature": 3.0})
g.case("sact_instance", "SoftmaxActivation", [x], {})
g.case("sact_channel", "SoftmaxActivation", [x], {"mode": "channel"})

lab = np.array([1, 0, 3], f32)
x2 = rn(3, 4)
g.case("so_plain", "SoftmaxOutput", [x2, lab], {})
g.case("so_alias", "Softmax", [x2, lab], {"grad_scale": 2.0})
g.case("so_batch", "SoftmaxOutput", [x2, lab], {"normalization": "batch"})
g.case("so_valid_ign", "SoftmaxOutput", [x2, lab], {"normalization": "valid", "use_ignore": True,
                                                     "ignore_label": 0})
g.case("so_smooth", "SoftmaxOutput", [x2, lab], {"smooth_alpha": 0.2})
x3 = rn(2, 3, 3)
l3 = np.array([[0, 2, 1], [1, 1, 0]], f32)
g.case("so_multi", "SoftmaxOutput", [x3, l3], {"multi_output": True})
g.case("so_multi_valid", "SoftmaxOutput", [x3, l3], {"multi_output": True, "normalization": "valid",
                                                     "use_ignore": True, "ignore_label": 1})
g.case("so_multi_batch", "SoftmaxOutput", [x3, l3], {"multi_output": True, "normalization": "batch"})
g.case("so_preserve", "SoftmaxOutput", [x3, np.array([[0, 2, 1], [1, 1, 0]], f32)],
       {"preserve_shape": True, "normalization": "batch"})
g.case("so_f64", "SoftmaxOutput", [rn(3, 4, dt=f64), lab.astype(f64)], {})
for op in ("LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput"):
    g.case(f"{op}", op, [x2, rn(3, 4)], {"grad_scale": 1.5})
g.case("linreg_vec", "LinearRegressionOutput", [rn(4, 1), rn(4)], {})
g.case("sce", "softmax_cross_entropy", [x2, lab], {}, grad_inputs=[0])
g.case("smooth_l1", "smooth_l1", [x * 2], {"scalar": 1.5})
g.case("smooth_l1_f64", "smooth_l1", [rn(3, 4, dt=f64)], {"scalar": 0.8})

xc = rn(6, 2, 5)
g.case("ctc", "CTCLoss", [xc, np.array([[1, 2, 2], [3, 1, 0]], f32)], {}, grad_inputs=[0])
g.case("ctc_alias", "ctc_loss", [xc, np.array([[1, 1, 0], [4, 0, 0]], f32)], {}, grad_inputs=[0])
g.case("ctc_last", "contrib.CTCLoss", [xc, np.array([[0, 2, 2], [3, -1, -1]], f32)],
       {"blank_label": "last"}, grad_inputs=[0])
g.case("ctc_lengths", "CTCLoss", [xc, np.array([[1, 2, 3], [3, 1, 2]], f32), np.array([6, 4], f32),
                                  np.array([2, 3], f32)],
       {"use_data_lengths": True, "use_label_lengths": True}, grad_inputs=[0])

xb = rn(4, 3, 2, 2)
gam, bet = r.uniform(0.5, 1.5, 3).astype(f32), rn(3)
mm, mv = rn(3) * 0.1, r.uniform(0.5, 2, 3).astype(f32)
bn_in = [xb, gam, bet, mm, mv]
g.case("bn_train", "BatchNorm", bn_in, {"fix_gamma": False}, train=True, grad_inputs=[0, 1, 2])
g.case("bn_train_fix", "BatchNorm", bn_in, {}, train=True, grad_inputs=[0, 1, 2])
g.case("bn_train_omv", "BatchNorm", bn_in, {"fix_gamma": False, "output_mean_var": True, "eps": 1e-5},
       train=True, grad_inputs=[0, 1, 2])
g.case("bn_eval", "BatchNorm", bn_in, {"fix_gamma": False, "output_mean_var": True},
       grad_inputs=[0, 1, 2])
g.case("bn_global", "BatchNorm", bn_in, {"fix_gamma": False, "use_global_stats": True}, train=True,
       grad_inputs=[0, 1, 2])
g.case("bn_axis_last", "BatchNorm", [rn(5, 4, 3), gam, bet, mm, mv], {"fix_gamma": False, "axis": -1},
       train=True, grad_inputs=[0, 1, 2])
g.case("bn_2d_f64", "BatchNorm", [rn(6, 3, dt=f64)] + [a.astype(f64) for a in bn_in[1:]],
       {"fix_gamma": False}, train=True, grad_inputs=[0, 1, 2])

g.case("ln", "LayerNorm", [x, rn(4), rn(4)], {})
g.case("ln_ax1_omv", "LayerNorm", [x, rn(3), rn(3)], {"axis": 1, "output_mean_var": True, "eps": 1e-3})
g.case("ln_f64", "LayerNorm", [rn(3, 5, dt=f64), rn(5, dt=f64), rn(5, dt=f64)], {})
g.case("in", "InstanceNorm", [xb, rn(3), rn(3)], {})
g.case("in_eps", "InstanceNorm", [x, rn(3), rn(3)], {"eps": 1e-5})
xg = rn(2, 4, 3)
g.case("gn", "GroupNorm", [xg, rn(2), rn(2)], {"num_groups": 2})
g.case("gn_omv", "GroupNorm", [xg, rn(4), rn(4)], {"num_groups": 4, "output_mean_var": True})
g.case("gn_one", "GroupNorm", [xg, rn(1), rn(1)], {})
for mode in ("instance", "channel", "spatial"):
    g.case(f"l2_{mode}", "L2Normalization", [xb], {"mode": mode})
g.case("l2_f64", "L2Normalization", [rn(3, 4, dt=f64)], {"eps": 1e-6})
g.case("lrn", "LRN", [rn(2, 5, 2, 2)], {"nsize": 3})
g.case("lrn_params", "LRN", [rn(2, 6, 3, 1)], {"nsize": 5, "alpha": 0.01, "beta": 0.5, "knorm": 1.0})

g.case("dropout_eval", "Dropout", [x], {"p": 0.3})
g.case("dropout_p0", "Dropout", [x], {"p": 0.0, "mode": "always"}, train=True)
w = rn(6, 3)
g.case("emb", "Embedding", [np.array([[0, 5, 2], [2, 2, 1]], f32), w], {"input_dim": 6, "output_dim": 3},
       grad_inputs=[1])
g.case("emb_clip", "Embedding", [np.array([[0, 7], [-1, 3]], f32), w], {"input_dim": 6, "output_dim": 3},
       grad_inputs=[1])
g.case("emb_int_f64", "Embedding", [np.array([1, 1, 4], np.int32), w.astype(f64)],
       {"input_dim": 6, "output_dim": 3, "dtype": "float64"})
g.save()

# BatchNorm's moving statistics after forward + backward in training
bn = {}
for cid, kw in (("fix", {}), ("nofix", {"fix_gamma": False, "momentum": 0.8}),
                ("axis", {"fix_gamma": False, "axis": -1, "momentum": 0.7})):
    data = xb if cid != "axis" else rn(5, 4, 3)
    arrs = [mx.nd.array(a) for a in [data, gam, bet, mm, mv]]
    arrs[0].attach_grad()
    with mx.autograd.record():
        out = mx.nd.BatchNorm(*arrs, **kw)
    out.backward()
    bn[f"{cid}/in"] = data
    bn[f"{cid}/gamma_after"] = arrs[1].asnumpy()
    bn[f"{cid}/mean_after"] = arrs[3].asnumpy()
    bn[f"{cid}/var_after"] = arrs[4].asnumpy()
    bn[f"{cid}/kwargs"] = np.array(repr(kw))
    bn["gamma"], bn["beta"], bn["mm"], bn["mv"] = gam, bet, mm, mv
np.savez_compressed(os.path.join(OUT, "nn_basic_bn.npz"), **bn)
