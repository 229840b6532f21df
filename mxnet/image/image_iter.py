"""``mx.image.ImageIter``: batches of decoded, augmented images from an image list or a RecordIO file."""
import os
import random

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..io import DataBatch, DataIter
from .image import CreateAugmenter, imdecode

__all__ = ["ImageIter"]


class ImageIter(DataIter):
    """Iterate over images listed in ``path_imglist`` (lines ``index<TAB>label(s)<TAB>path``),
    given in ``imglist`` (entries ``[label(s)..., path]``) or packed in ``path_imgrec`` (with
    ``path_imgidx`` for random access and shuffling). Each image is decoded, run through
    ``aug_list`` (default ``CreateAugmenter(data_shape, **kwargs)``) and transposed to CxHxW;
    batches are float32 ``(batch_size,) + data_shape``.

    ``last_batch_handle``: 'pad' fills the last batch from the start of the data (``batch.pad``
    counts those), 'discard' drops it, 'roll_over' pads it like 'pad' and starts the next epoch
    after the samples it borrowed."""

    def __init__(self, batch_size, data_shape, label_width=1, path_imgrec=None, path_imglist=None,
                 path_root=None, path_imgidx=None, shuffle=False, part_index=0, num_parts=1,
                 aug_list=None, imglist=None, data_name="data", label_name="softmax_label",
                 dtype="float32", last_batch_handle="pad", **kwargs):
        super().__init__(batch_size)
        assert path_imgrec or path_imglist or isinstance(imglist, list)
        assert dtype in ("int32", "float32", "int64", "float64"), dtype + " label not supported"
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(f"ImageIter: last_batch_handle must be 'pad', 'discard' or 'roll_over', "
                             f"got {last_batch_handle!r}")
        self.check_data_shape(data_shape)
        self.imgrec = self.imgidx = self.imglist = None
        if path_imgrec:
            from ..recordio import MXIndexedRecordIO, MXRecordIO
            if path_imgidx:
                self.imgrec = MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                self.imgidx = list(self.imgrec.keys)
            else:
                self.imgrec = MXRecordIO(path_imgrec, "r")
        if path_imglist:
            with open(path_imglist) as f:
                rows = [line.strip().split("\t") for line in f if line.strip()]
            self.imglist = {int(r[0]): (nd.array(np.array(r[1:-1], dtype=np.float64).astype(dtype)), r[-1])
                            for r in rows}
            seq = [int(r[0]) for r in rows]
        elif isinstance(imglist, list):
            self.imglist = {}
            seq = []
            for i, entry in enumerate(imglist, 1):
                labels = entry[:-1] if len(entry) > 2 else [entry[0]]
                self.imglist[str(i)] = (nd.array(np.asarray(labels, dtype=dtype)), entry[-1])
                seq.append(str(i))
        else:
            seq = self.imgidx
        if shuffle and seq is None:
            raise MXNetError("ImageIter: shuffle=True with a RecordIO file needs path_imgidx")
        if num_parts > 1 and seq is not None:
            n = len(seq) // num_parts
            seq = seq[part_index * n:(part_index + 1) * n]
        self.seq = seq
        self.path_root = path_root
        self.data_shape = tuple(data_shape)
        self.label_width = label_width
        self.shuffle = shuffle
        self.dtype = dtype
        self.last_batch_handle = last_batch_handle
        label_shape = (batch_size,) if label_width == 1 else (batch_size, label_width)
        self.provide_data = [(data_name, (batch_size,) + self.data_shape)]
        self.provide_label = [(label_name, label_shape)]
        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.cur = 0
        self._borrowed = 0  # samples a rolled-over last batch took from the next epoch
        self.reset()

    def reset(self):
        """Start a new epoch (reshuffling when ``shuffle``)."""
        if self.shuffle:
            random.shuffle(self.seq)
        if self.imgrec is not None and self.seq is None:
            self.imgrec.reset()
        self.cur = self._borrowed if self.last_batch_handle == "roll_over" else 0
        if self.imgrec is not None and self.seq is None:
            for _ in range(self.cur):
                self.imgrec.read()
        self._borrowed = 0
        self._done = False

    def hard_reset(self):
        """Start over from the first sample, forgetting any rolled-over batch."""
        self._borrowed = 0
        self.reset()

    def next_sample(self):
        """The next ``(label, encoded image bytes)``; raises ``StopIteration`` at the end."""
        if self.seq is not None:
            if self.cur >= len(self.seq):
                raise StopIteration
            key = self.seq[self.cur]
            self.cur += 1
            if self.imglist is not None:
                label, fname = self.imglist[key]
                return label, self.read_image(fname)
            return self._unpack(self.imgrec.read_idx(key))
        s = self.imgrec.read()
        if s is None:
            raise StopIteration
        self.cur += 1
        return self._unpack(s)

    def _unpack(self, s):
        from ..recordio import unpack
        header, img = unpack(s)
        return np.asarray(header.label, dtype=np.float32).reshape(-1), img

    def read_image(self, fname):
        """The bytes of the image file ``fname`` (under ``path_root`` when given)."""
        path = fname if self.path_root is None else os.path.join(self.path_root, fname)
        with open(path, "rb") as f:
            return f.read()

    def imdecode(self, s):
        """Decode image bytes to an RGB HxWx3 image."""
        return imdecode(s)

    def check_valid_image(self, data):
        """Reject an empty decoded image."""
        if len(data[0].shape) == 0:
            raise RuntimeError("Data shape is wrong")

    def check_data_shape(self, data_shape):
        """``data_shape`` must be ``(3, height, width)``, as in MXNet."""
        if len(data_shape) != 3:
            raise ValueError(f"ImageIter: data_shape must be (3, height, width), got {data_shape}")
        if data_shape[0] != 3:
            raise ValueError("This iterator expects inputs to have 3 channels.")

    def augmentation_transform(self, data):
        """Run ``data`` through the augmenter list."""
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum):
        """HxWxC to CxHxW."""
        return nd.transpose(datum, axes=(2, 0, 1))

    def _fill(self, data, labels, start):
        """Fill batch rows from ``start`` until the batch is full or the data ends; returns the
        number of rows now filled."""
        i = start
        while i < self.batch_size:
            try:
                label, s = self.next_sample()
            except StopIteration:
                break
            img = self.imdecode(s)
            self.check_valid_image([img])
            img = self.postprocess_data(self.augmentation_transform(img))
            if tuple(img.shape) != self.data_shape:
                raise MXNetError(f"ImageIter: an augmented image has shape {tuple(img.shape)}, expected "
                                 f"{self.data_shape}; add a crop or resize to aug_list")
            data[i] = img.asnumpy()
            label = label.asnumpy() if isinstance(label, nd.NDArray) else label
            labels[i] = np.asarray(label).reshape(labels.shape[1:])
            i += 1
        return i

    def _new_labels(self):
        """The label buffer of one batch."""
        return np.zeros(self.provide_label[0][1], np.float32)

    def _rewind(self):
        self.cur = 0
        if self.imgrec is not None and self.seq is None:
            self.imgrec.reset()

    def next(self):
        if self._done:
            raise StopIteration
        data = np.zeros((self.batch_size,) + self.data_shape, np.float32)
        labels = self._new_labels()
        n = self._fill(data, labels, 0)
        if n == 0:
            raise StopIteration
        pad = self.batch_size - n
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            while n < self.batch_size:  # borrow from the start of the data, as often as needed
                self._rewind()
                n = self._fill(data, labels, n)
            self._borrowed = self.cur
            self._done = True
        return DataBatch([nd.array(data)], [nd.array(labels)], pad=pad)

    def __next__(self):
        return self.next()
