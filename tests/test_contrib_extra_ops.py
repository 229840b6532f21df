"""_contrib_ operators of ops/contrib_extra.py; goldens from MXNet 1.9.1."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import nd


def test_hawkesll_values_and_gradients():
    rng = np.random.RandomState(1)
    lda = nd.array(rng.uniform(0.5, 2, (3, 2)))
    alpha, beta = nd.array([0.3, 0.5]), nd.array([1.5, 0.7])
    state = nd.array(rng.uniform(0, 1, (3, 2)))
    lags = nd.array(rng.uniform(0.1, 2, (3, 5)))
    marks = nd.array(rng.randint(0, 2, (3, 5))).astype(np.int32)
    for a in (lda, alpha, beta, state):
        a.attach_grad()
    with mx.autograd.record():
        ll, s = nd.contrib.hawkesll(lda, alpha, beta, state, lags, marks, nd.array([5, 3, 0]),
                                    nd.array([12., 10., 4.]))
        (ll.sum() * 2 + (s * nd.array([[1, 2], [3, 4], [5, 6]])).sum()).backward()
    np.testing.assert_allclose(ll.asnumpy(), [-32.581451, -16.906630, -5.881790], rtol=1e-5)
    np.testing.assert_allclose(s.asnumpy(), [[0, 0.00863], [0, 0.0042], [0.00104, 0.04167]], atol=1e-5)
    np.testing.assert_allclose(lda.grad.asnumpy(), [[-22.22352, -19.48287], [-13.66531, -17.99971],
                                                    [-8, -8]], rtol=1e-5)
    np.testing.assert_allclose(alpha.grad.asnumpy(), [-5.22875, -11.12326], rtol=1e-5)
    # as in MXNet: no gradient through the returned state, none for the initial state
    np.testing.assert_allclose(beta.grad.asnumpy(), [0.09789, -0.17787], rtol=1e-4)
    assert not state.grad.asnumpy().any()
    assert ll.dtype == np.float32


def _boxes(rng, *shape):
    a = rng.uniform(0, 1, shape + (2,))
    return nd.array(np.concatenate([a, a + rng.uniform(0.1, 1, shape + (2,))], -1))


def test_box_encode_decode():
    rng = np.random.RandomState(3)
    anchors, refs = _boxes(rng, 2, 3), _boxes(rng, 2, 4)
    y, mask = nd.contrib.box_encode(nd.array([[1, -1, 0], [1, 1, -1]]), nd.array([[3, 0, 1], [2, 0, 1]]),
                                    anchors, refs, nd.array([0.1, 0, 0.2, 0]), nd.array([0.1, 0.1, 0.2, 0.2]))
    np.testing.assert_allclose(y.asnumpy()[0, 0], [4.80063, -0.95579, -1.43173, 0.06377], rtol=1e-4)
    np.testing.assert_allclose(y.asnumpy()[1, 1], [22.90023, 4.11162, -1.07079, -1.75893], rtol=1e-4)
    assert mask.asnumpy()[:, :, 0].tolist() == [[1, 0, 0], [1, 1, 0]]
    assert not y.asnumpy()[0, 1:].any()
    d = nd.array(rng.uniform(-1, 1, (2, 3, 4)))
    out = nd.contrib.box_decode(d, anchors[1:2], .1, .2, .3, .4, clip=0.05, format="corner")
    np.testing.assert_allclose(out.asnumpy()[0, 0], [0.13089, 0.24184, 0.4813, 0.73972], rtol=1e-4)
    out = nd.contrib.box_decode(d, anchors[0:1])
    np.testing.assert_allclose(out.asnumpy()[1, 2], [-0.22719, -0.34324, 0.27849, 0.33057], rtol=1e-4)
    with pytest.raises(mx.base.MXNetError):
        nd.contrib.box_decode(d, anchors)


def test_straight_through_estimators_and_gradient_multiplier():
    x = nd.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49])
    x.attach_grad()
    with mx.autograd.record():
        y = (nd.contrib.round_ste(x) * 3 + nd.contrib.sign_ste(x)
             + nd.contrib.gradientmultiplier(x, scalar=0.5))
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), [-12.5, -8.5, -4.5, 4.5, 8.5, 12.5, 1.49], rtol=1e-6)
    assert x.grad.asnumpy().tolist() == [4.5] * 7


def test_box_nms_drops_the_background_class():
    b = nd.array([[0, 0.5, 0.1, 0.1, 0.2, 0.2], [0, 0.4, 0.1, 0.1, 0.2, 0.2],
                  [1, 0.3, 0.1, 0.1, 0.14, 0.14], [-1, 0.6, 0.5, 0.5, 0.7, 0.8]])
    # with class ids, boxes of the background class (-1 by default) drop out
    ids = nd.contrib.box_nms(b, force_suppress=True, id_index=0).asnumpy()[:, 0].tolist()
    assert ids == [0, 1, -1, -1]
    ids = nd.contrib.box_nms(b, force_suppress=True, id_index=0, background_id=0).asnumpy()[:, 0]
    assert ids.tolist() == [-1, 1, -1, -1]
    # without class ids every box competes
    assert nd.contrib.box_nms(b, force_suppress=True).asnumpy()[:, 0].tolist() == [-1, 0, 1, -1]


def _adamw_inputs():
    return (nd.array([[0.5, 0.2]]), nd.array([[0.3, -0.4]]), nd.array([[0.1, 0.2]]),
            nd.array([[0.3, 0.4]]))


def test_adamw_update_and_skips():
    w, g, m, v = _adamw_inputs()
    r = nd.contrib.adamw_update(w, g, m, v, 1.0, lr=0.1, eta=1.0, wd=0.1)
    np.testing.assert_allclose(r.asnumpy(), [[0.42808342, 0.15785742]], rtol=1e-6)
    np.testing.assert_allclose(m.asnumpy(), [[0.12, 0.14]], rtol=1e-6)
    np.testing.assert_allclose(v.asnumpy(), [[0.29979003, 0.39976001]], rtol=1e-6)
    assert w.asnumpy().tolist() == [[0.5, np.float32(0.2)]]     # only out= changes the weight
    for bad in (0.0, np.nan, np.inf):
        nd.contrib.adamw_update(w, g, m, v, nd.array([bad]), lr=0.1, eta=1.0, out=w)
        assert w.asnumpy().tolist() == [[0.5, np.float32(0.2)]]
        np.testing.assert_allclose(m.asnumpy(), [[0.12, 0.14]], rtol=1e-6)


def test_mp_and_multi_adamw_update():
    w, g, m, v = _adamw_inputs()
    w16, w32 = w.astype("float16"), w.copy()
    r = nd.contrib.mp_adamw_update(w16, g.astype("float16"), m, v, w32, 2.0, lr=0.1, eta=1.0)
    assert r.dtype == np.float16
    np.testing.assert_allclose(w32.asnumpy(), [[0.47261482, 0.18419027]], rtol=1e-6)
    np.testing.assert_allclose(m.asnumpy(), [[0.15000978, 0.10001951]], rtol=1e-6)
    ws = [w.copy(), w.copy()]
    ms = [nd.array([[0.1, 0.2]]) for _ in ws]
    vs = [nd.array([[0.3, 0.4]]) for _ in ws]
    nd.contrib.multi_adamw_update(ws, [g, g], ms, vs, 1.0, lrs=[0.1, 0.2], wds=[0, 0], etas=[1, 1],
                                  out=ws)
    np.testing.assert_allclose(ws[0].asnumpy(), [[0.47808343, 0.17785741]], rtol=1e-6)
    np.testing.assert_allclose(ws[1].asnumpy(), [[0.45616686, 0.15571484]], rtol=1e-6)


def test_group_adagrad():
    opt = mx.optimizer.contrib.GroupAdaGrad(learning_rate=0.5, eps=1e-6)
    w, g = nd.array([[1., 2.], [3., 4.]]), nd.array([[0.5, -1.], [2., 0.]])
    state = opt.create_state(0, w)
    opt.update(0, w, g, state)
    opt.update(0, w, g, state)
    np.testing.assert_allclose(w.asnumpy(), [[0.4601658, 3.0796683], [1.7928934, 4.0]], rtol=1e-6)
    assert state.asnumpy().tolist() == [[1.25], [4.0]]
    with pytest.raises(AssertionError):
        mx.optimizer.contrib.GroupAdaGrad(wd=0.1).update(0, w, g, state)
