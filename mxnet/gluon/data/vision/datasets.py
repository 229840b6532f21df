"""Vision datasets: MNIST, FashionMNIST, CIFAR10/100, image RecordIO files and image folders.

Files are looked for under ``root`` (by default ``$MXNET_HOME/datasets/<name>``) and
downloaded from the Gluon repository only when absent. A file that is present is used even
when its SHA-1 differs from MXNet's table (re-compressed copies of the same data are common
offline); its contents are validated instead, and a corrupt file raises ``MXNetError``.
"""
import gzip
import io
import os
import struct
import tarfile
import warnings

import numpy as np

from ....base import MXNetError
from ....context import cpu
from ....ndarray import array as _nd_array
from ....ndarray.ndarray import _wrap
from ... import utils as _gutils
from ..dataset import Dataset, RecordFileDataset

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageRecordDataset",
           "ImageFolderDataset"]


def _default_root(name):
    return os.path.join(_gutils.data_dir(), "datasets", name)


class _DownloadedDataset(Dataset):
    """A dataset held in memory as ``(data NDArray, label array)``, loaded by ``_get_data``."""

    _root_name = None

    def __init__(self, root, transform):
        # the signature's default is fixed at import; follow MXNET_HOME as it is now
        if root == _IMPORT_ROOTS.get(self._root_name):
            root = _default_root(self._root_name)
        self._transform = transform
        self._data = None
        self._label = None
        self._root = os.path.expanduser(root)
        os.makedirs(self._root, exist_ok=True)
        self._get_data()
        from ....util import is_np_array
        if is_np_array():  # under npx.set_np() MXNet holds and hands out mx.np arrays
            from .... import numpy as _mx_np
            self._data = self._data.as_np_ndarray()
            self._label = _mx_np.array(self._label, dtype=self._label.dtype)

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)

    def _get_data(self):
        raise NotImplementedError

    def _local_or_download(self, name, sha1):
        """Path of ``name`` under root, downloading it only when it is not there."""
        path = os.path.join(self._root, name)
        if os.path.exists(path):
            return path
        url = _gutils._get_repo_file_url("gluon/dataset/" + self._namespace, name)
        try:
            return _gutils.download(url, path=self._root, sha1_hash=sha1)
        except Exception as e:
            raise MXNetError(f"{type(self).__name__}: {name} is not in {self._root} and could not "
                             f"be downloaded from {url} ({e}). Without network access, copy the "
                             f"file there (the directory follows $MXNET_HOME, default ~/.mxnet) "
                             f"or pass root=") from None


