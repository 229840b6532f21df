"""MXNet's binary array-list format (``nd.save``/``npx.save``/``.params``) over plain NumPy arrays.

``encode`` writes what MXNet 1.9.1 writes: V2 records (V3 with ``v3=True``, as ``npx.save`` does).
``decode`` reads V1, V2, V3 and legacy records; sparse records come back as ``SparseRecord``s
(``keep_sparse=True``) or densified.  Every length is
checked against the bytes left, so a corrupt buffer raises ``MXNetError`` and never yields a
partial result.  Bytes after the name table are ignored, as MXNet ignores them.
"""
import struct

import numpy as np

from ..base import MXNetError, DTYPE_TO_FLAG, FLAG_TO_DTYPE, bfloat16_dtype

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA
_VERSION = {V1_MAGIC: 1, V2_MAGIC: 2, V3_MAGIC: 3}
_STYPES = {0: "default", 1: "row_sparse", 2: "csr"}
_NUM_AUX = {0: 0, 1: 1, 2: 2}
CPU0 = (1, 0)   # (dev_type, dev_id) of mx.cpu(0)
_DEV_TYPES = (1, 2, 3, 5)


def dtype_of_flag(flag, where="record"):
    """The NumPy dtype stored under an MXNet dtype flag (little-endian)."""
    if flag == 12 and flag not in FLAG_TO_DTYPE:
        bfloat16_dtype()  # raises the clear "needs ml_dtypes" error
    if flag not in FLAG_TO_DTYPE:
        raise MXNetError(f"Invalid NDArray file format: unknown dtype flag {flag} in {where}")
    return FLAG_TO_DTYPE[flag].newbyteorder("<")


def flag_of_dtype(dtype):
    """MXNet's dtype flag for a NumPy dtype; MXNetError for a dtype the format cannot hold."""
    dt = np.dtype(dtype)
    flag = DTYPE_TO_FLAG.get(dt.newbyteorder("=") if dt.byteorder not in "|=" else dt)
    if flag is None:
        raise MXNetError(f"cannot save an array of dtype {dt}: the MXNet file format has no flag for it")
    return flag


class SparseRecord:
    """A sparse array's parts: ``stype`` ('row_sparse' or 'csr'), the logical ``shape``, the stored
    ``values`` and the ``aux`` index arrays (csr: indptr, indices; row_sparse: indices)."""

    __slots__ = ("stype", "shape", "values", "aux")

    def __init__(self, stype, shape, values, aux):
        self.stype, self.shape, self.values, self.aux = stype, tuple(shape), values, list(aux)

    def dense(self):
        return _densify(_STYPE_IDS[self.stype], self.shape, self.values, self.aux, 0)


_STYPE_IDS = {"row_sparse": 1, "csr": 2}


# -- writing ----------------------------------------------------------------------
def _shape_bytes(shape):
    return struct.pack(f"<i{len(shape)}q", len(shape), *shape)


def _le(a):
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))


def _sparse_record(rec, v3, context):
    # V2 layout: magic, stype, storage shape, shape, context, dtype, (aux dtype, aux shape)...,
    # values, aux data
    if v3:
        raise MXNetError("cannot save a sparse array in np shape semantics (MXNet's V3 records are dense)")
    dev_type, dev_id = context
    parts = [struct.pack("<Ii", V2_MAGIC, _STYPE_IDS[rec.stype]), _shape_bytes(rec.values.shape),
             _shape_bytes(rec.shape), struct.pack("<iii", dev_type, dev_id, flag_of_dtype(rec.values.dtype))]
    for a in rec.aux:
        parts.append(struct.pack("<i", flag_of_dtype(a.dtype)) + _shape_bytes(a.shape))
    parts.append(_le(rec.values).tobytes())
    parts.extend(_le(a).tobytes() for a in rec.aux)
    return b"".join(parts)


def _record(arr, v3, context):
    if isinstance(arr, SparseRecord):
        return _sparse_record(arr, v3, context)
    dev_type, dev_id = context
    flag = flag_of_dtype(arr.dtype)
    data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    return b"".join((struct.pack("<Ii", V3_MAGIC if v3 else V2_MAGIC, 0), _shape_bytes(arr.shape),
                     struct.pack("<iii", dev_type, dev_id, flag), data.tobytes()))


