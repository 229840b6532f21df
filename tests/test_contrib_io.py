"""mx.contrib.io.DataLoaderIter over a Gluon DataLoader."""
import numpy as np

import mxnet as mx
from mxnet.contrib.io import DataLoaderIter
from mxnet.gluon.data import ArrayDataset, DataLoader


def _loader(n, batch_size, last_batch):
    x = np.arange(n * 6, dtype=np.float64).reshape(n, 2, 3)
    return DataLoader(ArrayDataset(x, np.arange(n)), batch_size, last_batch=last_batch)


def test_batches_shapes_and_padding():
    it = DataLoaderIter(_loader(10, 4, "keep"))
    assert it.provide_data[0].shape == (4, 2, 3) and it.provide_label[0].shape == (4,)
    batches = list(it)
    assert len(batches) == 3
    assert [b.pad for b in batches] == [0, 0, 2]
    last = batches[-1]
    assert last.data[0].shape == (4, 2, 3) and last.data[0].dtype == np.float32
    assert last.label[0].asnumpy().tolist() == [8, 9, 0, 0]
    it.reset()
    assert sum(1 for _ in it) == 3
    assert sum(1 for _ in DataLoaderIter(_loader(10, 4, "discard"))) == 2
    assert isinstance(batches[0], mx.io.DataBatch)
