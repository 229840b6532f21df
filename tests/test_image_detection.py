"""SSD multibox operators and mx.image detection helpers vs MXNet 1.9.1."""

import pytest

from golden import load_cases, run_case, case_ids

CASES = load_cases("io_iters/multibox")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_multibox_golden(case):
    run_case(case)


# -- detection augmenters, ImageDetIter and rotation vs MXNet (Python-seeded) ------------------------------
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402

import numpy as np  # noqa: E402

import mxnet as mx  # noqa: E402
from mxnet.image import detection as D  # noqa: E402, N812

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "io_iters")
with open(os.path.join(DIR, "detection.json")) as _f:
    DET = {c["id"]: c for c in json.load(_f)["cases"]}
DARR = np.load(os.path.join(DIR, "detection.npz"))
ROT = np.load(os.path.join(DIR, "rotate.npz"))
AUGS = [c for c in DET.values() if "expr" in c]


@pytest.mark.parametrize("case", AUGS, ids=[c["id"] for c in AUGS])
def test_det_augmenter(case):
    aug = eval(case["expr"])
    assert json.dumps(aug.dumps()) == case["dumps"]
    for seed in range(case["seeds"]):
        random.seed(seed)
        out, lab = aug(mx.nd.array(DARR["img"]), DARR["label"].copy())
        np.testing.assert_array_equal(out.asnumpy(), DARR[f"{case['id']}/{seed}/img"])
        np.testing.assert_allclose(np.asarray(lab), DARR[f"{case['id']}/{seed}/label"], rtol=1e-6, atol=1e-7)


def test_create_det_augmenter_list():
    augs = D.CreateDetAugmenter(
        (3, 10, 12), rand_crop=0.5, rand_pad=0.5, rand_mirror=True, mean=True, std=True
    )
    assert [json.dumps(a.dumps()) for a in augs] == DET["create_det"]["dumps"]
    assert mx.image.CreateDetAugmenter is D.CreateDetAugmenter and mx.image.det is D


@pytest.mark.parametrize("cid", ["detiter_plain", "detiter_aug"])
def test_image_det_iter(cid):
    case = DET[cid]
    random.seed(7)
    it = mx.image.ImageDetIter(2, (3, 10, 12), path_imgrec=os.path.join(DIR, "det.rec"), **case["kwargs"])
    assert list(it.provide_label[0][1]) == case["label_shape"]
    batches = list(it)
    assert [b.pad for b in batches] == case["pads"]
    for b, batch in enumerate(batches):
        # resizing a padded uint8 image may round a few pixels one level (1/std ~ 0.018) off OpenCV's
        np.testing.assert_allclose(batch.data[0].asnumpy(), DARR[f"{cid}/{b}/data"], rtol=1e-4, atol=0.02)
        np.testing.assert_allclose(batch.label[0].asnumpy(), DARR[f"{cid}/{b}/label"], rtol=1e-6, atol=1e-6)


def test_det_iter_reshape_and_sync():
    path = os.path.join(DIR, "det.rec")
    a = mx.image.ImageDetIter(2, (3, 10, 12), path_imgrec=path)
    b = mx.image.ImageDetIter(2, (3, 10, 12), path_imgrec=path)
    b.reshape(label_shape=(5, 5))
    assert a.sync_label_shape(b) is b and a.label_shape == (5, 5)
    assert a.next().label[0].shape == (2, 5, 5)
    with pytest.raises(ValueError):
        a.reshape(label_shape=(2, 5))


def test_imrotate_matches_mxnet():
    x = ROT["x"]
    np.testing.assert_allclose(mx.image.imrotate(mx.nd.array(x[0]), 30).asnumpy(), ROT["single30"], atol=1e-5)
    got = mx.image.imrotate(mx.nd.array(x), mx.nd.array([-45.0, 100.0]), zoom_in=True)
    np.testing.assert_allclose(got.asnumpy(), ROT["batch_zoom_in"], atol=1e-5)
    got = mx.image.imrotate(mx.nd.array(x), 20, zoom_out=True)
    np.testing.assert_allclose(got.asnumpy(), ROT["batch_zoom_out"], atol=1e-5)
    np.random.seed(3)
    np.testing.assert_allclose(
        mx.image.random_rotate(mx.nd.array(x), (-30, 30)).asnumpy(), ROT["random_batch"], atol=1e-5
    )
    np.random.seed(4)
    got = mx.image.random_rotate(mx.nd.array(x[1]), (-90, 30), zoom_out=True)
    np.testing.assert_allclose(got.asnumpy(), ROT["random_single"], atol=1e-5)
    with pytest.raises(ValueError):
        mx.image.imrotate(mx.nd.array(x), 10, zoom_in=True, zoom_out=True)
    with pytest.raises(TypeError):
        mx.image.imrotate(mx.nd.array(x[0]).astype("float16"), 10)


def test_rotate_transforms():
    from mxnet.gluon.data.vision import transforms as T

    x = mx.nd.array(ROT["x"][0])
    np.testing.assert_allclose(T.Rotate(30)(x).asnumpy(), ROT["single30"], atol=1e-5)
    assert T.RandomRotation((-10, 10), rotate_with_proba=0.0)(x) is x
    with pytest.raises(TypeError):
        T.Rotate(30)(x.astype("uint8"))
    with pytest.raises(ValueError):
        T.RandomRotation((10, -10))
    assert T.HybridSequential is mx.gluon.nn.HybridSequential and T.Sequential is mx.gluon.nn.Sequential
    assert T.HybridBlock is mx.gluon.HybridBlock


def test_rotate_gradient_flows():
    x = mx.nd.array(ROT["x"])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.image.imrotate(x, 0.0)
    y.backward(mx.nd.ones_like(y))
    # a zero-degree rotation samples each pixel exactly once
    np.testing.assert_allclose(x.grad.asnumpy(), np.ones(x.shape), atol=1e-5)


def test_box_nms_many_candidates_memory_bounded():
    # SSD/YOLO heads hand box_nms ~10^5 candidates: a pairwise IoU matrix would need ~100 GB
    rs = np.random.RandomState(3)
    n = 120000
    xy = rs.uniform(0, 500, size=(1, n, 2))
    data = np.concatenate([rs.randint(0, 20, size=(1, n, 1)), rs.uniform(size=(1, n, 1)), xy,
                           xy + rs.uniform(5, 50, size=(1, n, 2))], -1).astype(np.float32)
    out = mx.nd.contrib.box_nms(mx.nd.array(data), overlap_thresh=0.45, topk=400, id_index=0,
                                valid_thresh=0.01).asnumpy()
    kept = out[0][out[0, :, 0] >= 0]
    assert 0 < len(kept) <= 400 and (out[0, len(kept):] == -1).all()
    assert (np.diff(kept[:, 1]) <= 0).all()   # descending scores
    # no two kept boxes of one class overlap above the threshold
    for c in np.unique(kept[:, 0]):
        b = kept[kept[:, 0] == c, 2:]
        iw = np.clip(np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0]), 0, None)
        ih = np.clip(np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1]), 0, None)
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        iou = iw * ih / (area[:, None] + area[None, :] - iw * ih)
        np.fill_diagonal(iou, 0)
        assert iou.max() <= 0.45 + 1e-6
