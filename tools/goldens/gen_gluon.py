"""Goldens for Gluon layers and losses, recorded under real MXNet 1.9.1.

Each case is a constructor expression evaluated in both runtimes, its inputs,
its parameters (saved with ``save_parameters``, so loading them here also tests
MXNet's file format), outputs, and the gradients of inputs and parameters.
Recorded with MXNet's native CPU kernels: the oneDNN max-pooling backward of the
1.9.1 wheel returns wrong gradients once other operators have run in the process.
"""
import json
import os

os.environ["MXNET_MKLDNN_ENABLED"] = "0"

import mxnet as mx
import numpy as np
from mxnet import gluon, autograd  # noqa: F401
from mxnet.gluon import nn  # noqa: F401

from harness import OUT

DIR = os.path.join(OUT, "gluon")
rng = np.random.RandomState(7)

# (id, constructor, [input shapes or ("int", shape, high) for integer inputs], train_mode)
LAYERS = [
    ("dense", "nn.Dense(4, in_units=5)", [(3, 5)], False),
    ("dense_act_noflat", "nn.Dense(4, activation='tanh', flatten=False, in_units=5)", [(2, 3, 5)], False),
    ("dense_nobias", "nn.Dense(3, use_bias=False, in_units=6)", [(2, 2, 3)], False),
    ("conv1d", "nn.Conv1D(3, 3, in_channels=2, strides=2, padding=1)", [(2, 2, 9)], False),
    ("conv2d", "nn.Conv2D(4, 3, in_channels=2, padding=1, activation='relu')", [(2, 2, 6, 6)], False),
    ("conv2d_group", "nn.Conv2D(4, (3, 2), in_channels=4, strides=(2, 1), dilation=(1, 2), groups=2)",
     [(2, 4, 7, 7)], False),
    ("conv3d", "nn.Conv3D(2, 2, in_channels=2)", [(1, 2, 4, 4, 4)], False),
    ("conv2dT", "nn.Conv2DTranspose(3, 3, in_channels=2, strides=2, padding=1, output_padding=1)",
     [(2, 2, 4, 4)], False),
    ("conv1dT", "nn.Conv1DTranspose(2, 3, in_channels=3)", [(2, 3, 5)], False),
    ("maxpool2d", "nn.MaxPool2D(3, 2, 1, ceil_mode=True)", [(2, 2, 7, 7)], False),
    ("avgpool2d", "nn.AvgPool2D(2, count_include_pad=False, padding=1)", [(2, 2, 5, 5)], False),
    ("avgpool1d", "nn.AvgPool1D(3, 2)", [(2, 2, 9)], False),
    ("maxpool3d", "nn.MaxPool3D(2)", [(1, 2, 4, 4, 4)], False),
    ("gmaxpool2d", "nn.GlobalMaxPool2D()", [(2, 3, 4, 5)], False),
    ("gavgpool1d", "nn.GlobalAvgPool1D()", [(2, 3, 6)], False),
    ("batchnorm_train", "nn.BatchNorm(in_channels=3)", [(4, 3, 2, 2)], True),
    ("batchnorm_eval", "nn.BatchNorm(in_channels=3, scale=False)", [(4, 3, 2, 2)], False),
    ("batchnorm_axis", "nn.BatchNorm(axis=-1, in_channels=3, momentum=0.5)", [(4, 2, 3)], True),
    ("instancenorm", "nn.InstanceNorm(in_channels=3, scale=True)", [(2, 3, 5)], False),
    ("layernorm", "nn.LayerNorm(in_channels=4)", [(3, 4)], False),
    ("groupnorm", "nn.GroupNorm(num_groups=2)", [(2, 4, 3)], False),
    ("embedding", "nn.Embedding(10, 4)", [("int", (2, 3), 10)], False),
    ("flatten", "nn.Flatten()", [(2, 3, 4)], False),
    ("activation_sigmoid", "nn.Activation('sigmoid')", [(3, 4)], False),
    ("activation_softrelu", "nn.Activation('softrelu')", [(3, 4)], False),
    ("leakyrelu", "nn.LeakyReLU(0.1)", [(3, 4)], False),
    ("prelu", "nn.PReLU()", [(3, 4)], False),
    ("elu", "nn.ELU(0.5)", [(3, 4)], False),
    ("selu", "nn.SELU()", [(3, 4)], False),
    ("gelu", "nn.GELU()", [(3, 4)], False),
    ("swish", "nn.Swish(1.5)", [(3, 4)], False),
    ("reflectionpad", "nn.ReflectionPad2D(1)", [(1, 2, 3, 3)], False),
    ("loss_l2", "gluon.loss.L2Loss()", [(3, 4), (3, 4)], False),
    ("loss_l1", "gluon.loss.L1Loss(weight=0.5)", [(3, 4), (3, 4)], False),
    ("loss_sce", "gluon.loss.SoftmaxCrossEntropyLoss()", [(4, 5), ("int", (4,), 5)], False),
    ("loss_sce_dense", "gluon.loss.SoftmaxCrossEntropyLoss(sparse_label=False, axis=1)",
     [(4, 5), ("prob", (4, 5))], False),
    ("loss_sigbce", "gluon.loss.SigmoidBinaryCrossEntropyLoss()", [(4, 3), ("bin", (4, 3))], False),
    ("loss_sigbce_p", "gluon.loss.SigmoidBinaryCrossEntropyLoss(from_sigmoid=True)",
     [("prob", (4, 3)), ("bin", (4, 3))], False),
    ("loss_kl", "gluon.loss.KLDivLoss(from_logits=False)", [(3, 4), ("prob", (3, 4))], False),
    ("loss_huber", "gluon.loss.HuberLoss(rho=0.5)", [(3, 4), (3, 4)], False),
    ("loss_hinge", "gluon.loss.HingeLoss()", [(3, 4), ("sign", (3, 4))], False),
    ("loss_sqhinge", "gluon.loss.SquaredHingeLoss(margin=2)", [(3, 4), ("sign", (3, 4))], False),
    ("loss_logistic", "gluon.loss.LogisticLoss()", [(3, 4), ("sign", (3, 4))], False),
    ("loss_logistic_bin", "gluon.loss.LogisticLoss(label_format='binary')", [(3, 4), ("bin", (3, 4))], False),
    ("loss_triplet", "gluon.loss.TripletLoss(margin=0.5)", [(3, 4), (3, 4), (3, 4)], False),
    ("loss_poisson", "gluon.loss.PoissonNLLLoss()", [(3, 4), ("prob", (3, 4))], False),
    ("loss_poisson_full", "gluon.loss.PoissonNLLLoss(from_logits=False)",
     [("prob", (3, 4)), ("count", (3, 4))], False),
    ("loss_cosine", "gluon.loss.CosineEmbeddingLoss(margin=0.2)", [(4, 5), (4, 5), ("sign", (4,))], False),
    ("loss_sdml", "gluon.loss.SDMLLoss()", [(4, 5), (4, 5)], False),
    ("loss_ctc", "gluon.loss.CTCLoss()", [(2, 6, 4), ("ctc", (2, 3), 3)], False),
]


