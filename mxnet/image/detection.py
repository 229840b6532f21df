"""Detection augmenters and ``ImageDetIter`` (``mx.image.detection``).

A detection augmenter maps ``(image, label)`` to ``(image, label)``; ``label`` is an (objects, 5+) NumPy
array of rows ``[class, xmin, ymin, xmax, ymax, ...]`` with coordinates relative to the image size.
Random choices use Python's ``random`` module in the same order as MXNet, so ``random.seed`` gives the
same crops, pads and flips."""

import json
import logging
import random
import warnings
from math import sqrt

import numpy as np

from ..base import numeric_types
from ..ndarray import NDArray
from .image import (
    Augmenter,
    CastAug,
    ColorJitterAug,
    ColorNormalizeAug,
    ForceResizeAug,
    HueJitterAug,
    LightingAug,
    RandomGrayAug,
    ResizeAug,
    copyMakeBorder,
    fixed_crop,
)
from .image import _DEFAULT_MEAN, _DEFAULT_STD
from .image_iter import ImageIter

__all__ = [
    "DetAugmenter",
    "DetBorrowAug",
    "DetRandomSelectAug",
    "DetHorizontalFlipAug",
    "DetRandomCropAug",
    "DetRandomPadAug",
    "CreateMultiRandCropAugmenter",
    "CreateDetAugmenter",
    "ImageDetIter",
]


