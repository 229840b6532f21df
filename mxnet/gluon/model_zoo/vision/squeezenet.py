"""SqueezeNet 1.0 and 1.1 (Iandola et al., 2016)."""
import os

from ....context import cpu
from ...block import HybridBlock
from ... import nn
from ...contrib.nn import HybridConcurrent
from ...utils import data_dir

__all__ = ["SqueezeNet", "squeezenet1_0", "squeezenet1_1"]

_ROOT = os.path.join(data_dir(), "models")


def _conv_relu(channels, kernel_size, padding=0):
    out = nn.HybridSequential(prefix="")
    out.add(nn.Conv2D(channels, kernel_size, padding=padding), nn.Activation("relu"))
    return out


def _fire(squeeze_channels, expand1x1_channels, expand3x3_channels):
    """Fire module: a 1x1 squeeze, then 1x1 and 3x3 expansions concatenated on channels."""
    out = nn.HybridSequential(prefix="")
    out.add(_conv_relu(squeeze_channels, 1))
    paths = HybridConcurrent(axis=1, prefix="")
    paths.add(_conv_relu(expand1x1_channels, 1), _conv_relu(expand3x3_channels, 3, 1))
    out.add(paths)
    return out


class SqueezeNet(HybridBlock):
    """SqueezeNet ``version`` '1.0' or '1.1'; the final 13x13 average pool expects 224x224 inputs."""

    def __init__(self, version, classes=1000, **kwargs):
        super().__init__(**kwargs)
        assert version in ["1.0", "1.1"], f"Unsupported SqueezeNet version {version}:1.0 or 1.1 expected"
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            f = self.features
            if version == "1.0":
                f.add(nn.Conv2D(96, kernel_size=7, strides=2), nn.Activation("relu"),
                      nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True),
                      _fire(16, 64, 64), _fire(16, 64, 64), _fire(32, 128, 128),
                      nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True),
                      _fire(32, 128, 128), _fire(48, 192, 192), _fire(48, 192, 192), _fire(64, 256, 256),
                      nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True),
                      _fire(64, 256, 256))
            else:
                f.add(nn.Conv2D(64, kernel_size=3, strides=2), nn.Activation("relu"),
                      nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True),
                      _fire(16, 64, 64), _fire(16, 64, 64),
                      nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True),
                      _fire(32, 128, 128), _fire(32, 128, 128),
                      nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True),
                      _fire(48, 192, 192), _fire(48, 192, 192), _fire(64, 256, 256), _fire(64, 256, 256))
            f.add(nn.Dropout(0.5))
            self.output = nn.HybridSequential(prefix="")
            self.output.add(nn.Conv2D(classes, kernel_size=1), nn.Activation("relu"),
                            nn.AvgPool2D(13), nn.Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_squeezenet(version, pretrained=False, ctx=cpu(), root=_ROOT, **kwargs):
    """SqueezeNet ``version`` ('1.0' or '1.1'); ``pretrained`` loads the ImageNet weights from (or
    downloads them to) ``root``."""
    net = SqueezeNet(version, **kwargs)
    if pretrained:
        from ..model_store import get_model_file
        net.load_parameters(get_model_file(f"squeezenet{version}", root=root), ctx=ctx)
    return net


def squeezenet1_0(**kwargs):
    """SqueezeNet 1.0; keyword arguments go to :func:`get_squeezenet`."""
    return get_squeezenet("1.0", **kwargs)


def squeezenet1_1(**kwargs):
    """SqueezeNet 1.1 (fewer operations than 1.0 at similar accuracy); see :func:`get_squeezenet`."""
    return get_squeezenet("1.1", **kwargs)
