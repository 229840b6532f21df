"""``.params`` cases: valid array files (every dtype, lists and dicts, V1/V2/V3/legacy and sparse
records) with their bytes mutated, read back by ``nd.load`` and ``nd.load_frombuffer``.

Mutations aim at the fields of the layout (magics, counts, storage types, ndim, dims, device,
dtype flags, key lengths: located by ``fields``) as well as at random bytes, lengths and tails.
Both readers must agree: the same arrays, or an ``MXNetError`` from each (``nd.load``'s naming the
file).  Arrays that load must be readable and as large as their shape says.
"""
import os
import struct
import zlib

import numpy as np

from .child import workdir
from .outcome import compare

DTYPES = ("float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool", "int16",
          "uint16", "uint32", "uint64")
# flags of the layout (FORMATS.md), for building V1 and legacy records by hand
_FLAGS = {"float32": 0, "float64": 1, "float16": 2, "uint8": 3, "int32": 4, "int8": 5, "int64": 6}
_U32 = (0, 1, 2, 3, 7, 12, 13, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE,
        0xF993FAC8, 0xF993FAC9, 0xF993FACA)
_U64 = (0, 1, 2, 0x112, 2**31, 2**32, 2**63, 2**64 - 1, 2**40, 0xFFFFFFFF)

BASES = []


def _save(data, np_shape=False):
    import mxnet as mx
    path = os.path.join(workdir(), f"base{os.getpid()}.params")
    if np_shape:
        mx.npx.set_np()
        try:
            mx.npx.save(path, data)
        finally:
            mx.npx.reset_np()
    else:
        mx.nd.save(path, data)
    with open(path, "rb") as f:
        return f.read()


def _legacy_or_v1(arrays, v1):
    out = [struct.pack("<QQQ", 0x112, 0, len(arrays))]
    for a in arrays:
        if v1:
            out.append(struct.pack("<Ii", 0xF993FAC8, a.ndim) + struct.pack(f"<{a.ndim}q", *a.shape))
        else:
            out.append(struct.pack("<I", a.ndim) + struct.pack(f"<{a.ndim}I", *a.shape))
        out.append(struct.pack("<iii", 1, 0, _FLAGS[a.dtype.name]) + a.tobytes())
    out.append(struct.pack("<Q", 0))
    return b"".join(out)


def prepare():
    """The valid files every case starts from (built once per process)."""
    if BASES:
        return
    import mxnet as mx
    rng = np.random.default_rng(0)

    def arr(shape, dt):
        return mx.nd.array((rng.standard_normal(shape) * 3).astype(dt), dtype=dt)
    for dt in DTYPES:
        BASES.append((f"list {dt}", _save([arr((2, 3), dt), arr((4,), dt)])))
        BASES.append((f"dict {dt}", _save({"arg:w": arr((3, 1, 2), dt), "aux:b": arr((1,), dt)})))
        BASES.append((f"V3 dict {dt}", _save({"a": mx.np.array(np.zeros((2, 0), dt), dtype=dt),
                                              "s": mx.np.array(np.ones((), dt), dtype=dt),
                                              "m": mx.np.array(np.ones((2, 2), dt), dtype=dt)},
                                             np_shape=True)))
    BASES.append(("empty list", _save([])))
    BASES.append(("empty array", _save([mx.nd.array(np.zeros((0,), np.float32))])))
    csr = mx.nd.sparse.csr_matrix((np.array([1., 2.], np.float32), np.array([0, 2]),
                                   np.array([0, 1, 2])), shape=(2, 3))
    rsp = mx.nd.sparse.row_sparse_array((np.ones((1, 3), np.float32), np.array([1])), shape=(3, 3))
    BASES.append(("sparse dict", _save({"c": csr, "r": rsp, "d": arr((2,), "float32")})))
    small = [np.arange(6, dtype=np.float32).reshape(2, 3), np.arange(3, dtype=np.int64)]
    BASES.append(("V1 list", _legacy_or_v1(small, True)))
    BASES.append(("legacy list", _legacy_or_v1(small, False)))


