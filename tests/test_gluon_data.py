"""gluon.data: datasets, samplers, DataLoader (workers included), vision datasets, transforms."""
import multiprocessing
import os
import shutil

import numpy as np
import pytest

import mxnet as mx
import mxnet.gluon.data as gdata
from mxnet.gluon.data.vision import transforms as T

MNIST_DIR = "/work/shared/data/mnist"


# -- datasets and samplers --------------------------------------------------------------------
def test_dataset_ops_match_mxnet():
    s = gdata.SimpleDataset(list(range(10)))
    assert list(s.shard(3, 0)) == [0, 1, 2, 3] and list(s.shard(3, 2)) == [7, 8, 9]
    assert list(s.take(3)) == [0, 1, 2] and len(s.take(None)) == 10
    assert list(s.filter(lambda x: x % 2)) == [1, 3, 5, 7, 9]
    with pytest.raises(TypeError, match="Invalid sampler type"):
        s.sample([1, 2])
    assert list(s.sample(gdata.SequentialSampler(3, 4))) == [4, 5, 6]
    t = s.transform(lambda x: x * 2, lazy=False)
    assert type(t) is gdata.SimpleDataset and t[3] == 6
    a = gdata.ArrayDataset(np.arange(4), np.arange(4) * 2).transform_first(lambda x: x + 100)
    assert a[1] == (101, 2)
    with pytest.raises(AssertionError, match="same length"):
        gdata.ArrayDataset(np.arange(4), np.arange(3))
    with pytest.raises(AssertionError, match="out of 3"):
        s.shard(3, 3)
    # a 1-D NDArray column gives NumPy scalars
    d = gdata.ArrayDataset(np.arange(10).reshape(5, 2), mx.nd.arange(5), [1, 2, 3, 4, 5])
    x, y, z = d[1]
    assert x.tolist() == [2, 3] and y == 1.0 and isinstance(y, np.float32) and z == 2


def test_samplers():
    bs = gdata.BatchSampler(gdata.SequentialSampler(10), 3, "rollover")
    assert len(bs) == 3 and list(bs) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(bs) == 3 and list(bs) == [[9, 0, 1], [2, 3, 4], [5, 6, 7]]
    assert list(gdata.BatchSampler(gdata.SequentialSampler(5), 2, "discard")) == [[0, 1], [2, 3]]
    assert list(gdata.BatchSampler(gdata.SequentialSampler(5), 2)) == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="last_batch must be one of"):
        len(gdata.BatchSampler(gdata.SequentialSampler(5), 2, "foo"))
    np.random.seed(0)
    r = list(gdata.RandomSampler(8))
    assert sorted(r) == list(range(8)) and r != list(range(8))
    assert list(gdata.FilterSampler(lambda x: x > 2, [1, 5, 2, 7])) == [1, 3]
    iv = gdata.IntervalSampler(7, 3)
    assert list(iv) == [0, 3, 6, 1, 4, 2, 5] and len(iv) == 7
    assert list(gdata.IntervalSampler(7, 3, rollover=False)) == [0, 3, 6]


def test_default_batchify_dtypes():
    from mxnet.gluon.data.dataloader import default_batchify_fn as f, default_mp_batchify_fn as g
    assert f([1, 2, 3]).dtype == np.int64 and f([1.5, 2.0]).dtype == np.float64
    assert f([np.float32(1.5)]).dtype == np.float32
    r = f([(np.ones((2,)), 1), (np.zeros((2,)), 2)])
    assert isinstance(r, list) and r[0].shape == (2, 2) and r[1].asnumpy().tolist() == [1, 2]
    r = f([mx.nd.ones((2,), dtype="int32")] * 3)
    assert r.dtype == np.int32 and r.shape == (3, 2) and r.context == mx.cpu()
    assert g([mx.nd.ones((2,))] * 3).context == mx.Context("cpu_shared", 0)


def test_dataloader_args_and_last_batch():
    s = gdata.SimpleDataset(list(range(10)))
    with pytest.raises(ValueError, match="batch_size must be specified"):
        gdata.DataLoader(s)
    with pytest.raises(ValueError, match="must not be specified"):
        gdata.DataLoader(s, 2, batch_sampler=gdata.BatchSampler(gdata.SequentialSampler(4), 2))
    with pytest.raises(ValueError, match="shuffle must not"):
        gdata.DataLoader(s, 2, shuffle=True, sampler=gdata.SequentialSampler(10))
    dl = gdata.DataLoader(s, 3, last_batch="discard")
    assert len(dl) == 3 and [b.asnumpy().tolist() for b in dl][-1] == [6, 7, 8]
    dl = gdata.DataLoader(s, 4, last_batch="rollover")
    assert [len(b) for b in dl] == [4, 4]
    assert [b.asnumpy().tolist() for b in dl][0] == [8, 9, 0, 1]


