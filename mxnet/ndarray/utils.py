"""``mx.nd.save`` / ``load`` / ``load_frombuffer``: MXNet's array-list files (see _serialization)."""
import os
import sys

from ..base import MXNetError
from ..context import cpu
from . import _serialization as _ser
from .ndarray import NDArray, _wrap

__all__ = ["save", "load", "load_frombuffer"]


def _path(fname):
    # MXNet takes only str; os.PathLike is accepted here as well.
    if isinstance(fname, os.PathLike):
        fname = os.fspath(fname)
    if not isinstance(fname, str):
        raise TypeError("fname required to be a string")
    return fname


def _is_np_ndarray(x):
    np_mod = sys.modules.get("mxnet.numpy")
    cls = getattr(np_mod, "ndarray", None)
    return cls is not None and isinstance(x, cls)


def _np_shape_active():
    util = sys.modules.get("mxnet.util")
    fn = getattr(util, "is_np_shape", None)
    return bool(fn()) if fn is not None else False


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True   # another user's process, or a platform where the test fails: keep its file
    return True


def _remove_stale_temps(folder, base):
    """Remove the temporaries of ``base`` left by saving processes that were killed (their
    process no longer exists); those of live processes may be saves in progress."""
    prefix = f".{base}."
    try:
        entries = [e.name for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return
    for name in entries:
        parts = name[len(prefix):-len(".tmp")].split(".")
        if len(parts) != 2 or not parts[0].isdigit():
            continue
        pid = int(parts[0])
        if pid != os.getpid() and not _pid_alive(pid):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass


def write_atomic(fname, payload):
    """Write ``payload`` to ``fname`` via a temporary file in the same folder and ``os.replace``,
    so an error mid-write leaves no partial file and keeps any older file intact.  Temporaries
    of the same target left by a killed save are removed first."""
    folder = os.path.dirname(os.path.abspath(fname))
    _remove_stale_temps(folder, os.path.basename(fname))
    tmp = os.path.join(folder, f".{os.path.basename(fname)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    # os.open with 0o666 lets the umask set the permissions, as a plain open() would
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, fname)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def _check_data(data):
    """(names or None, NDArrays) from what ``save`` accepts, raising MXNet's errors."""
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        if not all(isinstance(k, str) and isinstance(v, NDArray) for k, v in data.items()):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        names, arrays = list(data.keys()), list(data.values())
    elif isinstance(data, list):
        if not all(isinstance(v, NDArray) for v in data):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        names, arrays = None, data
    else:
        raise ValueError("data needs to either be a NDArray, dict of str, NDArray pairs "
                         "or a list of NDarrays.")
    if any(_is_np_ndarray(v) for v in arrays):
        raise TypeError("cannot save mxnet.numpy.ndarray using mxnet.ndarray.save; "
                        "use mxnet.numpy.save instead.")
    return names, arrays


def save(fname, data):
    """Save an NDArray, a list of NDArrays or a dict str -> NDArray to ``fname``.

    The bytes are those MXNet 1.9.1 writes (V2 records, or V3 under NumPy shape semantics, each
    array's own context); the file is replaced atomically.
    """
    fname = _path(fname)
    names, arrays = _check_data(data)
    nps = [_ser.SparseRecord(a.stype, a.shape, a.data.asnumpy(), [_wrap(x, a._ctx).asnumpy() for x in a._aux])
           if a._is_sparse else a.asnumpy() for a in arrays]
    ctxs = [(a._ctx.device_typeid, a._ctx.device_id) for a in arrays]
    payload = _ser.encode(dict(zip(names, nps)) if names is not None else nps,
                          v3=_np_shape_active(), contexts=ctxs)
    write_atomic(fname, payload)


def _sparse_of(rec, ctx):
    from .sparse import CSRNDArray, RowSparseNDArray
    cls = CSRNDArray if rec.stype == "csr" else RowSparseNDArray
    return cls._new(rec.values, rec.aux, rec.shape, ctx)


def _to_result(buf):
    names, arrays, meta = _ser.decode(buf, keep_sparse=True)
    np_shape = _np_shape_active()
    for m in meta:
        if m["version"] == 3 and not np_shape:
            raise MXNetError("ndarray was saved in np shape semantics, must be loaded in the same "
                             "semantics. Turn on np shape semantics (npx.set_np() or "
                             "`with mx.util.np_shape(True)`) around the load.")
        if m["version"] == 2 and np_shape and not getattr(sys.modules.get("mxnet.util"),
                                                           "_np_shape_global", False):
            raise MXNetError("ndarray was not saved in np shape semantics, but being loaded in np "
                             "shape semantics. Turn it off (`with mx.util.np_shape(False)`) "
                             "around the load.")
    ctx = cpu(0)
    out = [_sparse_of(a, ctx) if isinstance(a, _ser.SparseRecord) else _wrap(a, ctx) for a in arrays]
    if names:
        return dict(zip(names, out))
    return out


def load(fname):
    """Load a file written by ``save`` (or by MXNet): a list, or a dict for named arrays.

    Reads V1, V2, V3 and legacy records onto cpu(0); sparse records give CSRNDArray /
    RowSparseNDArray.
    """
    fname = _path(fname)
    try:
        with open(fname, "rb") as f:
            buf = f.read()
    except OSError as e:
        raise MXNetError(f"load: cannot open {fname!r}: {e.strerror or e}") from None
    try:
        return _to_result(buf)
    except MXNetError as e:
        raise MXNetError(f"load {fname!r}: {e}") from None


def load_frombuffer(buf):
    """Like ``load`` but from the file's bytes (bytes, bytearray or memoryview)."""
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError("buf required to be a string or bytes")
    return _to_result(buf)
