"""Goldens for the SSD multibox operators (family io_iters/multibox) and small .rec/.csv files with the
batches MXNet's C++ iterators make of them (io_iters/iters.npz), recorded under real MXNet 1.9.1."""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mxnet as mx  # noqa: E402
from harness import Goldens, OUT  # noqa: E402

DIR = os.path.join(OUT, "io_iters")


def boxes(rng, shape):
    """Random valid (xmin, ymin, xmax, ymax) boxes in [0, 1]."""
    p = np.sort(rng.rand(*shape, 2, 2), axis=-1)  # (..., xy, minmax)
    return p.transpose(*range(len(shape)), len(shape) + 1, len(shape)).reshape(*shape, 4).astype(np.float32)


def multibox():
    g = Goldens("io_iters/multibox")
    rng = g.rng
    x = np.zeros((1, 2, 3, 4), np.float32)
    g.case("prior_default", "contrib.MultiBoxPrior", [x], {}, grad=False)
    g.case(
        "prior_sizes_ratios",
        "contrib.MultiBoxPrior",
        [x],
        dict(sizes=(0.5, 0.25, 0.1), ratios=(1, 2, 0.5)),
        grad=False,
    )
    g.case(
        "prior_clip_steps",
        "contrib.MultiBoxPrior",
        [x],
        dict(sizes=(0.7,), ratios=(1, 3), clip=True, steps=(0.3, 0.2), offsets=(0.2, 0.7)),
        grad=False,
    )
    for i, kw in enumerate(
        [
            {},
            dict(overlap_threshold=0.3),
            dict(negative_mining_ratio=3, minimum_negative_samples=2),
            dict(
                negative_mining_ratio=1.5,
                negative_mining_thresh=0.3,
                ignore_label=-2,
                variances=(0.2, 0.1, 0.3, 0.4),
                overlap_threshold=0.1,
            ),
        ]
    ):
        anc = boxes(rng, (1, 30))
        lab = np.concatenate([rng.randint(0, 3, (2, 4, 1)), boxes(rng, (2, 4))], axis=2).astype(np.float32)
        lab[0, 3] = -1
        lab[1, 2:] = -1
        cls = rng.randn(2, 4, 30).astype(np.float32)
        g.case(f"target_{i}", "contrib.MultiBoxTarget", [anc, lab, cls], kw, grad=False)
    for i, kw in enumerate(
        [
            {},
            dict(threshold=0.2, nms_threshold=0.3),
            dict(force_suppress=True, nms_threshold=0.2),
            dict(nms_topk=5, threshold=0.1, clip=False),
            dict(nms_threshold=0, variances=(1, 1, 1, 1)),
            dict(background_id=2, threshold=0.3),
        ]
    ):
        anc = boxes(rng, (1, 20))
        e = np.exp(rng.randn(3, 4, 20) * 2)
        cls = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        loc = (rng.randn(3, 80) * 0.5).astype(np.float32)
        g.case(f"detect_{i}", "contrib.MultiBoxDetection", [cls, loc, anc], kw, grad=False)
    g.save()


def png(img):
    """PNG bytes of an (H, W, 3) uint8 RGB image (the oracle venv has no image library)."""
    import struct
    import zlib

    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(tag, data):
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def write_files(rng):
    """7 PNG records (sizes vary, labels of width 2) in img.rec/img.idx, and data/label CSVs."""
    rec = mx.recordio.MXIndexedRecordIO(os.path.join(DIR, "img.idx"), os.path.join(DIR, "img.rec"), "w")
    rec1 = mx.recordio.MXRecordIO(os.path.join(DIR, "img1.rec"), "w")
    for i in range(7):
        h, w = [(10, 12), (12, 10), (9, 9), (16, 11), (10, 10), (13, 15), (9, 12)][i]
        buf = png(rng.randint(0, 256, (h, w, 3)).astype(np.uint8))
        rec.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, [float(i), float(10 + i)], i, 0), buf))
        rec1.write(mx.recordio.pack(mx.recordio.IRHeader(0, float(i) / 2, i, 0), buf))
    rec.close()
    rec1.close()
    data = rng.randn(11, 6).round(3)
    np.savetxt(os.path.join(DIR, "data.csv"), data, delimiter=",", fmt="%.3f")
    with open(os.path.join(DIR, "data.libsvm"), "w") as f:
        for r in range(9):
            cols = sorted(rng.choice(8, rng.randint(1, 5), replace=False))
            f.write(f"{r % 3} " + " ".join(f"{c}:{rng.randint(1, 9) / 4}" for c in cols) + "\n")
    np.savetxt(os.path.join(DIR, "label.csv"), np.arange(11 * 2).reshape(11, 2), delimiter=",", fmt="%d")


