"""Goldens for the image pipeline (``mx.image``, ``mx.nd.image``, ``gluon.data.vision.transforms``),
recorded under real MXNet 1.9.1 (its built-in OpenCV 3.4.2).

Each case is a Python expression, evaluated here and by ``tests/test_image_pipeline.py`` in the
same namespace (see ``namespace``), after seeding Python's and NumPy's generators.  The encoded
inputs come from ``make_image_inputs.py``.  Writes ``tests/goldens/image_pipeline/cases.json``
(expressions, tolerances, crop boxes) and ``outputs.npz``.

Usage: ``.ref/bin/python tools/goldens/gen_image_pipeline.py``
"""
import json
import os
import random

import mxnet as mx
import numpy as np

from harness import OUT

DIR = os.path.join(OUT, "image_pipeline")
FILES = ("photo.jpg", "odd.jpg", "grey.jpg", "small.png")
SIZES = [(40, 30), (50, 35), (112, 112), (31, 100), (80, 59), (113, 49)]  # (w, h); photo is 80x60
MEAN = "mx.nd.array([123.68, 116.28, 103.53])"
STD = "mx.nd.array([58.395, 57.12, 57.375])"


def namespace(mx, np, random, read):
    """Names the case expressions use; ``read(name)`` gives an input file's bytes."""
    bufs = {name: read(name) for name in FILES}
    img = mx.image.imdecode(bufs["photo.jpg"])
    return {"mx": mx, "np": np, "random": random, "bufs": bufs, "img": img,
            "odd": mx.image.imdecode(bufs["odd.jpg"]), "fimg": img.astype("float32") / 3,
            "T": mx.gluon.data.vision.transforms, "batch": mx.nd.stack(img, img[::-1], axis=0)}


def cases():
    """(id, expression, atol) of every case; atol 0 means bit for bit."""
    out = []
    for name in FILES:
        for flag, to_rgb in ((1, 1), (1, 0), (0, 1)):
            out.append((f"imdecode_{name}_{flag}{to_rgb}", f"mx.image.imdecode(bufs[{name!r}], flag={flag}, "
                        f"to_rgb={to_rgb})", 0))
    for interp in range(5):
        for w, h in SIZES:
            out.append((f"imresize_u8_{interp}_{w}x{h}", f"mx.image.imresize(img, {w}, {h}, interp={interp})", 0))
        for w, h in (SIZES[0], SIZES[1], SIZES[3], SIZES[5]):
            out.append((f"imresize_f32_{interp}_{w}x{h}", f"mx.image.imresize(fimg, {w}, {h}, interp={interp})", 0))
        out.append((f"imresize_odd_{interp}", f"mx.image.imresize(odd, 45, 70, interp={interp})", 0))
    for interp in (0, 1, 2, 3, 4, 9, 10):
        out.append((f"resize_short_{interp}", f"mx.image.resize_short(img, 50, interp={interp})", 0))
    out += [
        ("center_crop", "mx.image.center_crop(img, (40, 30))", 0),
        ("center_crop_resize", "mx.image.center_crop(img, (100, 50), interp=1)", 0),
        ("random_crop", "mx.image.random_crop(img, (40, 30))", 0),
        ("random_crop_resize", "mx.image.random_crop(odd, (70, 60), interp=2)", 0),
        ("random_size_crop", "mx.image.random_size_crop(img, (32, 32), 0.3, (0.75, 1.33))", 0),
        ("fixed_crop", "mx.image.fixed_crop(img, 5, 7, 30, 20, size=(45, 31))", 0),
        ("flip_aug", "mx.image.HorizontalFlipAug(1.0)(img)", 0),
        ("color_normalize", f"mx.image.color_normalize(img.astype('float32'), {MEAN}, {STD})", 0),
        ("augmenter_val", "mx.image.SequentialAug(mx.image.CreateAugmenter((3, 40, 40), resize=48, "
         "mean=True, std=True))(img)", 0),
        ("augmenter_train", "mx.image.SequentialAug(mx.image.CreateAugmenter((3, 32, 32), resize=44, "
         "rand_crop=True, rand_resize=True, rand_mirror=True, mean=True, std=True, brightness=0.3, "
         "contrast=0.3, saturation=0.3, hue=0.1, pca_noise=0.1, rand_gray=0.2))(img)", 2e-3),
        ("to_tensor", "T.ToTensor()(img)", 0),
        ("normalize", "T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))(T.ToTensor()(img))", 0),
        ("resize_square", "T.Resize(50)(img)", 0),
        ("resize_keep_ratio", "T.Resize(50, keep_ratio=True)(img)", 0),
        ("resize_batch", "T.Resize((45, 33))(batch)", 0),
        ("center_crop_t", "T.CenterCrop(40)(img)", 0),
        ("crop_resize_t", "T.CropResize(3, 4, 50, 40, size=(30, 20), interpolation=1)(img)", 0),
        ("compose", "T.Compose([T.Resize(56, keep_ratio=True), T.CenterCrop(48), T.ToTensor(), "
         "T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])(img)", 0),
        ("nd_resize", "mx.nd.image.resize(img, (45, 33))", 0),
        ("nd_resize_batch", "mx.nd.image.resize(batch, (45, 33), interp=2)", 0),
        ("nd_to_tensor_batch", "mx.nd.image.to_tensor(batch)", 0),
        ("nd_normalize", "mx.nd.image.normalize(mx.nd.image.to_tensor(img), (0.5, 0.4, 0.3), (0.2, 0.25, 0.3))", 0),
        ("nd_flip", "mx.nd.image.flip_left_right(img)", 0),
    ]
    for interp in range(5):
        out.append((f"resize_t_{interp}", f"T.Resize((45, 70), interpolation={interp})(img)", 0))
    return out


def seed():
    random.seed(7)
    np.random.seed(7)


def main():
    def read(name):
        with open(os.path.join(DIR, name), "rb") as f:
            return f.read()

    ns = namespace(mx, np, random, read)
    arrays, meta = {}, []
    for cid, expr, atol in cases():
        seed()
        res = eval(expr, ns)  # noqa: S307 - our own expressions
        rec = {"id": cid, "expr": expr, "atol": atol}
        if isinstance(res, tuple):
            res, rec["box"] = res[0], [int(v) for v in res[1]]
        arrays[cid] = res.asnumpy()
        meta.append(rec)
    np.savez_compressed(os.path.join(DIR, "outputs.npz"), **arrays)
    with open(os.path.join(DIR, "cases.json"), "w") as f:
        json.dump({"mxnet_version": mx.__version__, "cases": meta}, f, indent=1)
    print(f"image_pipeline: {len(meta)} cases")


if __name__ == "__main__":
    main()
