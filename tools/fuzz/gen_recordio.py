"""RecordIO cases: valid ``.rec``/``.idx`` pairs (plain records, records split around the magic,
image records with scalar and array labels), their bytes or index lines mutated, then read by
``MXRecordIO``, ``MXIndexedRecordIO`` + ``recordio.unpack``/``unpack_img``,
``gluon.data.vision.ImageRecordDataset``, ``image.ImageIter`` and ``io.ImageRecordIter``.

Every reader must end with its records or an ``MXNetError``; the record readers' errors must name
the file they read.
"""
import os
import struct

import numpy as np

from .child import workdir

_MAGIC = struct.pack("<I", 0xCED7230A)
_U32 = (0, 1, 3, 0xFFFFFFFF, 0x7FFFFFFF, 0x1FFFFFFF, 0x20000000, 0x40000000, 0x60000000,
        0xE0000010, 0xCED7230A, 1 << 28)
BASES = []        # (name, rec bytes, idx text, kind) with kind "raw" or "image"


def _write_pair(name, records, keys=None):
    from mxnet import recordio
    d = workdir()
    rec, idx = os.path.join(d, f"{name}{os.getpid()}.rec"), os.path.join(d, f"{name}{os.getpid()}.idx")
    w = recordio.MXIndexedRecordIO(idx, rec, "w")
    for k, r in zip(keys or range(len(records)), records):
        w.write_idx(k, r)
    w.close()
    with open(rec, "rb") as f, open(idx) as g:
        out = f.read(), g.read()
    os.unlink(rec)
    os.unlink(idx)
    return out


def prepare():
    if BASES:
        return
    from mxnet import recordio
    rng = np.random.default_rng(0)
    raw = [b"", b"abc", bytes(range(256)) * 3, b"xx" + _MAGIC + b"yy" + _MAGIC, _MAGIC, b"z" * 7]
    BASES.append(("raw", *_write_pair("raw", raw), "raw"))
    packed = [recordio.pack(recordio.IRHeader(0, 3.0, 7, 0), b"payload"),
              recordio.pack(recordio.IRHeader(0, [1.0, 2.0, 3.0], 8, 1), b"more" + _MAGIC),
              recordio.pack(recordio.IRHeader(0, 0.0, 9, 0), b"")]
    BASES.append(("packed", *_write_pair("packed", packed), "raw"))
    try:
        imgs = [recordio.pack_img(recordio.IRHeader(0, float(i), i, 0),
                                  rng.integers(0, 256, size=(10, 12, 3), dtype=np.uint8),
                                  img_fmt=(".jpg", ".png")[i % 2]) for i in range(4)]
        imgs.append(recordio.pack_img(recordio.IRHeader(0, 4.0, 4, 0),
                                      rng.integers(0, 256, size=(9, 9), dtype=np.uint8)))
    except ImportError:       # no image codec: image records are not fuzzed
        return
    BASES.append(("images", *_write_pair("images", imgs), "image"))


def _mutate_rec(b, rng, log):
    b = bytearray(b)
    what = int(rng.integers(6))
    if what <= 1 and len(b) >= 8:          # a record head: magic or length/flag word
        starts = [i for i in range(0, len(b) - 7, 4) if b[i:i + 4] == _MAGIC] or [0]
        k = starts[int(rng.integers(len(starts)))] + 4 * int(rng.integers(2))
        v = int(_U32[int(rng.integers(len(_U32)))])
        if rng.random() < 0.4:
            v = (int(rng.integers(0, 8)) << 29) | int(rng.integers(0, 2000))
        struct.pack_into("<I", b, k, v)
        log.append(f"rec u32@{k}={v:#x}")
    elif what == 2:
        n = int(rng.integers(0, len(b) + 1))
        del b[n:]
        log.append(f"rec truncate {n}")
    elif what == 3:
        for _ in range(int(rng.integers(1, 9))):
            if b:
                k = int(rng.integers(len(b)))
                b[k] ^= 1 << int(rng.integers(8))
                log.append(f"rec flip@{k}")
    elif what == 4:
        k = int(rng.integers(0, len(b) + 1))
        if rng.random() < 0.5:
            b[k:k] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 13)), dtype=np.uint8))
            log.append(f"rec insert@{k}")
        else:
            del b[k:k + int(rng.integers(1, 13))]
            log.append(f"rec delete@{k}")
    else:
        b += _MAGIC + bytes(rng.integers(0, 256, size=int(rng.integers(0, 12)), dtype=np.uint8))
        log.append("rec append")
    return bytes(b)


