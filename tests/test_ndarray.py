"""NDArray creation, properties, indexing and operators, checked against values from MXNet 1.9.1."""
import pickle

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd
from mxnet.base import MXNetError


def _eq(a, shape, dtype, values):
    assert isinstance(a, nd.NDArray)
    assert a.shape == shape and a.dtype is np.dtype(dtype).type
    np.testing.assert_allclose(a.asnumpy(), np.array(values, dtype="float64").reshape(shape), rtol=1e-6)


# -- creation ------------------------------------------------------------------------
def test_array_dtype_rules():
    _eq(nd.array(np.arange(3, dtype="int32")), (3,), "float32", [0, 1, 2])
    _eq(nd.array([True, False]), (2,), "float32", [1, 0])
    _eq(nd.array(nd.array([1, 2], dtype="int32")), (2,), "int32", [1, 2])
    _eq(nd.array(nd.array([1, 2], dtype="int32"), dtype="float16"), (2,), "float16", [1, 2])
    _eq(nd.array([[1, 2], [3, 4]], dtype=np.int64), (2, 2), "int64", [1, 2, 3, 4])
    _eq(nd.array(5.0), (), "float32", 5.0)
    _eq(nd.array(np.float64(3)), (), "float32", 3.0)


def test_fill_functions():
    _eq(nd.zeros((2, 3), dtype="int32"), (2, 3), "int32", [0] * 6)
    _eq(nd.ones((2,), ctx=mx.cpu(1)), (2,), "float32", [1, 1])
    assert nd.ones((2,), ctx=mx.cpu(1)).context == mx.cpu(1)
    _eq(nd.full((2, 2), 7.5, dtype="int32"), (2, 2), "int32", [7] * 4)
    _eq(nd.full((2,), 3, dtype=np.int64), (2,), "int64", [3, 3])
    for bad in [(2, 0), ()]:
        with pytest.raises(MXNetError):
            nd.zeros(bad)
    with pytest.raises(MXNetError):
        nd.ones((0,))
    assert nd.empty((2, 3), dtype="int32").dtype is np.int32
    assert nd.empty((0,)).shape == (0,)


def test_ranges_and_eye():
    _eq(nd.arange(1, 5, 2, repeat=2), (4,), "float32", [1, 1, 3, 3])
    _eq(nd.arange(5, 0, -1.5), (4,), "float32", [5, 3.5, 2, 0.5])
    _eq(nd.arange(0, 5, dtype="int32"), (5,), "int32", range(5))
    assert nd.arange(0, 1, 0.1).shape == (10,)
    _eq(nd.linspace(0, 1, 5, endpoint=False), (5,), "float32", [0, .2, .4, .6, .8])
    _eq(nd.linspace(0, 10, 4, dtype="int32"), (4,), "int32", [0, 3, 6, 10])
    _eq(nd.eye(3, k=1), (3, 3), "float32", [0, 1, 0, 0, 0, 1, 0, 0, 0])
    _eq(nd.eye(2, 3, k=-1, dtype="int32"), (2, 3), "int32", [0, 0, 0, 1, 0, 0])
    _eq(nd.eye(3, 2), (3, 2), "float32", [1, 0, 0, 1, 0, 0])
    _eq(nd.ones_like(nd.ones((2, 2), dtype="int32")), (2, 2), "int32", [1] * 4)


# -- properties and conversions ---------------------------------------------------------
def test_properties():
    x = nd.array([[1, 2], [3, 4]])
    assert x.dtype is np.float32 and type(x.dtype) is type
    assert (x.size, x.ndim, x.context, x.ctx, x.stype) == (4, 2, mx.cpu(0), mx.cpu(0), "default")
    _eq(x.T, (2, 2), "float32", [1, 3, 2, 4])
    assert nd.zeros((2, 3, 4)).T.shape == (4, 3, 2)
    s = nd.array([3], dtype="int32").asscalar()
    assert s == 3 and type(s) is np.int32
    with pytest.raises(ValueError, match="not a scalar"):
        nd.array([3, 4]).asscalar()
    for name in ("tolist", "item", "__float__", "__int__", "__matmul__", "__floordiv__", "__pos__"):
        assert not hasattr(nd.NDArray, name), name


def test_copies():
    a = nd.array([1.7, -2.7])
    assert a.astype("float32", copy=False) is a and a.astype("float32") is not a
    _eq(a.astype("int32"), (2,), "int32", [1, -2])
    b = nd.zeros((2,), dtype="int32")
    assert a.copyto(b) is b
    _eq(b, (2,), "int32", [1, -2])
    with pytest.raises(MXNetError):
        a.copyto(nd.zeros((3,)))
    with pytest.raises(TypeError):
        a.copyto(5)
    c = a.copyto(mx.cpu(2))
    assert c.context == mx.cpu(2)
    assert a.as_in_context(mx.cpu()) is a and a.as_in_context(mx.cpu(1)) is not a
    assert a.copy() is not a and a.wait_to_read() is None


