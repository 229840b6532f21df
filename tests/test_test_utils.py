"""mx.test_utils helpers; expected values and messages observed on MXNet 1.9.1."""
import gzip
import math
import os
import struct

import numpy as np
import pytest

import mxnet as mx
import mxnet.test_utils as tu
from mxnet.base import MXNetError


def test_default_tolerances():
    assert tu.get_tols(np.ones(2, np.float32), np.ones(2, np.float32), None, None) == (1e-4, 1e-3)
    assert tu.get_tols(np.ones(2, np.float16), np.ones(2, np.float32), None, None) == (1e-2, 1e-1)
    assert tu.get_tols(np.ones(2, np.int32), np.ones(2, np.int32), None, None) == (0, 0)
    assert tu.get_tols(1.0, 2.0, None, None) == (1e-5, 1e-20)
    assert tu.get_tols(mx.nd.ones(2), np.ones(2, np.float32), 0.5, None) == (0.5, 1e-3)
    assert (tu.get_atol(), tu.get_rtol(), tu.get_atol(0.3), tu.get_etol()) == (1e-20, 1e-5, 0.3, 0)
    assert tu.get_atol(dtype=np.dtype("float32")) == 1e-3
    assert tu.default_numeric_eps()[np.dtype(np.float32)] == 2.0 ** -9
    assert tu.effective_dtype(mx.nd.ones(2, dtype="float16")) == np.float16


def test_assert_almost_equal_message():
    a = np.array([1.0, 2.0, 3.0], dtype="float32")
    b = np.array([1.0, 2.1, 3.0], dtype="float32")
    with pytest.raises(AssertionError) as e:
        tu.assert_almost_equal(mx.nd.array(a), mx.nd.array(b), names=("x", "y"))
    msg = str(e.value)
    assert ("Error 82.644547 exceeds tolerance rtol=1.000000e-04, atol=1.000000e-03 "
            "(mismatch 33.333333%).") in msg
    assert "Location of maximum error: (1,), x=2.00000000, y=2.09999990" in msg
    tu.assert_almost_equal(a, b, rtol=0.1, atol=0)
    with pytest.raises(AssertionError, match="Error 25000.000000 exceeds tolerance rtol=1.000000e-05"):
        tu.assert_almost_equal(3.0, 4.0)
    with pytest.raises(AssertionError, match="Error 100000000000000000000.000000"):
        tu.assert_almost_equal(np.array([1, 2]), np.array([1, 3]))


def test_shapes_and_nan():
    with pytest.raises(ValueError):
        tu.assert_almost_equal(np.ones((2, 3)), np.ones((3, 2)))
    tu.assert_almost_equal(np.ones((2, 3)), np.ones((3,)))   # broadcast by default
    with pytest.raises(AssertionError, match=r"a.shape = \(2, 3\) and b.shape = \(3,\) are not equal"):
        tu.assert_almost_equal(np.ones((2, 3)), np.ones((3,)), use_broadcast=False)
    with pytest.raises(AssertionError):
        tu.almost_equal(np.ones((2, 3)), np.ones((3,)), use_broadcast=False)
    nan = np.array([np.nan, 1.0])
    assert not tu.almost_equal(nan, nan)
    assert tu.almost_equal(nan, nan, equal_nan=True)
    assert not tu.almost_equal(nan, np.array([0.0, 1.0]), equal_nan=True)
    tu.assert_almost_equal_ignore_nan(np.array([np.nan, 1.0]), np.array([5.0, 1.0]))
    assert tu.almost_equal(1.0, 1.00001)


def test_infinities():
    # same-sign infinities are equal (as NumPy's isclose says); anything else against one is not
    inf = np.array([np.inf, -np.inf, 1.0], dtype=np.float32)
    tu.assert_almost_equal(inf, inf.copy())
    tu.assert_almost_equal(inf.astype(np.float16), inf.astype(np.float16))
    assert not tu.almost_equal(np.array([np.inf]), np.array([-np.inf]))
    assert not tu.almost_equal(np.array([1.0]), np.array([np.inf]))
    assert not tu.almost_equal(np.array([np.inf]), np.array([1e30]))