REC = dict(path_imgrec="img.rec", data_shape=(3, 8, 8), batch_size=3, label_width=2)
ITER_CASES = [
    ("rec_default", "ImageRecordIter", dict(REC)),
    (
        "rec_resize_norm",
        "ImageRecordIter",
        dict(REC, resize=9, mean_r=120, mean_g=110, mean_b=100, std_r=50, std_g=60, std_b=70, scale=0.5),
    ),
    (
        "rec_label1",
        "ImageRecordIter",
        dict(REC, path_imgrec="img1.rec", label_width=1, batch_size=4, round_batch=False),
    ),
    (
        "rec_part",
        "ImageRecordIter",
        dict(REC, path_imgidx="img.idx", part_index=1, num_parts=2, batch_size=2),
    ),
    ("rec_uint8", "ImageRecordUInt8Iter", dict(REC, data_shape=(3, 7, 6))),
    ("rec_int8", "ImageRecordInt8Iter", dict(REC)),
    ("rec_v1", "ImageRecordIter_v1", dict(REC, mean_r=10.0, scale=0.1)),
    ("csv_default", "CSVIter", dict(data_csv="data.csv", data_shape=(6,), batch_size=4)),
    (
        "csv_label",
        "CSVIter",
        dict(
            data_csv="data.csv",
            data_shape=(2, 3),
            label_csv="label.csv",
            label_shape=(2,),
            batch_size=3,
            round_batch=False,
        ),
    ),
    (
        "csv_round",
        "CSVIter",
        dict(data_csv="data.csv", data_shape=(6,), label_csv="label.csv", label_shape=(2,), batch_size=5),
    ),
    ("libsvm_default", "LibSVMIter", dict(data_libsvm="data.libsvm", data_shape=(8,), batch_size=4)),
    (
        "libsvm_b2",
        "LibSVMIter",
        dict(data_libsvm="data.libsvm", data_shape=(8,), batch_size=2, num_parts=2, part_index=1),
    ),
]


def iters():
    arrays, cases = {}, []
    cwd = os.getcwd()
    os.chdir(DIR)
    try:
        for cid, name, kw in ITER_CASES:
            it = getattr(mx.io, name)(**kw)
            rec = {
                "id": cid,
                "iter": name,
                "kwargs": kw,
                "pads": [],
                "epochs": 3,
                "provide_data": [[d.name, list(d.shape)] for d in it.provide_data],
                "provide_label": [[d.name, list(d.shape)] for d in it.provide_label],
            }
            # reset after each full epoch: resetting a fresh iterator races MXNet's prefetch thread
            for ep in range(3):
                for b, batch in enumerate(it):
                    arrays[f"{cid}/{ep}/{b}/data"] = batch.data[0].asnumpy()
                    arrays[f"{cid}/{ep}/{b}/label"] = batch.label[0].asnumpy()
                    rec["pads"].append(batch.pad)
                it.reset()
            cases.append(rec)
    finally:
        os.chdir(cwd)
    np.savez_compressed(os.path.join(DIR, "iters.npz"), **arrays)
    with open(os.path.join(DIR, "iters.json"), "w") as f:
        json.dump({"mxnet_version": mx.__version__, "cases": cases}, f, indent=1)
    print(f"io_iters/iters: {len(cases)} cases")


def _det_label(rng, n):
    """A detection label: header [2, 5], then n objects [class, xmin, ymin, xmax, ymax]."""
    b = np.sort(rng.rand(n, 2, 2), axis=-1).transpose(0, 2, 1).reshape(n, 4)
    return np.concatenate([[2, 5], np.concatenate([rng.randint(0, 3, (n, 1)), b], 1).ravel()]).astype(
        np.float32
    )


