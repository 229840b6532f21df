"""The benchmark workloads in PyTorch (the same layers, loss and plain SGD as ``models_gluon``)."""
import torch
from torch import nn
from torch.nn import functional as F


def lenet():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.Tanh(), nn.MaxPool2d(2, 2),
                         nn.Conv2d(20, 50, 5), nn.Tanh(), nn.MaxPool2d(2, 2), nn.Flatten(),
                         nn.Linear(800, 500), nn.Tanh(), nn.Linear(500, 10))


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


class BasicBlock(nn.Module):
    def __init__(self, channels, stride, in_channels):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(in_channels, channels, 3, stride, 1, bias=False),
                                  nn.BatchNorm2d(channels), nn.ReLU(),
                                  nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(channels))
        self.down = None
        if stride != 1 or channels != in_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, channels, 1, stride, bias=False),
                                      nn.BatchNorm2d(channels))

    def forward(self, x):
        shortcut = x if self.down is None else self.down(x)
        return F.relu(self.body(x) + shortcut)


def resnet20():
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    in_ch = 16
    for stage, ch in enumerate((16, 32, 64)):
        for i in range(3):
            layers.append(BasicBlock(ch, 2 if stage and not i else 1, in_ch))
            in_ch = ch
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


class LSTMLM(nn.Module):
    def __init__(self, vocab=10000, hidden=200):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.lstm = nn.LSTM(hidden, hidden, num_layers=2)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x):
        return self.out(self.lstm(self.embed(x))[0])


TRAIN = {
    "lenet_train": (lenet, (128, 1, 28, 28), (128,), 10),
    "mlp_train": (mlp, (256, 784), (256,), 10),
    "resnet20_train": (resnet20, (32, 3, 32, 32), (32,), 10),
    "lstm_train": (LSTMLM, (35, 20), (35, 20), 10000),
}


def mobilenet_v1(multiplier=1.0, classes=1000):
    """MobileNet v1 (Gluon's ``mobilenet1.0``; torchvision has none): depthwise-separable blocks."""
    def conv(cin, cout, k, stride, groups=1):
        return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True)]
    widths = [int(c * multiplier) for c in (32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024)]
    strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
    layers = conv(3, widths[0], 3, 2)
    for cin, cout, stride in zip(widths[:-1], widths[1:], strides):
        layers += conv(cin, cin, 3, stride, groups=cin) + conv(cin, cout, 1, 1)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], classes))


# run.py's model-zoo names -> torchvision constructors (random weights) and image side
def _zoo(model):
    import sys
    import types
    # PyPI's torchvision wheel is built against CUDA torch; with the CPU torch its C operators
    # (nms, roi_align, ...) do not load and registering their meta kernels fails at import.
    # The classification models need none of them.
    for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
        sys.modules.setdefault(name, types.ModuleType(name))
    from torchvision import models
    return {"resnet18_v1": (models.resnet18, 224), "resnet50_v1": (models.resnet50, 224),
            "mobilenet_v2_1_0": (models.mobilenet_v2, 224), "mobilenet1_0": (mobilenet_v1, 224),
            "densenet121": (models.densenet121, 224),
            "inception_v3": (lambda: models.inception_v3(aux_logits=False, init_weights=False), 299),
            "squeezenet1_1": (models.squeezenet1_1, 224), "vgg11": (models.vgg11, 224)}[model]


def setup(name, hybrid):
    """One step of workload ``name``; ``hybrid`` is unused (eager only)."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    if name.startswith("zoo_"):
        model, batch = name[4:].rsplit("_b", 1)
        build, side = _zoo(model)
        net = build().eval()
        x = torch.rand(int(batch), 3, side, side, generator=g) * 2 - 1

        def infer():
            with torch.no_grad():
                net(x)
        return infer
    if name == "lenet_infer":
        net = lenet().eval()
        x = torch.randn(1, 1, 28, 28, generator=g)

        def infer():
            with torch.no_grad():
                net(x)
        return infer
    build, shape, label_shape, classes = TRAIN[name]
    net = build()
    if classes == 10000:
        x = torch.randint(0, classes, shape, generator=g)
    else:
        x = torch.randn(*shape, generator=g)
    y = torch.randint(0, classes, label_shape, generator=g)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x).reshape(-1, classes), y.reshape(-1))
        loss.backward()
        opt.step()
    return step