def test_with_err():
    a = np.array([1.0, 2.0, 3.0], dtype="float32")
    b = np.array([1.0, 2.1, 3.0], dtype="float32")
    tu.assert_almost_equal_with_err(a, b, etol=0.5)
    with pytest.raises(AssertionError, match="exceeds etol"):
        tu.assert_almost_equal_with_err(a, b, etol=0.1)


def test_same_and_exception():
    assert tu.same(np.ones(2), np.ones(2, dtype="int32"))
    assert not tu.same(np.ones((2, 1)), np.ones(2))
    assert not tu.same(np.array([np.nan]), np.array([np.nan]))
    assert tu.same(mx.nd.array([1, 2]), mx.nd.array([1, 2]))
    a = mx.nd.ones(2)
    assert tu.same_array(a, a) and not tu.same_array(a, mx.nd.ones(2))
    tu.assert_exception(lambda: 1 / 0, ZeroDivisionError)
    with pytest.raises(AssertionError):
        tu.assert_exception(lambda: 1, ZeroDivisionError)
    tu.compare_ndarray_tuple((mx.nd.ones(2), (np.ones(1),)), (np.ones(2), (np.ones(1),)))
    with pytest.raises(AssertionError):
        tu.assert_allclose(np.ones(2), np.array([1, 1.1]))


def test_context_and_dtype():
    assert tu.default_context() == mx.cpu(0) and tu.default_dtype() is np.float32
    tu.set_default_context(mx.cpu(1))
    try:
        assert mx.nd.ones(1).context == mx.cpu(1)
    finally:
        tu.set_default_context(mx.cpu(0))
    with pytest.raises(MXNetError):
        tu.set_default_context("cpu")
    assert tu.is_op_runnable() and list(tu.list_gpus()) == list(range(mx.context.num_gpus()))
    assert tu.has_tvm_ops() is False and isinstance(tu.is_aarch64_run(), bool)
    with tu.environment("CD_JOB", "1"):
        assert tu.is_cd_run()
    with tu.environment("CD_JOB", None):
        assert not tu.is_cd_run()


def test_random_helpers():
    np.random.seed(0)   # the values MXNet 1.9.1 gives for this seed
    assert tu.rand_shape_2d() == (6, 1) and tu.rand_shape_3d() == (4, 4, 8)
    np.random.seed(0)
    assert tu.random_sample([1, 2, 3, 4, 5], 3) == [3, 1, 2]
    shape = tu.rand_shape_nd(4, dim=3)
    assert len(shape) == 4 and all(1 <= d <= 3 for d in shape)
    assert all(d == 0 for d in tu.rand_shape_nd(5, dim=0, allow_zero_size=True))
    one = tu.random_arrays((2, 3))
    many = tu.random_arrays((2, 3), (1,), ())
    assert isinstance(one, np.ndarray) and one.dtype == np.float32 and one.shape == (2, 3)
    assert [m.shape for m in many] == [(2, 3), (1,), ()]
    u = tu.random_uniform_arrays((50,), low=2, high=3)[0]
    assert u.dtype == np.float32 and u.min() >= 2 and u.max() < 3
    x = tu.rand_ndarray((2, 3), dtype="float16")
    assert isinstance(x, mx.nd.NDArray) and x.dtype == np.float16 and x.shape == (2, 3)
    assert tu.rand_ndarray((2, 3), stype="csr", density=0.5).stype == "csr"


def test_reductions():
    d = np.arange(24.0).reshape(2, 3, 4)
    assert tu.np_reduce(d, (0, 2), True, np.sum).shape == (1, 3, 1)
    np.testing.assert_array_equal(tu.np_reduce(d, 1, False, np.max), d.max(axis=1))
    assert tu.np_reduce(d, None, False, np.sum) == 276.0
    np.testing.assert_array_equal(tu.collapse_sum_like(np.ones((2, 3, 4)), (3, 1)), np.full((3, 1), 8.0))
    np.testing.assert_array_equal(tu.assign_each(np.array([1, 2]), lambda v: v * 3), [3, 6])
    np.testing.assert_array_equal(tu.create_2d_tensor(2, 3).asnumpy(), [[0, 0, 0], [1, 1, 1]])