def encode(data, v3=False, contexts=None):
    """Serialise a list of arrays, or a dict str -> array, to MXNet's array-list bytes.

    ``v3`` writes np-shape (V3) records as ``npx.save`` does; the default writes the V2 records
    of ``nd.save``.  ``contexts`` gives each array's ``(dev_type, dev_id)`` (default cpu(0)).
    """
    if isinstance(data, dict):
        names = list(data.keys())
        arrays = list(data.values())
        for k in names:
            if not isinstance(k, str):
                raise TypeError(f"array names must be str, got {type(k).__name__}")
    else:
        names, arrays = [], list(data)
    contexts = [CPU0] * len(arrays) if contexts is None else list(contexts)
    parts = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    for arr, ctx in zip(arrays, contexts):
        if not isinstance(arr, (np.ndarray, SparseRecord)):
            raise TypeError(f"encode expects NumPy arrays or SparseRecords, got {type(arr).__name__}")
        parts.append(_record(arr, v3, ctx))
    parts.append(struct.pack("<Q", len(names)))
    for k in names:
        raw = k.encode("utf-8")
        parts.append(struct.pack("<Q", len(raw)) + raw)
    return b"".join(parts)


def encode_single(arr, context=CPU0):
    """One array as the bare record MXNet pickles an NDArray into (its ``handle`` bytes), a
    bytearray that receives the data in one copy."""
    dev_type, dev_id = context
    data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    out = bytearray(struct.pack("<Ii", V2_MAGIC, 0))
    out += _shape_bytes(arr.shape)
    out += struct.pack("<iii", dev_type, dev_id, flag_of_dtype(arr.dtype))
    out += memoryview(data.reshape(-1)).cast("B")
    return out


# -- reading ----------------------------------------------------------------------
class _Reader:
    """A cursor over the buffer that refuses to read past its end."""

    def __init__(self, buf):
        self.buf = memoryview(buf).cast("B")
        self.pos = 0

    def take(self, n, what):
        left = len(self.buf) - self.pos
        if n > left:
            raise MXNetError(f"Invalid NDArray file format: truncated while reading {what} "
                             f"(needs {n} bytes at offset {self.pos}, {left} left)")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt, what):
        fmt = "<" + fmt
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))

    def shape(self, what, dim_fmt="q", ndim=None):
        if ndim is None:
            (ndim,) = self.unpack("i", what)
        if ndim < -1:
            raise MXNetError(f"Invalid NDArray file format: {what} has ndim {ndim}")
        if ndim == -1:
            return None
        dims = self.unpack(f"{ndim}{dim_fmt}", what)
        if any(d < -1 for d in dims):
            raise MXNetError(f"Invalid NDArray file format: {what} has a negative dimension {dims}")
        return None if -1 in dims else tuple(dims)

    def array(self, dtype, shape, what):
        n = nonzero = 1
        for d in shape:
            n *= d
            nonzero *= d or 1
        if nonzero * dtype.itemsize >= 2**63:
            # NumPy cannot even describe an empty array whose other dimensions are that large
            raise MXNetError(f"Invalid NDArray file format: {what} has an impossible shape {shape}")
        raw = self.take(n * dtype.itemsize, what)
        return np.frombuffer(raw, dtype=dtype, count=n).reshape(shape).copy()


def _none_record(i):
    return MXNetError(f"Invalid NDArray file format: record {i} holds no array (an uninitialised "
                      "NDArray with unknown shape)")


def _context(rd, i):
    dev_type, dev_id = rd.unpack("ii", f"context of record {i}")
    if dev_type not in _DEV_TYPES or dev_id < 0:
        raise MXNetError(f"Invalid NDArray file format: record {i} has an invalid context "
                         f"(dev_type {dev_type}, dev_id {dev_id})")
    return dev_type, dev_id


def _check_sparse(stype, shape, values, aux, i):
    """The int64 index arrays of a sparse record, after checking they fit its shape."""
    if any(a.ndim != 1 for a in aux) or values.ndim < 1:
        raise MXNetError(f"Invalid NDArray file format: record {i} has sparse index arrays of "
                         f"shapes {[a.shape for a in aux]} and values of shape {values.shape}")
    if stype == 1:   # row_sparse: values[k] is row aux[0][k]
        idx = aux[0].astype(np.int64)
        if idx.shape[0] != values.shape[0] or (idx.size and (idx.min() < 0 or idx.max() >= shape[0])):
            raise MXNetError(f"Invalid NDArray file format: record {i} has bad row_sparse indices")
        return (idx,)
    indptr, indices = (a.astype(np.int64) for a in aux)
    rows, cols = shape
    nnz = values.shape[0]
    if (indptr.shape != (rows + 1,) or indices.shape != (nnz,) or indptr[0] != 0 or indptr[-1] != nnz
            or np.any(np.diff(indptr) < 0) or (nnz and (indices.min() < 0 or indices.max() >= cols))):
        raise MXNetError(f"Invalid NDArray file format: record {i} has bad csr indptr/indices")
    return indptr, indices


def _densify(stype, shape, values, aux, i):
    idx = _check_sparse(stype, shape, values, aux, i)
    dense = np.zeros(shape, dtype=values.dtype)
    if stype == 1:
        dense[idx[0]] = values
    else:
        indptr, indices = idx
        dense[np.repeat(np.arange(shape[0]), np.diff(indptr)), indices] = values
    return dense


