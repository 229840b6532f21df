"""The image pipeline against real MXNet 1.9.1, case by case (``tools/goldens/gen_image_pipeline.py``):
decoding, every ``imresize`` interpolation on uint8 and float32 images, short-side resizes, crops,
flips, normalisation, the augmenter lists and the Gluon transforms.  Each case runs twice: with
OpenCV when ``opencv-python-headless`` is installed, and on the NumPy path alone."""
import importlib.util
import json
import os
import random
import sys

import numpy as onp
import pytest

import mxnet as mx
from mxnet.image import _resize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, "tests", "goldens", "image_pipeline")
sys.path.insert(0, os.path.join(ROOT, "tools", "goldens"))
try:
    from gen_image_pipeline import namespace
finally:
    sys.path.pop(0)

with open(os.path.join(DIR, "cases.json")) as f:
    CASES = json.load(f)["cases"]
GOLD = onp.load(os.path.join(DIR, "outputs.npz"))
HAVE_CV2 = importlib.util.find_spec("cv2") is not None

# Without OpenCV, area shrinking (also a bilinear shrink by exactly 2, which OpenCV takes as one)
# sums its boxes in another order than OpenCV: within one grey level, or float rounding.
NUMPY_CLOSE = {"imresize_u8_3_40x30", "imresize_u8_3_50x35", "imresize_u8_1_40x30",
               "imresize_f32_3_40x30", "imresize_f32_3_50x35", "imresize_f32_1_40x30",
               "imresize_u8_3_80x59", "resize_short_3", "resize_short_9", "augmenter_val"}


def _read(name):
    with open(os.path.join(DIR, name), "rb") as f:
        return f.read()


@pytest.fixture(params=["opencv", "numpy"])
def backend(request, monkeypatch):
    if request.param == "opencv":
        if not HAVE_CV2:
            pytest.skip("opencv-python-headless is not installed")
        monkeypatch.setattr(_resize, "_cv2_module", None)  # import it afresh
        monkeypatch.delenv("MXNEXT_OPENCV", raising=False)
        assert _resize.opencv() is not None
    else:
        monkeypatch.setattr(_resize, "_cv2_module", False)
    return request.param


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_mxnet(case, backend):
    ns = namespace(mx, onp, random, _read)
    random.seed(7)
    onp.random.seed(7)
    res = eval(case["expr"], ns)  # noqa: S307 - the recorded cases' own expressions
    if isinstance(res, tuple):
        res, box = res
        assert list(box) == case["box"]
    got, want = res.asnumpy(), GOLD[case["id"]]
    assert got.dtype == want.dtype and got.shape == want.shape
    atol = case["atol"]
    if backend == "numpy" and case["id"] in NUMPY_CLOSE:
        atol = max(atol, 1 if want.dtype == onp.uint8 else 1e-4 * float(onp.abs(want).max()))
    if atol:
        onp.testing.assert_allclose(got.astype(onp.float64), want, atol=atol, rtol=0)
    else:
        onp.testing.assert_array_equal(got, want)
