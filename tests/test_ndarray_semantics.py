"""NDArray behaviour MXNet 1.9.1 shows (goldens observed under real MXNet): views and copies of
the shape methods, pickling state, np-shape save records, from_numpy, CachedOp, moveaxis."""
import pickle

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError


def test_shape_methods_copy_unless_inplace():
    x = mx.nd.arange(6).reshape((1, 2, 3))
    copies = [x.flatten(), x.expand_dims(0), x.squeeze(axis=0), x.reshape_like(rhs=mx.nd.zeros((3, 2)))]
    views = [x.flatten(inplace=True), x.expand_dims(0, inplace=True), x.squeeze(axis=0, inplace=True),
             x.reshape((6,))]
    x[:] = -1
    assert all((c.asnumpy() != -1).all() for c in copies)
    assert all((v.asnumpy() == -1).all() for v in views)
    assert [v.shape for v in views] == [(1, 6), (1, 1, 2, 3), (2, 3), (6,)]
    with pytest.raises(ValueError):
        x.reshape((2, 2))


def test_pickle_state_is_mxnets_record():
    a = mx.nd.arange(3).reshape((1, 3))
    st = a.__getstate__()
    # the bytes real MXNet 1.9.1 gives for this array
    assert bytes(st["handle"]) == bytes.fromhex(
        "c9fa93f900000000020000000100000000000000030000000000000001000000000000000000000000000000"
        "0000803f00000040")
    b = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(b.asnumpy(), [[0, 1, 2]])
    gpu_state = bytes.fromhex("c9fa93f9000000000100000001000000000000000200000000000000000000000000"
                              "0000")
    c = mx.nd.zeros((2,))
    c.__setstate__({"handle": bytearray(gpu_state)})  # saved on gpu(0): read onto a usable context
    assert c.shape == (1,) and c.asnumpy()[0] == 0


def test_np_shape_save_writes_v3_records(tmp_path):
    f = str(tmp_path / "a")
    with mx.np_shape(True):
        mx.nd.save(f, [mx.nd.array(np.ones((2, 0, 1))), mx.nd.array(np.ones(()))])
        shapes = [a.shape for a in mx.nd.load(f)]
    assert shapes == [(2, 0, 1), ()]
    assert open(f, "rb").read()[24:28] == bytes.fromhex("cafa93f9")
    with pytest.raises(MXNetError):
        mx.nd.load(f)


def test_from_numpy_shares_and_locks():
    a = np.arange(6, dtype=np.float32).reshape(3, 2)
    m = mx.nd.from_numpy(a)
    assert not a.flags.writeable
    m[2, 1] = 100
    assert a[2, 1] == 100
    m2 = mx.nd.from_numpy(a)  # a read-only array can still be wrapped
    m2[0, 0] = 7
    assert a[0, 0] == 7
    with pytest.raises(ValueError):
        mx.nd.from_numpy(np.ones((2, 3)).T)
    c = mx.nd.from_numpy(np.ones(2), zero_copy=False)
    assert c.dtype == np.float64


def test_cached_op_runs_and_records():
    sym = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc") * 2
    op = mx.nd.CachedOp(sym)
    x, w, b = mx.nd.ones((1, 3)), mx.nd.ones((2, 3)), mx.nd.array([0, 1])
    np.testing.assert_array_equal(op(x, w, b).asnumpy(), [[6, 8]])
    out = mx.nd.zeros((1, 2))
    op(x, w, b, out=out)
    np.testing.assert_array_equal(out.asnumpy(), [[6, 8]])
    w.attach_grad()
    with mx.autograd.record():
        y = op(x, w, b)
    y.backward()
    np.testing.assert_array_equal(w.grad.asnumpy(), np.full((2, 3), 2))
    with pytest.raises(MXNetError):
        op(x)