def _mutate_idx(text, rng, log, rec_len):
    lines = text.splitlines()
    if not lines:
        lines = ["0\t0"]
    k = int(rng.integers(len(lines)))
    key, _, off = lines[k].partition("\t")
    choice = int(rng.integers(10))
    if choice == 0:
        lines[k] = f"{key}\t-{off or 1}"
    elif choice == 1:
        lines[k] = f"{key}\t{rec_len + int(rng.integers(0, 100))}"
    elif choice == 2:
        lines[k] = f"{key}\t{int(off or 0) + int(rng.integers(1, 12))}"      # inside a record
    elif choice == 3:
        lines[k] = ["", "garbage", f"{key} {off}", f"{key}\t{off}\textra", "\t", f"x\t{off}",
                    f"{key}\t1e3", f"{key}\t{2**63}"][int(rng.integers(8))]
    elif choice == 4:
        lines.append(lines[k])                                                # duplicate key
    elif choice == 5:
        del lines[k]
    elif choice == 6:
        lines[k] = f"{-int(key or 0) - 1}\t{off}"
    elif choice == 7:
        lines = lines[::-1]
    elif choice == 8:
        lines[k] = f"{key}\t{off}".replace("\t", "\t\t")
    else:
        lines.insert(k, "\x00\xff")
    log.append(f"idx change {choice} on line {k}")
    return "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")


class RecordCase:
    def __init__(self, seed, i):
        prepare()
        rng = np.random.default_rng([seed, i, 3])
        self.base, rec, idx, self.kind = BASES[i % len(BASES)]
        log = []
        r = rng.random()
        if r < 0.6:
            for _ in range(int(rng.integers(1, 3))):
                rec = _mutate_rec(rec, rng, log)
        elif r < 0.9:
            idx = _mutate_idx(idx, rng, log, len(rec))
        else:
            rec = _mutate_rec(rec, rng, log)
            idx = _mutate_idx(idx, rng, log, len(rec))
        self.rec, self.idx = rec, idx
        self.desc = f"{self.base}: {'; '.join(log)}"

    def _readers(self, rec, idx):
        import mxnet as mx
        from mxnet import recordio

        def sequential():
            r = recordio.MXRecordIO(rec, "r")
            try:
                for _ in range(1000):
                    if r.read() is None:
                        break
            finally:
                r.close()

        def indexed():
            r = recordio.MXIndexedRecordIO(idx, rec, "r")
            try:
                for k in r.keys:
                    item = r.read_idx(k)
                    if item is not None and self.base != "raw":
                        recordio.unpack(item)
                        if self.kind == "image":
                            recordio.unpack_img(item)
            finally:
                r.close()

        def dataset():
            ds = mx.gluon.data.vision.ImageRecordDataset(rec)
            for j in range(len(ds)):
                ds[j]

        def image_iter():
            it = mx.image.ImageIter(batch_size=2, data_shape=(3, 8, 8), path_imgrec=rec,
                                    path_imgidx=idx)
            for _ in it:
                pass

        def record_iter():
            it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 8, 8), batch_size=2)
            for _ in it:
                pass
        named = (rec, idx, os.path.basename(rec), os.path.basename(idx))
        out = [("MXRecordIO", sequential, named), ("MXIndexedRecordIO", indexed, ())]
        if self.kind == "image":
            out += [("ImageRecordDataset", dataset, ()), ("ImageIter", image_iter, ()),
                    ("ImageRecordIter", record_iter, ())]
        return out

    def run(self):
        from .outcome import classify
        d = workdir()
        rec, idx = os.path.join(d, f"case{os.getpid()}.rec"), os.path.join(d, f"case{os.getpid()}.idx")
        with open(rec, "wb") as f:
            f.write(self.rec)
        with open(idx, "w", encoding="latin-1") as f:
            f.write(self.idx)
        kinds = []
        try:
            for name, fn, names in self._readers(rec, idx):
                try:
                    fn()
                    kinds.append("ok")
                except Exception as e:
                    k, detail = classify(e, names)
                    if k != "error":
                        return k, f"{name}: {detail}"
                    kinds.append("error")
        finally:
            os.unlink(rec)
            os.unlink(idx)
        return ("error" if "error" in kinds else "ok"), ""


def make_case(seed, i):
    return RecordCase(seed, i)


def default_count():
    return 1500
