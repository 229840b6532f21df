"""Data iterators (``mx.io``): DataDesc, DataBatch, DataIter, NDArrayIter, ResizeIter,
PrefetchingIter, MNISTIter."""
import gzip
from collections import OrderedDict, namedtuple

import numpy as np

from ..base import MXNetError, mx_real_t
from ..context import cpu
from ..ndarray import NDArray, array
from ..ndarray.ndarray import _wrap

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter",
           "MNISTIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name, shape, dtype and layout of one input of a model."""

    def __new__(cls, name, shape, dtype=mx_real_t, layout="NCHW"):
        ret = super().__new__(cls, name, shape)
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self):
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout):
        """Position of 'N' in ``layout`` (0 when no layout is given)."""
        return 0 if layout is None else layout.find("N")

    @staticmethod
    def get_list(shapes, types):
        """DataDescs from ``[(name, shape)]`` and optional ``[(name, dtype)]``."""
        if types is not None:
            type_dict = dict(types)
            return [DataDesc(x[0], x[1], type_dict[x[0]]) for x in shapes]
        return [DataDesc(x[0], x[1]) for x in shapes]


class DataBatch:
    """One batch: lists of data and label arrays, the number of padding samples, and indices."""

    def __init__(self, data, label=None, pad=None, index=None, bucket_key=None,
                 provide_data=None, provide_label=None):
        if data is not None:
            assert isinstance(data, (list, tuple)), "Data must be list of NDArrays"
        if label is not None:
            assert isinstance(label, (list, tuple)), "Label must be list of NDArrays"
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self):
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lb.shape for lb in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data_shapes} label shapes: {label_shapes}"


class DataIter:
    """Base iterator: subclasses implement ``iter_next``, ``getdata``, ``getlabel``,
    ``getpad`` (and ``getindex``)."""

    def __init__(self, batch_size=0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self):
        pass

    def next(self):
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    def __next__(self):
        return self.next()

    def iter_next(self):
        pass

    def getdata(self):
        pass

    def getlabel(self):
        pass

    def getindex(self):
        return None

    def getpad(self):
        pass


class ResizeIter(DataIter):
    """Makes ``data_iter`` last exactly ``size`` batches per epoch, restarting it as needed."""

    def __init__(self, data_iter, size, reset_internal=True):
        super().__init__()
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self):
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self):
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self):
        return self.current_batch.pad


class PrefetchingIter(DataIter):
    """Joins several iterators into one: each batch concatenates their data and label lists.
    ``rename_data``/``rename_label`` map each iterator's names to new ones. Batches are read
    on demand (no background thread), which gives the same batches."""

    def __init__(self, iters, rename_data=None, rename_label=None):
        super().__init__()
        if not isinstance(iters, list):
            iters = [iters]
        self.iters = iters
        self.n_iter = len(iters)
        assert self.n_iter > 0
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0][1][0]
        self.current_batch = None

    @staticmethod
    def _rename(descs, renames):
        if renames is None:
            return sum([list(d) for d in descs], [])
        return sum([[DataDesc(r[x.name], x.shape, x.dtype) if isinstance(x, DataDesc)
                     else DataDesc(*x) for x in d] for r, d in zip(renames, descs)], [])

    @property
    def provide_data(self):
        return self._rename([i.provide_data for i in self.iters], self.rename_data)

    @property
    def provide_label(self):
        return self._rename([i.provide_label for i in self.iters], self.rename_label)

    def reset(self):
        for i in self.iters:
            i.reset()

    def iter_next(self):
        batches = []
        for i in self.iters:
            try:
                batches.append(i.next())
            except StopIteration:
                batches.append(None)
        if all(b is None for b in batches):
            return False
        if any(b is None for b in batches):
            raise MXNetError("PrefetchingIter: the iterators have different numbers of batches")
        for b in batches[1:]:
            if b.pad != batches[0].pad:
                raise MXNetError("PrefetchingIter: the iterators give different pad values")
        self.current_batch = DataBatch(sum([b.data for b in batches], []),
                                       sum([b.label for b in batches], []),
                                       batches[0].pad, batches[0].index,
                                       provide_data=self.provide_data,
                                       provide_label=self.provide_label)
        return True

    def next(self):
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def __next__(self):
        return self.next()

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self):
        return self.current_batch.pad


