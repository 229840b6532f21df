"""RecordIO goldens: .rec/.idx files written by real MXNet 1.9.1, plus the records they hold.

Run: cd tools/goldens && ../../.ref/bin/python gen_recordio.py
"""
import json
import os
import struct

import mxnet as mx
import numpy as np

from harness import OUT

DIR = os.path.join(OUT, "recordio")
MAGIC = struct.pack("<I", 0xCED7230A)


def records():
    rng = np.random.RandomState(0)
    recs = [b"", b"a", b"ab", b"abc", b"abcd", b"hello world",
            MAGIC, MAGIC + b"tail", b"head" + MAGIC, b"xy" + MAGIC + b"zz",  # unaligned magic
            b"abcd" + MAGIC + MAGIC + b"efg" + MAGIC, MAGIC * 3,
            rng.randint(0, 256, 37).astype(np.uint8).tobytes()]
    packed = [mx.recordio.pack(mx.recordio.IRHeader(0, 3.5, 7, 0), b"payload"),
              mx.recordio.pack(mx.recordio.IRHeader(0, [1.0, 2.5, -3.0], 8, 9), b"xyz"),
              mx.recordio.pack(mx.recordio.IRHeader(0, np.arange(4, dtype=np.float32), 1, 2), b"")]
    return recs + packed


def main():
    os.makedirs(DIR, exist_ok=True)
    recs = records()
    w = mx.recordio.MXRecordIO(os.path.join(DIR, "plain.rec"), "w")
    for r in recs:
        w.write(r)
    w.close()
    keys = [10 * i + 3 for i in range(len(recs))]
    w = mx.recordio.MXIndexedRecordIO(os.path.join(DIR, "indexed.idx"),
                                      os.path.join(DIR, "indexed.rec"), "w")
    for k, r in zip(keys, recs):
        w.write_idx(k, r)
    w.close()
    unpacked = []
    for r in recs[-3:]:
        h, s = mx.recordio.unpack(r)
        label = h.label.tolist() if isinstance(h.label, np.ndarray) else h.label
        unpacked.append({"flag": h.flag, "label": label, "id": h.id, "id2": h.id2, "s": s.hex()})
    with open(os.path.join(DIR, "records.json"), "w") as f:
        json.dump({"records": [r.hex() for r in recs], "keys": keys, "unpacked": unpacked}, f,
                  indent=1)


if __name__ == "__main__":
    main()
