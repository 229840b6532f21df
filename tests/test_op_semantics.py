"""Executor, shape-inference and operator behaviours that MXNet 1.9.1's test_operator.py relies on
(expected values observed under real MXNet 1.9.1)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.test_utils import check_numeric_gradient


def _bind_backward(sym, shapes, out_grads=None, values=None):
    exe = sym.simple_bind(mx.cpu(), **shapes)
    exe.forward(is_train=True, **(values or {}))
    exe.backward(out_grads)
    return exe


def test_backward_without_head_gradient_for_zero_gradient_outputs():
    x, y = mx.sym.var("x"), mx.sym.var("y")
    for z in (x == y, mx.sym.BlockGrad(x), x > 1, mx.sym.broadcast_equal(x, y), mx.sym.round(x)):
        shapes = {k: (2, 2) for k in z.list_arguments()}
        exe = _bind_backward(z, shapes, values={k: np.ones((2, 2)) for k in shapes})
        assert exe.grad_dict["x"].asnumpy().tolist() == [[0, 0], [0, 0]]
    with pytest.raises(MXNetError, match="head_gradient is required"):
        _bind_backward(x * y, {"x": (2, 2), "y": (2, 2)})


def test_head_gradient_takes_the_output_type():
    a = mx.sym.var("a")
    for dtype, want in (("int32", [0, 4]), ("float64", [1.4, 5.2])):
        c = mx.sym.cast(a, dtype=dtype) * 2
        g = mx.nd.empty((2,))
        exe = c.bind(mx.cpu(), args={"a": mx.nd.array([1.5, 2])}, args_grad=[g])
        exe.forward(is_train=True)
        exe.backward([mx.nd.array([0.7, 2.6])])
        np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-6)


def test_integer_remainder_has_zero_gradients():
    for op in (mx.nd.broadcast_mod, lambda a, b: mx.nd._internal._mod_scalar(a, scalar=3),
               lambda a, b: mx.nd._internal._rmod_scalar(a, scalar=3)):
        a = mx.nd.array([5, 3, -4], dtype="int32")
        b = mx.nd.array([0, 2, 0], dtype="int32")
        a.attach_grad()
        with mx.autograd.record():
            c = op(a, b)
        c.backward(mx.nd.array([2, 2, 2], dtype="int32"))
        assert a.grad.asnumpy().tolist() == [0, 0, 0]
    # float remainders keep theirs
    a, b = mx.nd.array([5, 3]), mx.nd.array([2, 2])
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        c = mx.nd.broadcast_mod(a, b)
    c.backward()
    assert a.grad.asnumpy().tolist() == [1, 1] and b.grad.asnumpy().tolist() == [-2, -1]


def test_backward_before_forward_and_simple_bind_keywords():
    data = mx.sym.var("data")
    exe = mx.sym.tile(data, reps=(2,)).bind(mx.cpu(), args=[mx.nd.array([1, 2])],
                                            args_grad=[mx.nd.zeros((2,))])
    exe.backward(mx.nd.array([1, 2, 3, 4]))
    assert exe.grad_arrays[0].asnumpy().tolist() == [4, 6]
    # non-shape keywords (an operator's parameters passed along) are ignored, as in MXNet
    sym = mx.sym.take(mx.sym.var("a"), mx.sym.var("indices"), axis=0, mode="clip")
    exe = sym.simple_bind(mx.cpu(), a=(3, 2), indices=(4,), axis=0, mode="clip")
    assert exe.outputs[0].shape == (4, 2)


def test_creation_shapes_inferred_through_transpose():
    for s1, s2 in (((2, 3), (-1, -1)), ((2, -1), (3, -1))):
        b = mx.sym.ones(shape=s1) + mx.sym.transpose(mx.sym.ones(shape=s2))
        y = b.bind(mx.cpu(), args={}).forward()
        assert y[0].shape == (2, 3) and y[0].asnumpy().sum() == 12


@pytest.mark.parametrize("src,codes,reverse,dst", [
    ((2, 3, 5, 5), (0, -1), False, (2, 75)),
    ((5, 3, 4, 5), (0, -1, 0), True, (3, 20, 5)),
    ((2, 3, 5, 6), (-3, -1), False, (6, 30)),
    ((64,), (16, 4, -4), True, (16, 4)),
    ((1, 2, 3, 64), (-2, -1, 16, -4), True, (1, 2, 3, 4, 16))])
def test_reshape_codes_and_held_out_input_dims(src, codes, reverse, dst):
    assert mx.nd.zeros(src).reshape(codes, reverse=reverse).shape == dst
    for i in range(len(src)):
        held = tuple(0 if j == i else d for j, d in enumerate(src))
        net = mx.sym.elemwise_add(mx.sym.var("data").reshape(codes, reverse=reverse), mx.sym.ones(shape=dst))
        ins, outs, _ = net.infer_shape(data=held)
        assert ins[0] == src and outs[0] == dst


def test_upsampling_shapes():
    up = mx.sym.UpSampling(mx.sym.var("data"), mx.sym.var("weight"), sample_type="bilinear", scale=3,
                           num_filter=3, num_args=2)
    assert up.infer_shape(data=(1, 3, 4, 4)) == ([(1, 3, 4, 4), (3, 1, 5, 5)], [(1, 3, 12, 12)], [])
    up = mx.sym.UpSampling(mx.sym.var("a"), mx.sym.var("b"), sample_type="nearest", scale=2, num_args=2)
    assert up.infer_shape(a=(1, 3, 4, 4), b=(1, 2, 2, 2))[1] == [(1, 5, 8, 8)]


def test_index_errors_and_unknown_dims():
    data = mx.nd.array([[0, 1, 2], [3, 4, 5]])
    for idx in ([[0, 1, 0], [0, 1, 3]], [[0, 1, 0], [0, 1, -5]]):
        with pytest.raises(IndexError, match="out of bounds"):
            mx.nd.gather_nd(data, mx.nd.array(idx)).asnumpy()
    # a legacy shape's 0 is an unknown dimension, which these operators reject
    for op in (mx.nd.depth_to_space, mx.nd.space_to_depth):
        with pytest.raises(MXNetError):
            op(mx.nd.zeros((1, 4, 0, 2)), 2)


def test_numeric_gradient_of_many_float32_outputs():
    # each output's difference is taken before the sum: a float32 sum first would lose the digits
    rng = np.random.RandomState(0)
    x = mx.sym.var("x")
    check_numeric_gradient(mx.sym.square(x), [rng.uniform(2, 5, (60, 60))])
