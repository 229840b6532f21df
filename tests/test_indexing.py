import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from fd import check_fd
from golden import load_cases, run_case, case_ids

CASES = load_cases("indexing")
nd = mx.nd


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_indexing_golden(case):
    run_case(case)


def _r(*shape):
    return np.random.RandomState(sum(shape) + 7).uniform(-1, 1, size=shape)


FD = [
    ("take", lambda x, i: nd.take(x, i), [_r(3, 2), np.array([[0., 2.], [0., 1.]])]),
    ("take_axis", lambda x, i: nd.take(x, i, axis=1, mode="wrap"), [_r(2, 3), np.array([4., -1., 1.])]),
    ("pick", lambda x, i: nd.pick(x, i, axis=0, keepdims=True), [_r(3, 2), np.array([2., 0.])]),
    ("gather_nd", lambda x, i: nd.gather_nd(x, i), [_r(3, 2), np.array([[0., 2., 0.]])]),
    ("scatter_nd", lambda x, i: nd.scatter_nd(x, i, shape=(3, 2)), [_r(2, 2), np.array([[2., 0.]])]),
    ("sort", lambda x: nd.sort(x, axis=0, is_ascend=False), [_r(3, 2)]),
    ("sort_flat", lambda x: nd.sort(x, axis=None), [_r(2, 2)]),
    ("topk", lambda x: nd.topk(x, k=2, ret_typ="value"), [_r(2, 4)]),
    ("topk_both", lambda x: nd.topk(x, k=2, ret_typ="both", axis=0, is_ascend=True)[0], [_r(3, 2)]),
    ("boolean_mask", lambda x, m: nd.contrib.boolean_mask(x, m), [_r(3, 2), np.array([1., 0., 1.])]),
]


@pytest.mark.parametrize("fn,inputs", [f[1:] for f in FD], ids=[f[0] for f in FD])
def test_indexing_fd(fn, inputs):
    check_fd(fn, inputs, grad_inputs=[0])


@pytest.mark.parametrize("call", [
    lambda: nd.take(nd.ones((2, 3)), nd.array([0, 3]), mode="raise"),
    lambda: nd.take(nd.ones((2, 3)), nd.array([0]), mode="bad"),
    lambda: nd.pick(nd.ones((2, 3)), nd.array([0, 1, 2])),
    lambda: nd.pick(nd.ones((2, 3)), nd.array([0]), axis=None),
    lambda: nd.gather_nd(nd.ones((2, 3)), nd.array([[0, 5]])),
    lambda: nd.gather_nd(nd.ones((2, 3)), nd.array([[0], [1], [0]])),
    lambda: nd.scatter_nd(nd.ones((2,)), nd.array([[0, 1]]), shape=(2, 2)),
    lambda: nd.topk(nd.ones((2, 3)), k=4),
    lambda: nd.batch_take(nd.ones((2, 3)), nd.array([0, 1])),
    lambda: nd.contrib.boolean_mask(nd.ones((2, 3)), nd.array([0, 1, 1]), axis=1),
    lambda: nd.one_hot(nd.array([1]), depth=3, dtype="nope"),
])
def test_indexing_errors(call):
    with pytest.raises(MXNetError):
        call().asnumpy()


def test_topk_descending_ties_are_stable():
    x = nd.array([2, 5, 5, 1, 5])
    np.testing.assert_array_equal(nd.topk(x, k=3).asnumpy(), [1, 2, 4])
    np.testing.assert_array_equal(nd.argsort(x, is_ascend=False).asnumpy(), [1, 2, 4, 0, 3])
    assert nd.argsort(x).dtype == np.float32


def test_topk_types():
    from mxnet.ops import get_op
    op = get_op("topk")
    attrs = op.parse_attrs({"ret_typ": "both", "dtype": "int32"})
    assert op.infer_type(attrs, [np.dtype("float64")])[1] == [np.dtype("float64"), np.dtype("int32")]
    assert op.num_outputs(attrs) == 2