class _Squares(gdata.Dataset):
    def __len__(self):
        return 23

    def __getitem__(self, i):
        return np.full((2, 3), i, np.float32), i * i


def _batches(dl):
    return [[x.asnumpy() for x in b] for b in dl]


@pytest.mark.parametrize("thread_pool", [False, True])
def test_workers_match_single_process(thread_pool):
    ds = _Squares()
    ref = _batches(gdata.DataLoader(ds, batch_size=4))
    dl = gdata.DataLoader(ds, batch_size=4, num_workers=2, thread_pool=thread_pool)
    for _ in range(2):  # two epochs
        got = _batches(dl)
        assert len(got) == len(ref) == 6
        for g, r in zip(got, ref):
            for gx, rx in zip(g, r):
                np.testing.assert_array_equal(gx, rx)
    b = next(iter(dl))
    assert b[0].context == mx.Context("cpu_shared", 0)
    del dl, b
    assert multiprocessing.active_children() == []


def _fail_on_5(x):
    if x == 5:
        raise ValueError("bad sample 5")
    return x


def test_worker_exception_surfaces():
    ds = gdata.SimpleDataset(list(range(12))).transform(_fail_on_5)
    dl = gdata.DataLoader(ds, batch_size=2, num_workers=2)
    with pytest.raises(ValueError, match="(?s)worker.*_fail_on_5.*bad sample 5"):
        list(dl)
    assert multiprocessing.active_children() == []


def _die_on_3(x):
    if x == 3:
        os._exit(7)
    return x


def test_killed_worker_raises_not_hangs():
    ds = gdata.SimpleDataset(list(range(8))).transform(_die_on_3)
    dl = gdata.DataLoader(ds, batch_size=2, num_workers=2, timeout=20)
    with pytest.raises(RuntimeError, match="exited unexpectedly with exit code 7"):
        list(dl)
    assert multiprocessing.active_children() == []


def test_abandoned_iterator_is_cleaned_up():
    dl = gdata.DataLoader(_Squares(), batch_size=2, num_workers=2)
    it = iter(dl)
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert multiprocessing.active_children() == []


# -- vision datasets --------------------------------------------------------------------------
@pytest.fixture
def mxnet_home(tmp_path, monkeypatch):
    d = tmp_path / "datasets" / "mnist"
    d.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(os.path.join(MNIST_DIR, name), d / name)
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    return tmp_path


def test_mnist_from_mxnet_home(mxnet_home):
    ds = gdata.vision.MNIST(train=False)
    assert len(ds) == 10000
    img, label = ds[0]
    assert img.shape == (28, 28, 1) and img.dtype == np.uint8 and isinstance(img, mx.nd.NDArray)
    assert label == 7 and isinstance(label, np.int32)
    assert [int(ds[i][1]) for i in range(1, 5)] == [2, 1, 0, 4]
    assert int(img.asnumpy().astype(int).sum()) == 18454  # first image, read independently
    tds = ds.transform_first(T.Compose([T.ToTensor(), T.Normalize(0.13, 0.31)]))
    x, y = tds[0]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and y == 7
    batch = next(iter(gdata.DataLoader(tds, batch_size=8)))
    assert batch[0].shape == (8, 1, 28, 28) and batch[1].dtype == np.int32


def test_mnist_missing_and_corrupt(mxnet_home, monkeypatch):
    with pytest.raises(mx.MXNetError, match="train-labels-idx1-ubyte.gz is not in"):
        monkeypatch.setattr(mx.gluon.utils, "download", _no_network)
        gdata.vision.MNIST(train=True)
    bad = mxnet_home / "datasets" / "mnist" / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(mx.MXNetError, match="not a readable gzip"):
        gdata.vision.MNIST(train=False)


def _no_network(*args, **kwargs):
    raise OSError("network is unreachable")