def make_input(spec):
    if spec[0] == "int":
        return rng.randint(0, spec[2], size=spec[1]).astype(np.float32)
    if spec[0] == "prob":
        p = rng.uniform(0.05, 1, size=spec[1]).astype(np.float32)
        return p / p.sum(axis=-1, keepdims=True) if len(spec[1]) > 1 else p
    if spec[0] == "bin":
        return rng.randint(0, 2, size=spec[1]).astype(np.float32)
    if spec[0] == "sign":
        return (rng.randint(0, 2, size=spec[1]) * 2 - 1).astype(np.float32)
    if spec[0] == "count":
        return rng.randint(0, 5, size=spec[1]).astype(np.float32)
    if spec[0] == "ctc":
        return rng.randint(0, spec[2], size=spec[1]).astype(np.float32)
    return rng.normal(size=spec).astype(np.float32)


def main():
    os.makedirs(DIR, exist_ok=True)
    arrays, cases = {}, []
    for cid, ctor, specs, train in LAYERS:
        mx.random.seed(1)
        block = eval(ctor)
        block.initialize(mx.init.Uniform(0.5))
        ins = [make_input(s) for s in specs]
        xs = [mx.nd.array(a) for a in ins]
        float_in = [i == 0 and s[0] != "int" or not isinstance(s[0], str) for i, s in enumerate(specs)]
        for x, f in zip(xs, float_in):
            if f:
                x.attach_grad()
        block(*xs)  # finish deferred initialisation
        # fresh parameter values, saved before the recorded run
        for p in block.collect_params().values():
            p.set_data(mx.nd.array(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32)))
            if p.name.endswith(("running_var", "moving_var")):
                p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, size=p.shape).astype(np.float32)))
        block.save_parameters(os.path.join(DIR, f"{cid}.params"))
        with autograd.record(train_mode=train):
            out = block(*xs)
        head = rng.normal(size=out.shape).astype(np.float32)
        out.backward(mx.nd.array(head))
        for i, a in enumerate(ins):
            arrays[f"{cid}/in{i}"] = a
        arrays[f"{cid}/out"] = out.asnumpy()
        arrays[f"{cid}/head"] = head
        for i, (x, f) in enumerate(zip(xs, float_in)):
            if f:
                arrays[f"{cid}/grad_in{i}"] = x.grad.asnumpy()
        for name, p in block._collect_params_with_prefix().items():
            if p.grad_req != "null":
                arrays[f"{cid}/grad_{name}"] = p.grad().asnumpy()
            arrays[f"{cid}/after_{name}"] = p.data().asnumpy()
        cases.append({"id": cid, "ctor": ctor, "train": train, "float_in": float_in, "repr": repr(block)})
    np.savez_compressed(os.path.join(DIR, "layers.npz"), **arrays)
    with open(os.path.join(DIR, "layers.json"), "w") as f:
        json.dump(cases, f, indent=1)
    print(f"gluon: {len(cases)} layer cases")


if __name__ == "__main__":
    main()
