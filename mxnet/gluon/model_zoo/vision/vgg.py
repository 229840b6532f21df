"""VGG 11/13/16/19 (Simonyan & Zisserman, 2014), optionally with batch normalization."""
import os

from ....context import cpu
from ....initializer import Xavier
from ...block import HybridBlock
from ... import nn
from ...utils import data_dir

__all__ = ["VGG", "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
           "get_vgg"]

_ROOT = os.path.join(data_dir(), "models")


class VGG(HybridBlock):
    """``layers[i]`` 3x3 convolutions with ``filters[i]`` channels, then a 2x2 max-pool, for each
    stage; two 4096-unit ReLU layers with dropout and a ``classes``-way classifier."""

    def __init__(self, layers, filters, classes=1000, batch_norm=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(filters)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            for num_convs, channels in zip(layers, filters):
                for _ in range(num_convs):
                    self.features.add(nn.Conv2D(
                        channels, kernel_size=3, padding=1, bias_initializer="zeros",
                        weight_initializer=Xavier(rnd_type="gaussian", factor_type="out", magnitude=2)))
                    if batch_norm:
                        self.features.add(nn.BatchNorm())
                    self.features.add(nn.Activation("relu"))
                self.features.add(nn.MaxPool2D(strides=2))
            for _ in range(2):
                self.features.add(nn.Dense(4096, activation="relu", weight_initializer="normal",
                                           bias_initializer="zeros"))
                self.features.add(nn.Dropout(rate=0.5))
            self.output = nn.Dense(classes, weight_initializer="normal", bias_initializer="zeros")

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


vgg_spec = {11: ([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]),
            13: ([2, 2, 2, 2, 2], [64, 128, 256, 512, 512]),
            16: ([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]),
            19: ([2, 2, 4, 4, 4], [64, 128, 256, 512, 512])}


def get_vgg(num_layers, pretrained=False, ctx=cpu(), root=_ROOT, **kwargs):
    """VGG with ``num_layers`` (11, 13, 16 or 19) layers; ``batch_norm=True`` adds BatchNorm after
    each convolution; ``pretrained`` loads the ImageNet weights from (or downloads them to) ``root``."""
    layers, filters = vgg_spec[num_layers]
    net = VGG(layers, filters, **kwargs)
    if pretrained:
        from ..model_store import get_model_file
        suffix = "_bn" if kwargs.get("batch_norm") else ""
        net.load_parameters(get_model_file(f"vgg{num_layers}{suffix}", root=root), ctx=ctx)
    return net


def _variant(num_layers, batch_norm):
    def make(**kwargs):
        if batch_norm:
            kwargs["batch_norm"] = True
        return get_vgg(num_layers, **kwargs)
    make.__name__ = make.__qualname__ = f"vgg{num_layers}{'_bn' if batch_norm else ''}"
    make.__doc__ = (f"VGG-{num_layers}{' with batch normalization' if batch_norm else ''}; keyword "
                    "arguments go to :func:`get_vgg`.")
    return make


vgg11 = _variant(11, False)
vgg13 = _variant(13, False)
vgg16 = _variant(16, False)
vgg19 = _variant(19, False)
vgg11_bn = _variant(11, True)
vgg13_bn = _variant(13, True)
vgg16_bn = _variant(16, True)
vgg19_bn = _variant(19, True)