class DetAugmenter:
    """Base class of detection augmenters: ``aug(src, label)`` returns ``(src, label)``."""

    def __init__(self, **kwargs):
        self._kwargs = {
            k: (
                v.asnumpy().tolist()
                if isinstance(v, NDArray)
                else v.tolist()
                if isinstance(v, np.ndarray)
                else v
            )
            for k, v in kwargs.items()
        }

    def dumps(self):
        """JSON ``[name, kwargs]`` describing this augmenter."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, src, label):
        raise NotImplementedError("DetAugmenter subclasses implement __call__")


class DetBorrowAug(DetAugmenter):
    """Apply an image-only ``Augmenter`` to the image; the label is unchanged."""

    def __init__(self, augmenter):
        if not isinstance(augmenter, Augmenter):
            raise TypeError("DetBorrowAug: augmenter must be an mx.image.Augmenter")
        super().__init__(augmenter=augmenter.dumps())
        self.augmenter = augmenter

    def dumps(self):
        return [type(self).__name__.lower(), self.augmenter.dumps()]

    def __call__(self, src, label):
        return self.augmenter(src), label


class DetRandomSelectAug(DetAugmenter):
    """Apply one augmenter of ``aug_list`` picked at random, or none with probability ``skip_prob``."""

    def __init__(self, aug_list, skip_prob=0):
        super().__init__(skip_prob=skip_prob)
        aug_list = aug_list if isinstance(aug_list, (list, tuple)) else [aug_list]
        if not all(isinstance(a, DetAugmenter) for a in aug_list):
            raise ValueError("DetRandomSelectAug: aug_list may hold DetAugmenters only")
        self.aug_list = aug_list
        self.skip_prob = skip_prob if aug_list else 1

    def dumps(self):
        return [type(self).__name__.lower(), [a.dumps() for a in self.aug_list]]

    def __call__(self, src, label):
        if random.random() < self.skip_prob:
            return src, label
        random.shuffle(self.aug_list)  # MXNet picks by shuffling the list in place
        return self.aug_list[0](src, label)


class DetHorizontalFlipAug(DetAugmenter):
    """Flip image and boxes left-right with probability ``p`` (the label is updated in place)."""

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p

    def __call__(self, src, label):
        if random.random() < self.p:
            from .. import ndarray as nd

            src = nd.flip(src, axis=1)
            label[:, 1], label[:, 3] = 1.0 - label[:, 3], 1.0 - label[:, 1]
        return src, label


def _range_pair(v, what, name):
    if isinstance(v, (tuple, list)):
        return v
    if not isinstance(v, numeric_types):
        raise TypeError(f"{name}: {what} must be a number or a (low, high) pair")
    logging.info("Using fixed %s: %s in %s", what, v, name)
    return (v, v)


def _areas(boxes):
    """Areas of (n, 4+) boxes ``[xmin, ymin, xmax, ymax]``; empty boxes have area 0."""
    return np.maximum(0, boxes[:, 3] - boxes[:, 1]) * np.maximum(0, boxes[:, 2] - boxes[:, 0])


def _clip_to(boxes, x1, y1, x2, y2):
    """Boxes cut to the window; boxes outside it become all zeros."""
    out = boxes.copy()
    out[:, 0] = np.maximum(boxes[:, 0], x1)
    out[:, 1] = np.maximum(boxes[:, 1], y1)
    out[:, 2] = np.minimum(boxes[:, 2], x2)
    out[:, 3] = np.minimum(boxes[:, 3], y2)
    out[(out[:, 0] >= out[:, 2]) | (out[:, 1] >= out[:, 3])] = 0
    return out


class DetRandomCropAug(DetAugmenter):
    """Random crop (area fraction in ``area_range``, width/height ratio in ``aspect_ratio_range``) that
    covers more than ``min_object_covered`` of every object it touches; objects keeping less than
    ``min_eject_coverage`` of their area are dropped.  Up to ``max_attempts`` proposals; when none
    qualifies the input is returned unchanged."""

    def __init__(
        self,
        min_object_covered=0.1,
        aspect_ratio_range=(0.75, 1.33),
        area_range=(0.05, 1.0),
        min_eject_coverage=0.3,
        max_attempts=50,
    ):
        aspect_ratio_range = _range_pair(aspect_ratio_range, "aspect ratio", "DetRandomCropAug")
        area_range = _range_pair(area_range, "area range", "DetRandomCropAug")
        super().__init__(
            min_object_covered=min_object_covered,
            aspect_ratio_range=aspect_ratio_range,
            area_range=area_range,
            min_eject_coverage=min_eject_coverage,
            max_attempts=max_attempts,
        )
        self.min_object_covered = min_object_covered
        self.min_eject_coverage = min_eject_coverage
        self.max_attempts = max_attempts
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.enabled = False
        if area_range[1] <= 0 or area_range[0] > area_range[1]:
            warnings.warn(f"Skip DetRandomCropAug due to invalid area_range: {area_range}")
        elif aspect_ratio_range[0] > aspect_ratio_range[1] or aspect_ratio_range[0] <= 0:
            warnings.warn(f"Skip DetRandomCropAug due to invalid aspect_ratio_range: {aspect_ratio_range}")
        else:
            self.enabled = True

    def __call__(self, src, label):
        crop = self._random_crop_proposal(label, src.shape[0], src.shape[1])
        if crop:
            x, y, w, h, label = crop
            src = fixed_crop(src, x, y, w, h, None)
        return src, label

    def _satisfies(self, label, x1, y1, x2, y2, width, height):
        if (x2 - x1) * (y2 - y1) < 2:
            return False
        areas = _areas(label[:, 1:])
        keep = np.nonzero(areas * width * height > 2)[0]
        if keep.size < 1:
            return False
        window = (x1 / width, y1 / height, x2 / width, y2 / height)
        cover = _areas(_clip_to(label[keep, 1:], *window)) / areas[keep]
        cover = cover[cover > 0]
        return cover.size > 0 and cover.min() > self.min_object_covered

    def _update_labels(self, label, box, height, width):
        x, y, w, h = box[0] / width, box[1] / height, box[2] / width, box[3] / height
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] - x) / w
        out[:, (2, 4)] = (out[:, (2, 4)] - y) / h
        out[:, 1:5] = np.clip(out[:, 1:5], 0, 1)
        coverage = _areas(out[:, 1:]) * w * h / _areas(label[:, 1:])
        valid = (out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2]) & (coverage > self.min_eject_coverage)
        return out[valid] if valid.any() else None

    def _random_crop_proposal(self, label, height, width):
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        min_area = self.area_range[0] * height * width
        max_area = self.area_range[1] * height * width
        for _ in range(self.max_attempts):
            ratio = random.uniform(*self.aspect_ratio_range)
            if ratio <= 0:
                continue
            h = int(round(sqrt(min_area / ratio)))
            max_h = int(round(sqrt(max_area / ratio)))
            if round(max_h * ratio) > width:
                max_h = int((width + 0.4999999) / ratio)
            max_h = min(max_h, height)
            h = min(h, max_h)
            if h < max_h:
                h = random.randint(h, max_h)
            w = int(round(h * ratio))
            area = w * h
            # nudge the height by one when rounding left the area out of range
            if area < min_area:
                h += 1
                w = int(round(h * ratio))
                area = w * h
            if area > max_area:
                h -= 1
                w = int(round(h * ratio))
                area = w * h
            if not (min_area <= area <= max_area and 0 <= w <= width and 0 <= h <= height):
                continue
            y = random.randint(0, max(0, height - h))
            x = random.randint(0, max(0, width - w))
            if self._satisfies(label, x, y, x + w, y + h, width, height):
                new_label = self._update_labels(label, (x, y, w, h), height, width)
                if new_label is not None:
                    return x, y, w, h, new_label
        return ()


class DetRandomPadAug(DetAugmenter):
    """Place the image at a random spot of a larger canvas filled with ``pad_val`` (canvas area
    ``area_range`` times the image's, ratio in ``aspect_ratio_range``), moving the boxes with it."""

    def __init__(
        self, aspect_ratio_range=(0.75, 1.33), area_range=(1.0, 3.0), max_attempts=50, pad_val=(128, 128, 128)
    ):
        if not isinstance(pad_val, (list, tuple)) and not isinstance(pad_val, numeric_types):
            raise TypeError("DetRandomPadAug: pad_val must be a number or one value per channel")
        aspect_ratio_range = _range_pair(aspect_ratio_range, "aspect ratio", "DetRandomPadAug")
        area_range = _range_pair(area_range, "area range", "DetRandomPadAug")
        super().__init__(
            aspect_ratio_range=aspect_ratio_range,
            area_range=area_range,
            max_attempts=max_attempts,
            pad_val=pad_val,
        )
        self.pad_val = pad_val
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.max_attempts = max_attempts
        self.enabled = False
        if area_range[1] <= 1.0 or area_range[0] > area_range[1]:
            warnings.warn(f"Skip DetRandomPadAug due to invalid parameters: {area_range}")
        elif aspect_ratio_range[0] <= 0 or aspect_ratio_range[0] > aspect_ratio_range[1]:
            warnings.warn(f"Skip DetRandomPadAug due to invalid aspect_ratio_range: {aspect_ratio_range}")
        else:
            self.enabled = True

    def __call__(self, src, label):
        height, width, _ = src.shape
        pad = self._random_pad_proposal(label, height, width)
        if pad:
            x, y, w, h, label = pad
            vals = self.pad_val if isinstance(self.pad_val, (list, tuple)) else (self.pad_val,) * src.shape[2]
            src = copyMakeBorder(
                src, y, h - y - height, x, w - x - width, 0, values=tuple(float(v) for v in vals)
            )
        return src, label

    def _update_labels(self, label, box, height, width):
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] * width + box[0]) / box[2]
        out[:, (2, 4)] = (out[:, (2, 4)] * height + box[1]) / box[3]
        return out

    def _random_pad_proposal(self, label, height, width):
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        min_area = self.area_range[0] * height * width
        max_area = self.area_range[1] * height * width
        for _ in range(self.max_attempts):
            ratio = random.uniform(*self.aspect_ratio_range)
            if ratio <= 0:
                continue
            h = int(round(sqrt(min_area / ratio)))
            max_h = int(round(sqrt(max_area / ratio)))
            if round(h * ratio) < width:
                h = int((width + 0.499999) / ratio)
            h = min(max(h, height), max_h)
            if h < max_h:
                h = random.randint(h, max_h)
            w = int(round(h * ratio))
            if h - height < 2 or w - width < 2:
                continue
            y = random.randint(0, max(0, h - height))
            x = random.randint(0, max(0, w - width))
            return x, y, w, h, self._update_labels(label, (x, y, w, h), height, width)
        return ()