def fields(buf):
    """``(offset, size, name)`` of the layout's fields in a valid file (as far as it can tell)."""
    out = [(0, 8, "header"), (8, 8, "reserved"), (16, 8, "count")]
    try:
        pos = 24
        (n,) = struct.unpack_from("<Q", buf, 16)
        for _ in range(n):
            (magic,) = struct.unpack_from("<I", buf, pos)
            out.append((pos, 4, "magic"))
            v1 = magic == 0xF993FAC8
            legacy = magic not in (0xF993FAC8, 0xF993FAC9, 0xF993FACA)
            if legacy:
                ndim = magic
                out.append((pos, 4, "ndim"))
                dims = struct.unpack_from(f"<{ndim}I", buf, pos + 4)
                for d in range(ndim):
                    out.append((pos + 4 + 4 * d, 4, "dim"))
                pos += 4 + 4 * ndim
            else:
                pos += 4
                if not v1:
                    (stype,) = struct.unpack_from("<i", buf, pos)
                    out.append((pos, 4, "stype"))
                    pos += 4
                    if stype != 0:
                        return out        # sparse records: only their head is located
                (ndim,) = struct.unpack_from("<i", buf, pos)
                out.append((pos, 4, "ndim"))
                dims = struct.unpack_from(f"<{ndim}q", buf, pos + 4)
                for d in range(ndim):
                    out.append((pos + 4 + 8 * d, 8, "dim"))
                pos += 4 + 8 * ndim
                if ndim == 0 or -1 in dims:
                    continue
            out += [(pos, 4, "dev_type"), (pos + 4, 4, "dev_id"), (pos + 8, 4, "dtype")]
            (flag,) = struct.unpack_from("<i", buf, pos + 8)
            from mxnet.ndarray._serialization import dtype_of_flag
            pos += 12 + int(np.prod(dims, dtype=np.int64)) * np.dtype(dtype_of_flag(flag)).itemsize
        out.append((pos, 8, "keys"))
        (k,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        for _ in range(k):
            out.append((pos, 8, "key length"))
            (ln,) = struct.unpack_from("<Q", buf, pos)
            pos += 8 + ln
    except (struct.error, ValueError, KeyError, Exception):
        pass
    return out


def _mutate(buf, rng, log):
    b = bytearray(buf)
    what = int(rng.integers(8))
    if what <= 2:                           # a field of the layout
        f = [x for x in fields(bytes(b)) if 0 <= x[0] and x[0] + x[1] <= len(b)] or [(0, 0, "nothing")]
        off, size, name = f[int(rng.integers(len(f)))]
        if not size:
            return bytes(b)
        vals = _U64 if size == 8 else _U32
        v = int(vals[int(rng.integers(len(vals)))]) if rng.random() < 0.8 else int(rng.integers(0, 2**31))
        if name == "dtype" and rng.random() < 0.5:
            v = int(rng.integers(-1, 16))
        if name in ("ndim", "dim", "stype", "dev_type") and rng.random() < 0.5:
            v = int(rng.integers(-3, 40)) & ((1 << (8 * size)) - 1)
        struct.pack_into("<Q" if size == 8 else "<I", b, off, v & ((1 << (8 * size)) - 1))
        log.append(f"{name}@{off}={v}")
    elif what == 3:                         # truncated
        n = int(rng.integers(0, len(b) + 1))
        del b[n:]
        log.append(f"truncate {n}")
    elif what == 4:                         # bytes flipped
        for _ in range(int(rng.integers(1, 9))):
            if b:
                k = int(rng.integers(len(b)))
                b[k] ^= 1 << int(rng.integers(8))
                log.append(f"flip@{k}")
    elif what == 5:                         # a random aligned word overwritten
        if len(b) >= 8:
            k = int(rng.integers(0, len(b) - 7)) & ~3
            v = int(_U64[int(rng.integers(len(_U64)))])
            struct.pack_into("<Q", b, k, v)
            log.append(f"u64@{k}={v}")
    elif what == 6:                         # bytes inserted or deleted
        k = int(rng.integers(0, len(b) + 1))
        if rng.random() < 0.5:
            b[k:k] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 17)), dtype=np.uint8))
            log.append(f"insert@{k}")
        else:
            del b[k:k + int(rng.integers(1, 17))]
            log.append(f"delete@{k}")
    else:                                   # garbage appended, or a slice repeated
        if rng.random() < 0.5:
            b += bytes(rng.integers(0, 256, size=int(rng.integers(1, 64)), dtype=np.uint8))
            log.append("append")
        elif b:
            k = int(rng.integers(len(b)))
            b[k:k] = b[k:k + int(rng.integers(1, 64))]
            log.append(f"repeat@{k}")
    return bytes(b)


def _values(res):
    """NumPy copies (with shapes and dtypes) of what a reader returned, keys first for a dict."""
    if isinstance(res, dict):
        items = sorted(res.items())
    else:
        items = list(enumerate(res))
    out = []
    for k, v in items:
        a = v.asnumpy()
        if a.size != int(np.prod(v.shape, dtype=np.int64)):
            raise AssertionError(f"array {k}: {a.size} values for shape {v.shape}")
        out.append((k, a))
    return out


class ParamsCase:
    def __init__(self, seed, i):
        prepare()
        rng = np.random.default_rng([seed, i, 1])
        self.base_name, base = BASES[i % len(BASES)]
        log = []
        data = base
        for _ in range(int(rng.integers(1, 4))):
            data = _mutate(data, rng, log)
        self.data = data
        self.path = os.path.join(workdir(), f"case{i}.params")
        self.desc = f"{self.base_name}: {', '.join(log)} ({len(data)} bytes, crc {zlib.crc32(data):08x})"

    def run(self):
        import mxnet as mx
        from .outcome import classify, judge_pair
        with open(self.path, "wb") as f:
            f.write(self.data)
        try:
            got = []
            for fn, names in ((lambda: mx.nd.load(self.path), (self.path, os.path.basename(self.path))),
                              (lambda: mx.nd.load_frombuffer(self.data), ())):
                try:
                    res = fn()
                except Exception as e:
                    got.append(classify(e, names))
                    continue
                try:      # reading the arrays (a sparse one may claim a huge dense shape)
                    got.append(("ok", _values(res)))
                except Exception as e:
                    got.append(classify(e))
        finally:
            os.unlink(self.path)
        return judge_pair(got, "load", "load_frombuffer", _same_load)


def _same_load(v1, v2):
    """None when two loads gave the same names and arrays, else where they differ."""
    if [k for k, _ in v1] != [k for k, _ in v2]:
        return "load and load_frombuffer give different keys"
    return compare([a for _, a in v1], [a for _, a in v2])


def make_case(seed, i):
    return ParamsCase(seed, i)


def default_count():
    return 3000
