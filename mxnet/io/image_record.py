"""``ImageRecordIter`` and its variants: batches of decoded images from a RecordIO ``.rec`` file (or an
image list), with MXNet's default augmentation (resize the short side, centre/random crop, mirror,
per-channel mean/std/scale), done with Pillow and NumPy instead of OpenCV."""

import os

import numpy as np

from ..base import MXNetError
from .mx_iters import MXDataIter, _check_kwargs, _shape

__all__ = [
    "ImageRecordIter",
    "ImageRecordIter_v1",
    "ImageRecordUInt8Iter",
    "ImageRecordUInt8Iter_v1",
    "ImageRecordInt8Iter",
    "ImageDetRecordIter",
]

# MXNet's accepted arguments and their defaults; those of the augmenters we do not implement must stay
# at the default (a different value raises NotImplementedError rather than being silently ignored)
_IGNORED = {
    "preprocess_threads": 4,
    "verbose": True,
    "device_id": 0,
    "ctx": "gpu",
    "shuffle_chunk_size": 0,
    "shuffle_chunk_seed": 0,
    "seed_aug": None,
    "aug_seq": "aug_default",
}
_UNSUPPORTED = {
    "random_resized_crop": False,
    "max_rotate_angle": 0,
    "max_aspect_ratio": 0.0,
    "min_aspect_ratio": None,
    "max_shear_ratio": 0.0,
    "max_crop_size": -1,
    "min_crop_size": -1,
    "max_random_scale": 1.0,
    "min_random_scale": 1.0,
    "max_random_area": 1.0,
    "min_random_area": 1.0,
    "max_img_size": 1e10,
    "min_img_size": 0.0,
    "brightness": 0.0,
    "contrast": 0.0,
    "saturation": 0.0,
    "pca_noise": 0.0,
    "random_h": 0,
    "random_s": 0,
    "random_l": 0,
    "rotate": -1,
    "fill_value": 255,
    "pad": 0,
    "mean_img": "",
    "max_random_contrast": 0.0,
    "max_random_illumination": 0.0,
}
_NORM = {
    "mean_r": 0.0,
    "mean_g": 0.0,
    "mean_b": 0.0,
    "mean_a": 0.0,
    "std_r": 1.0,
    "std_g": 1.0,
    "std_b": 1.0,
    "std_a": 1.0,
    "scale": 1.0,
    "mirror": False,
    "rand_mirror": False,
}


