"""Datasets, samplers and the DataLoader (``mx.gluon.data``)."""
from . import dataset, sampler, dataloader, vision  # noqa: F401
from .dataset import Dataset, SimpleDataset, ArrayDataset, RecordFileDataset
from .sampler import (Sampler, SequentialSampler, RandomSampler, FilterSampler, BatchSampler,
                      IntervalSampler)
from .dataloader import DataLoader

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "RecordFileDataset", "Sampler",
           "SequentialSampler", "RandomSampler", "FilterSampler", "BatchSampler",
           "IntervalSampler", "DataLoader", "vision"]
