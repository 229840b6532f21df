"""``DataLoaderIter``: a Gluon ``DataLoader`` seen as a Module-style ``DataIter``."""
from .. import ndarray as nd
from ..io import DataDesc, DataIter


class DataLoaderIter(DataIter):
    """Iterate a ``DataLoader`` of ``(data, label)`` batches as ``DataBatch``es.

    The batch size and the shapes of ``provide_data``/``provide_label`` come from the loader's
    first batch; a shorter (last) batch is padded with zeros to that size and reports the padding
    in ``pad``.  Data and labels are cast to ``dtype``.
    """

    def __init__(self, loader, data_name='data', label_name='softmax_label', dtype='float32'):
        super().__init__()
        self._loader = loader
        data, label = next(iter(loader))
        self.batch_size = data.shape[0]
        self.dtype = dtype
        self.provide_data = [DataDesc(data_name, data.shape, dtype)]
        self.provide_label = [DataDesc(label_name, label.shape, dtype)]
        self._current_batch = None
        self.reset()

    def reset(self):
        self._iter = iter(self._loader)

    def iter_next(self):
        self._current_batch = next(self._iter, None)
        return self._current_batch is not None

    def _padded(self, x):
        x = x.astype(self.dtype)
        if x.shape[0] == self.batch_size:
            return [x]
        out = nd.zeros((self.batch_size,) + tuple(x.shape[1:]), ctx=x.context, dtype=self.dtype)
        out[:x.shape[0]] = x
        return [out]

    def getdata(self):
        return self._padded(self._current_batch[0])

    def getlabel(self):
        return self._padded(self._current_batch[1])

    def getpad(self):
        return self.batch_size - self._current_batch[0].shape[0]

    def getindex(self):
        return None
