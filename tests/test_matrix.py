import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from fd import check_fd
from golden import load_cases, run_case, case_ids

CASES = load_cases("matrix")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_matrix_golden(case):
    run_case(case)


def _r(*shape):
    return np.random.RandomState(sum(shape)).uniform(-1, 1, size=shape)


nd = mx.nd
FD = [
    ("reshape", lambda x: nd.reshape(x, shape=(0, -1)), [_r(2, 3, 2)]),
    ("reshape_like", lambda x, y: nd.reshape_like(x, y), [_r(2, 3), _r(3, 2)]),
    ("flatten", lambda x: nd.flatten(x), [_r(2, 2, 2)]),
    ("transpose", lambda x: nd.transpose(x, axes=(2, 0, 1)), [_r(2, 3, 2)]),
    ("swapaxes", lambda x: nd.swapaxes(x, dim1=0, dim2=2), [_r(2, 3, 2)]),
    ("expand_dims", lambda x: nd.expand_dims(x, axis=1), [_r(2, 3)]),
    ("squeeze", lambda x: nd.squeeze(x), [_r(2, 1, 3)]),
    ("concat", lambda x, y: nd.concat(x, y, dim=0), [_r(2, 3), _r(1, 3)]),
    ("stack", lambda x, y: nd.stack(x, y, axis=1), [_r(2, 3), _r(2, 3)]),
    ("split", lambda x: nd.split(x, num_outputs=2, axis=1), [_r(2, 4)]),
    ("split_v2", lambda x: nd._internal._split_v2(x, indices=(0, 1), axis=0, squeeze_axis=False),
     [_r(3, 2)]),
    ("slice", lambda x: nd.slice(x, begin=(None, 2), end=(None, 0), step=(None, -1)), [_r(2, 4)]),
    ("slice_axis", lambda x: nd.slice_axis(x, axis=1, begin=1, end=3), [_r(2, 4)]),
    ("slice_like", lambda x, y: nd.slice_like(x, y), [_r(3, 4), _r(2, 2)]),
    ("tile", lambda x: nd.tile(x, reps=(2, 1, 2)), [_r(2, 3)]),
    ("repeat", lambda x: nd.repeat(x, repeats=2, axis=0), [_r(2, 3)]),
    ("repeat_flat", lambda x: nd.repeat(x, repeats=3), [_r(2, 2)]),
    ("pad_reflect", lambda x: nd.pad(x, mode="reflect", pad_width=(0, 0, 0, 0, 2, 1, 1, 2)),
     [_r(1, 1, 3, 3)]),
    ("pad_edge", lambda x: nd.pad(x, mode="edge", pad_width=(0, 0, 0, 0, 2, 1, 1, 2)), [_r(1, 1, 2, 3)]),
    ("pad_const", lambda x: nd.pad(x, mode="constant", pad_width=(0, 0, 0, 0, 1, 1, 0, 2)), [_r(1, 1, 2, 2)]),
    ("flip", lambda x: nd.flip(x, axis=(0, 1)), [_r(2, 3)]),
    ("broadcast_to", lambda x: nd.broadcast_to(x, shape=(2, 0, 3)), [_r(1, 2, 1)]),
    ("broadcast_axis", lambda x: nd.broadcast_axis(x, axis=0, size=3), [_r(1, 2)]),
    ("broadcast_like", lambda x, y: nd.broadcast_like(x, y), [_r(1, 2), _r(3, 2)]),
    ("diag_1d", lambda x: nd.diag(x, k=-1), [_r(3)]),
    ("diag_nd", lambda x: nd.diag(x, k=1, axis1=2, axis2=0), [_r(3, 2, 4)]),
    ("depth_to_space", lambda x: nd.depth_to_space(x, block_size=2), [_r(1, 4, 1, 2)]),
    ("space_to_depth", lambda x: nd.space_to_depth(x, block_size=2), [_r(1, 1, 2, 4)]),
    ("seq_mask", lambda x, n: nd.SequenceMask(x, n, use_sequence_length=True), [_r(3, 2, 2),
                                                                              np.array([1., 3.])]),
    ("seq_last", lambda x, n: nd.SequenceLast(x, n, use_sequence_length=True, axis=1),
     [_r(2, 3, 2), np.array([2., 3.])]),
    ("seq_reverse", lambda x, n: nd.SequenceReverse(x, n, use_sequence_length=True),
     [_r(3, 2, 2), np.array([2., 3.])]),
]