def _init_data(data, allow_empty, default_name):
    """Normalise data/label input to a sorted list of ``(name, NDArray)``."""
    assert data is not None or allow_empty
    if data is None:
        data = []
    if isinstance(data, (np.ndarray, NDArray)):
        data = [data]
    if isinstance(data, list):
        if not allow_empty:
            assert len(data) > 0
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict([(f"_{i}_{default_name}", d) for i, d in enumerate(data)])
    if not isinstance(data, dict):
        raise TypeError("Input must be NDArray, numpy.ndarray, h5py.Dataset a list of them or "
                        "dict with them as values")
    data = dict(data)
    for k, v in data.items():
        if type(v).__module__.startswith("scipy.sparse"):
            from ..ndarray.sparse import csr_matrix
            data[k] = csr_matrix(v)
        elif not isinstance(v, NDArray):
            try:
                data[k] = array(v)
            except Exception:
                raise TypeError(f"Invalid type '{type(v)}' for {k}, should be NDArray, "
                                "numpy.ndarray or h5py.Dataset") from None
    return sorted(data.items())


def _getdata_by_idx(data, idx):
    out = []
    for k, v in data:
        if v.stype == "csr":  # the rows, kept compressed
            from ..ndarray import take
            out.append((k, take(v, array(idx, v.context, dtype=np.int64), mode="clip")))
        else:
            out.append((k, array(v.asnumpy()[idx], v.context)))
    return out