def test_numeric_gradient():
    x = np.array([[0.5, -1.0], [2.0, 0.3]], dtype=np.float32)
    g = tu.numeric_grad(lambda a: a * a, [x])
    np.testing.assert_allclose(g[0], 2 * x, rtol=1e-2, atol=1e-2)
    tu.check_numeric_gradient(lambda a, b: a * b + mx.nd.exp(a), [x, x + 1])
    tu.check_numeric_gradient(lambda a, b: a * b, {"a": x, "b": x}, grad_nodes=["b"])

    def wrong(a):   # a forward whose recorded gradient is wrong must be caught
        return mx.nd.BlockGrad(a) * a
    with pytest.raises(AssertionError, match="NUMERICAL_0"):
        tu.check_numeric_gradient(wrong, [x])


def test_environment():
    os.environ["MXNEXT_TU_A"] = "orig"
    os.environ.pop("MXNEXT_TU_B", None)
    with tu.environment("MXNEXT_TU_A", "new"):
        assert os.environ["MXNEXT_TU_A"] == "new"
    assert os.environ["MXNEXT_TU_A"] == "orig"
    with tu.environment({"MXNEXT_TU_A": None, "MXNEXT_TU_B": "3"}):
        assert "MXNEXT_TU_A" not in os.environ and tu.getenv("MXNEXT_TU_B") == "3"
    assert os.environ["MXNEXT_TU_A"] == "orig" and tu.getenv("MXNEXT_TU_B") is None
    del os.environ["MXNEXT_TU_A"]


def test_retry():
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) >= 2
        return "ok"
    assert flaky() == "ok" and len(calls) == 2


def _idx_gz(path, magic, dims, data):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(f">I{len(dims)}I", magic, *dims) + data.tobytes())