class ImageRecordIter(MXDataIter):
    """Iterate over the images of ``path_imgrec`` (a RecordIO file of ``recordio.pack``'ed images, with
    ``path_imgidx`` its index) or of ``path_imglist`` (``index<TAB>label(s)<TAB>path`` lines, paths
    relative to ``path_root``), ``batch_size`` at a time, as ``(batch_size,) + data_shape`` CHW batches.

    Each image is decoded to RGB, its short side resized to ``resize`` (when > 0, ``inter_method``), cut
    to ``data_shape`` at the centre (or at a random place with ``rand_crop``), flipped left-right
    (``mirror``, or at random with ``rand_mirror``) and, for float output, normalised per channel as
    ``(pixel - mean_c) * scale / std_c``.  Labels are ``label_width`` floats per image.
    ``part_index``/``num_parts`` read one contiguous share of the records.  ``shuffle`` draws a new order
    every epoch from ``seed`` (MXNet's own shuffle order cannot be reproduced).  The remaining OpenCV
    augmenters of MXNet (rotation, shear, colour/lighting jitter, random-area crops, padding) are not
    implemented and raise NotImplementedError when requested."""

    _out_dtype = None  # float32 unless ``dtype`` says otherwise
    _normalize = True

    def __init__(
        self,
        data_shape,
        batch_size,
        path_imgrec="",
        path_imglist="",
        path_imgidx="",
        path_root="",
        label_width=1,
        shuffle=False,
        seed=0,
        round_batch=True,
        num_parts=1,
        part_index=0,
        dtype=None,
        resize=-1,
        rand_crop=False,
        inter_method=1,
        prefetch_buffer=4,
        data_name="data",
        label_name="softmax_label",
        **kwargs,
    ):
        name = type(self).__name__
        extra = dict(_IGNORED, **_UNSUPPORTED, **(_NORM if self._normalize else {}))
        _check_kwargs(name, kwargs, extra)
        for k, v in kwargs.items():
            if k in _UNSUPPORTED and v != _UNSUPPORTED[k]:
                raise NotImplementedError(f"{name}: the augmentation argument {k}={v!r} is not implemented")
        norm = {k: kwargs.get(k, d) for k, d in _NORM.items()}
        self._shape = _shape(data_shape, "data_shape", name)
        if len(self._shape) != 3 or self._shape[0] not in (1, 3):
            raise MXNetError(
                f"{name}: data_shape must be (channels, height, width) with 1 or 3 channels, "
                f"got {self._shape}"
            )
        self._dtype = np.dtype(dtype or self._out_dtype or "float32")
        if self._dtype not in (np.float32, np.uint8, np.int8):
            raise MXNetError(f"{name}: dtype must be float32, uint8 or int8, got {self._dtype}")
        self._label_width = int(label_width)
        self._resize, self._rand_crop, self._interp = int(resize), bool(rand_crop), int(inter_method)
        self._mirror, self._rand_mirror = bool(norm["mirror"]), bool(norm["rand_mirror"])
        self._mean = np.array([norm["mean_r"], norm["mean_g"], norm["mean_b"]], np.float32)[: self._shape[0]]
        self._std = np.array([norm["std_r"], norm["std_g"], norm["std_b"]], np.float32)[: self._shape[0]]
        self._scale = np.float32(norm["scale"])
        self._aug_rng = np.random.RandomState(seed)
        self._records = self._read_records(path_imgrec, path_imglist, path_imgidx, path_root, name)
        n = len(self._records)
        step = -(-n // num_parts)
        self._records = self._records[min(step * part_index, n) : min(step * (part_index + 1), n)]
        super().__init__(
            len(self._records), batch_size, round_batch, data_name, label_name, shuffle, seed, prefetch_buffer
        )

    @staticmethod
    def _read_records(path_imgrec, path_imglist, path_imgidx, path_root, name):
        """(label array, image bytes or path) for every image."""
        from .. import recordio

        if path_imgrec:
            if not os.path.isfile(path_imgrec):
                raise MXNetError(f"{name}: cannot open path_imgrec {path_imgrec!r}")
            if path_imgidx:
                rec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                raw = [rec.read_idx(k) for k in rec.keys]
            else:
                rec = recordio.MXRecordIO(path_imgrec, "r")
                raw = list(iter(rec.read, None))
            rec.close()
            out = []
            for s in raw:
                header, img = recordio.unpack(s)
                out.append((np.atleast_1d(np.asarray(header.label, np.float32)), img))
            return out
        if path_imglist:
            with open(path_imglist) as f:
                rows = [ln.strip().split("\t") for ln in f if ln.strip()]
            return [(np.array(r[1:-1], np.float32), os.path.join(path_root, r[-1])) for r in rows]
        raise MXNetError(f"{name}: give path_imgrec or path_imglist")

    def _image(self, src):
        from ..image.image import _decode
        from ..image import _resize

        if isinstance(src, str):
            with open(src, "rb") as f:
                src = f.read()
        img = _decode(src, self._shape[0] == 3, 1, type(self).__name__)
        h, w = img.shape[:2]
        if self._resize > 0:
            if h > w:
                w, h = self._resize, int(h * self._resize / w)
            else:
                w, h = int(w * self._resize / h), self._resize
            img = _resize.resize(img, w, h, self._interp)
        ch, cw = self._shape[1:]
        if h < ch or w < cw:
            raise MXNetError(
                f"{type(self).__name__}: image of {h}x{w} is smaller than data_shape {self._shape}; "
                "set resize"
            )
        if self._rand_crop:
            y, x = self._aug_rng.randint(0, h - ch + 1), self._aug_rng.randint(0, w - cw + 1)
        else:
            y, x = (h - ch) // 2, (w - cw) // 2
        img = img[y : y + ch, x : x + cw]
        if self._mirror or (self._rand_mirror and self._aug_rng.rand() < 0.5):
            img = img[:, ::-1]
        return img

    def _load(self, idx):
        labels = []
        imgs = []
        for i in idx:  # one decode per image
            label, src = self._records[i]
            if label.size != self._label_width:
                raise MXNetError(
                    f"{type(self).__name__}: a record has a {label.size}-value label but "
                    f"label_width is {self._label_width}"
                )
            labels.append(label)
            imgs.append(self._image(src))
        x = np.stack(imgs).transpose(0, 3, 1, 2)
        if self._dtype == np.float32 and self._normalize:
            x = (x.astype(np.float32) - self._mean[:, None, None]) * self._scale / self._std[:, None, None]
        elif self._dtype == np.int8:
            x = np.minimum(x, 127)
        y = np.stack(labels)
        return x.astype(self._dtype), (y[:, 0] if self._label_width == 1 else y)


class ImageRecordIter_v1(ImageRecordIter):
    """``ImageRecordIter`` under its MXNet 1.x legacy name (same batches)."""


class ImageRecordUInt8Iter(ImageRecordIter):
    """``ImageRecordIter`` giving the raw uint8 pixels (no mean/std/scale normalisation)."""

    _out_dtype = "uint8"
    _normalize = False


class ImageRecordUInt8Iter_v1(ImageRecordUInt8Iter):
    """``ImageRecordUInt8Iter`` under its legacy name."""


class ImageRecordInt8Iter(ImageRecordIter):
    """``ImageRecordIter`` giving int8 pixels (values above 127 saturate), without normalisation."""

    _out_dtype = "int8"
    _normalize = False


class ImageDetRecordIter(MXDataIter):
    """MXNet's detection record iterator; its OpenCV crop/pad/colour pipeline is not implemented here."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "ImageDetRecordIter is not implemented in mxnext; use mx.image.ImageDetIter"
        )
