"""The benchmark workloads written once against the Gluon API.

The same file runs under mxnext and under real MXNet 1.9.1 (whichever ``mxnet`` the interpreter
imports), so both frameworks execute identical model code.  ``setup(name, hybrid)`` returns a
zero-argument callable doing one complete, synchronised step of the workload.
"""
import os

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon import nn


def lenet():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, 5, activation="tanh"), nn.MaxPool2D(2, 2),
            nn.Conv2D(50, 5, activation="tanh"), nn.MaxPool2D(2, 2),
            nn.Dense(500, activation="tanh"), nn.Dense(10))
    return net


def mlp():
    net = nn.HybridSequential()
    net.add(nn.Dense(512, activation="relu"), nn.Dense(512, activation="relu"), nn.Dense(10))
    return net


class BasicBlock(gluon.HybridBlock):
    """ResNet v1 basic block; a strided 1x1 convolution matches shapes when they change."""

    def __init__(self, channels, stride, in_channels, **kwargs):
        super().__init__(**kwargs)
        self.body = nn.HybridSequential()
        self.body.add(nn.Conv2D(channels, 3, stride, 1, use_bias=False, in_channels=in_channels),
                      nn.BatchNorm(in_channels=channels), nn.Activation("relu"),
                      nn.Conv2D(channels, 3, 1, 1, use_bias=False, in_channels=channels),
                      nn.BatchNorm(in_channels=channels))
        self.down = None
        if stride != 1 or channels != in_channels:
            self.down = nn.HybridSequential()
            self.down.add(nn.Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels),
                          nn.BatchNorm(in_channels=channels))

    def hybrid_forward(self, F, x):
        shortcut = x if self.down is None else self.down(x)
        return F.Activation(self.body(x) + shortcut, act_type="relu")


def resnet20():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(16, 3, 1, 1, use_bias=False, in_channels=3), nn.BatchNorm(in_channels=16),
            nn.Activation("relu"))
    in_ch = 16
    for stage, ch in enumerate((16, 32, 64)):
        for i in range(3):
            net.add(BasicBlock(ch, 2 if stage and not i else 1, in_ch))
            in_ch = ch
    net.add(nn.GlobalAvgPool2D(), nn.Dense(10, in_units=64))
    return net


class LSTMLM(gluon.HybridBlock):
    def __init__(self, vocab=10000, hidden=200, **kwargs):
        super().__init__(**kwargs)
        self.embed = nn.Embedding(vocab, hidden)
        self.lstm = gluon.rnn.LSTM(hidden, num_layers=2, layout="TNC", input_size=hidden)
        self.out = nn.Dense(vocab, flatten=False, in_units=hidden)

    def hybrid_forward(self, F, x):
        return self.out(self.lstm(self.embed(x)))


# name -> (model builder, data shape, label shape, number of classes)
TRAIN = {
    "lenet_train": (lenet, (128, 1, 28, 28), (128,), 10),
    "mlp_train": (mlp, (256, 784), (256,), 10),
    "resnet20_train": (resnet20, (32, 3, 32, 32), (32,), 10),
    "lstm_train": (LSTMLM, (35, 20), (35, 20), 10000),
}


def _data(shape, classes, label_shape):
    r = np.random.RandomState(0)
    if classes == 10000:  # token ids for the language model
        x = r.randint(0, classes, size=shape).astype(np.float32)
    else:
        x = r.normal(size=shape).astype(np.float32)
    y = r.randint(0, classes, size=label_shape).astype(np.float32)
    return mx.nd.array(x), mx.nd.array(y)


IMAGES = 16  # images per step of the image-pipeline workloads
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _jpegs():
    """The encoded JPEGs of the image-pipeline workloads, from the folder ``run.py`` wrote
    (``MXNEXT_BENCH_IMAGES``)."""
    folder = os.environ["MXNEXT_BENCH_IMAGES"]
    names = sorted(os.listdir(folder))[:IMAGES]
    bufs = []
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            bufs.append(f.read())
    return bufs


def image_pipeline(name):
    """Decode, resize, random crop, flip and normalise IMAGES JPEGs into a (16, 3, 224, 224) batch:
    with ``mx.image``'s augmenters as ``ImageIter`` applies them, or with Gluon's transforms as a
    DataLoader's ``transform_first`` does."""
    import random
    random.seed(0)
    bufs = _jpegs()
    if name == "image_augmenters":
        augs = mx.image.CreateAugmenter((3, 224, 224), resize=256, rand_crop=True, rand_mirror=True,
                                        mean=True, std=True)

        def one(buf):
            img = mx.image.imdecode(buf)
            for aug in augs:
                img = aug(img)
            return mx.nd.transpose(img, axes=(2, 0, 1))
    else:
        from mxnet.gluon.data.vision import transforms as T
        t = T.Compose([T.RandomResizedCrop(224), T.RandomFlipLeftRight(), T.ToTensor(), T.Normalize(MEAN, STD)])

        def one(buf):
            return t(mx.image.imdecode(buf))

    def step():
        mx.nd.stack(*[one(b) for b in bufs]).wait_to_read()
    return step


# model-zoo inference workloads: run.py's name -> (gluon.model_zoo.vision name, image side)
ZOO = {"resnet18_v1": ("resnet18_v1", 224), "resnet50_v1": ("resnet50_v1", 224),
       "mobilenet_v2_1_0": ("mobilenetv2_1.0", 224), "mobilenet1_0": ("mobilenet1.0", 224),
       "densenet121": ("densenet121", 224), "inception_v3": ("inceptionv3", 299),
       "squeezenet1_1": ("squeezenet1.1", 224), "vgg11": ("vgg11", 224)}


def zoo_infer(name, hybrid):
    """``zoo_<model>_b<batch>``: inference of a randomly initialised model-zoo network on a
    random batch (no pre-trained weights: the time does not depend on them)."""
    from mxnet.gluon.model_zoo import vision
    model, batch = name[4:].rsplit("_b", 1)
    zoo_name, side = ZOO[model]
    net = vision.get_model(zoo_name, pretrained=False)
    net.initialize(mx.init.Xavier())
    _hybridize(net, hybrid)
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, size=(int(batch), 3, side, side)).astype(np.float32))

    def infer():
        net(x).wait_to_read()
    return infer


def _hybridize(block, hybrid):
    if hybrid:
        block.hybridize(static_alloc=True, static_shape=True)


def setup(name, hybrid):
    """One synchronised step of workload ``name`` (training step or batch-1 inference)."""
    mx.random.seed(0)
    if name.startswith("image_"):  # no network: eager and hybridized are the same code
        return image_pipeline(name)
    if name.startswith("zoo_"):
        return zoo_infer(name, hybrid)
    if name == "lenet_infer":
        net = lenet()
        net.initialize(mx.init.Xavier())
        _hybridize(net, hybrid)
        x = mx.nd.array(np.random.RandomState(0).normal(size=(1, 1, 28, 28)).astype(np.float32))

        def infer():
            net(x).wait_to_read()
        return infer
    build, shape, label_shape, classes = TRAIN[name]
    net = build()
    net.initialize(mx.init.Xavier())
    _hybridize(net, hybrid)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    _hybridize(loss_fn, hybrid)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})
    x, y = _data(shape, classes, label_shape)
    batch = shape[1] if name == "lstm_train" else shape[0]

    def step():
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(batch)
        mx.nd.waitall()
    return step