def test_cifar10_from_local_files(tmp_path):
    rng = np.random.RandomState(0)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for n in names:
        rec = np.concatenate([rng.randint(0, 10, (3, 1)), rng.randint(0, 256, (3, 3072))], 1)
        (tmp_path / n).write_bytes(rec.astype(np.uint8).tobytes())
    ds = gdata.vision.CIFAR10(root=str(tmp_path), train=False)
    raw = np.frombuffer((tmp_path / "test_batch.bin").read_bytes(), np.uint8).reshape(3, 3073)
    img, label = ds[1]
    assert img.shape == (32, 32, 3) and label == raw[1, 0]
    np.testing.assert_array_equal(img.asnumpy()[:, :, 0], raw[1, 1:1025].reshape(32, 32))
    assert len(gdata.vision.CIFAR10(root=str(tmp_path))) == 15


# -- transforms (values from MXNet 1.9.1) ------------------------------------------------------
IMG = mx.nd.array((np.arange(5 * 7 * 3) * 37 % 256).reshape(5, 7, 3), dtype="uint8")


def test_resize_and_crops_match_mxnet():
    # MXNet (OpenCV) bilinear on uint8 rounds in fixed point: allow 1 grey level
    exp = np.array([[44, 207, 177, 115], [60, 222, 192, 130], [74, 87, 207, 145]])
    out = T.Resize((4, 3))(IMG)
    assert out.shape == (3, 4, 3) and out.dtype == np.uint8
    assert np.abs(out.asnumpy()[:, :, 0].astype(int) - exp).max() <= 1
    expf = np.array([[44.625, 206.875, 177.125, 115.375], [59.625, 221.875, 192.125, 130.375],
                     [74.625, 87.54165, 207.125, 145.375]], np.float32)
    np.testing.assert_allclose(T.Resize((4, 3))(IMG.astype("float32")).asnumpy()[:, :, 0], expf,
                               rtol=1e-5)
    near = T.Resize((4, 3), interpolation=0)(IMG).asnumpy()[:, :, 0]
    assert near.tolist() == [[0, 111, 77, 43], [9, 120, 86, 52], [27, 138, 104, 70]]
    assert T.Resize(4, keep_ratio=True)(IMG).shape == (4, 5, 3)
    assert T.Resize(4)(IMG).shape == (4, 4, 3)
    assert T.Resize(4, keep_ratio=True)(mx.nd.ones((2, 5, 7, 3))).shape == (2, 4, 5, 3)
    cc = T.CenterCrop(3)(IMG).asnumpy()[:, :, 0]
    assert cc.tolist() == [[231, 86, 197], [240, 95, 206], [249, 104, 215]]
    assert T.CenterCrop((9, 3))(IMG).shape == (3, 9, 3)
    assert T.CropResize(1, 1, 3, 2)(IMG).shape == (2, 3, 3)
    np.testing.assert_array_equal(T.CropResize(1, 1, 3, 2)(IMG).asnumpy(), IMG.asnumpy()[1:3, 1:4])


def test_totensor_normalize_match_mxnet():
    t = T.ToTensor()(IMG)
    assert t.shape == (3, 5, 7) and t.dtype == np.float32
    n = T.Normalize(0.5, (1, 2, 4))(t).asnumpy()[:, 0, :2]
    exp = np.array([[-0.5, -0.06470588], [-0.17745098, 0.04019609], [-0.05245098, 0.05637255]])
    np.testing.assert_allclose(n, exp, rtol=1e-6, atol=1e-7)
    assert T.ToTensor()(mx.nd.ones((2, 4, 5, 3))).shape == (2, 3, 4, 5)
    with pytest.raises(mx.MXNetError, match="ToTensor"):
        T.ToTensor()(mx.nd.ones((2, 2)))
    assert T.Cast("float16")(IMG).dtype == np.float16