def detection(rng):
    """Detection augmenters with fixed Python seeds, ImageDetIter over a small .rec, and imrotate."""
    import random

    D = mx.image.detection
    arrays, cases = {}, []
    img = rng.randint(0, 256, (20, 24, 3)).astype(np.float32)
    label = _det_label(rng, 4)[2:].reshape(4, 5)
    arrays["img"], arrays["label"] = img, label
    augs = {
        "flip": "D.DetHorizontalFlipAug(0.7)",
        "crop": "D.DetRandomCropAug(min_object_covered=0.2, area_range=(0.2, 0.9))",
        "crop_fixed": "D.DetRandomCropAug(min_object_covered=0.0, aspect_ratio_range=1.0, area_range=0.5)",
        "pad": "D.DetRandomPadAug(area_range=(1.2, 2.5), pad_val=(1, 2, 3))",
        "multi": "D.CreateMultiRandCropAugmenter(min_object_covered=[0.1, 0.3, 0.5], area_range=(0.1, 1.0), "
        "skip_prob=0.2)",
        "select": "D.DetRandomSelectAug([D.DetHorizontalFlipAug(1), D.DetRandomPadAug()], skip_prob=0.3)",
    }
    for name, expr in augs.items():
        aug = eval(expr)
        dumps = json.dumps(aug.dumps())  # before use: DetRandomSelectAug shuffles its list in place
        for seed in range(4):
            random.seed(seed)
            out, lab = aug(mx.nd.array(img), label.copy())
            arrays[f"{name}/{seed}/img"] = out.asnumpy()
            arrays[f"{name}/{seed}/label"] = np.asarray(lab)
        cases.append({"id": name, "expr": expr, "seeds": 4, "dumps": dumps})
    det = [
        D.CreateDetAugmenter((3, 10, 12), rand_crop=0.5, rand_pad=0.5, rand_mirror=True, mean=True, std=True)
    ]
    arrays["create_det/names"] = np.array([len(det[0])])
    cases.append({"id": "create_det", "dumps": [json.dumps(a.dumps()) for a in det[0]]})
    # ImageDetIter over a .rec of PNG images with 2-3 objects each
    rec = mx.recordio.MXRecordIO(os.path.join(DIR, "det.rec"), "w")
    for i in range(5):
        h, w = [(16, 20), (18, 18), (14, 22), (20, 16), (16, 16)][i]
        lab = _det_label(rng, 2 + i % 2)
        rec.write(
            mx.recordio.pack(
                mx.recordio.IRHeader(0, lab, i, 0), png(rng.randint(0, 256, (h, w, 3)).astype(np.uint8))
            )
        )
    rec.close()
    for cid, kw in [
        ("detiter_plain", {}),
        (
            "detiter_aug",
            dict(rand_crop=0.5, rand_mirror=True, rand_pad=0.5, mean=True, std=True, inter_method=1),
        ),
    ]:
        random.seed(7)
        it = mx.image.ImageDetIter(2, (3, 10, 12), path_imgrec=os.path.join(DIR, "det.rec"), **kw)
        pads = []
        for b, batch in enumerate(it):
            arrays[f"{cid}/{b}/data"] = batch.data[0].asnumpy()
            arrays[f"{cid}/{b}/label"] = batch.label[0].asnumpy()
            pads.append(batch.pad)
        cases.append({"id": cid, "kwargs": kw, "pads": pads, "label_shape": list(it.provide_label[0][1])})
    np.savez_compressed(os.path.join(DIR, "detection.npz"), **arrays)
    with open(os.path.join(DIR, "detection.json"), "w") as f:
        json.dump({"mxnet_version": mx.__version__, "cases": cases}, f, indent=1)
    print(f"io_iters/detection: {len(cases)} cases")