def test_download_and_get_mnist(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.bin").write_bytes(b"hello")
    url = (src / "a.bin").as_uri()
    out = tu.download(url, dirname=str(tmp_path / "dl"))
    assert out == str(tmp_path / "dl" / "a.bin") and open(out, "rb").read() == b"hello"
    (src / "a.bin").write_bytes(b"changed")
    assert open(tu.download(url, dirname=str(tmp_path / "dl")), "rb").read() == b"hello"   # kept
    assert open(tu.download(url, dirname=str(tmp_path / "dl"), overwrite=True), "rb").read() == b"changed"
    with pytest.raises(Exception):
        tu.download((src / "missing").as_uri(), fname=str(tmp_path / "m"), retries=1)
    assert not (tmp_path / "m").exists()
    # get_mnist on tiny IDX files served from a file:// URL
    rng = np.random.RandomState(0)
    for prefix, n in (("train", 3), ("t10k", 2)):
        _idx_gz(src / f"{prefix}-labels-idx1-ubyte.gz", 0x801, (n,), np.arange(n, dtype=np.uint8))
        _idx_gz(src / f"{prefix}-images-idx3-ubyte.gz", 0x803, (n, 28, 28),
                rng.randint(0, 256, (n, 28, 28)).astype(np.uint8))
    monkeypatch.setattr(tu, "MNIST_URL", src.as_uri() + "/")
    monkeypatch.chdir(tmp_path)
    d = tu.get_mnist()
    assert d["train_data"].shape == (3, 1, 28, 28) and d["train_data"].dtype == np.float32
    assert d["train_label"].dtype == np.int8 and d["test_label"].tolist() == [0, 1]
    assert 0.0 <= d["test_data"].min() and d["test_data"].max() <= 1.0


def test_sparse_helpers():
    a = tu.create_sparse_array((5, 3), "row_sparse", rsp_indices=[3, 1], density=0.0)
    assert a.stype == "row_sparse" and a.indices.asnumpy().tolist() == [1, 3]
    z = tu.create_sparse_array_zd((3, 3), "csr", 0.0)
    assert z.stype == "csr" and z.data.shape == (0,)
    p, _ = tu.rand_sparse_ndarray((4, 16), "csr", density=0.4, distribution="powerlaw")
    assert np.diff(p.indptr.asnumpy()).tolist() == [2, 4, 8, 11]


def test_distribution_checks():
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda p: 2 * p, 3)
    assert probs == [1 / 3] * 3
    np.testing.assert_allclose(buckets, [(0, 2 / 3), (2 / 3, 4 / 3), (4 / 3, 2)])
    rng = np.random.RandomState(0)
    normal = lambda n: rng.normal(1.0, 2.0, size=n)   # noqa: E731
    assert tu.mean_check(normal, 1.0, 2.0, nsamples=20000) is True
    assert tu.mean_check(normal, 1.5, 2.0, nsamples=20000) is False
    assert tu.var_check(normal, 2.0, nsamples=20000) is True
    assert tu.var_check(normal, 3.0, nsamples=20000) is False
    # Pearson's statistic here is 10 with 2 degrees of freedom: p = exp(-5)
    p, obs, exp = tu.chi_square_check(lambda n: np.repeat([0.1, 0.9, 1.5], [10, 30, 20]),
                                      [(0, 0.5), (0.5, 1.0), (1.0, 2.0)], [1 / 3] * 3, nsamples=60)
    assert obs.tolist() == [10, 30, 20] and exp.tolist() == [20, 20, 20]
    np.testing.assert_allclose(p, np.exp(-5.0), rtol=1e-10)
    # closed forms: erfc(sqrt(x/2)) for 1 dof, a Poisson tail for even dofs
    np.testing.assert_allclose(tu._chi2_sf(0.5, 1), math.erfc(0.5), rtol=1e-10)
    np.testing.assert_allclose(tu._chi2_sf(40.0, 10), math.exp(-20) * sum(20.0 ** k / math.factorial(k)
                                                                         for k in range(5)), rtol=1e-10)
    np.testing.assert_allclose(tu._chi2_sf(3.0, 8), math.exp(-1.5) * sum(1.5 ** k / math.factorial(k)
                                                                        for k in range(4)), rtol=1e-10)
    p, obs, _ = tu.chi_square_check(lambda n: mx.nd.array(np.repeat([0, 1, 2, 1], n // 4)), [0, 1, 2],
                                    [0.25, 0.5, 0.25], nsamples=400)
    assert obs.tolist() == [100, 200, 100] and p == 1.0
    uniform = lambda n: rng.uniform(size=n)   # noqa: E731
    assert len(tu.verify_generator(uniform, *tu.gen_buckets_probs_with_ppf(lambda q: q, 5), nsamples=5000)) == 5
    with pytest.raises(AssertionError, match="Generator test fails"):
        tu.verify_generator(lambda n: rng.uniform(size=n) ** 2, *tu.gen_buckets_probs_with_ppf(lambda q: q, 5),
                            nsamples=5000)


def test_matrices_with_real_eigvals():
    m = tu.new_matrix_with_real_eigvals_nd((2, 3, 4, 4))
    assert m.shape == (2, 3, 4, 4) and m.dtype == np.float64
    ev = np.linalg.eigvals(m)
    assert np.abs(ev.imag).max() < 1e-6 and np.abs(ev.real).max() <= 10
    s = tu.new_sym_matrix_with_real_eigvals_nd((3, 3, 3))
    np.testing.assert_allclose(s, np.swapaxes(s, -1, -2), atol=1e-12)
    assert np.abs(np.linalg.eigvalsh(s)).max() <= 10
    q = tu.new_orthonormal_matrix_2d(4)
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-12)


def test_dummy_iter():
    it = mx.io.NDArrayIter(np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6), batch_size=2)
    d = tu.DummyIter(it)
    assert isinstance(d, mx.io.DataIter) and d.batch_size == 2 and d.provide_data == it.provide_data
    batches = [b for _, b in zip(range(3), d)]
    assert batches[0] is batches[2] and d.next() is batches[0]
    np.testing.assert_array_equal(batches[1].data[0].asnumpy(), [[0, 1], [2, 3]])


