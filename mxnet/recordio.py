"""MXNet's RecordIO files (``.rec``, with an optional ``.idx`` index) and image records."""
import numbers
import os
import struct
from collections import namedtuple

import numpy as np

from .base import MXNetError

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img",
           "unpack_img"]

_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_LEN_MASK = (1 << 29) - 1


def _pad(n):
    return (-n) & 3


class MXRecordIO:
    """Sequential reader ('r') or writer ('w') of a RecordIO file.

    A handle is reopened automatically when used in a process other than the one that opened
    it (a forked DataLoader worker) for reading; writing from another process is refused.
    """

    def __init__(self, uri, flag):
        self.uri = str(uri)
        self.flag = flag
        self.handle = None
        self.pid = None
        self.is_open = False
        self.open()

    def open(self):
        if self.flag == "w":
            self.handle = open(self.uri, "wb")
            self.writable = True
        elif self.flag == "r":
            try:
                self.handle = open(self.uri, "rb")
            except OSError as e:
                raise MXNetError(f"MXRecordIO: cannot open {self.uri!r} for reading: {e}") from None
            self.writable = False
        else:
            raise ValueError(f"Invalid flag {self.flag}")
        self.pid = os.getpid()
        self.is_open = True

    def __del__(self):
        self.close()

    def __getstate__(self):
        # file handles do not pickle: the unpickled copy reopens (a writer truncates)
        d = self.__dict__.copy()
        d["handle"] = None
        return d

    def __setstate__(self, d):
        self.__dict__.update(d)
        was_open = self.is_open
        self.is_open = False
        if was_open:
            self.open()

    def _check_pid(self, allow_reset=False):
        if self.pid != os.getpid():
            if not allow_reset:
                raise RuntimeError("Forbidden operation in multiple processes")
            self.reset()

    def close(self):
        if not getattr(self, "is_open", False):
            return
        self.handle.close()
        self.handle = None
        self.is_open = False
        self.pid = None

    def reset(self):
        """Close and reopen: a reader starts again at the first record."""
        self.close()
        self.open()

    def write(self, buf):
        """Append one record (bytes)."""
        assert self.writable
        self._check_pid(allow_reset=False)
        self.handle.write(_encode_record(bytes(buf)))

    def read(self):
        """The next record as bytes, or None at the end of the file."""
        assert not self.writable
        self._check_pid(allow_reset=True)
        parts = []
        while True:
            head = self.handle.read(8)
            if not head:
                if parts:
                    raise self._corrupt("the file ends inside a multi-part record")
                return None
            if len(head) < 8:
                raise self._corrupt("truncated record header")
            magic, lrec = struct.unpack("<II", head)
            if magic != _MAGIC:
                raise self._corrupt(f"bad magic 0x{magic:08x} (expected 0x{_MAGIC:08x})")
            cflag, length = lrec >> 29, lrec & _LEN_MASK
            data = self.handle.read(length + _pad(length))
            if len(data) < length + _pad(length):
                raise self._corrupt("truncated record data")
            parts.append(data[:length])
            # cflag 0: whole record; 1 first, 2 middle, 3 last part of a split record
            if cflag == 0 or cflag == 3:
                if (cflag == 3) != (len(parts) > 1):
                    raise self._corrupt(f"unexpected part flag {cflag}")
                return _MAGIC_BYTES.join(parts)
            if (cflag == 1) != (len(parts) == 1):
                raise self._corrupt(f"unexpected part flag {cflag}")

    def tell(self):
        """The byte offset where the next record starts."""
        return self.handle.tell()

    def _corrupt(self, why):
        return MXNetError(f"Invalid RecordIO file {self.uri!r} near byte {self.handle.tell()}: "
                          f"{why}")


