"""The C++-backed iterators of MXNet re-done in NumPy: the ``MXDataIter`` batching base, ``CSVIter`` and
``LibSVMIter``.

MXNet's loaders read whole epochs ahead in a background thread.  With ``round_batch`` the last batch of
an epoch is completed from the head of the data (``batch.pad`` counts those samples) and the next epoch
starts right after the borrowed samples; ``MXDataIter`` reproduces that order exactly."""

import numpy as np

from ..base import MXNetError
from ..ndarray import NDArray, array
from .io import DataBatch, DataDesc, DataIter

__all__ = ["MXDataIter", "CSVIter", "LibSVMIter"]


def _shape(v, what, name):
    if isinstance(v, int):
        return (v,)
    try:
        return tuple(int(x) for x in v)
    except (TypeError, ValueError):
        raise MXNetError(f"{name}: {what} must be a shape (tuple of int), got {v!r}") from None


def _check_kwargs(name, kwargs, known):
    bad = sorted(set(kwargs) - set(known))
    if bad:
        raise MXNetError(f"{name}: unknown argument(s) {bad}; valid arguments are {sorted(known)}")


class MXDataIter(DataIter):
    """Base of the iterators MXNet implements in C++: batches of ``batch_size`` samples taken in order
    from ``num_samples`` (subclasses load them with ``_load(indices) -> (data, label)`` NumPy arrays).

    The iterator peeks its first batch when built, as MXNet's does, so ``provide_data`` is known.
    ``reset()`` after a finished epoch is exact; a ``reset()`` mid-epoch races MXNet's prefetch thread
    there, and here counts the epoch as finished when at most ``prefetch_buffer`` batches were left."""

    def __init__(
        self,
        num_samples,
        batch_size,
        round_batch=True,
        data_name="data",
        label_name="softmax_label",
        shuffle=False,
        seed=0,
        prefetch_buffer=4,
    ):
        super().__init__(batch_size)
        if batch_size <= 0:
            raise MXNetError(f"{type(self).__name__}: batch_size must be positive, got {batch_size}")
        if num_samples <= 0:
            raise MXNetError(f"{type(self).__name__}: the data holds no samples")
        self._n = num_samples
        self._round = bool(round_batch)
        self._prefetch = int(prefetch_buffer)
        self._shuffle = bool(shuffle)
        self._rng = np.random.RandomState(seed)
        self._order = np.arange(num_samples)
        self._start = 0  # where the current epoch starts in the data
        self._pos = 0  # samples of the current epoch already given out
        self._prev = None  # last batch arrays: MXNet leaves them in the unfilled slots of a short batch
        self._current = None
        self.data_name, self.label_name = data_name, label_name
        self._new_epoch()
        self._peek = self._next_batch()
        self.provide_data = [DataDesc(data_name, self._peek.data[0].shape, self._peek.data[0].dtype)]
        self.provide_label = [DataDesc(label_name, self._peek.label[0].shape, self._peek.label[0].dtype)]

    def _new_epoch(self):
        if self._shuffle:
            self._order = self._rng.permutation(self._n)
        self._pos = 0

    def _overflow(self):
        """Samples the current epoch's last batch borrows from the head of the data."""
        rest = (self._n - self._start) % self.batch_size
        return self.batch_size - rest if (self._round and rest) else 0

    def reset(self):
        # MXNet's loader runs up to ``prefetch_buffer`` batches ahead of the user.  When it has reached the
        # epoch's end, the next epoch begins after the samples the last batch borrowed; otherwise at 0.
        per_epoch = -(-(self._n - self._start) // self.batch_size)
        given = -(-self._pos // self.batch_size)
        self._start = self._overflow() % self._n if given + self._prefetch >= per_epoch else 0
        self._peek = None
        self._new_epoch()

    def _next_batch(self):
        left = self._n - self._start - self._pos
        if left <= 0:
            return None
        take = min(left, self.batch_size)
        idx = self._order[self._start + self._pos + np.arange(take)]
        self._pos += take
        pad = self.batch_size - take
        if pad and self._round:
            idx = np.concatenate([idx, self._order[np.arange(pad) % self._n]])
            data, label = self._load(idx)
        else:
            data, label = self._load(idx)
            if pad:
                data, label = self._fill_short(data, label, pad)
        self._prev = (data, label)
        return DataBatch(
            [_as_nd(data)],
            [_as_nd(label)],
            pad=pad,
            index=idx.astype(np.uint64),
        )

    def _fill_short(self, data, label, pad):
        """A short last batch without round_batch: the free slots keep the previous batch's samples."""

        def fill(a, prev):
            out = prev.copy() if prev is not None else np.zeros((self.batch_size,) + a.shape[1:], a.dtype)
            out[: len(a)] = a
            return out

        prev = self._prev or (None, None)
        return fill(data, prev[0]), fill(label, prev[1])

    def iter_next(self):
        self._current = self._peek if self._peek is not None else self._next_batch()
        self._peek = None
        return self._current is not None

    def next(self):
        if not self.iter_next():
            raise StopIteration
        return self._current

    def __next__(self):
        return self.next()

    def getdata(self):
        """The current batch's data array (one NDArray, as MXNet's C iterators give)."""
        return self._current.data[0]

    def getlabel(self):
        """The current batch's label array."""
        return self._current.label[0]

    def getpad(self):
        return self._current.pad

    def getindex(self):
        return self._current.index

    def _load(self, idx):
        raise NotImplementedError


def _as_nd(a):
    return a if isinstance(a, NDArray) else array(a, dtype=a.dtype)


def _dtype(dtype, name):
    dt = np.dtype("float32" if dtype is None else dtype)
    if dt not in (np.float32, np.int32, np.int64):
        raise MXNetError(f"{name}: dtype must be float32, int32 or int64, got {dt}")
    return dt


class CSVIter(MXDataIter):
    """Batches of rows of ``data_csv`` reshaped to ``data_shape`` (and of ``label_csv`` reshaped to
    ``label_shape``; labels are 0 without a label file)."""

    def __init__(
        self,
        data_csv,
        data_shape,
        batch_size,
        label_csv=None,
        label_shape=(1,),
        round_batch=True,
        prefetch_buffer=4,
        ctx="gpu",
        dtype=None,
        data_name="data",
        label_name="softmax_label",
    ):
        dt = _dtype(dtype, "CSVIter")
        self._data_shape = _shape(data_shape, "data_shape", "CSVIter")
        self._label_shape = _shape(label_shape, "label_shape", "CSVIter")
        self._x = self._read(data_csv, self._data_shape, dt)
        if label_csv not in (None, "NULL"):
            self._y = self._read(label_csv, self._label_shape, dt)
        else:
            self._y = np.zeros((len(self._x),) + self._label_shape, dt)
        if len(self._y) != len(self._x):
            raise MXNetError(f"CSVIter: {len(self._x)} data rows but {len(self._y)} label rows")
        super().__init__(
            len(self._x), batch_size, round_batch, data_name, label_name, prefetch_buffer=prefetch_buffer
        )

    @staticmethod
    def _read(path, shape, dt):
        try:
            rows = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
        except OSError as e:
            raise MXNetError(f"CSVIter: cannot read {path!r}: {e}") from None
        if rows.shape[1] != int(np.prod(shape)):
            raise MXNetError(
                f"CSVIter: rows of {path!r} have {rows.shape[1]} values, shape {shape} needs "
                f"{int(np.prod(shape))}"
            )
        return rows.astype(dt).reshape((len(rows),) + shape)

    def _load(self, idx):
        y = self._y[idx]
        return self._x[idx], (y.reshape(len(idx)) if self._label_shape == (1,) else y)


def _text_part(path, num_parts, part_index):
    """The lines of part ``part_index`` of ``num_parts``: as dmlc's text splitter does, the file is cut in
    equal byte ranges and each cut moves on to the next line start."""
    if not 0 <= part_index < num_parts:
        raise MXNetError(f"part_index must be in [0, num_parts), got {part_index} of {num_parts}")
    with open(path, "rb") as f:
        lines = [ln for ln in f.read().splitlines(keepends=True) if ln.strip()]
    starts = np.cumsum([0] + [len(ln) for ln in lines])
    total = int(starts[-1])
    step = -(-total // num_parts)

    def cut(pos):
        return len(lines) if pos >= total else int(np.searchsorted(starts, pos, side="right")) if pos else 0

    return slice(cut(step * part_index), cut(step * (part_index + 1)))


class LibSVMIter(MXDataIter):
    """Batches of LibSVM rows (``label idx:value ...``, zero-based feature indices) as ``CSRNDArray``
    data of shape ``(batch_size,) + data_shape``, as MXNet's.  ``label_libsvm`` gives labels as CSR
    rows of ``label_shape``; otherwise each row's leading label, dense.  The rows are kept in CSR
    form (memory proportional to the values stored, not to the feature count)."""

    def __init__(
        self,
        data_libsvm,
        data_shape,
        batch_size,
        label_libsvm=None,
        label_shape=(1,),
        num_parts=1,
        part_index=0,
        round_batch=True,
        prefetch_buffer=4,
        ctx="gpu",
        dtype=None,
        data_name="data",
        label_name="softmax_label",
    ):
        dt = _dtype(dtype, "LibSVMIter")
        if not round_batch:
            raise MXNetError(
                "LibSVMIter: round_batch=False is not supported (as in MXNet's sparse batch loader)"
            )
        self._data_shape = _shape(data_shape, "data_shape", "LibSVMIter")
        self._label_shape = _shape(label_shape, "label_shape", "LibSVMIter")
        if len(self._data_shape) != 1:
            raise MXNetError(f"LibSVMIter: data_shape must have 1 dimension, got {self._data_shape}")
        keep = _text_part(data_libsvm, num_parts, part_index)
        lead, self._x = self._read(data_libsvm, int(np.prod(self._data_shape)), dt, keep)
        if label_libsvm not in (None, "NULL"):
            _, self._y = self._read(label_libsvm, int(np.prod(self._label_shape)), dt,
                                    _text_part(label_libsvm, num_parts, part_index))
            if len(self._y[0]) - 1 != len(lead):
                raise MXNetError(f"LibSVMIter: {len(lead)} data rows but {len(self._y[0]) - 1} label rows")
        else:
            self._y = lead.astype(dt)
        super().__init__(
            len(lead), batch_size, round_batch, data_name, label_name, prefetch_buffer=prefetch_buffer
        )

    @staticmethod
    def _read(path, width, dt, part):
        """``(leading labels, (indptr, indices, values, width))`` of the lines ``part`` of a file."""
        try:
            with open(path) as f:
                lines = [ln.split() for ln in f if ln.strip()][part]
        except OSError as e:
            raise MXNetError(f"LibSVMIter: cannot read {path!r}: {e}") from None
        try:
            lead = np.array([float(t[0]) for t in lines])
            pairs = [p.split(":") for t in lines for p in t[1:]]
            cols = np.array([int(kv[0]) for kv in pairs], dtype=np.int64)
            vals = np.array([float(kv[1]) for kv in pairs], dtype=dt)
        except (ValueError, IndexError) as e:
            raise MXNetError(f"LibSVMIter: {path!r} is not in LibSVM format ({e})") from None
        if cols.size and (cols.max() >= width or cols.min() < 0):
            bad = int(cols.max()) if cols.max() >= width else int(cols.min())
            raise MXNetError(
                f"LibSVMIter: feature index {bad} of {path!r} is outside data_shape ({width} features)"
            )
        indptr = np.zeros(len(lines) + 1, dtype=np.int64)
        np.cumsum([len(t) - 1 for t in lines], out=indptr[1:])
        # as MXNet, each row's columns stay in the file's order
        return lead, (indptr, cols, vals, width)

    @staticmethod
    def _rows(csr, idx):
        """Rows ``idx`` of CSR components, as a CSRNDArray."""
        from ..ndarray.sparse import csr_matrix
        indptr, indices, vals, width = csr
        counts = indptr[idx + 1] - indptr[idx]
        new_ptr = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(counts, out=new_ptr[1:])
        # the positions of each row's values: its start repeated, plus 0, 1, ... within the row
        pos = np.repeat(indptr[idx] - new_ptr[:-1], counts) + np.arange(new_ptr[-1])
        return csr_matrix((vals[pos], indices[pos], new_ptr), shape=(len(idx), width), dtype=vals.dtype)

    def _load(self, idx):
        label = self._rows(self._y, idx) if isinstance(self._y, tuple) else self._y[idx]
        return self._rows(self._x, idx), label