def _read_record(rd, i, keep_sparse=False):
    (magic,) = rd.unpack("I", f"magic of record {i}")
    version = _VERSION.get(magic, 0)
    stype = 0
    if version >= 2:
        (stype,) = rd.unpack("i", f"storage type of record {i}")
        if stype not in _STYPES or (version == 3 and stype != 0):
            raise MXNetError(f"Invalid NDArray file format: record {i} has storage type {stype}")
    nad = _NUM_AUX[stype]
    sshape = rd.shape(f"storage shape of record {i}") if nad else None
    if version == 0:   # legacy: the magic was the ndim, dims are u32
        shape = rd.shape(f"shape of record {i}", "I", ndim=magic)
        if shape == ():
            shape = None
    else:
        shape = rd.shape(f"shape of record {i}")
        # V1 and V3 mark "no array" by ndim 0 / -1.  MXNet 1.9.1 writes a 0-d array in a V2
        # record with ndim 0 and its data, so ndim 0 in V2 is read as a 0-d array.
        if version == 1 and shape == ():
            shape = None
    if shape is None or (nad and sshape is None):
        raise _none_record(i)
    context = _context(rd, i)
    (flag,) = rd.unpack("i", f"dtype of record {i}")
    dtype = dtype_of_flag(flag, f"record {i}")
    if nad == 0:
        return rd.array(dtype, shape, f"data of record {i}"), version, "default", context
    if stype == 2:
        shapes_ok = len(shape) == 2 and len(sshape) == 1
    else:
        shapes_ok = len(shape) >= 1 and len(sshape) == len(shape) and sshape[1:] == shape[1:]
    if not shapes_ok:
        raise MXNetError(f"Invalid NDArray file format: record {i} has shape {shape} "
                         f"and storage shape {sshape}")
    aux_meta = []
    for j in range(nad):
        (aflag,) = rd.unpack("i", f"aux dtype of record {i}")
        ashape = rd.shape(f"aux shape of record {i}")
        if ashape is None:
            raise _none_record(i)
        aux_meta.append((dtype_of_flag(aflag, f"aux of record {i}"), ashape))
    values = rd.array(dtype, sshape, f"data of record {i}")
    aux = [rd.array(adt, ashp, f"aux data of record {i}") for adt, ashp in aux_meta]
    if keep_sparse:
        _check_sparse(stype, shape, values, aux, i)
        return SparseRecord(_STYPES[stype], shape, values, aux), version, _STYPES[stype], context
    return _densify(stype, shape, values, aux, i), version, _STYPES[stype], context


def decode(buf, keep_sparse=False):
    """Parse MXNet array-list bytes.

    Returns ``(names, arrays, meta)``: ``names`` is empty for a list file; ``arrays`` are NumPy
    arrays (sparse records as ``SparseRecord``s with ``keep_sparse``, else densified); ``meta`` holds one dict per record with ``version``
    (0 legacy, 1, 2, 3), ``stype`` (the stored storage type) and ``context`` (dev_type, dev_id).
    """
    rd = _Reader(buf)
    magic, _reserved = rd.unpack("QQ", "file header")
    if magic != LIST_MAGIC:
        raise MXNetError(f"Invalid NDArray file format: bad magic {magic:#x} (expected {LIST_MAGIC:#x})")
    (n,) = rd.unpack("Q", "array count")
    # every record takes at least 16 bytes: refuse absurd counts before looping
    if n * 16 > len(rd.buf) - rd.pos:
        raise MXNetError(f"Invalid NDArray file format: {n} arrays cannot fit in "
                         f"{len(rd.buf) - rd.pos} bytes")
    arrays, meta = [], []
    for i in range(n):
        arr, version, stype, context = _read_record(rd, i, keep_sparse)
        arrays.append(arr)
        meta.append({"version": version, "stype": stype, "context": context})
    (k,) = rd.unpack("Q", "name count")
    if k not in (0, n):
        raise MXNetError(f"Invalid NDArray file format: {k} names for {n} arrays")
    names = []
    for i in range(k):
        (ln,) = rd.unpack("Q", f"length of name {i}")
        raw = rd.take(ln, f"name {i}")
        try:
            names.append(bytes(raw).decode("utf-8"))
        except UnicodeDecodeError as e:
            raise MXNetError(f"Invalid NDArray file format: name {i} is not UTF-8 ({e})") from None
    return names, arrays, meta


def decode_single(buf):
    """``(array, context)`` of the bare record :func:`encode_single` writes."""
    arr, _version, _stype, context = _read_record(_Reader(buf), 0)
    return arr, context