def test_repr():
    assert repr(nd.array(5.0)) == "\n5.0\n<NDArray  @cpu(0)>"
    assert repr(nd.array([1, 2], dtype="int32")) == "\n[1 2]\n<NDArray 2 @cpu(0)>"
    assert repr(nd.array([1, 2], dtype="bool")) == "\n[ True  True]\n<NDArray 2 @cpu(0)>"
    assert repr(nd.array(np.zeros((2, 0)))) == "\n[]\n<NDArray 2x0 @cpu(0)>"
    assert repr(nd.array([1, 2], ctx=mx.cpu(3))) == "\n[1. 2.]\n<NDArray 2 @cpu(3)>"
    assert str(nd.arange(2000)) == ("\n[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]"
                                    "\n<NDArray 2000 @cpu(0)>")
    assert repr(nd.zeros((2, 1, 2))) == "\n[[[0. 0.]]\n\n [[0. 0.]]]\n<NDArray 2x1x2 @cpu(0)>"


def test_python_protocols():
    assert len(nd.zeros((4, 2))) == 4
    with pytest.raises(IndexError):
        len(nd.array(5.0))
    assert [a.shape for a in nd.zeros((3, 2))] == [(2,)] * 3
    assert [a.shape for a in nd.arange(3)] == [(1,)] * 3
    assert bool(nd.array([[2]])) and not bool(nd.array(0.0))
    with pytest.raises(ValueError):
        bool(nd.zeros((2,)))
    x = nd.arange(6, dtype="int32").reshape((2, 3))
    y = pickle.loads(pickle.dumps(x))
    _eq(y, (2, 3), "int32", range(6))
    # deliberate extension: MXNet 1.9.1 has no __array__ (NumPy builds an object array there)
    assert np.asarray(x).tolist() == [[0, 1, 2], [3, 4, 5]]


# -- indexing -----------------------------------------------------------------------------
def test_getitem_shapes():
    x = nd.arange(6).reshape((2, 3))
    _eq(nd.arange(6)[1], (1,), "float32", [1])
    _eq(x[1, 2], (1,), "float32", [5])
    _eq(x[-1], (3,), "float32", [3, 4, 5])
    _eq(x[:, ::2], (2, 2), "float32", [0, 2, 3, 5])
    _eq(x[::-1], (2, 3), "float32", [3, 4, 5, 0, 1, 2])
    _eq(x[:, None, 1], (2, 1), "float32", [1, 4])
    _eq(x[True], (3,), "float32", [3, 4, 5])
    assert x[5:9].shape == (0, 3) and x[()].shape == (2, 3)
    _eq(nd.array(5.0)[()], (), "float32", 5.0)
    y = nd.arange(24).reshape((2, 3, 4))
    _eq(y[..., 1], (2, 3), "float32", [1, 5, 9, 13, 17, 21])


def test_getitem_advanced():
    x = nd.arange(6).reshape((2, 3))
    for idx in ([1, 0], nd.array([1, 0]), np.array([1, 0])):
        _eq(x[idx], (2, 3), "float32", [3, 4, 5, 0, 1, 2])
    _eq(x[[1, 0], [2, 1]], (2,), "float32", [5, 1])
    _eq(nd.arange(3)[np.array([True, False, True])], (3,), "float32", [1, 0, 1])  # bools are ints
    _eq(x[nd.array([1, 0, 1]) > 0], (3, 3), "float32", [3, 4, 5, 0, 1, 2, 3, 4, 5])
    y = nd.arange(24).reshape((2, 3, 4))
    _eq(y[:, [2, 0], 1:3], (2, 2, 2), "float32", [9, 10, 1, 2, 21, 22, 13, 14])
    _eq(y[1, :, [0, 3]], (2, 3), "float32", [12, 16, 20, 15, 19, 23])


def test_getitem_errors():
    x = nd.arange(6).reshape((2, 3))
    for key in (2, -3, (0, 5), [0, 5], (0, 1, 2)):
        with pytest.raises(IndexError):
            x[key].asnumpy()  # MXNet reports advanced-index errors when the value is read
    for key in (1.0, "a"):
        with pytest.raises(ValueError, match="does not support slicing"):
            x[key]


@pytest.mark.parametrize("key,view", [
    ("1:2, 0:1", True), (":, 0:3", True), ("1, ::2", False), ("1, 1:3", True), ("0:1, ::2", False),
    ("::-1", False), ("::2", True), ("None, 1", True), ("..., 1:2", False), ("0, 0", True),
    ("1, :, 1", False), ("0, 1:2, 0:2", True), (":, :, 0:2", False), ("[1]", False)])
def test_slice_shares_memory_like_mxnet(key, view):
    x = nd.arange(24).reshape((2, 3, 4))
    y = eval(f"x[{key}]")
    y[:] = -1
    assert bool((x.asnumpy() == -1).any()) == view