def _read_idx(path, magic, ndim):
    """The uint8 array in a gzipped IDX file, checking its magic number and size."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise MXNetError(f"{path}: not a readable gzip file ({e})") from None
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise MXNetError(f"{path}: too short for an IDX header")
    fields = struct.unpack(f">{1 + ndim}I", raw[:head])
    if fields[0] != magic:
        raise MXNetError(f"{path}: IDX magic 0x{fields[0]:x}, expected 0x{magic:x}")
    shape = fields[1:]
    if len(raw) - head != int(np.prod(shape)):
        raise MXNetError(f"{path}: IDX header says {shape} items but the file holds "
                         f"{len(raw) - head} bytes of data")
    return np.frombuffer(raw, dtype=np.uint8, offset=head).reshape(shape)


class MNIST(_DownloadedDataset):
    """MNIST handwritten digits: samples are ``(28x28x1 uint8 NDArray, int32 label)``.
    ``transform(data, label)`` is applied to each sample."""

    _root_name = "mnist"

    def __init__(self, root=_default_root("mnist"), train=True, transform=None):
        self._train = train
        self._train_data = ("train-images-idx3-ubyte.gz", "6c95f4b05d2bf285e1bfb0e7960c31bd3b3f8a7d")
        self._train_label = ("train-labels-idx1-ubyte.gz", "2a80914081dc54586dbdf242f9805a6b8d2a15fc")
        self._test_data = ("t10k-images-idx3-ubyte.gz", "c3a25af1f52dad7f726cce8cacb138654b760d48")
        self._test_label = ("t10k-labels-idx1-ubyte.gz", "763e7fa3757d93b0cdec073cef058b2004252c17")
        self._namespace = "mnist"
        super().__init__(root, transform)

    def _get_data(self):
        data, label = ((self._train_data, self._train_label) if self._train
                       else (self._test_data, self._test_label))
        labels = _read_idx(self._local_or_download(*label), 0x801, 1).astype(np.int32)
        images = _read_idx(self._local_or_download(*data), 0x803, 3)
        if images.shape[0] != labels.shape[0]:
            raise MXNetError(f"{type(self).__name__}: {images.shape[0]} images but "
                             f"{labels.shape[0]} labels in {self._root}")
        self._data = _wrap(images.reshape(images.shape + (1,)).copy(), cpu())  # writable, like MXNet
        self._label = labels


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST, a drop-in replacement for MNIST (same layout)."""

    _root_name = "fashion-mnist"

    def __init__(self, root=_default_root("fashion-mnist"), train=True, transform=None):
        self._train = train
        self._train_data = ("train-images-idx3-ubyte.gz", "0cf37b0d40ed5169c6b3aba31069a9770ac9043d")
        self._train_label = ("train-labels-idx1-ubyte.gz", "236021d52f1e40852b06a4c3008d8de8aef1e40b")
        self._test_data = ("t10k-images-idx3-ubyte.gz", "626ed6a7c06dd17c0eec72fa3be1740f146a2863")
        self._test_label = ("t10k-labels-idx1-ubyte.gz", "17f9ab60e7257a1620f4ad76bbbaf857c3920701")
        self._namespace = "fashion-mnist"
        _DownloadedDataset.__init__(self, root, transform)