def test_random_transforms():
    from mxnet.backend import NUMPY_BACKEND
    NUMPY_BACKEND.seed(3)  # what mx.random.seed does on the CPU
    x = IMG.astype("float32")
    flips = {tuple(T.RandomFlipLeftRight()(x).asnumpy()[0, :, 0]) for _ in range(20)}
    assert flips == {tuple(x.asnumpy()[0, :, 0]), tuple(x.asnumpy()[0, ::-1, 0])}
    tb = T.RandomFlipTopBottom()(x).asnumpy()
    assert tb.tolist() in (x.asnumpy().tolist(), x.asnumpy()[::-1].tolist())
    b = T.RandomBrightness(0.5)(x).asnumpy()
    ratio = b / np.maximum(x.asnumpy(), 1e-6)
    assert 0.5 <= ratio[x.asnumpy() > 0].min() and np.ptp(ratio[x.asnumpy() > 0]) < 1e-4
    gray = mx.nd.full((4, 4, 3), 100.0)
    for t in (T.RandomContrast(0.5), T.RandomSaturation(0.5)):
        np.testing.assert_allclose(t(gray).asnumpy(), 100.0, rtol=1e-4)  # grey is a fixed point
    # the YIQ constants are rounded, so hue rotation moves grey slightly
    np.testing.assert_allclose(T.RandomHue(0.3)(gray).asnumpy(), 100.0, rtol=5e-3)
    assert T.RandomColorJitter(0.2, 0.2, 0.2, 0.1)(IMG).dtype == np.uint8
    lit = T.RandomLighting(0.1)(x).asnumpy() - x.asnumpy()
    assert np.ptp(lit[..., 0]) < 1e-3  # one offset per channel
    rrc = T.RandomResizedCrop(4)(IMG)
    assert rrc.shape == (4, 4, 3) and rrc.dtype == np.uint8
    assert T.RandomApply([T.Cast("float16")], p=0.0)(IMG).dtype == np.uint8


def test_multi_worker_iter_with_users_pool():
    # MXNet's pool-based protocol, as GluonCV's RandomTransformDataLoader drives it
    from mxnet.gluon.data.dataloader import _MultiWorkerIter, _worker_initializer, default_mp_batchify_fn
    ds = gdata.ArrayDataset(mx.nd.arange(10).reshape(10, 1), mx.nd.arange(10))
    sampler = gdata.BatchSampler(gdata.SequentialSampler(10), 4, "keep")
    pool = multiprocessing.Pool(2, initializer=_worker_initializer, initargs=[ds])
    try:
        it = _MultiWorkerIter(pool, default_mp_batchify_fn, sampler, prefetch=2)
        assert len(it) == 3
        labels = [b[1].asnumpy().tolist() for b in it]
    finally:
        pool.terminate()
    assert labels == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_resize_and_crop_resize_check_their_sizes():
    img = mx.nd.ones((30, 20, 3), dtype="uint8")
    for t, msg in ((T.Resize(-150, keep_ratio=True), "Input size should be greater than 0, but got -150"),
                   (T.Resize((100, 100, 100)), "Input size dimension must be 1 or 2, but got 3"),
                   (T.Resize((10, -5)), "Input height should be greater than 0, but got -5"),
                   (T.CropResize(0, 0, 10, 5, (-25, 25)), "Input width should be greater than 0, but got -25"),
                   (T.CropResize(0, 0, -10, -5), "Input height and width must be greater than 0"),
                   (T.CropResize(15, 0, 10, 5), "x \\+ width should not be greater than input width"),
                   (T.CropResize(0, 25, 10, 10), "y \\+ height should not be greater than input height")):
        with pytest.raises(mx.MXNetError, match=msg):
            t(img)
    assert T.Resize((7,))(img).shape == (7, 7, 3)


def test_image_crop_symbol_and_gradient():
    a = np.arange(60, dtype=np.float32).reshape(5, 4, 3)
    sym = mx.sym.image.crop(mx.sym.var("data"), 2, 1, 1, 2)
    assert sym.infer_shape(data=(5, 4, 3))[1] == [(2, 1, 3)]
    assert sym.infer_shape(data=(2, 5, 4, 3))[1] == [(2, 2, 1, 3)]
    b = a[1:3, 2:3]
    expected = np.zeros_like(a)
    expected[1:3, 2:3] = b
    mx.test_utils.check_symbolic_forward(sym, [a], [b])
    mx.test_utils.check_symbolic_backward(sym, [a], [b], [expected])
    with pytest.raises(mx.MXNetError, match="x \\+ width should not be greater than input width"):
        mx.sym.image.crop(mx.sym.var("data"), 3, 0, 2, 2).infer_shape(data=(5, 4, 3))


def test_iterator_keeps_its_loader_alive():
    # the loader goes out of scope at once; its worker iterator must still deliver every batch
    it = iter(gdata.DataLoader(mx.nd.ones(5), batch_size=2, num_workers=1, batchify_fn=lambda a: a))
    assert [len(b) for b in it] == [2, 2, 1]