def CreateMultiRandCropAugmenter(
    min_object_covered=0.1,
    aspect_ratio_range=(0.75, 1.33),
    area_range=(0.05, 1.0),
    min_eject_coverage=0.3,
    max_attempts=50,
    skip_prob=0,
):
    """A ``DetRandomSelectAug`` over several ``DetRandomCropAug``: each argument is one value or a list
    (lists give one crop augmenter per entry; single values are shared)."""
    params = [
        p if isinstance(p, list) else [p]
        for p in (min_object_covered, aspect_ratio_range, area_range, min_eject_coverage, max_attempts)
    ]
    num = max(len(p) for p in params)
    if any(len(p) not in (1, num) for p in params):
        raise ValueError("CreateMultiRandCropAugmenter: list arguments must have the same length")
    params = [p * num if len(p) == 1 else p for p in params]
    augs = [
        DetRandomCropAug(
            min_object_covered=moc,
            aspect_ratio_range=arr,
            area_range=ar,
            min_eject_coverage=mec,
            max_attempts=ma,
        )
        for moc, arr, ar, mec, ma in zip(*params)
    ]
    return DetRandomSelectAug(augs, skip_prob=skip_prob)


def CreateDetAugmenter(
    data_shape,
    resize=0,
    rand_crop=0,
    rand_pad=0,
    rand_gray=0,
    rand_mirror=False,
    mean=None,
    std=None,
    brightness=0,
    contrast=0,
    saturation=0,
    pca_noise=0,
    hue=0,
    inter_method=2,
    min_object_covered=0.1,
    aspect_ratio_range=(0.75, 1.33),
    area_range=(0.05, 3.0),
    min_eject_coverage=0.3,
    max_attempts=50,
    pad_val=(127, 127, 127),
):
    """The standard detection augmenter list: optional short-side resize, random crop (probability
    ``rand_crop``), mirror, random pad (probability ``rand_pad``), forced resize to ``data_shape``,
    float cast, colour jitter, hue, PCA lighting, grey and mean/std normalisation."""
    augs = []
    if resize > 0:
        augs.append(DetBorrowAug(ResizeAug(resize, inter_method)))
    if rand_crop > 0:
        augs.append(
            CreateMultiRandCropAugmenter(
                min_object_covered,
                aspect_ratio_range,
                area_range,
                min_eject_coverage,
                max_attempts,
                skip_prob=1 - rand_crop,
            )
        )
    if rand_mirror > 0:
        augs.append(DetHorizontalFlipAug(0.5))
    if rand_pad > 0:
        pad = DetRandomPadAug(aspect_ratio_range, (1.0, area_range[1]), max_attempts, pad_val)
        augs.append(DetRandomSelectAug([pad], 1 - rand_pad))
    augs.append(DetBorrowAug(ForceResizeAug((data_shape[2], data_shape[1]), inter_method)))
    augs.append(DetBorrowAug(CastAug()))
    if brightness or contrast or saturation:
        augs.append(DetBorrowAug(ColorJitterAug(brightness, contrast, saturation)))
    if hue:
        augs.append(DetBorrowAug(HueJitterAug(hue)))
    if pca_noise > 0:
        eigval = np.array([55.46, 4.794, 1.148])
        eigvec = np.array(
            [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]]
        )
        augs.append(DetBorrowAug(LightingAug(pca_noise, eigval, eigvec)))
    if rand_gray > 0:
        augs.append(DetBorrowAug(RandomGrayAug(rand_gray)))
    mean = np.array(_DEFAULT_MEAN) if mean is True else mean
    std = np.array(_DEFAULT_STD) if std is True else std
    for v, what in ((mean, "mean"), (std, "std")):
        if v is not None and not (isinstance(v, np.ndarray) and v.shape[0] in (1, 3)):
            raise ValueError(f"CreateDetAugmenter: {what} must be True, None or an array of 1 or 3 values")
    if mean is not None or std is not None:
        augs.append(DetBorrowAug(ColorNormalizeAug(mean, std)))
    return augs


