"""Goldens for ``mx.gluon.model_zoo.vision``, recorded under real MXNet 1.9.1.

* ``structure.json.gz``: for every name ``get_model`` knows, the (structural name, full name,
  deferred shape) of each parameter, and the repr for a few of them.
* ``<case>.params`` + ``outputs.npz`` + ``cases.json``: small networks built from the zoo's
  classes, initialised with a fixed seed (BatchNorm statistics randomised so they matter),
  saved with ``save_parameters``, and their inference output on a fixed input.
Recorded with MXNet's native CPU kernels (oneDNN off).
"""
import gzip
import json
import os

os.environ["MXNET_MKLDNN_ENABLED"] = "0"

import mxnet as mx
import numpy as np
from mxnet.gluon.model_zoo import vision
from mxnet.gluon.model_zoo.vision import *  # noqa: F401,F403  (constructor expressions below)

from harness import OUT

DIR = os.path.join(OUT, "model_zoo")
NAMES = ["alexnet", "densenet121", "densenet161", "densenet169", "densenet201", "inceptionv3",
         "mobilenet0.25", "mobilenet0.5", "mobilenet0.75", "mobilenet1.0", "mobilenetv2_0.25",
         "mobilenetv2_0.5", "mobilenetv2_0.75", "mobilenetv2_1.0", "resnet101_v1", "resnet101_v2",
         "resnet152_v1", "resnet152_v2", "resnet18_v1", "resnet18_v2", "resnet34_v1", "resnet34_v2",
         "resnet50_v1", "resnet50_v2", "squeezenet1.0", "squeezenet1.1", "vgg11", "vgg11_bn", "vgg13",
         "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]
REPR_NAMES = {"resnet18_v1", "resnet50_v2", "vgg11_bn", "alexnet", "densenet121", "squeezenet1.0",
              "inceptionv3", "mobilenet1.0", "mobilenetv2_0.75"}

# (id, constructor expression, input shape)
CASES = [
    ("resnet_v1_basic", "ResNetV1(BasicBlockV1, [1, 1], [8, 8, 16], classes=10, thumbnail=True)", (1, 3, 16, 16)),
    ("resnet_v1_bottleneck", "ResNetV1(BottleneckV1, [1, 1], [8, 16, 32], classes=10)", (1, 3, 32, 32)),
    ("resnet_v2_basic", "ResNetV2(BasicBlockV2, [1, 2], [8, 8, 16], classes=10, thumbnail=True)",
     (2, 3, 16, 16)),
    ("resnet_v2_bottleneck", "ResNetV2(BottleneckV2, [1, 1], [8, 16, 32], classes=10)", (1, 3, 32, 32)),
    ("densenet_small", "DenseNet(8, 4, [2, 2], bn_size=2, classes=10)", (1, 3, 56, 56)),
    ("squeezenet1.1", "vision.get_model('squeezenet1.1', classes=10)", (1, 3, 224, 224)),
    ("mobilenet0.25", "vision.get_model('mobilenet0.25', classes=10)", (1, 3, 32, 32)),
    ("mobilenetv2_0.25", "vision.get_model('mobilenetv2_0.25', classes=10)", (1, 3, 32, 32)),
]


def randomise_norm_stats(net, rng):
    for name, p in net.collect_params().items():
        shape = p.shape
        if name.endswith("running_var"):
            p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, shape)))
        elif name.endswith(("running_mean", "beta")):
            p.set_data(mx.nd.array(rng.normal(0, 0.1, shape)))
        elif name.endswith("gamma"):
            p.set_data(mx.nd.array(rng.uniform(0.8, 1.2, shape)))


def main():
    os.makedirs(DIR, exist_ok=True)
    structure = {}
    for name in NAMES:
        with mx.name.NameManager():   # fresh counters: full names as in a new process
            net = vision.get_model(name)
        entry = {"params": [[k, p.name, list(p.shape)] for k, p in net._collect_params_with_prefix().items()]}
        if name in REPR_NAMES:
            entry["repr"] = repr(net)
        structure[name] = entry
    with gzip.open(os.path.join(DIR, "structure.json.gz"), "wt") as f:
        json.dump(structure, f)

    rng = np.random.RandomState(0)
    cases, outputs = [], {}
    for case_id, expr, shape in CASES:
        mx.random.seed(42)
        net = eval(expr)
        net.initialize(mx.init.Xavier(magnitude=2))
        # multiples of 1/16 so that the stored inputs compress well
        x = (np.round(rng.uniform(-1, 1, shape) * 16) / 16).astype(np.float32)
        net(mx.nd.array(x))   # completes deferred initialisation
        randomise_norm_stats(net, rng)
        y = net(mx.nd.array(x)).asnumpy()
        net.save_parameters(os.path.join(DIR, case_id + ".params"))
        outputs[case_id + "/x"] = x
        outputs[case_id + "/y"] = y
        cases.append({"id": case_id, "expr": expr, "repr": repr(net)})
    np.savez_compressed(os.path.join(DIR, "outputs.npz"), **outputs)
    with open(os.path.join(DIR, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