def test_freed_graph_outputs_are_constants():
    x = mx.nd.ones((2,))
    x.attach_grad()
    with mx.autograd.record():
        y = x * 2
        z1 = y * 3
        z2 = y * 5
    z1.backward()
    with pytest.raises(MXNetError, match="no inputs"):
        z2.backward()
    w = mx.nd.ones((2,))
    w.attach_grad()
    with mx.autograd.record():
        v = y * w  # y is a constant now
    v.backward()
    np.testing.assert_array_equal(w.grad.asnumpy(), [2, 2])


def test_small_behaviours():
    assert not bool(mx.nd.array([]))
    assert mx.nd.moveaxis(mx.nd.zeros((1, 2, 3, 4)), range(4), range(4)).shape == (1, 2, 3, 4)
    with pytest.raises(ValueError):
        mx.nd.moveaxis(mx.nd.zeros((1, 2, 3)), [0, 0], [0, 1])
    with pytest.raises(ValueError):
        mx.nd.moveaxis(mx.nd.zeros((1, 2, 3)), 3, 0)
    b = mx.nd.zeros(1)
    b[0] = np.array([4.5], dtype=np.float32)
    assert b.asscalar() == 4.5
    out = mx.nd.zeros((2, 2))
    mx.nd.ones((2, 2), out=out)
    assert out.asnumpy().sum() == 4
    lhs, rhs = mx.nd.ones((1, 3)), mx.nd.ones((2, 3))
    assert mx.nd.broadcast_like(lhs, rhs, lhs_axes=(0,)).shape == (2, 3)  # one axes list: whole
    with pytest.raises(MXNetError):
        mx.nd.broadcast_like(lhs, rhs, lhs_axes=(), rhs_axes=())
    is_contig = mx.nd.NDArray._basic_indexing_slice_is_contiguous
    x = np.zeros((6, 7, 8))
    for key in [(slice(1, 3),), (slice(0, 1), slice(None, None, 2)), (slice(None), slice(1, 2)),
                (slice(2, 3), slice(1, 2), slice(None, None, -1)), (slice(0, 0), slice(None, None, 3))]:
        assert is_contig(key, x.shape) == x[key].flags.c_contiguous, key


def test_second_order_dense_radians_dropout():
    from mxnet import autograd
    x = mx.nd.array([[1.0, 2.0, 3.0]])
    w = mx.nd.array([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]])
    b = mx.nd.zeros((2,))
    for a in (x, w, b):
        a.attach_grad()
    o_y = mx.nd.array([[1.0, 2.0]])
    with autograd.record():
        y = mx.nd.FullyConnected(x, w, b, num_hidden=2)
        x_grad = autograd.grad(y, [x], head_grads=o_y, create_graph=True, retain_graph=True)[0]
        w_grad_grad = autograd.grad(x_grad, [w], head_grads=mx.nd.ones((1, 3)))[0]
    np.testing.assert_allclose(x_grad.asnumpy(), o_y.asnumpy() @ w.asnumpy())
    np.testing.assert_allclose(w_grad_grad.asnumpy(), o_y.asnumpy().T @ np.ones((1, 3)))
    for op in (mx.nd.radians, lambda v: mx.nd.Dropout(v, p=0.5)):
        v = mx.nd.array([0.5, 1.5])
        v.attach_grad()
        with autograd.record():
            g1 = autograd.grad(op(v), [v], create_graph=True, retain_graph=True)[0]
            g2 = autograd.grad(g1, [v], create_graph=True, retain_graph=True)[0]
        np.testing.assert_array_equal(g2.asnumpy(), [0, 0])  # a constant first derivative
    np.testing.assert_allclose(g1.asnumpy() % 2, [0, 0])  # dropout's: 0 or 1 / (1 - p)


def test_dropout_with_p_one_is_nan_as_in_mxnet():
    x = mx.nd.ones((2, 3))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Dropout(x, p=1.0)
    y.backward()
    assert np.isnan(y.asnumpy()).all() and np.isnan(x.grad.asnumpy()).all()
    assert (mx.nd.Dropout(x, p=1.0).asnumpy() == 1).all()  # outside training: the identity
