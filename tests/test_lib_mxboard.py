"""mxboard 0.1.0 runs unchanged on mxnext: SummaryWriter logs scalars, histograms, images, text,
PR curves, embeddings and the graph of a hybridized Gluon block (from its symbol JSON), and the
event file reads back, record by record (length, masked CRC32C, Event protobuf), with the values
that were logged.

mxboard's own NumPy-2 breakage: ``scalar_summary`` calls ``float()`` on a 1-element 1-D array
(what it makes of a Python number or a shape-(1,) NDArray), which NumPy >= 2.4 refuses, so the
scalars here are 0-d arrays except in the test marked for older NumPy; ``_compute_curve``
(``add_pr_curve``) uses ``np.float``, removed in NumPy 1.24."""
import io
import json
import os
import struct

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon

from mxboard import SummaryWriter
from mxboard.proto.event_pb2 import Event
from mxboard.proto.graph_pb2 import GraphDef
from mxboard.record_writer import masked_crc32c

NUMPY_2_4 = tuple(int(v) for v in np.__version__.split(".")[:2]) >= (2, 4)


def _events(logdir):
    """Every Event in the event files directly under ``logdir``, CRCs checked."""
    files = sorted(f for f in os.listdir(logdir) if f.startswith("events.out.tfevents"))
    assert files, f"no event file in {logdir}"
    events = []
    for name in files:
        with open(os.path.join(logdir, name), "rb") as f:
            data = f.read()
        pos = 0
        while pos < len(data):
            header = data[pos:pos + 8]
            (length,) = struct.unpack("<Q", header)
            (crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
            assert crc == masked_crc32c(header)
            body = data[pos + 12:pos + 12 + length]
            (crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
            assert crc == masked_crc32c(body)
            event = Event()
            event.ParseFromString(body)
            events.append(event)
            pos += 16 + length
    return events


def _values(events, tag):
    return [(e.step, v) for e in events if e.HasField("summary")
            for v in e.summary.value if v.tag == tag]


def _net():
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(4, 3), gluon.nn.BatchNorm(), gluon.nn.Activation("relu"),
            gluon.nn.Dense(3))
    net.initialize()
    return net


def test_scalars_histogram_image_text(tmp_path):
    logdir = str(tmp_path)
    rng = np.random.RandomState(0)
    hist = rng.randn(200).astype("float32")
    img = np.zeros((3, 4, 6), "uint8")
    img[0, 1, 2] = 255
    img[2] = 7
    with SummaryWriter(logdir=logdir, verbose=False) as sw:
        for step, loss in enumerate([1.5, 0.75, 0.25]):
            sw.add_scalar("loss", np.array(loss, "float32"), global_step=step)
        sw.add_scalar("acc", mx.np.array(0.5), global_step=3)  # a 0-d mx.np array
        sw.add_scalar("pair", {"train": np.array(1.0), "val": np.array(2.0)}, global_step=1)
        sw.add_histogram("weights", mx.nd.array(hist), global_step=2, bins=10)
        sw.add_image("picture", mx.nd.array(img, dtype="uint8"), global_step=4)
        sw.add_image("batch", mx.nd.random.uniform(shape=(2, 3, 5, 5)), global_step=4)
        sw.add_text("notes", "hello mxboard", global_step=5)
        sw.export_scalars(os.path.join(logdir, "scalars.json"))

    events = _events(logdir)
    assert events[0].wall_time > 0 and not events[0].HasField("summary")  # the file's header
    loss = _values(events, "loss")
    assert [s for s, _ in loss] == [0, 1, 2]
    np.testing.assert_allclose([v.simple_value for _, v in loss], [1.5, 0.75, 0.25])
    ((step, acc),) = _values(events, "acc")
    assert step == 3 and acc.simple_value == 0.5

    # dict scalars go to one sub-writer per name
    for name, want in (("train", 1.0), ("val", 2.0)):
        sub = os.path.join(logdir, "pair", name)
        ((step, v),) = _values(_events(sub), "pair")
        assert step == 1 and v.simple_value == want

    ((step, h),) = _values(events, "weights")
    h = h.histo
    assert step == 2 and h.num == 200 and sum(h.bucket) == 200 and len(h.bucket) == 10
    np.testing.assert_allclose([h.min, h.max, h.sum, h.sum_squares],
                               [hist.min(), hist.max(), hist.sum(), hist.dot(hist)], rtol=1e-4)
    np.testing.assert_allclose(h.bucket_limit[-1], hist.max(), rtol=1e-6)

    from PIL import Image
    ((_, pic),) = _values(events, "picture")
    assert (pic.image.height, pic.image.width, pic.image.colorspace) == (4, 6, 3)
    decoded = np.asarray(Image.open(io.BytesIO(pic.image.encoded_image_string)))
    np.testing.assert_array_equal(decoded, img.transpose(1, 2, 0))
    ((_, grid),) = _values(events, "batch")
    # two 5x5 images side by side in a grid with 2-pixel padding
    assert (grid.image.height, grid.image.width) == (9, 16)

    (text,) = [v for e in events if e.HasField("summary") for v in e.summary.value
               if v.node_name == "notes"]
    assert text.tensor.string_val == [b"hello mxboard"]
    assert text.metadata.plugin_data[0].plugin_name == "text"
    with open(os.path.join(logdir, "plugins", "tensorboard_text", "tensors.json")) as f:
        assert json.load(f) == ["notes"]

    with open(os.path.join(logdir, "scalars.json")) as f:
        exported = json.load(f)
    assert [row[1:] for row in exported[logdir + "/loss"]] == [[0, 1.5], [1, 0.75], [2, 0.25]]


@pytest.mark.skipif(NUMPY_2_4, reason="mxboard's scalar_summary calls float() on a 1-element 1-D "
                                      "array, which NumPy >= 2.4 refuses (mxboard's bug)")
def test_scalars_from_python_numbers_and_one_element_arrays(tmp_path):
    # (an NDArray cannot be passed here: mxboard's writer calls float() on it, which real MXNet's
    # NDArray refuses too)
    with SummaryWriter(logdir=str(tmp_path), verbose=False) as sw:
        sw.add_scalar("x", 0.5, global_step=0)
        sw.add_scalar("x", np.array([0.25], dtype=np.float32), global_step=1)
    values = _values(_events(str(tmp_path)), "x")
    assert [(s, v.simple_value) for s, v in values] == [(0, 0.5), (1, 0.25)]


def test_add_graph_of_hybridized_block(tmp_path):
    net = _net()
    with pytest.raises(RuntimeError, match="hybridize"):
        with SummaryWriter(logdir=str(tmp_path / "none"), verbose=False) as sw:
            sw.add_graph(net)  # no graph before a hybridized forward
    net.hybridize()
    net(mx.nd.ones((1, 3, 8, 8)))
    with SummaryWriter(logdir=str(tmp_path / "g"), verbose=False) as sw:
        sw.add_graph(net)
    (event,) = [e for e in _events(str(tmp_path / "g")) if e.graph_def]
    graph = GraphDef()
    graph.ParseFromString(event.graph_def)
    sym_nodes = json.loads(net._cached_graph[1].tojson())["nodes"]
    assert len(graph.node) == len(sym_nodes)
    ops = [n.op for n in graph.node if n.op != "null"]
    assert ops == ["Convolution", "BatchNorm", "Activation", "FullyConnected"]
    by_name = {n.name: n for n in graph.node}
    conv = next(n for n in graph.node if n.op == "Convolution")
    scope = conv.name.split("/")[0]
    assert conv.name == f"{scope}/{scope}"
    # the data input keeps its own name; the weights sit in the operator's scope
    weight, bias = net[0].weight.name, net[0].bias.name
    assert list(conv.input) == ["data", f"{scope}/{weight}", f"{scope}/{bias}"]
    assert all(i in by_name for n in graph.node for i in n.input)
    assert b"kernel" in conv.attr["param"].s and b"(3, 3)" in conv.attr["param"].s
    dense = next(n for n in graph.node if n.op == "FullyConnected")
    act = next(n for n in graph.node if n.op == "Activation")
    assert act.name in dense.input


def test_add_embedding_writes_projector_files(tmp_path):
    logdir = str(tmp_path)
    emb = mx.nd.array(np.arange(12, dtype="float32").reshape(4, 3) / 4)
    images = mx.nd.random.uniform(shape=(4, 3, 6, 6))
    with SummaryWriter(logdir=logdir, verbose=False) as sw:
        sw.add_embedding("feat", emb, labels=["a", "b", "c", "d"], images=images, global_step=7)
    folder = os.path.join(logdir, "feat_000007")
    rows = np.loadtxt(os.path.join(folder, "tensors.tsv"), delimiter="\t")
    np.testing.assert_allclose(rows, emb.asnumpy())
    with open(os.path.join(folder, "metadata.tsv")) as f:
        assert f.read().split() == ["a", "b", "c", "d"]
    from PIL import Image
    sprite = Image.open(os.path.join(folder, "sprite.png"))
    assert sprite.size == (12, 12)  # 4 images of 6x6 in a 2x2 grid
    with open(os.path.join(logdir, "projector_config.pbtxt")) as f:
        config = f.read()
    assert 'tensor_name: "feat_000007"' in config and "single_image_dim: 6" in config


def test_add_pr_curve(tmp_path, monkeypatch):
    # mxboard's own NumPy-2 breakage: its PR-curve code calls np.float (removed in NumPy 1.24);
    # the user's workaround, for this test only (nothing is patched on disk)
    monkeypatch.setattr(np, "float", float, raising=False)
    labels = mx.nd.array([0, 1, 1, 0, 1])
    preds = mx.nd.array([0.1, 0.9, 0.6, 0.4, 0.2])
    with SummaryWriter(logdir=str(tmp_path), verbose=False) as sw:
        sw.add_pr_curve("pr", labels, preds, num_thresholds=3, global_step=1)
    ((step, v),) = _values(_events(str(tmp_path)), "pr")
    assert step == 1 and v.metadata.plugin_data[0].plugin_name == "pr_curves"
    dims = [d.size for d in v.tensor.tensor_shape.dim]
    assert dims == [6, 3]  # TP, FP, TN, FN, precision, recall at 3 thresholds
    curve = np.array(v.tensor.float_val).reshape(dims)
    # threshold 0: everything positive; 0.5: 0.9 and 0.6 are (true) positives
    np.testing.assert_allclose(curve[:4, 0], [3, 2, 0, 0])
    np.testing.assert_allclose(curve[:4, 1], [2, 0, 2, 1])
    np.testing.assert_allclose(curve[4:, 1], [1, 2 / 3], rtol=1e-6)
