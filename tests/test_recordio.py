"""mx.recordio against files written by real MXNet 1.9.1 (tests/goldens/recordio)."""
import json
import os
import pickle
import struct

import numpy as np
import pytest

import mxnet as mx
from mxnet import recordio

GOLD = os.path.join(os.path.dirname(__file__), "goldens", "recordio")


@pytest.fixture(scope="module")
def gold():
    with open(os.path.join(GOLD, "records.json")) as f:
        d = json.load(f)
    d["records"] = [bytes.fromhex(r) for r in d["records"]]
    return d


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def test_write_is_byte_identical(tmp_path, gold):
    w = recordio.MXRecordIO(str(tmp_path / "a.rec"), "w")
    for r in gold["records"]:
        w.write(r)
    w.close()
    assert read_bytes(tmp_path / "a.rec") == read_bytes(os.path.join(GOLD, "plain.rec"))


def test_indexed_write_is_byte_identical(tmp_path, gold):
    w = recordio.MXIndexedRecordIO(str(tmp_path / "b.idx"), str(tmp_path / "b.rec"), "w")
    for k, r in zip(gold["keys"], gold["records"]):
        w.write_idx(k, r)
    w.close()
    assert read_bytes(tmp_path / "b.rec") == read_bytes(os.path.join(GOLD, "indexed.rec"))
    assert read_bytes(tmp_path / "b.idx") == read_bytes(os.path.join(GOLD, "indexed.idx"))


def test_read_oracle_file_and_reset(gold):
    r = recordio.MXRecordIO(os.path.join(GOLD, "plain.rec"), "r")
    got = list(iter(r.read, None))
    assert got == gold["records"]
    assert r.read() is None
    r.reset()
    assert r.read() == gold["records"][0]
    r.close()
    assert not r.is_open


def test_indexed_random_access(gold):
    r = recordio.MXIndexedRecordIO(os.path.join(GOLD, "indexed.idx"),
                                   os.path.join(GOLD, "indexed.rec"), "r")
    assert r.keys == gold["keys"]
    for k, rec in reversed(list(zip(gold["keys"], gold["records"]))):
        assert r.read_idx(k) == rec
    with pytest.raises(KeyError):
        r.read_idx(4)
    r.close()


def test_magic_split_layout(tmp_path):
    magic = struct.pack("<I", 0xCED7230A)
    w = recordio.MXRecordIO(str(tmp_path / "m.rec"), "w")
    w.write(b"abcd" + magic + b"ef")
    w.close()
    raw = read_bytes(tmp_path / "m.rec")
    # first part (cflag 1, 4 bytes), then last part (cflag 3, 2 bytes + 2 pad)
    assert raw == (magic + struct.pack("<I", (1 << 29) | 4) + b"abcd"
                   + magic + struct.pack("<I", (3 << 29) | 2) + b"ef\0\0")


def test_pack_unpack(gold):
    for rec, exp in zip(gold["records"][-3:], gold["unpacked"]):
        h, s = recordio.unpack(rec)
        assert (h.flag, h.id, h.id2, s) == (exp["flag"], exp["id"], exp["id2"],
                                            bytes.fromhex(exp["s"]))
        np.testing.assert_array_equal(np.asarray(h.label), np.asarray(exp["label"], np.float32))
    assert recordio.pack(recordio.IRHeader(0, 3.5, 7, 0), b"payload") == gold["records"][-3]
    assert recordio.pack((5, [1.0, 2.5, -3.0], 8, 9), b"xyz") == gold["records"][-2]
    h, _ = recordio.unpack(gold["records"][-2])
    assert h.label.dtype == np.float32 and h.flag == 3


def test_corrupt_and_bad_args(tmp_path, gold):
    p = tmp_path / "bad.rec"
    p.write_bytes(b"\x00" * 16)
    r = recordio.MXRecordIO(str(p), "r")
    with pytest.raises(mx.MXNetError, match="bad magic"):
        r.read()
    p.write_bytes(read_bytes(os.path.join(GOLD, "plain.rec"))[:30])
    r = recordio.MXRecordIO(str(p), "r")
    with pytest.raises(mx.MXNetError, match="truncated"):
        list(iter(r.read, None))
    with pytest.raises(ValueError, match="Invalid flag"):
        recordio.MXRecordIO(str(p), "a")
    with pytest.raises(mx.MXNetError, match="cannot open"):
        recordio.MXRecordIO(str(tmp_path / "missing.rec"), "r")
    with pytest.raises(mx.MXNetError, match="header bytes"):
        recordio.unpack(b"abc")


def test_pickle_reopens_reader(gold):
    r = recordio.MXIndexedRecordIO(os.path.join(GOLD, "indexed.idx"),
                                   os.path.join(GOLD, "indexed.rec"), "r")
    r2 = pickle.loads(pickle.dumps(r))
    assert r2.read_idx(gold["keys"][5]) == gold["records"][5]
    assert r2.keys == r.keys


def test_pack_img_roundtrip():
    pytest.importorskip("PIL")
    img = (np.arange(4 * 5 * 3) * 7 % 256).astype(np.uint8).reshape(4, 5, 3)
    s = recordio.pack_img(recordio.IRHeader(0, 2.0, 1, 0), img, img_fmt=".png")
    h, out = recordio.unpack_img(s)
    assert h.label == 2.0
    np.testing.assert_array_equal(out, img)