class NDArrayIter(DataIter):
    """Iterates over in-memory arrays in mini-batches.

    ``data``/``label``: an array, a list of arrays (named ``_i_<name>``) or a dict. The last
    incomplete batch is handled by ``last_batch_handle``: 'pad' fills it from the start
    (``pad`` counts the filler), 'discard' drops it, 'roll_over' carries it into the next
    epoch's first batch.
    """

    def __init__(self, data, label=None, batch_size=1, shuffle=False, last_batch_handle="pad",
                 data_name="data", label_name="softmax_label", layout="NCHW"):
        super().__init__(batch_size)
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(f"NDArrayIter: last_batch_handle must be 'pad', 'discard' or "
                             f"'roll_over', got {last_batch_handle!r}")
        self.data = _init_data(data, allow_empty=False, default_name=data_name)
        self.label = _init_data(label, allow_empty=True, default_name=label_name)
        if last_batch_handle != "discard" and any(v.stype == "csr" for _, v in self.data + self.label):
            # as MXNet: a short last batch of CSR rows would need padding or concatenation
            raise NotImplementedError("`NDArrayIter` only supports ``CSRNDArray`` with `last_batch_handle` "
                                      "set to `discard`.")
        self.idx = np.arange(self.data[0][1].shape[0])
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.batch_size = batch_size
        self.cursor = -self.batch_size
        self.num_data = self.idx.shape[0]
        self.reset()
        self.data_list = [x[1] for x in self.data] + [x[1] for x in self.label]
        self.num_source = len(self.data_list)
        self._cache_data = None
        self._cache_label = None
        self.layout = layout

    def _descs(self, source):
        return [DataDesc(k, tuple([self.batch_size] + list(v.shape[1:])), v.dtype,
                         layout=self.layout) for k, v in source]

    @property
    def provide_data(self):
        return self._descs(self.data)

    @property
    def provide_label(self):
        return self._descs(self.label)

    def hard_reset(self):
        """Restart from the beginning, dropping any rolled-over samples."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache_data = None
        self._cache_label = None

    def reset(self):
        if self.shuffle:
            self._shuffle_data()
        if (self.last_batch_handle == "roll_over"
                and self.num_data - self.batch_size < self.cursor < self.num_data):
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def iter_next(self):
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self):
        if not self.iter_next():
            raise StopIteration
        data = self.getdata()
        label = self.getlabel()
        if data[0].shape[0] != self.batch_size:
            # an incomplete last batch ('discard'/'roll_over'): kept for the next epoch
            self._cache_data = data
            self._cache_label = label
            raise StopIteration
        return DataBatch(data=data, label=label, pad=self.getpad(), index=None)

    def __next__(self):
        return self.next()

    def _getdata(self, source, start=None, end=None):
        start = 0 if start is None else start
        if end is None:
            end = source[0][1].shape[0] if source else 0
        return [v[start:end] for _, v in source]

    @staticmethod
    def _concat(first, second):
        if not first or not second:
            return first if first else second
        return [_wrap(np.concatenate([a.asnumpy(), b.asnumpy()]), a.context)
                for a, b in zip(first, second)]

    def _batchify(self, source):
        assert self.cursor < self.num_data, "DataIter needs reset."
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            assert self._cache_data is not None or self._cache_label is not None, \
                "next epoch should have cached data"
            cache = self._cache_data if self._cache_data is not None else self._cache_label
            second = self._getdata(source, end=self.cursor + self.batch_size)
            if self._cache_data is not None:
                self._cache_data = None
            else:
                self._cache_label = None
            return self._concat(cache, second)
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            pad = self.batch_size - self.num_data + self.cursor
            first = self._getdata(source, start=self.cursor)
            # the filler wraps around the data as many times as needed
            fill = np.arange(pad) % self.num_data
            second = [_wrap(v.asnumpy()[fill], v.context) for _, v in source]
            return self._concat(first, second)
        end = min(self.cursor + self.batch_size, self.num_data)
        return self._getdata(source, self.cursor, end)

    def getdata(self):
        return self._batchify(self.data)

    def getlabel(self):
        return self._batchify(self.label)

    def getpad(self):
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _shuffle_data(self):
        np.random.shuffle(self.idx)
        self.data = _getdata_by_idx(self.data, self.idx)
        self.label = _getdata_by_idx(self.label, self.idx)


def _read_idx_file(path, magic):
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise MXNetError(f"MNISTIter: cannot read {path}: {e}") from None
    ndim = magic & 0xFF
    head = 4 + 4 * ndim
    fields = np.frombuffer(raw[:head], dtype=">u4") if len(raw) >= head else None
    if fields is None or fields[0] != magic:
        raise MXNetError(f"MNISTIter: {path} is not an IDX file with magic 0x{magic:x}")
    shape = tuple(int(d) for d in fields[1:])
    if len(raw) - head != int(np.prod(shape)):
        raise MXNetError(f"MNISTIter: {path} is truncated: header says {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=head).reshape(shape)


class MNISTIter(DataIter):
    """Batches of MNIST from IDX files (raw or .gz): data ``(batch, 1, 28, 28)`` (or
    ``(batch, 784)`` when ``flat``) as float32 pixel/256, float32 labels; an incomplete last
    batch is dropped. ``num_parts``/``part_index`` read one contiguous part of the set.
    Shuffling uses its own generator seeded by ``seed`` (not MXNet's exact order)."""

    def __init__(self, image="./train-images-idx3-ubyte", label="./train-labels-idx1-ubyte",
                 batch_size=128, shuffle=True, flat=False, seed=0, silent=False, num_parts=1,
                 part_index=0, data_name="data", label_name="softmax_label"):
        super().__init__(batch_size)
        images = _read_idx_file(image, 0x803)
        labels = _read_idx_file(label, 0x801)
        if images.shape[0] != labels.shape[0]:
            raise MXNetError(f"MNISTIter: {images.shape[0]} images but {labels.shape[0]} labels")
        n = images.shape[0]
        lo, hi = n * part_index // num_parts, n * (part_index + 1) // num_parts
        images, labels = images[lo:hi], labels[lo:hi]
        self._index = np.arange(lo, hi, dtype=np.uint64)
        if shuffle:
            perm = np.random.RandomState(seed).permutation(len(labels))
            images, labels, self._index = images[perm], labels[perm], self._index[perm]
        shape = (-1, images.shape[1] * images.shape[2]) if flat else (-1, 1) + images.shape[1:]
        self._images = (images.reshape(shape).astype(np.float32) * np.float32(1 / 256))
        self._labels = labels.astype(np.float32)
        self._data_name = data_name
        self._label_name = label_name
        self._cursor = -batch_size
        if not silent:
            print(f"MNISTIter: load {len(labels)} images, shuffle={int(bool(shuffle))}, "
                  f"shape={(batch_size,) + self._images.shape[1:]}")

    @property
    def provide_data(self):
        return [DataDesc(self._data_name, (self.batch_size,) + self._images.shape[1:], np.float32)]

    @property
    def provide_label(self):
        return [DataDesc(self._label_name, (self.batch_size,), np.float32)]

    def reset(self):
        self._cursor = -self.batch_size

    def iter_next(self):
        self._cursor += self.batch_size
        return self._cursor + self.batch_size <= len(self._labels)

    def _slice(self, arr):
        return _wrap(arr[self._cursor:self._cursor + self.batch_size].copy(), cpu())

    def getdata(self):
        return [self._slice(self._images)]

    def getlabel(self):
        return [self._slice(self._labels)]

    def getindex(self):
        return self._slice(self._index)

    def getpad(self):
        return 0