class CIFAR10(_DownloadedDataset):
    """CIFAR-10 (binary version): samples are ``(32x32x3 uint8 NDArray, int32 label)``."""

    _root_name = "cifar10"
    _label_bytes = 1

    def __init__(self, root=_default_root("cifar10"), train=True, transform=None):
        self._train = train
        self._archive_file = ("cifar-10-binary.tar.gz", "fab780a1e191a7eda0f345501ccd62d20f7ed891")
        self._train_data = [("data_batch_1.bin", "aadd24acce27caa71bf4b10992e9e7b2d74c2540"),
                            ("data_batch_2.bin", "c0ba65cce70568cd57b4e03e9ac8d2a5367c1795"),
                            ("data_batch_3.bin", "1dd00a74ab1d17a6e7d73e185b69dbf31242f295"),
                            ("data_batch_4.bin", "aab85764eb3584312d3c7f65fd2fd016e36a258e"),
                            ("data_batch_5.bin", "26e2849e66a845b7f1e4614ae70f4889ae604628")]
        self._test_data = [("test_batch.bin", "67eb016db431130d61cd03c7ad570b013799c88c")]
        self._namespace = "cifar10"
        super().__init__(root, transform)

    def _label_column(self):
        return 0

    def _read_batch(self, filename):
        with open(filename, "rb") as f:
            raw = np.frombuffer(f.read(), dtype=np.uint8)
        row = 3072 + self._label_bytes
        if raw.size == 0 or raw.size % row:
            raise MXNetError(f"{filename}: {raw.size} bytes is not a whole number of "
                             f"{row}-byte CIFAR records")
        raw = raw.reshape(-1, row)
        images = raw[:, self._label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return images, raw[:, self._label_column()].astype(np.int32)

    def _get_data(self):
        files = self._train_data + self._test_data
        if any(not os.path.exists(os.path.join(self._root, name)) for name, _ in files):
            archive = self._local_or_download(*self._archive_file)
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    # the archive nests the files in a folder; MXNet expects them in root
                    if member.isfile() and os.path.basename(member.name) in dict(files):
                        member.name = os.path.basename(member.name)
                        tar.extract(member, self._root)
        names = self._train_data if self._train else self._test_data
        data, label = zip(*(self._read_batch(os.path.join(self._root, n)) for n, _ in names))
        self._data = _nd_array(np.concatenate(data), dtype=np.uint8)
        self._label = np.concatenate(label)


class CIFAR100(CIFAR10):
    """CIFAR-100: coarse (20 super-classes) labels, or fine (100 classes) with ``fine_label``."""

    _root_name = "cifar100"
    _label_bytes = 2

    def __init__(self, root=_default_root("cifar100"), fine_label=False, train=True,
                 transform=None):
        self._train = train
        self._archive_file = ("cifar-100-binary.tar.gz", "a0bb982c76b83111308126cc779a992fa506b90b")
        self._train_data = [("train.bin", "e207cd2e05b73b1393c74c7f5e7bea451d63e08e")]
        self._test_data = [("test.bin", "8fb6623e830365ff53cf14adec797474f5478006")]
        self._fine_label = fine_label
        self._namespace = "cifar100"
        _DownloadedDataset.__init__(self, root, transform)

    def _label_column(self):
        return int(self._fine_label)


_IMPORT_ROOTS = {c._root_name: c.__init__.__defaults__[0]
                 for c in (MNIST, FashionMNIST, CIFAR10, CIFAR100)}


def _imdecode(buf, flag, what):
    """Decode an encoded image to an HxWxC uint8 NDArray: RGB for flag 1, one channel for 0."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("decoding images needs Pillow: pip install 'mxnext[image]'") from None
    try:
        img = Image.open(io.BytesIO(buf))
        img = np.asarray(img.convert("RGB" if flag else "L"))
    except Exception as e:
        raise MXNetError(f"cannot decode image {what}: {e}") from None
    if img.ndim == 2:
        img = img[:, :, None]
    return _wrap(np.ascontiguousarray(img), cpu())


class ImageRecordDataset(RecordFileDataset):
    """Images in a RecordIO file (records made by ``recordio.pack_img``): samples are
    ``(HxWxC uint8 NDArray, label)``; ``flag`` 1 decodes to RGB, 0 to greyscale."""

    def __init__(self, filename, flag=1, transform=None):
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx):
        from ....recordio import unpack
        header, img = unpack(super().__getitem__(idx))
        img = _imdecode(img, self._flag, f"record {idx} of {self.filename}")
        if self._transform is not None:
            return self._transform(img, header.label)
        return img, header.label

    def __getstate__(self):
        d = super().__getstate__()
        d.update(flag=self._flag, transform=self._transform)
        return d

    def __setstate__(self, state):
        self.__init__(state["filename"], state["flag"], state["transform"])


class ImageFolderDataset(Dataset):
    """Images stored as ``root/<class name>/<image>.jpg|.jpeg|.png``; the label is the index of
    the class folder in sorted order (``synsets``). ``items`` lists ``(path, label)``."""

    def __init__(self, root, flag=1, transform=None):
        self._root = os.path.expanduser(root)
        self._flag = flag
        self._transform = transform
        self._exts = [".jpg", ".jpeg", ".png"]
        self._list_images(self._root)

    def _list_images(self, root):
        self.synsets = []
        self.items = []
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                warnings.warn(f"Ignoring {path}, which is not a directory.", stacklevel=3)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for filename in sorted(os.listdir(path)):
                filename = os.path.join(path, filename)
                ext = os.path.splitext(filename)[1]
                if ext.lower() not in self._exts:
                    warnings.warn(f"Ignoring {filename} of type {ext}. "
                                  f"Only support {', '.join(self._exts)}")
                    continue
                self.items.append((filename, label))

    def __getitem__(self, idx):
        path, label = self.items[idx]
        with open(path, "rb") as f:
            img = _imdecode(f.read(), self._flag, path)
        if self._transform is not None:
            return self._transform(img, label)
        return img, label

    def __len__(self):
        return len(self.items)