class ImageDetIter(ImageIter):
    """``ImageIter`` for object detection: each label is ``[header_width, object_width, header...,
    objects...]`` (objects ``[class, xmin, ymin, xmax, ymax, ...]`` relative to the image), images and
    labels go through detection augmenters (default ``CreateDetAugmenter(data_shape, **kwargs)``) and
    batches carry labels of shape ``(batch_size, max_objects, object_width)`` padded with -1."""

    def __init__(
        self,
        batch_size,
        data_shape,
        path_imgrec=None,
        path_imglist=None,
        path_root=None,
        path_imgidx=None,
        shuffle=False,
        part_index=0,
        num_parts=1,
        aug_list=None,
        imglist=None,
        data_name="data",
        label_name="label",
        last_batch_handle="pad",
        **kwargs,
    ):
        super().__init__(
            batch_size=batch_size,
            data_shape=data_shape,
            path_imgrec=path_imgrec,
            path_imglist=path_imglist,
            path_root=path_root,
            path_imgidx=path_imgidx,
            shuffle=shuffle,
            part_index=part_index,
            num_parts=num_parts,
            aug_list=[],
            imglist=imglist,
            data_name=data_name,
            label_name=label_name,
            last_batch_handle=last_batch_handle,
        )
        self.auglist = CreateDetAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.label_shape = self._estimate_label_shape()
        self.provide_label = [(label_name, (self.batch_size,) + self.label_shape)]

    def _estimate_label_shape(self):
        """(most objects in one image, object width), from a pass over all labels."""
        most, width = 0, None
        self.reset()
        try:
            while True:
                label = self._parse_label(self.next_sample()[0])
                most, width = max(most, label.shape[0]), label.shape[1]
        except StopIteration:
            pass
        self.reset()
        if width is None:
            raise RuntimeError("ImageDetIter: the data holds no labelled image")
        return (most, width)

    def _parse_label(self, label):
        """Valid object rows of a raw label vector."""
        raw = (label.asnumpy() if isinstance(label, NDArray) else np.asarray(label)).ravel()
        if raw.size < 7:
            raise RuntimeError(f"Label shape is invalid: {raw.shape}")
        header, width = int(raw[0]), int(raw[1])
        if (raw.size - header) % width != 0:
            raise RuntimeError(f"Label shape {raw.shape} inconsistent with annotation width {width}.")
        objs = raw[header:].reshape(-1, width)
        objs = objs[(objs[:, 3] > objs[:, 1]) & (objs[:, 4] > objs[:, 2])]
        if objs.shape[0] < 1:
            raise RuntimeError("Encounter sample with no valid label.")
        return objs

    def _check_valid_label(self, label):
        if label.ndim != 2 or label.shape[1] < 5:
            raise RuntimeError(f"Label with shape (1+, 5+) required, {label} received.")
        # MXNet passes the third condition as numpy's ``out`` argument, so only class and x are checked
        if not np.any((label[:, 0] >= 0) & (label[:, 3] > label[:, 1])):
            raise RuntimeError("Invalid label occurs.")

    def augmentation_transform(self, data, label):
        """Run ``(data, label)`` through the detection augmenters."""
        for aug in self.auglist:
            data, label = aug(data, label)
        return data, label

    def _new_labels(self):
        return np.full(self.provide_label[0][1], -1, np.float32)

    def _fill(self, data, labels, start):
        i = start
        while i < self.batch_size:
            try:
                label, s = self.next_sample()
            except StopIteration:
                break
            img = self.imdecode(s)
            try:
                self.check_valid_image([img])
                label = self._parse_label(label)
                img, label = self.augmentation_transform(img, label)
                self._check_valid_label(label)
            except RuntimeError as e:
                logging.debug("Invalid image, skipping: %s", e)
                continue
            img = self.postprocess_data(img)
            if tuple(img.shape) != self.data_shape:
                raise RuntimeError(
                    f"ImageDetIter: an augmented image has shape {tuple(img.shape)}, expected "
                    f"{self.data_shape}"
                )
            data[i] = img.asnumpy()
            labels[i] = -1
            labels[i, : label.shape[0]] = label
            i += 1
        return i

    def check_label_shape(self, label_shape):
        """``label_shape`` must be (objects, width), with no fewer objects and the same width."""
        if len(label_shape) != 2:
            raise ValueError("label_shape should have length 2")
        if label_shape[0] < self.label_shape[0]:
            raise ValueError(
                f"Attempts to reduce label count from {self.label_shape[0]} to {label_shape[0]}, not allowed."
            )
        if label_shape[1] != self.provide_label[0][1][2]:
            raise ValueError(
                f"label_shape object width inconsistent: {self.provide_label[0][1][2]} vs {label_shape[1]}."
            )

    def reshape(self, data_shape=None, label_shape=None):
        """Change the data and/or label shape of the batches."""
        if data_shape is not None:
            self.check_data_shape(data_shape)
            self.provide_data = [(self.provide_data[0][0], (self.batch_size,) + tuple(data_shape))]
            self.data_shape = tuple(data_shape)
        if label_shape is not None:
            self.check_label_shape(label_shape)
            self.provide_label = [(self.provide_label[0][0], (self.batch_size,) + tuple(label_shape))]
            self.label_shape = tuple(label_shape)

    def sync_label_shape(self, it, verbose=False):
        """Give this iterator and ``it`` the same (larger) object count; returns ``it``."""
        if not isinstance(it, ImageDetIter):
            raise AssertionError("Synchronize with invalid iterator.")
        if self.label_shape[1] != it.label_shape[1]:
            raise AssertionError("object width mismatch.")
        most = max(self.label_shape[0], it.label_shape[0])
        for x in (self, it):
            if most > x.label_shape[0]:
                x.reshape(None, (most, x.label_shape[1]))
        if verbose:
            logging.info("Resized label_shape to (%d, %d).", most, self.label_shape[1])
        return it

    def draw_next(
        self,
        color=None,
        thickness=2,
        mean=None,
        std=None,
        clip=True,
        waitKey=None,
        window_name="draw_next",
        id2labels=None,
    ):
        """Drawing boxes needs OpenCV, which mxnext does not use: like MXNet without cv2, this warns and
        yields nothing."""
        warnings.warn("Unable to import cv2, skip drawing")
        yield from ()
