"""mx.npx: arange_like, roi_pooling, rnn, multibox_*, constraint_check and npx.image vs MXNet 1.9.1."""

import os

import numpy as onp
import pytest

import mxnet as mx
from mxnet import np, npx
from mxnet.base import MXNetError

R = onp.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "io_iters", "npx_extra.npz"))


def close(got, want, **kw):
    assert isinstance(got, np.ndarray)
    assert got.dtype == want.dtype and got.shape == want.shape
    onp.testing.assert_allclose(got.asnumpy(), want, **kw)


def test_arange_like():
    d = np.array(R["arange_like_in"])
    close(npx.arange_like(d, start=1.5, step=0.5, repeat=2), R["arange_like"])
    close(npx.arange_like(d, axis=-1), R["arange_like_axis"])


def test_roi_pooling():
    close(
        npx.roi_pooling(
            np.array(R["roi_in"]), np.array(R["roi_rois"]), pooled_size=(2, 2), spatial_scale=1.0
        ),
        R["roi"],
    )


def test_rnn_lstm():
    h0 = np.zeros((1, 2, 5))
    out = npx.rnn(np.array(R["rnn_x"]), np.array(R["rnn_p"]), h0, h0, state_size=5, num_layers=1, mode="lstm")
    close(out, R["rnn_lstm"], rtol=1e-5, atol=1e-6)


def test_multibox_prior_and_friends():
    close(npx.multibox_prior(np.zeros((1, 1, 2, 3)), sizes=(0.4, 0.2), ratios=(1, 2)), R["prior"], rtol=1e-6)
    anchors = npx.multibox_prior(np.zeros((1, 1, 2, 2)), sizes=(0.5,))
    label = np.array([[[1, 0.0, 0.0, 0.5, 0.5], [-1, -1, -1, -1, -1]]])
    loc_t, loc_m, cls_t = npx.multibox_target(anchors, label, np.zeros((1, 3, 4)))
    # the top-left anchor is exactly the box: class 1 + 1, zero offsets
    onp.testing.assert_array_equal(cls_t.asnumpy(), [[2, 0, 0, 0]])
    onp.testing.assert_array_equal(loc_m.asnumpy()[0, :4], [1, 1, 1, 1])
    onp.testing.assert_allclose(loc_t.asnumpy()[0, :4], 0, atol=1e-6)
    probs = np.array([[[0.1, 0.9, 0.9, 0.9], [0.9, 0.1, 0.1, 0.1]]])
    det = npx.multibox_detection(probs, np.zeros((1, 16)), anchors, threshold=0.5)
    onp.testing.assert_allclose(det.asnumpy()[0, 0], [0, 0.9, 0, 0, 0.5, 0.5], rtol=1e-6)
    assert (det.asnumpy()[0, 1:, 0] == -1).all()


def test_constraint_check():
    out = npx.constraint_check(np.array([1, 2]) > 0, "never shown")
    assert bool(out)
    with pytest.raises(ValueError, match="values must be positive"):
        npx.constraint_check(np.array([1, -2]) > 0, "values must be positive")
    with pytest.raises(MXNetError):
        npx.constraint_check(np.array([1.0]), "x")


X = np.array(R["img"], dtype="uint8")


def test_image_to_tensor_normalize():
    t = npx.image.to_tensor(X)
    close(t, R["to_tensor"])
    close(npx.image.to_tensor(X[0]), R["to_tensor1"])
    close(npx.image.normalize(t, mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.3)), R["normalize"], rtol=1e-6)
    close(npx.image.normalize(t[0], mean=0.5, std=0.2), R["normalize_scalar"], rtol=1e-6)


def test_image_geometry():
    close(npx.image.crop(X, x=1, y=2, width=4, height=3), R["crop"])
    close(npx.image.crop(X[1], 2, 1, 5, 4), R["crop1"])
    flipped = npx.image.flip_left_right(X[1])
    onp.testing.assert_array_equal(flipped.asnumpy(), R["img"][1][:, ::-1])
    # MXNet 1.9.1 leaves the middle column of an odd-width image unwritten (zeros); the rest agrees
    keep = [0, 1, 2, 4, 5, 6]
    onp.testing.assert_array_equal(flipped.asnumpy()[:, keep], R["flip_lr"][:, keep])
    close(npx.image.flip_top_bottom(X[0]), R["flip_tb"])
    close(npx.image.resize(X, size=(4, 3)), R["resize"])
    close(npx.image.resize(X[0], size=5, keep_ratio=True), R["resize_keep"])
    t = npx.image.to_tensor(X[0]).transpose(1, 2, 0)
    close(npx.image.resize(t, size=(9, 8)), R["resize_float"], rtol=1e-5, atol=1e-6)
    close(
        npx.image.adjust_lighting(X[0].astype("float32"), alpha=(0.1, -0.2, 0.3)),
        R["adjust_lighting"],
        rtol=1e-5,
    )
    with pytest.raises(MXNetError):
        npx.image.flip_left_right(X)
    with pytest.raises(MXNetError):
        npx.image.crop(X, x=5, y=0, width=4, height=2)


def test_image_normalize_gradient():
    t = npx.image.to_tensor(X[0])
    t.attach_grad()
    with mx.autograd.record():
        y = npx.image.normalize(t, mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.5))
    y.backward()
    want = onp.broadcast_to(1 / onp.array([0.2, 0.25, 0.5], onp.float32).reshape(3, 1, 1), t.shape)
    onp.testing.assert_allclose(t.grad.asnumpy(), want, rtol=1e-6)


def test_image_random_ops_shapes_and_reexports():
    mx.random.seed(0)
    img = X[0]
    for fn in (npx.image.random_flip_left_right, npx.image.random_flip_top_bottom):
        out = fn(img).asnumpy()
        assert (
            (out == img.asnumpy()).all()
            or (out == img.asnumpy()[::-1]).all()
            or (out == img.asnumpy()[:, ::-1]).all()
        )
    out = npx.image.random_brightness(img, 2.0, 2.0)  # a fixed factor: exact doubling, saturated
    onp.testing.assert_array_equal(out.asnumpy(), onp.minimum(img.asnumpy().astype(int) * 2, 255))
    assert npx.image.random_lighting(img.astype("float32"), 0.1).shape == img.shape
    assert npx.image.imresize is mx.image.imresize and npx.image.ImageDetIter is mx.image.ImageDetIter
