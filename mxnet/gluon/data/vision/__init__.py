"""Vision datasets and image transforms (``mx.gluon.data.vision``)."""
from . import datasets, transforms
from .datasets import (MNIST, FashionMNIST, CIFAR10, CIFAR100, ImageRecordDataset,
                       ImageFolderDataset)

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageRecordDataset",
           "ImageFolderDataset", "datasets", "transforms"]