def test_bz2_zip_and_dataset_downloads(tmp_path, monkeypatch):
    import bz2
    import zipfile
    src = tmp_path / "src"
    src.mkdir()
    (src / "kdd.t.bz2").write_bytes(bz2.compress(b"1 1:0.5\n0 2:1\n"))
    data_dir = tmp_path / "bzdata"
    tu.get_bz2_data(str(data_dir), "kdd.t", (src / "kdd.t.bz2").as_uri(), "kdd.t.bz2")
    assert (data_dir / "kdd.t").read_bytes() == b"1 1:0.5\n0 2:1\n"
    assert not (data_dir / "kdd.t.bz2").exists()   # the archive is removed after extraction
    with zipfile.ZipFile(src / "z.zip", "w") as zf:
        zf.writestr("inner/a.txt", "A")
    tu.get_zip_data(str(tmp_path / "zdata"), (src / "z.zip").as_uri(), "z.zip")
    assert (tmp_path / "zdata" / "inner" / "a.txt").read_text() == "A"
    # get_mnist_ubyte / get_cifar10 fetch fixed URLs into ./data: serve a local zip instead
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"]
    with zipfile.ZipFile(src / "mnist.zip", "w") as zf:
        for n in names:
            zf.writestr(n, n)
    with zipfile.ZipFile(src / "cifar10.zip", "w") as zf:
        for n in ("train.rec", "test.rec", "train.lst", "test.lst"):
            zf.writestr("cifar/" + n, n)
    urls = []

    def fake_download(url, fname=None, dirname=None, overwrite=False, retries=5):
        urls.append(url)
        return tu.__dict__["_real_download"](src.joinpath(url.split("/")[-1]).as_uri(), fname, dirname)
    monkeypatch.setitem(tu.__dict__, "_real_download", tu.download)
    monkeypatch.setattr(tu, "download", fake_download)
    monkeypatch.chdir(tmp_path)
    tu.get_mnist_ubyte()
    tu.get_cifar10()
    assert urls == ["http://data.mxnet.io/mxnet/data/mnist.zip", "http://data.mxnet.io/mxnet/data/cifar10.zip"]
    assert (tmp_path / "data" / names[0]).read_text() == names[0]
    assert (tmp_path / "data" / "cifar" / "test.lst").read_text() == "test.lst"
    tu.get_mnist_ubyte()   # everything present: nothing is downloaded
    tu.get_cifar10()
    assert len(urls) == 2


def test_chi_square_check_integer_samples_match_float_bucketing():
    from mxnet.test_utils import chi_square_check
    rng = np.random.RandomState(0)
    buckets = [(-500., -360.), (-360., -220.), (-220., -80.), (-80., 59.), (59., 199.)]
    ints = rng.randint(-500, 199, 50000).astype(np.int32)
    _, obs_int, _ = chi_square_check(lambda n: ints, buckets, [0.2] * 5, 50000)
    _, obs_float, _ = chi_square_check(lambda n: ints.astype(np.float64), buckets, [0.2] * 5, 50000)
    assert obs_int.tolist() == obs_float.tolist() and obs_int.sum() == 50000


def test_all_within_float16_matches_numpy_half_arithmetic():
    """The float16 fast pass of assert_almost_equal decides exactly as NumPy's float16
    arithmetic does, near the bound, among subnormals and with inf/NaN."""
    from mxnet.test_utils import _all_within

    def ref(a, b, rtol, atol):
        with np.errstate(invalid="ignore", over="ignore"):
            tol = np.float16(atol) + np.float16(rtol) * np.abs(b)
            return bool(np.all(np.abs(a - b) <= np.minimum(tol, np.finfo(np.float16).max)))

    rng = np.random.default_rng(0)
    outcomes = set()
    for _ in range(3000):
        n = rng.integers(1, 20)
        a = (rng.standard_normal(n) * 10 ** rng.uniform(-8, 4)).astype(np.float16)
        b = (a.astype(np.float32) + rng.standard_normal(n).astype(np.float32)
             * 10 ** rng.uniform(-9, 1)).astype(np.float16)
        if rng.random() < 0.05:
            b[0] = np.inf
        if rng.random() < 0.05:
            a[-1] = np.nan
        rt, at = 10 ** rng.uniform(-8, -1), 10 ** rng.uniform(-9, -1)
        want = ref(a, b, rt, at)
        outcomes.add(want)
        assert _all_within(a, b, rt, at) == want, (a, b, rt, at)
    assert outcomes == {True, False}
