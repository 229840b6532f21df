import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from fd import check_fd
from golden import load_cases, run_case, case_ids

CASES = load_cases("linalg")
nd = mx.nd
L = mx.nd.linalg


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_linalg_golden(case):
    run_case(case)


def _r(*shape):
    return np.random.RandomState(sum(shape) + 3).uniform(-1, 1, size=shape)


def _spd(n=3):
    a = _r(n, n)
    return a @ a.T + n * np.eye(n)


def _tri(n=3, lower=True):
    a = _r(n, n) + 2 * np.eye(n)
    return np.tril(a) if lower else np.triu(a)


FD = [
    ("dot", lambda a, b: nd.dot(a, b, transpose_a=True), [_r(3, 2), _r(3, 2)]),
    ("dot_nd", lambda a, b: nd.dot(a, b, transpose_b=True), [_r(2, 3), _r(2, 2, 3)]),
    ("batch_dot", lambda a, b: nd.batch_dot(a, b, transpose_b=True), [_r(2, 2, 3), _r(2, 2, 3)]),
    ("gemm", lambda a, b, c: L.gemm(a, b, c, alpha=2., beta=.5, transpose_a=True),
     [_r(3, 2), _r(3, 2), _r(2, 2)]),
    ("gemm_axis", lambda a, b, c: L.gemm(a, b, c, axis=0), [_r(2, 2, 3), _r(3, 2, 2), _r(2, 2, 2)]),
    ("gemm2", lambda a, b: L.gemm2(a, b, transpose_b=True, alpha=-1.), [_r(2, 3), _r(2, 3)]),
    # potrf reads one triangle and returns a symmetric gradient, so differentiate through sym(a)
    ("potrf", lambda a: L.potrf((a + nd.transpose(a)) * 0.5), [_spd()]),
    ("potri", lambda a: L.potri(a), [_tri()]),
    ("trmm", lambda a, b: L.trmm(a, b, transpose=True, alpha=2.), [_tri(), _r(3, 2)]),
    ("trmm_r", lambda a, b: L.trmm(a, b, rightside=True, lower=False), [_tri(lower=False), _r(2, 3)]),
    ("trsm", lambda a, b: L.trsm(a, b, alpha=.5), [_tri(), _r(3, 2)]),
    ("trsm_rt", lambda a, b: L.trsm(a, b, rightside=True, transpose=True), [_tri(), _r(2, 3)]),
    ("syrk", lambda a: L.syrk(a, alpha=2.), [_r(2, 3)]),
    ("syrk_t", lambda a: L.syrk(a, transpose=True), [_r(2, 3)]),
    ("sumlogdiag", lambda a: L.sumlogdiag(a), [_spd()]),
    ("extractdiag", lambda a: L.extractdiag(a, offset=-1), [_r(3, 3)]),
    ("makediag", lambda a: L.makediag(a, offset=1), [_r(2, 2)]),
    ("extracttrian", lambda a: L.extracttrian(a, lower=False), [_r(3, 3)]),
    ("maketrian", lambda a: L.maketrian(a, offset=-1), [_r(3)]),
    ("inverse", lambda a: L.inverse(a), [_spd()]),
    ("det", lambda a: L.det(a), [_r(2, 3, 3) + 2 * np.eye(3)]),
    ("slogdet", lambda a: L.slogdet(a)[1], [_r(3, 3) - 2 * np.eye(3)]),
    ("gelqf_q", lambda a: L.gelqf(a)[0], [_r(2, 3, 4)]),
    ("gelqf_l", lambda a: L.gelqf(a)[1], [_r(3, 4)]),
    # syevd reads a symmetric matrix: differentiate through sym(a)
    ("syevd_u", lambda a: L.syevd((a + nd.transpose(a)) * 0.5)[0], [_spd(4)]),
    ("syevd_l", lambda a: L.syevd((a + nd.transpose(a)) * 0.5)[1], [_spd(3)]),
]


@pytest.mark.parametrize("fn,inputs", [f[1:] for f in FD], ids=[f[0] for f in FD])
def test_linalg_fd(fn, inputs):
    check_fd(fn, inputs)


def test_float32_stays_float32():
    a = nd.ones((2, 3))
    for out in [nd.dot(a, a, transpose_b=True), L.gemm2(a, a, transpose_a=True, alpha=.5),
                L.gemm(a, a, nd.ones((2, 2)), transpose_b=True, beta=.3), L.syrk(a, alpha=3.),
                L.det(nd.ones((2, 2)) + nd.array(np.eye(2)))]:
        assert out.dtype == np.float32


def test_decompositions_reconstruct():
    a = _r(3, 4)
    q, lo = L.gelqf(nd.array(a, dtype="float64"))
    np.testing.assert_allclose(lo.asnumpy() @ q.asnumpy(), a, atol=1e-12)
    s = _spd(4)
    u, lam = L.syevd(nd.array(s, dtype="float64"))
    u, lam = u.asnumpy(), lam.asnumpy()
    np.testing.assert_allclose(u.T @ np.diag(lam) @ u, s, atol=1e-10)
    assert np.all(np.diff(lam) > 0)


@pytest.mark.parametrize("call", [
    lambda: nd.dot(nd.ones((2, 3)), nd.ones((2, 3))),
    lambda: nd.dot(nd.ones((2,)), nd.ones((2,)), transpose_a=True),
    lambda: nd.dot(nd.ones((2, 3), dtype="int32"), nd.ones((3, 3), dtype="int32")),
    lambda: nd.dot(nd.ones((2, 3)), nd.ones((3, 3), dtype="float64")),
    lambda: nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((3, 4, 5))),
    lambda: L.gemm(nd.ones((2, 3, 4)), nd.ones((3, 2, 4)), nd.ones((2, 2, 4)), axis=-3),
    lambda: L.gemm2(nd.ones((3,)), nd.ones((3,))),
    lambda: L.potrf(nd.array([[-1, 0], [0, 1]])),
    lambda: L.potrf(nd.ones((2, 3))),
    lambda: L.gelqf(nd.ones((3, 2))),
    lambda: L.maketrian(nd.ones((4,))),
    lambda: nd.khatri_rao(nd.ones((2, 3)), nd.ones((2, 2))),
])
def test_linalg_errors(call):
    with pytest.raises(MXNetError):
        call().asnumpy()