def _encode_record(buf):
    """Bytes of one record, split at each 4-aligned occurrence of the magic (which is dropped
    and restored on reading), the way MXNet's writer does it."""
    n = len(buf)
    words = np.frombuffer(buf, dtype="<u4", count=n // 4)
    cuts = (np.flatnonzero(words == _MAGIC) * 4).tolist()
    out = []
    start = 0
    for cut in cuts:
        out.append(struct.pack("<II", _MAGIC, ((1 if start == 0 else 2) << 29) | (cut - start)))
        out.append(buf[start:cut])
        start = cut + 4
    out.append(struct.pack("<II", _MAGIC, ((3 if cuts else 0) << 29) | (n - start)))
    out.append(buf[start:])
    out.append(b"\0" * _pad(n))
    return b"".join(out)


class MXIndexedRecordIO(MXRecordIO):
    """RecordIO with random access through an index file of ``key\\toffset`` lines."""

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = str(idx_path)
        self.idx = {}
        self.keys = []
        self.key_type = key_type
        self.fidx = None
        super().__init__(uri, flag)

    def open(self):
        super().open()
        self.idx = {}
        self.keys = []
        self.fidx = open(self.idx_path, self.flag)
        if not self.writable:
            try:
                self._read_index()
            except UnicodeDecodeError as e:
                self.close()
                raise MXNetError(f"Invalid index file {self.idx_path!r}: not text ({e})") from None

    def _read_index(self):
        """Fill ``idx`` and ``keys`` from the index file (lines ``key<TAB>offset``)."""
        for lineno, line in enumerate(iter(self.fidx.readline, "")):
            fields = line.strip().split("\t")
            if len(fields) != 2:
                raise MXNetError(f"Invalid index file {self.idx_path!r}, line {lineno + 1}: "
                                 f"expected 'key<TAB>offset', got {line.strip()!r}")
            try:
                key, offset = self.key_type(fields[0]), int(fields[1])
            except ValueError as e:
                raise MXNetError(f"Invalid index file {self.idx_path!r}, line {lineno + 1}: "
                                 f"{e}") from None
            if offset < 0:
                raise MXNetError(f"Invalid index file {self.idx_path!r}, line {lineno + 1}: "
                                 f"negative record offset {offset}")
            if offset >= 2**63:
                raise MXNetError(f"Invalid index file {self.idx_path!r}, line {lineno + 1}: "
                                 f"record offset {offset} out of range")
            self.idx[key] = offset
            self.keys.append(key)

    def close(self):
        if not getattr(self, "is_open", False):
            return
        super().close()
        self.fidx.close()
        self.fidx = None

    def __getstate__(self):
        d = super().__getstate__()
        d["fidx"] = None
        return d

    def seek(self, idx):
        """Move the reader to the record with key ``idx``."""
        assert not self.writable
        self._check_pid(allow_reset=True)
        self.handle.seek(self.idx[idx])

    def tell(self):
        return self.handle.tell()

    def read_idx(self, idx):
        """The record with key ``idx``."""
        self.seek(idx)
        rec = self.read()
        if rec is None:
            raise MXNetError(f"Invalid index file {self.idx_path!r}: key {idx!r} points at byte "
                             f"{self.idx[idx]}, past the last record of {self.uri!r}")
        return rec

    def write_idx(self, idx, buf):
        """Append a record under key ``idx`` and index it."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self.fidx.write(f"{key}\t{pos}\n")
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Image record header: ``flag`` (number of float labels that follow, or 0),
``label`` (used when flag is 0), ``id`` and ``id2``."""

_IR_FORMAT = "IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header, s):
    """Bytes of an image record: the header, then the labels when ``header.label`` is an array,
    then ``s``."""
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + s
    return struct.pack(_IR_FORMAT, *header) + s


def unpack(s):
    """Split an image record into ``(IRHeader, payload)``; an array label comes back as
    float32."""
    if len(s) < _IR_SIZE:
        raise MXNetError(f"recordio.unpack: a record needs at least {_IR_SIZE} header bytes, "
                         f"got {len(s)}")
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if header.flag * 4 > len(s):
            raise MXNetError(f"recordio.unpack: the header announces {header.flag} float labels "
                             f"({header.flag * 4} bytes) but only {len(s)} bytes follow it")
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4:]
    return header, s


def _codec():
    """cv2 when installed, else Pillow (``pip install mxnext[image]``)."""
    try:
        import cv2
        return "cv2", cv2
    except ImportError:
        pass
    try:
        from PIL import Image
        return "pil", Image
    except ImportError:
        raise ImportError("image records need an image codec: install Pillow "
                          "(pip install 'mxnext[image]') or opencv-python") from None


def pack_img(header, img, quality=95, img_fmt=".jpg"):
    """Encode ``img`` (HxW or HxWx3 uint8, BGR like OpenCV) as JPEG/PNG and pack it."""
    kind, lib = _codec()
    fmt = img_fmt.lower()
    if fmt not in (".jpg", ".jpeg", ".png"):
        raise ValueError(f"pack_img: img_fmt must be '.jpg', '.jpeg' or '.png', got {img_fmt!r}")
    img = np.asarray(img)
    if kind == "cv2":
        if fmt in (".jpg", ".jpeg"):
            params = [lib.IMWRITE_JPEG_QUALITY, quality]
        else:
            params = [lib.IMWRITE_PNG_COMPRESSION, quality]
        ok, buf = lib.imencode(fmt, img, params)
        if not ok:
            raise MXNetError("pack_img: failed to encode the image")
        return pack(header, buf.tobytes())
    import io
    if img.ndim == 3 and img.shape[2] == 3:
        img = img[:, :, ::-1]            # BGR (OpenCV's order) to RGB
    out = io.BytesIO()
    pil = lib.fromarray(np.ascontiguousarray(img))
    if fmt == ".png":
        pil.save(out, format="PNG", compress_level=min(max(int(quality), 0), 9))
    else:
        pil.save(out, format="JPEG", quality=quality)
    return pack(header, out.getvalue())


def unpack_img(s, iscolor=-1):
    """Unpack an image record and decode its image: ``(IRHeader, HxWx3 BGR or HxW uint8)``.
    ``iscolor``: -1 as stored, 0 greyscale, 1 three-channel colour."""
    header, s = unpack(s)
    kind, lib = _codec()
    if kind == "cv2":
        img = lib.imdecode(np.frombuffer(s, dtype=np.uint8), iscolor)
        if img is None:
            raise MXNetError("unpack_img: the record does not hold a decodable image")
        return header, img
    import io
    try:
        pil = lib.open(io.BytesIO(s))
        if iscolor == 0:
            pil = pil.convert("L")
        elif iscolor == 1 or pil.mode not in ("L", "RGB"):
            pil = pil.convert("RGB")
        img = np.asarray(pil)
    except Exception as e:  # Pillow raises many types for a corrupt stream
        raise MXNetError(f"unpack_img: the record does not hold a decodable image ({e})") from None
    if img.ndim == 3:
        img = np.ascontiguousarray(img[:, :, ::-1])
    return header, img
