"""The d2l.ai book's MXNet helpers (``d2l==1.0.3``, ``d2l/mxnet.py``) run end to end on mxnext, offline:
linear regression from scratch and with Gluon, the book's object-oriented Module/Trainer API,
softmax regression, an MLP and LeNet trained on a slice of the real MNIST (read from
$MXNET_HOME/datasets/mnist, copies of ../shared/data/mnist), and the plotting helpers on a
headless matplotlib backend. d2l pins old dependencies, so it is installed with ``--no-deps``."""
import functools
import io
import os
import random

import numpy as onp
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
d2l = pytest.importorskip("d2l.mxnet", reason="needs d2l==1.0.3 (pip install d2l==1.0.3 --no-deps)")

import mxnet as mx  # noqa: E402
from mxnet import autograd, gluon, init, np, npx  # noqa: E402
from mxnet.gluon import nn  # noqa: E402
from mxnet.gluon.data.vision import transforms  # noqa: E402



class _Display:
    """Stands in for IPython.display: counts the figures d2l would show, renders nothing."""

    def __init__(self):
        self.shown = 0

    def display(self, fig):
        assert isinstance(fig, d2l.plt.Figure)
        self.shown += 1

    def clear_output(self, wait=False):
        pass


@pytest.fixture(autouse=True)
def np_mode(monkeypatch):
    """The book runs everything under ``npx.set_np()``; seed every generator it draws from."""
    monkeypatch.setattr(d2l, "display", _Display())
    npx.set_np()
    mx.random.seed(0)
    onp.random.seed(0)
    random.seed(0)
    yield
    npx.reset_np()
    d2l.plt.close("all")


@functools.lru_cache(maxsize=2)
def _mnist(train):
    return gluon.data.vision.MNIST(train=train)


def _mnist_slice(train, n):
    """``n`` samples of MNIST as the book's loaders see them (mx.np arrays under set_np)."""
    ds = _mnist(train)
    idx = onp.random.RandomState(1 if train else 2).permutation(len(ds))[:n]
    return gluon.data.SimpleDataset([ds[int(i)] for i in idx])


def _loaders(n_train, n_test, batch_size):
    trans = transforms.ToTensor()
    train = gluon.data.DataLoader(_mnist_slice(True, n_train).transform_first(trans), batch_size,
                                  shuffle=True)
    test = gluon.data.DataLoader(_mnist_slice(False, n_test).transform_first(trans), 250)
    return train, test


def test_import_devices_and_aliases():
    assert d2l.np is mx.np and d2l.npx is mx.npx and d2l.image is mx.image
    assert d2l.cpu() == mx.cpu() and d2l.num_gpus() == 0
    assert d2l.try_gpu() == mx.cpu() and d2l.try_all_gpus() == []
    x = d2l.reshape(d2l.arange(6, dtype="float32"), (2, 3))
    assert isinstance(x, np.ndarray)
    assert float(d2l.reduce_sum(x)) == 15.0
    onp.testing.assert_array_equal(d2l.numpy(d2l.argmax(x, axis=1)), [2, 2])
    onp.testing.assert_allclose(d2l.numpy(d2l.matmul(x, d2l.transpose(x))), [[5, 14], [14, 50]])
    assert d2l.size(x) == 6 and d2l.astype(x, "int32").dtype == onp.int32
    acc = d2l.Accumulator(2)
    acc.add(np.array(3.0), 4)
    acc.add(1, 2.5)
    assert acc[0] == 4.0 and acc[1] == 6.5
    y_hat = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert d2l.accuracy(y_hat, np.array([1, 0, 0])) == 2.0


def test_linear_regression_from_scratch():
    true_w, true_b = np.array([2, -3.4]), 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, 1000)
    assert features.shape == (1000, 2) and labels.shape == (1000, 1)
    assert features.dtype == onp.float32
    w = np.random.normal(0, 0.01, (2, 1))
    b = np.zeros(1)
    w.attach_grad()
    b.attach_grad()
    for _ in range(3):
        for X, y in d2l.load_array((features, labels), 10):
            with autograd.record():
                loss = d2l.squared_loss(d2l.linreg(X, w, b), y)
            loss.backward()
            d2l.sgd([w, b], 0.03, 10)
    final = float(d2l.squared_loss(d2l.linreg(features, w, b), labels).mean())
    assert final < 1e-4, final
    onp.testing.assert_allclose(w.asnumpy().ravel(), [2, -3.4], atol=0.01)
    onp.testing.assert_allclose(b.asnumpy(), [4.2], atol=0.01)


