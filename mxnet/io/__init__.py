"""Data iterators (``mx.io``)."""
from . import io
from .io import (DataDesc, DataBatch, DataIter, NDArrayIter, ResizeIter, PrefetchingIter,
                 MNISTIter)
from .mx_iters import MXDataIter, CSVIter, LibSVMIter
from .image_record import (ImageRecordIter, ImageRecordIter_v1, ImageRecordUInt8Iter, ImageRecordUInt8Iter_v1,
                           ImageRecordInt8Iter, ImageDetRecordIter)
from . import utils  # noqa: F401

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter",
           "MNISTIter", "io", "MXDataIter", "CSVIter", "LibSVMIter", "ImageRecordIter", "ImageRecordIter_v1",
           "ImageRecordUInt8Iter", "ImageRecordUInt8Iter_v1", "ImageRecordInt8Iter", "ImageDetRecordIter"]