def test_setitem():
    def fresh():
        return nd.arange(6).reshape((2, 3))
    cases = [(slice(None), 3, [3] * 6), (slice(None), [1, 2, 3], [1, 2, 3] * 2),
             (slice(None), np.array([[1], [2]]), [1, 1, 1, 2, 2, 2]),
             (1, nd.array([7, 8, 9]), [0, 1, 2, 7, 8, 9]), ((slice(None), [0, 2]), 9, [9, 1, 9, 9, 4, 9]),
             (([0, 1], [2, 0]), nd.array([5, 6]), [0, 1, 5, 6, 4, 5]), ((0, 1), 100, [0, 100, 2, 3, 4, 5]),
             (Ellipsis, 1, [1] * 6), (nd.array([1]), 4, [0, 1, 2, 4, 4, 4])]
    for key, val, want in cases:
        x = fresh()
        x[key] = val
        _eq(x, (2, 3), "float32", want)
    x = nd.arange(6, dtype="int32")
    x[:] = 2.7
    _eq(x, (6,), "int32", [2] * 6)
    with pytest.raises(ValueError):
        fresh()[:] = nd.array([1, 2])
    with pytest.raises(IndexError):
        fresh()[5] = 1


# -- operators ------------------------------------------------------------------------------
def test_arithmetic_float():
    x = nd.array([1, 2, 3])
    _eq(2 - x, (3,), "float32", [1, 0, -1])
    _eq(2 / x, (3,), "float32", [2, 1, 2 / 3])
    _eq(2 ** x, (3,), "float32", [2, 4, 8])
    _eq(2 % x, (3,), "float32", [0, 0, 2])
    _eq(x % 2, (3,), "float32", [1, 0, 1])
    _eq(x * np.float64(2), (3,), "float32", [2, 4, 6])
    _eq(x + True, (3,), "float32", [2, 3, 4])
    _eq(nd.array([1.5, 2], dtype="float16") * 2.5, (2,), "float16", [3.75, 5])
    _eq(-x, (3,), "float32", [-1, -2, -3])
    _eq(abs(-x), (3,), "float32", [1, 2, 3])


def test_comparisons():
    x = nd.array([1, 2, 3])
    _eq(x > 2, (3,), "float32", [0, 0, 1])
    _eq(x <= 2, (3,), "float32", [1, 1, 0])
    _eq(2 > x, (3,), "float32", [1, 0, 0])
    _eq(2 == x, (3,), "float32", [0, 1, 0])
    _eq(nd.array([1, 2, 3], dtype="int32") != 2, (3,), "int32", [1, 0, 1])
    for op in ("__eq__", "__ne__"):
        with pytest.raises(TypeError, match="not supported"):
            getattr(x, op)(None)


def test_arithmetic_int():
    x = nd.array([1, 2, 3], dtype="int32")
    _eq(x / 2, (3,), "int32", [0, 1, 1])
    _eq(x * 1.5, (3,), "int32", [1, 2, 3])
    _eq(x + 1.7, (3,), "int32", [2, 3, 4])
    _eq(nd.array([5, 7], dtype="int32") / 2, (2,), "int32", [2, 3])
    _eq(abs(nd.array([-1], dtype="int8")), (1,), "int8", [1])
    with pytest.raises(MXNetError):
        x + nd.array([1, 2, 3])


def test_operand_errors():
    x = nd.ones((2, 3))
    for other in ("a", [1, 2, 3], np.ones((2, 3))):
        with pytest.raises(TypeError):
            x + other
    with pytest.raises(TypeError):
        np.ones((2, 3)) + x
    with pytest.raises(TypeError):
        x // 2
    with pytest.raises(MXNetError):
        x + nd.ones((3, 2))
    _eq(nd.ones(2) + nd.ones((2,), ctx=mx.cpu(1)), (2,), "float32", [2, 2])  # cpu ids mix
    assert (nd.ones((2,), ctx=mx.cpu(1)) + nd.ones(2)).context == mx.cpu(1)


def test_inplace():
    x = nd.ones((2, 3))
    y = x
    x += nd.array([1, 2, 3])
    assert y is x
    _eq(x, (2, 3), "float32", [2, 3, 4] * 2)
    x = nd.ones((2, 3))
    x *= 2
    x -= 1
    x /= 4
    _eq(x, (2, 3), "float32", [.25] * 6)
    x %= 0.2
    _eq(x, (2, 3), "float32", [.05] * 6)
    x = nd.ones((1, 3))
    with pytest.raises(MXNetError):
        x += nd.ones((2, 3))


def test_module_helpers():
    _eq(nd.subtract(3, nd.ones(2)), (2,), "float32", [2, 2])
    _eq(nd.power(2, nd.ones(2) * 3), (2,), "float32", [8, 8])
    _eq(nd.modulo(5, nd.ones(2) * 3), (2,), "float32", [2, 2])
    _eq(nd.lesser(2, nd.ones(2)), (2,), "float32", [0, 0])
    assert nd.add(1, 2) == 3 and nd.equal(1, 2) == 0 and type(nd.greater(3, 2)) is int
    _eq(nd.concatenate([nd.ones((2, 1)), nd.zeros((2, 2))], axis=1), (2, 3), "float32", [1, 0, 0] * 2)
    assert nd.moveaxis(nd.zeros((2, 3, 4)), 0, -1).shape == (3, 4, 2)
    assert nd.moveaxis(nd.zeros((2, 3, 4)), [0, 1], [2, 0]).shape == (3, 4, 2)