def rotate(rng):
    """imrotate / random_rotate (NumPy-seeded) outputs."""
    x = rng.rand(2, 3, 5, 7).astype(np.float32)
    res = {
        "x": x,
        "single30": mx.image.imrotate(mx.nd.array(x[0]), 30).asnumpy(),
        "batch_zoom_in": mx.image.imrotate(
            mx.nd.array(x), mx.nd.array([-45.0, 100.0]), zoom_in=True
        ).asnumpy(),
        "batch_zoom_out": mx.image.imrotate(mx.nd.array(x), 20, zoom_out=True).asnumpy(),
    }
    np.random.seed(3)
    res["random_batch"] = mx.image.random_rotate(mx.nd.array(x), (-30, 30)).asnumpy()
    np.random.seed(4)
    res["random_single"] = mx.image.random_rotate(mx.nd.array(x[1]), (-90, 30), zoom_out=True).asnumpy()
    np.savez_compressed(os.path.join(DIR, "rotate.npz"), **res)


def npx_extra(rng):
    """npx functions (arange_like, roi_pooling, rnn, multibox_*) and the deterministic npx.image operators."""
    from mxnet import np as mnp, npx

    res = {}
    img = rng.randint(0, 256, (2, 6, 7, 3)).astype(np.uint8)
    res["img"] = img
    x = mnp.array(img, dtype="uint8")
    t = npx.image.to_tensor(x)
    res["to_tensor"] = t.asnumpy()
    res["to_tensor1"] = npx.image.to_tensor(x[0]).asnumpy()
    res["normalize"] = npx.image.normalize(t, mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.3)).asnumpy()
    res["normalize_scalar"] = npx.image.normalize(t[0], mean=0.5, std=0.2).asnumpy()
    res["crop"] = npx.image.crop(x, x=1, y=2, width=4, height=3).asnumpy()
    res["crop1"] = npx.image.crop(x[1], 2, 1, 5, 4).asnumpy()
    res["flip_lr"] = npx.image.flip_left_right(x[1]).asnumpy()
    res["flip_tb"] = npx.image.flip_top_bottom(x[0]).asnumpy()
    res["resize"] = npx.image.resize(x, size=(4, 3)).asnumpy()
    res["resize_keep"] = npx.image.resize(x[0], size=5, keep_ratio=True).asnumpy()
    res["resize_float"] = npx.image.resize(t[0].transpose(1, 2, 0), size=(9, 8)).asnumpy()
    res["adjust_lighting"] = npx.image.adjust_lighting(
        x[0].astype("float32"), alpha=(0.1, -0.2, 0.3)
    ).asnumpy()
    d = rng.rand(2, 3, 4).astype(np.float32)
    res["arange_like_in"] = d
    res["arange_like"] = npx.arange_like(mnp.array(d), start=1.5, step=0.5, repeat=2).asnumpy()
    res["arange_like_axis"] = npx.arange_like(mnp.array(d), axis=-1).asnumpy()
    feat = rng.rand(1, 2, 6, 6).astype(np.float32)
    rois = np.array([[0, 0, 0, 4, 4], [0, 1, 2, 5, 5]], np.float32)
    res["roi_in"], res["roi_rois"] = feat, rois
    res["roi"] = npx.roi_pooling(
        mnp.array(feat), mnp.array(rois), pooled_size=(2, 2), spatial_scale=1.0
    ).asnumpy()
    seq = rng.rand(3, 2, 4).astype(np.float32)
    params = (rng.rand(4 * 5 * (4 + 5 + 2)) - 0.5).astype(np.float32)
    h0 = np.zeros((1, 2, 5), np.float32)
    res["rnn_x"], res["rnn_p"] = seq, params
    res["rnn_lstm"] = npx.rnn(
        mnp.array(seq),
        mnp.array(params),
        mnp.array(h0),
        mnp.array(h0),
        state_size=5,
        num_layers=1,
        mode="lstm",
    ).asnumpy()
    res["prior"] = npx.multibox_prior(mnp.zeros((1, 1, 2, 3)), sizes=(0.4, 0.2), ratios=(1, 2)).asnumpy()
    np.savez_compressed(os.path.join(DIR, "npx_extra.npz"), **res)
    print("io_iters/npx_extra written")


if __name__ == "__main__":
    os.makedirs(DIR, exist_ok=True)
    multibox()
    write_files(np.random.RandomState(1))
    iters()
    detection(np.random.RandomState(2))
    rotate(np.random.RandomState(3))
    npx_extra(np.random.RandomState(4))