def test_linear_regression_gluon():
    features, labels = d2l.synthetic_data(np.array([2, -3.4]), 4.2, 1000)
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize(init.Normal(sigma=0.01))
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.03})
    for _ in range(3):
        for X, y in d2l.load_array((features, labels), 10):
            with autograd.record():
                batch_loss = loss(net(X), y)
            batch_loss.backward()
            trainer.step(10)
    assert float(loss(net(features), labels).mean()) < 1e-4
    onp.testing.assert_allclose(net[0].weight.data().asnumpy(), [[2, -3.4]], atol=0.01)
    onp.testing.assert_allclose(net[0].bias.data().asnumpy(), [4.2], atol=0.01)


def test_module_trainer_api_linear_regression():
    """The book's object-oriented API: DataModule, Module, Trainer and the ProgressBoard plots."""
    data = d2l.SyntheticRegressionData(w=np.array([2, -3.4]), b=4.2)
    scratch = d2l.LinearRegressionScratch(2, lr=0.03)
    d2l.Trainer(max_epochs=3).fit(scratch, data)
    onp.testing.assert_allclose(scratch.w.asnumpy().ravel(), [2, -3.4], atol=0.3)
    concise = d2l.LinearRegression(lr=0.03)
    d2l.Trainer(max_epochs=3).fit(concise, data)
    w, b = concise.get_w_b()
    onp.testing.assert_allclose(w.asnumpy(), [[2, -3.4]], atol=0.3)
    onp.testing.assert_allclose(b.asnumpy(), [4.2], atol=0.3)
    val = [float(p.y) for p in concise.board.data["val_loss"]]
    assert len(val) == 3 and val[-1] < val[0] and val[-1] < 0.1, val


class _MNISTData(d2l.DataModule):
    """``d2l.FashionMNIST``'s loaders on an MNIST slice (Fashion-MNIST needs a download)."""

    def __init__(self, batch_size=64, n_train=2000, n_val=500):
        super().__init__()
        self.save_hyperparameters()
        trans = transforms.ToTensor()
        self.train = _mnist_slice(True, n_train).transform_first(trans)
        self.val = _mnist_slice(False, n_val).transform_first(trans)

    def get_dataloader(self, train):
        return gluon.data.DataLoader(self.train if train else self.val, self.batch_size, shuffle=train)


def test_softmax_regression_module(mnist_home):
    data = _MNISTData()
    model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
    d2l.Trainer(max_epochs=2).fit(model, data)
    X, y = next(iter(data.get_dataloader(False)))
    assert isinstance(X, np.ndarray) and X.shape == (64, 1, 28, 28)
    acc = float(model.accuracy(model(X), y))
    assert acc >= 0.8, acc
    assert model.board.data["val_acc"][-1].y >= 0.8


def test_mlp_with_accumulator_and_evaluate_accuracy(mnist_home):
    train_iter, test_iter = _loaders(2000, 500, 64)
    net = nn.Sequential()
    net.add(nn.Dense(256, activation="relu"), nn.Dense(10))
    net.initialize(init.Normal(sigma=0.01))
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.3})
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 3], legend=["train loss", "train acc", "test acc"])
    timer = d2l.Timer()
    for epoch in range(3):
        metric = d2l.Accumulator(3)
        for X, y in train_iter:
            with autograd.record():
                y_hat = net(X)
                batch_loss = loss(y_hat, y)
            batch_loss.backward()
            trainer.step(X.shape[0])
            metric.add(batch_loss.sum(), d2l.accuracy(y_hat, y), d2l.size(y))
        test_acc = d2l.evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (metric[0] / metric[2], metric[1] / metric[2], test_acc))
    timer.stop()
    assert metric[2] == 2000 and metric[0] / metric[2] < 0.6
    assert test_acc >= 0.8, test_acc
    assert timer.sum() > 0 and len(timer.cumsum()) == 1
    assert [len(line) for line in animator.Y] == [3, 3, 3]
    assert animator.Y[2][-1] == test_acc and d2l.display.shown == 3


def test_lenet_train_ch6(mnist_home, capsys):
    """``d2l.train_ch6`` (Xavier init, SGD, Animator, ``evaluate_accuracy_gpu``) on the book's
    LeNet layout with ReLU (the sigmoid original needs far more steps than a fast test has)."""
    train_iter, test_iter = _loaders(2000, 500, 32)
    net = nn.Sequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, padding=2, activation="relu"),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=5, activation="relu"),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation="relu"), nn.Dense(84, activation="relu"), nn.Dense(10))
    d2l.train_ch6(net, train_iter, test_iter, 2, 0.1, d2l.try_gpu())
    out = capsys.readouterr().out
    test_acc = float(out.split("test acc ")[1].split()[0])
    assert test_acc >= 0.7, out[-200:]
    assert d2l.evaluate_accuracy_gpu(net, test_iter) == pytest.approx(test_acc, abs=1e-3)