@pytest.mark.parametrize("fn,inputs", [f[1:] for f in FD], ids=[f[0] for f in FD])
def test_matrix_fd(fn, inputs):
    grad_inputs = [0, 1] if fn.__code__.co_argcount == 2 and "seq" not in fn.__code__.co_names[0] \
        else [0]
    if any(n.startswith("Sequence") or n in ("reshape_like", "slice_like", "broadcast_like")
           for n in fn.__code__.co_names):
        grad_inputs = [0]
    check_fd(fn, inputs, grad_inputs=grad_inputs)


@pytest.mark.parametrize("call", [
    lambda x: nd.squeeze(x, axis=0),
    lambda x: nd.split(x, num_outputs=2, axis=1),
    lambda x: nd.concat(x, nd.ones((2, 2, 4)), dim=2),
    lambda x: nd.expand_dims(x, axis=4),
    lambda x: nd.transpose(x, axes=(1, 0)),
    lambda x: nd.tile(x, reps=(0, 1)),
    lambda x: nd.slice_axis(x, axis=0, begin=2, end=1),
    lambda x: nd.slice_axis(x, axis=0, begin=0, end=10),
    lambda x: nd.slice(x, begin=(0,), end=(1,), step=(0,)),
    lambda x: nd.broadcast_to(x, shape=(3, 3, 3)),
    lambda x: nd.broadcast_axis(x, axis=0, size=3),
    lambda x: nd.pad(x, mode="constant", pad_width=(0, 0, 1, 1, 1, 1)),
    lambda x: nd.depth_to_space(nd.ones((1, 3, 2, 2)), block_size=2),
    lambda x: nd.diag(nd.ones((2, 3)), k=5),
    lambda x: nd.flip(x, axis=-1),
    lambda x: nd.reshape(x, shape=(5, -1)),
    lambda x: nd.SequenceReverse(x, nd.array([1, 2]), use_sequence_length=True, axis=1),
    lambda x: nd.SequenceLast(x, nd.array([1, 2, 9]), use_sequence_length=True),
    lambda x: nd.stack(x, nd.ones((2, 3, 5))),
    lambda x: nd.reshape_like(x, nd.ones((6, 2, 2)), lhs_begin=1, rhs_begin=1),
])
def test_matrix_errors(call):
    with pytest.raises(MXNetError):
        call(nd.ones((2, 3, 4))).asnumpy()


def test_infer_shapes_with_unknown_dims():
    from mxnet.ops import get_op
    concat = get_op("Concat")
    attrs = concat.parse_attrs({"num_args": 2, "dim": 1})
    ins, outs = concat.infer_shape(attrs, [(2, 0), (0, 3)])
    assert ins == [(2, 0), (2, 3)] and outs == [(2, 0)]
    ins, outs = concat.infer_shape(attrs, [(2, 4), (0, 3)])
    assert outs == [(2, 7)] and ins[1] == (2, 3)
    stack = get_op("stack")
    _, outs = stack.infer_shape(stack.parse_attrs({"num_args": 3, "axis": -1}), [(0, 4), (2, 4), None])
    assert outs == [(2, 4, 3)]
    split = get_op("SliceChannel")
    _, outs = split.infer_shape(split.parse_attrs({"num_outputs": 2, "axis": 0, "squeeze_axis": True}),
                                [(2, 0)])
    assert outs == [(0,), (0,)]
    flat = get_op("Flatten")
    assert flat.infer_shape(flat.parse_attrs({}), [(0, 3, 4)])[1] == [(0, 12)]
    tr = get_op("transpose")
    assert tr.infer_shape(tr.parse_attrs({"axes": (2, 0, 1)}), [(2, 3, 0)])[1] == [(0, 2, 3)]
    sa = get_op("slice_axis")
    assert sa.infer_shape(sa.parse_attrs({"axis": 1, "begin": 1, "end": None}), [(0, 5)])[1] == [(0, 4)]


def test_outputs_do_not_alias_inputs():
    x = nd.arange(6).reshape((2, 3))
    outs = [nd.transpose(x), nd.slice_axis(x, axis=1, begin=0, end=2), nd.split(x, num_outputs=3)[0],
            nd.flip(x, axis=0), nd.broadcast_to(x, shape=(2, 3))]
    before = [o.asnumpy().copy() for o in outs]
    x[:] = 100
    for o, b in zip(outs, before):
        np.testing.assert_array_equal(o.asnumpy(), b)
