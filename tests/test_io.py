"""mx.io iterators against batches recorded under real MXNet 1.9.1."""
import gzip
import json
import os
import shutil

import numpy as np
import pytest

import mxnet as mx

GOLD = os.path.join(os.path.dirname(__file__), "goldens", "io_ndarrayiter.json")
MNIST_DIR = "/work/shared/data/mnist"


def _dump(it):
    return [{"data": [d.asnumpy().tolist() for d in b.data],
             "label": [lb.asnumpy().tolist() for lb in b.label], "pad": b.pad} for b in it]


@pytest.mark.parametrize("case", json.load(open(GOLD)), ids=lambda c: f"{c['handle']}-{c['n']}-{c['bs']}")
def test_ndarrayiter_matches_mxnet(case):
    n, bs = case["n"], case["bs"]
    data = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    it = mx.io.NDArrayIter({"x": data, "a": data * 10}, np.arange(n, dtype=np.int32),
                           batch_size=bs, last_batch_handle=case["handle"])
    for epoch in case["epochs"]:
        assert _dump(it) == epoch
        it.reset()
    assert [[d.name, list(d.shape), np.dtype(d.dtype).name] for d in it.provide_data] == \
        case["provide_data"]
    assert [[d.name, list(d.shape), np.dtype(d.dtype).name] for d in it.provide_label] == \
        case["provide_label"]


def test_ndarrayiter_names_shuffle_and_pad_wrap():
    it = mx.io.NDArrayIter([np.zeros((4, 3)), np.ones((4, 1))], batch_size=2)
    assert [d.name for d in it.provide_data] == ["_0_data", "_1_data"]
    assert it.provide_label == []
    np.random.seed(1)
    x = np.arange(10, dtype=np.float32)
    it = mx.io.NDArrayIter(x, x * 2, batch_size=5, shuffle=True)
    seen = []
    for b in it:
        np.testing.assert_array_equal(b.label[0].asnumpy(), b.data[0].asnumpy() * 2)
        seen.extend(b.data[0].asnumpy().tolist())
    assert sorted(seen) == list(range(10)) and seen != list(range(10))
    # fewer samples than one batch: the filler wraps around
    b = next(iter(mx.io.NDArrayIter(np.arange(2, dtype=np.float32), batch_size=5)))
    assert b.data[0].asnumpy().tolist() == [0, 1, 0, 1, 0] and b.pad == 3
    with pytest.raises(ValueError, match="last_batch_handle"):
        mx.io.NDArrayIter(x, batch_size=2, last_batch_handle="keep")


def test_datadesc_databatch_resizeiter():
    d = mx.io.DataDesc("data", (2, 3))
    assert repr(d) == "DataDesc[data,(2, 3),<class 'numpy.float32'>,NCHW]"
    assert mx.io.DataDesc.get_batch_axis("TNC") == 1 and d.layout == "NCHW"
    b = mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.ones((2,))], pad=0)
    assert str(b) == "DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]"
    base = mx.io.NDArrayIter(np.arange(6, dtype=np.float32), batch_size=2)
    r = mx.io.ResizeIter(base, 5)
    got = [b.data[0].asnumpy().tolist() for b in r]
    assert got == [[0, 1], [2, 3], [4, 5], [0, 1], [2, 3]]
    r.reset()
    assert len(list(r)) == 5


def test_prefetching_iter_joins():
    a = mx.io.NDArrayIter(np.arange(4, dtype=np.float32), batch_size=2, data_name="a",
                          label_name="la")
    b = mx.io.NDArrayIter(np.arange(4, dtype=np.float32) * 3, batch_size=2, data_name="b",
                          label_name="lb")
    p = mx.io.PrefetchingIter([a, b])
    assert [d.name for d in p.provide_data] == ["a", "b"]
    batches = list(p)
    assert len(batches) == 2
    assert batches[1].data[1].asnumpy().tolist() == [6, 9]


def test_mnistiter(tmp_path):
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(os.path.join(MNIST_DIR, name + ".gz")) as fi, open(tmp_path / name, "wb") as fo:
            shutil.copyfileobj(fi, fo)
    it = mx.io.MNISTIter(image=str(tmp_path / "t10k-images-idx3-ubyte"),
                         label=str(tmp_path / "t10k-labels-idx1-ubyte"), batch_size=3000,
                         shuffle=False, silent=True)
    batches = list(it)
    assert len(batches) == 3      # the incomplete last batch is dropped, as in MXNet
    b = batches[0]
    assert b.data[0].shape == (3000, 1, 28, 28) and b.data[0].dtype == np.float32
    # values seen in MXNet 1.9.1: first labels, and pixels are value/256
    assert b.label[0].asnumpy()[:5].tolist() == [7, 2, 1, 0, 4]
    assert batches[1].label[0].asnumpy()[:5].tolist() == [6, 9, 8, 1, 2]
    assert float(b.data[0].asnumpy().max()) == 0.99609375
    flat = mx.io.MNISTIter(image=os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"),
                           label=os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"),
                           batch_size=3000, flat=True, shuffle=False, silent=True)
    fb = next(iter(flat))
    np.testing.assert_array_equal(fb.data[0].asnumpy()[0, 200:205],
                                  np.array([0, 0, 0.328125, 0.72265625, 0.62109375], np.float32))
    with pytest.raises(mx.MXNetError, match="IDX"):
        mx.io.MNISTIter(image=str(tmp_path / "t10k-labels-idx1-ubyte"),
                        label=str(tmp_path / "t10k-labels-idx1-ubyte"), silent=True)