def test_plot_helpers_headless():
    x = d2l.arange(0, 3, 0.1)
    d2l.set_figsize((4, 3))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (4, 3)
    d2l.plot(x, [x ** 2, 2 * x - 3], "x", "f(x)", legend=["f", "tangent"])
    ax = d2l.plt.gca()
    lines = ax.get_lines()
    assert len(lines) == 2 and ax.get_xlabel() == "x"
    onp.testing.assert_allclose(lines[0].get_ydata(), (x ** 2).asnumpy(), rtol=1e-6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "tangent"]
    buf = io.BytesIO()
    d2l.plt.gcf().savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    axes = d2l.show_images(np.random.uniform(size=(4, 5, 5)), 2, 2, titles=list("abcd"))
    assert [a.get_title() for a in axes] == list("abcd")


def test_image_crops_used_by_the_book():
    """``d2l.voc_rand_crop`` crops an image and its label map at the same random box."""
    feature = np.array(onp.arange(20 * 30 * 3).reshape(20, 30, 3) % 251, dtype="uint8")
    label = np.array(onp.arange(20 * 30 * 3).reshape(20, 30, 3) % 251, dtype="uint8")
    f, lab = d2l.voc_rand_crop(feature, label, 8, 10)
    assert isinstance(f, np.ndarray) and f.shape == (8, 10, 3) and f.dtype == onp.uint8
    onp.testing.assert_array_equal(f.asnumpy(), lab.asnumpy())
    start = f.asnumpy()[0, 0, 0]
    rows, cols = onp.nonzero(feature.asnumpy()[:, :, 0] == start)
    assert any((feature.asnumpy()[r:r + 8, c:c + 10] == f.asnumpy()).all() for r, c in zip(rows, cols))


def test_detection_helpers():
    boxes = np.array([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]])
    onp.testing.assert_allclose(d2l.box_iou(boxes, boxes).asnumpy(), [[1, 1 / 7], [1 / 7, 1]], rtol=1e-6)
    onp.testing.assert_array_equal(d2l.nms(boxes, np.array([0.9, 0.8]), 0.1).asnumpy(), [0])
    onp.testing.assert_allclose(d2l.box_center_to_corner(d2l.box_corner_to_center(boxes)).asnumpy(),
                                boxes.asnumpy())
    anchors = d2l.multibox_prior(np.zeros((1, 3, 4, 5)), sizes=[0.75, 0.5], ratios=[1, 2])
    assert anchors.shape == (1, 4 * 5 * 3, 4)
    onp.testing.assert_allclose(anchors[0, 0].asnumpy(), [-0.2, -0.25, 0.4, 0.5], atol=1e-6)
    masked = d2l.masked_softmax(np.ones((2, 2, 4)), np.array([2, 3]))
    onp.testing.assert_allclose(masked[0, 0].asnumpy(), [0.5, 0.5, 0, 0], atol=1e-6)
    onp.testing.assert_allclose(masked[1, 1].asnumpy(), [1 / 3, 1 / 3, 1 / 3, 0], atol=1e-6)


def test_attention_and_transformer_blocks():
    """npx.batch_dot / sequence_mask / softmax under the book's attention code."""
    attention = d2l.DotProductAttention(dropout=0.5)
    attention.initialize()
    queries = np.random.normal(0, 1, (2, 1, 2))
    keys = np.ones((2, 10, 2))
    values = np.arange(40, dtype="float32").reshape(1, 10, 4).repeat(2, axis=0)
    out = attention(queries, keys, values, np.array([2, 6]))
    # equal keys: uniform weights over the valid positions (dropout is off outside training)
    onp.testing.assert_allclose(out.asnumpy(), [[[2, 3, 4, 5]], [[10, 11, 12, 13]]], rtol=1e-5)
    weights = attention.attention_weights.asnumpy()
    onp.testing.assert_allclose(weights[1, 0], [1 / 6] * 6 + [0] * 4, rtol=1e-5)
    encoder = d2l.TransformerEncoder(200, 24, 48, 8, 2, 0.5)
    encoded = encoder(np.ones((2, 100)), np.array([3, 2]))
    assert encoded.shape == (2, 100, 24) and onp.isfinite(encoded.asnumpy()).all()
    assert encoder.attention_weights[0].shape == (16, 100, 100)
