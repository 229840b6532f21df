"""nd.save/load against files written by MXNet 1.9.1 (tests/goldens/params, tools/goldens/gen_params.py)."""
import json
import os
import pathlib
import struct

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.ndarray import _serialization as ser
from mxnet.ndarray import utils as ndutils

GOLD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "params")
with open(os.path.join(GOLD, "manifest.json")) as _f:
    MANIFEST = json.load(_f)
EXPECTED = dict(np.load(os.path.join(GOLD, "expected.npz")))
FILES = sorted(MANIFEST)


def _expected(name):
    m = MANIFEST[name]
    vals = [EXPECTED[f"{name}/{i}"] for i in range(m["count"])]
    return m, vals


def _raw(name):
    with open(os.path.join(GOLD, name), "rb") as f:
        return f.read()


def _check_same(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", FILES)
def test_golden_decode(name):
    m, vals = _expected(name)
    names, arrays, meta = ser.decode(_raw(name))
    assert names == m["names"]
    assert len(arrays) == len(vals)
    for got, want in zip(arrays, vals):
        _check_same(got, want)
    assert all(x["version"] == (3 if m["np_shape"] else x["version"]) for x in meta)


@pytest.mark.parametrize("name", [n for n in FILES if not MANIFEST[n]["np_shape"]])
def test_golden_nd_load(name):
    m, vals = _expected(name)
    res = mx.nd.load(os.path.join(GOLD, name))
    if m["kind"] == "dict":
        assert isinstance(res, dict) and list(res) == m["names"]
        res = [res[k] for k in m["names"]]
    else:
        assert isinstance(res, list)
    for got, want in zip(res, vals):
        assert isinstance(got, mx.nd.NDArray) and got.context == mx.cpu(0)
        _check_same(got.asnumpy(), want)


@pytest.mark.parametrize("name", [n for n in FILES if MANIFEST[n]["resave"]])
def test_golden_resave_byte_identical(name, tmp_path):
    m, vals = _expected(name)
    if m["np_shape"]:
        data = dict(zip(m["names"], vals)) if m["names"] else vals
        assert ser.encode(data, v3=True) == _raw(name)
        return
    arrays = [mx.nd.array(v, dtype=v.dtype) for v in vals]
    data = dict(zip(m["names"], arrays)) if m["names"] else arrays
    if name == "single.params":
        data = arrays[0]
    out = tmp_path / name
    mx.nd.save(str(out), data)
    assert out.read_bytes() == _raw(name)


def test_v3_refused_outside_np_shape():
    with pytest.raises(MXNetError, match="np shape"):
        mx.nd.load(os.path.join(GOLD, "v3.params"))


def test_sparse_densified():
    res = mx.nd.load(os.path.join(GOLD, "sparse.params"))
    np.testing.assert_array_equal(res["rs"].asnumpy(), [[1, 2], [0, 0], [3, 4], [0, 0]])
    np.testing.assert_array_equal(res["csr"].asnumpy(), [[1, 0, 2], [0, 0, 0], [0, 3, 0]])
    assert res["csr"].dtype == np.float64
    _, _, meta = ser.decode(_raw("sparse.params"))
    assert [x["stype"] for x in meta] == ["row_sparse", "csr", "row_sparse", "csr"]


def test_gluon_params_keys():
    res = mx.nd.load(os.path.join(GOLD, "dense.params"))
    assert list(res) == ["weight", "bias"]
    assert res["weight"].shape == (2, 3) and res["bias"].shape == (2,)


def test_round_trip(tmp_path):
    rng = np.random.RandomState(1)
    data = {"a": mx.nd.array(rng.randn(3, 4)), "b": mx.nd.array([1, 2], dtype="int64"),
            "c": mx.nd.array([True, False], dtype="bool"), "é": mx.nd.array(rng.randn(2), dtype="float16")}
    f = tmp_path / "rt.params"
    mx.nd.save(f, data)   # os.PathLike accepted
    back = mx.nd.load(pathlib.Path(f))
    assert list(back) == list(data)
    for k in data:
        _check_same(back[k].asnumpy(), data[k].asnumpy())
    buf = f.read_bytes()
    lst = mx.nd.load_frombuffer(bytearray(buf))
    assert isinstance(lst, dict) and lst["b"].asnumpy().tolist() == [1, 2]


def test_round_trip_list_and_scalar(tmp_path):
    f = str(tmp_path / "l.params")
    mx.nd.save(f, [mx.nd.array(5.0), mx.nd.empty((2, 0)), mx.nd.ones((1, 2, 1, 3))])
    back = mx.nd.load(f)
    assert [x.shape for x in back] == [(), (2, 0), (1, 2, 1, 3)]
    assert back[0].asnumpy() == 5.0


def test_codec_v3_and_context():
    arr = np.arange(3, dtype=np.int8)
    buf = ser.encode([arr], v3=True, contexts=[(2, 1)])
    assert struct.unpack_from("<I", buf, 24)[0] == ser.V3_MAGIC
    names, arrays, meta = ser.decode(buf)
    assert names == [] and meta == [{"version": 3, "stype": "default", "context": (2, 1)}]
    _check_same(arrays[0], arr)
    big = np.arange(4, dtype=">i4")   # big-endian input is written little-endian
    _check_same(ser.decode(ser.encode([big]))[1][0], np.arange(4, dtype=np.int32))


def test_unsupported_dtypes():
    with pytest.raises(MXNetError, match="complex64"):
        ser.encode([np.zeros(2, np.complex64)])
    buf = bytearray(_raw("dtype_float32.params"))
    flag_at = 24 + 4 + 4 + 4 + 8 * 2 + 8
    assert struct.unpack_from("<i", buf, flag_at)[0] == 0
    struct.pack_into("<i", buf, flag_at, 99)
    with pytest.raises(MXNetError, match="unknown dtype flag 99"):
        mx.nd.load_frombuffer(bytes(buf))
    struct.pack_into("<i", buf, flag_at, 12)   # bfloat16
    if 12 not in mx.base.FLAG_TO_DTYPE:
        with pytest.raises(MXNetError, match="ml_dtypes"):
            mx.nd.load_frombuffer(bytes(buf))


def test_truncated_everywhere():
    buf = _raw("dict.params")
    for cut in range(len(buf)):
        with pytest.raises(MXNetError, match="Invalid NDArray file format"):
            mx.nd.load_frombuffer(buf[:cut])
    # trailing bytes after the name table are ignored, as MXNet does
    assert list(mx.nd.load_frombuffer(buf + b"xyz")) == ["zz", "arg:w", "aux:m"]


def test_bad_magic_and_counts(tmp_path):
    buf = _raw("list.params")
    with pytest.raises(MXNetError, match="bad magic"):
        mx.nd.load_frombuffer(b"\x11" + buf[1:])
    bad = bytearray(buf)
    struct.pack_into("<Q", bad, 16, 1 << 40)
    with pytest.raises(MXNetError, match="cannot fit"):
        mx.nd.load_frombuffer(bytes(bad))
    bad = buf[:-8] + struct.pack("<Q", 1) + struct.pack("<Q", 1) + b"a"
    with pytest.raises(MXNetError, match="1 names for 2 arrays"):
        mx.nd.load_frombuffer(bad)
    p = tmp_path / "bad.params"
    p.write_bytes(b"garbage")
    with pytest.raises(MXNetError):
        mx.nd.load(str(p))
    with pytest.raises(MXNetError, match="cannot open"):
        mx.nd.load(str(tmp_path / "missing.params"))


def test_none_record_and_bad_sparse():
    hdr = struct.pack("<QQQ", 0x112, 0, 1)
    none = hdr + struct.pack("<Iii", ser.V2_MAGIC, 0, -1) + struct.pack("<Q", 0)
    with pytest.raises(MXNetError, match="holds no array"):
        mx.nd.load_frombuffer(none)
    rec = (struct.pack("<Ii", ser.V2_MAGIC, 1) + struct.pack("<iqq", 2, 1, 2) + struct.pack("<iqq", 2, 3, 2)
           + struct.pack("<iii", 1, 0, 0) + struct.pack("<iiq", 6, 1, 1)
           + np.ones(2, "<f4").tobytes() + struct.pack("<q", 7))   # row index 7 of 3 rows
    with pytest.raises(MXNetError, match="row_sparse indices"):
        mx.nd.load_frombuffer(hdr + rec + struct.pack("<Q", 0))


def test_save_argument_errors(tmp_path):
    f = str(tmp_path / "x.params")
    with pytest.raises(TypeError, match="dict str->NDArray"):
        mx.nd.save(f, [1, 2])
    with pytest.raises(TypeError, match="dict str->NDArray"):
        mx.nd.save(f, {1: mx.nd.ones(1)})
    with pytest.raises(ValueError, match="needs to either be"):
        mx.nd.save(f, (mx.nd.ones(1),))
    with pytest.raises(ValueError):
        mx.nd.save(f, np.zeros(2))
    with pytest.raises(TypeError, match="fname"):
        mx.nd.save(3, [mx.nd.ones(1)])
    with pytest.raises(TypeError, match="buf"):
        mx.nd.load_frombuffer(3)
    assert not os.path.exists(f)


def test_atomic_save(tmp_path, monkeypatch):
    f = tmp_path / "keep.params"
    mx.nd.save(str(f), [mx.nd.array([1, 2])])
    old = f.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(ndutils.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        mx.nd.save(str(f), [mx.nd.array([3, 4, 5])])
    monkeypatch.undo()
    assert f.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.params"]
    # an error while encoding writes nothing at all
    with pytest.raises(MXNetError):
        mx.nd.save(str(tmp_path / "new.params"), [mx.nd.ones(2), _ComplexND()])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.params"]


class _ComplexND(mx.nd.NDArray):
    """An NDArray whose data NumPy can hold but the file format cannot."""

    def __init__(self):
        super().__init__(np.zeros(1, np.complex64))

    def asnumpy(self):
        return np.zeros(1, np.complex64)
