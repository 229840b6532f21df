"""Goldens for dot, batch_dot, khatri_rao and the _linalg_* family (mxnet/ops/linalg.py)."""
import ctypes

import mxnet as mx
import numpy as np
from mxnet.base import _LIB, check_call, c_str, OpHandle
from mxnet.ndarray.register import _make_ndarray_function

from harness import Goldens

# The reference build leaves mx.nd.linalg empty; fill it from the operator handles.
for short in ["det", "extractdiag", "extracttrian", "gelqf", "gemm", "gemm2", "inverse", "makediag",
              "maketrian", "potrf", "potri", "slogdet", "sumlogdiag", "syevd", "syrk", "trmm", "trsm"]:
    h = OpHandle()
    check_call(_LIB.NNGetOpHandle(c_str("_linalg_" + short), ctypes.byref(h)))
    setattr(mx.nd.linalg, short, _make_ndarray_function(h, "_linalg_" + short, short))

g = Goldens("linalg")
r = g.rng


def u(*shape, dtype=np.float32):
    return r.uniform(-1, 1, size=shape).astype(dtype)


def spd(*batch, n=3, dtype=np.float32):
    a = r.uniform(-1, 1, size=batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def tri(*batch, n=3, dtype=np.float32, lower=True):
    a = r.uniform(-1, 1, size=batch + (n, n)) + 2 * np.eye(n)
    return (np.tril(a) if lower else np.triu(a)).astype(dtype)


g.case("dot", "dot", [u(2, 3), u(3, 4)])
g.case("dot_ta", "dot", [u(3, 2), u(3, 4)], {"transpose_a": True})
g.case("dot_tb", "dot", [u(2, 3), u(4, 3)], {"transpose_b": True})
g.case("dot_tab", "dot", [u(3, 2), u(4, 3)], {"transpose_a": True, "transpose_b": True})
g.case("dot_nd", "dot", [u(2, 3, 4), u(4, 5)])
g.case("dot_nd_ta", "dot", [u(2, 3, 4), u(2, 5)], {"transpose_a": True})
g.case("dot_nd_tb", "dot", [u(2, 3), u(4, 5, 3)], {"transpose_b": True})
g.case("dot_nd_nd", "dot", [u(2, 3), u(3, 2, 2)])
g.case("dot_vv", "dot", [u(3), u(3)])
g.case("dot_vm", "dot", [u(2), u(2, 3)])
g.case("dot_64", "dot", [u(2, 3, dtype=np.float64), u(3, 2, dtype=np.float64)])
g.case("batch_dot", "batch_dot", [u(2, 3, 4), u(2, 4, 5)])
g.case("batch_dot_tb", "batch_dot", [u(2, 3, 4), u(2, 5, 4)], {"transpose_b": True})
g.case("batch_dot_ta", "batch_dot", [u(2, 4, 3), u(2, 4, 5)], {"transpose_a": True, "transpose_b": False})
g.case("batch_dot_4d", "batch_dot", [u(2, 2, 3, 4), u(2, 2, 4, 2)])
g.case("khatri_rao", "khatri_rao", [u(2, 3), u(3, 3), u(2, 3)], grad=False)
g.case("khatri_rao1", "khatri_rao", [u(2, 3)], grad=False)
g.case("gemm", "linalg.gemm", [u(2, 3), u(3, 4), u(2, 4)], {"alpha": 2.0, "beta": 0.5})
g.case("gemm_t", "linalg_gemm", [u(2, 3, 2), u(2, 4, 3), u(2, 2, 4)],
       {"transpose_a": True, "transpose_b": True, "alpha": -1.5, "beta": 2.0})
g.case("gemm_axis", "linalg.gemm", [u(2, 3, 4), u(4, 3, 5), u(2, 3, 5)], {"axis": 0})
g.case("gemm_64", "linalg.gemm", [u(3, 2, dtype=np.float64), u(3, 2, dtype=np.float64),
                                  u(2, 2, dtype=np.float64)], {"transpose_a": True})
g.case("gemm2", "linalg.gemm2", [u(2, 2, 3), u(2, 3, 4)], {"alpha": 0.5})
g.case("gemm2_axis", "linalg_gemm2", [u(2, 3, 4), u(2, 3, 4)], {"axis": 0, "transpose_a": True})
g.case("gemm2_5d_axis", "linalg.gemm2", [u(2, 3, 2, 2, 2), u(2, 2, 2, 2, 3)], {"axis": 1})
g.case("potrf", "linalg.potrf", [spd(2)])
g.case("potrf_64", "linalg_potrf", [spd(n=4, dtype=np.float64)])
g.case("potri", "linalg.potri", [tri(2)])
g.case("trmm", "linalg.trmm", [tri(2), u(2, 3, 2)], {"alpha": 2.0})
g.case("trmm_r", "linalg.trmm", [tri(lower=False), u(2, 3)],
       {"rightside": True, "transpose": True, "lower": False})
g.case("trmm_full", "linalg.trmm", [u(3, 3), u(3, 2)], {"transpose": True})
g.case("trsm", "linalg.trsm", [tri(2), u(2, 3, 2)], {"alpha": 0.5})
g.case("trsm_r", "linalg.trsm", [tri(lower=False), u(2, 3)], {"rightside": True, "lower": False})
g.case("trsm_rt", "linalg.trsm", [tri(), u(2, 3)], {"rightside": True, "transpose": True})
g.case("syrk", "linalg.syrk", [u(2, 3)], {"alpha": 2.0})
g.case("syrk_t", "linalg.syrk", [u(2, 2, 3)], {"transpose": True})
g.case("sumlogdiag", "linalg.sumlogdiag", [spd(2)])
g.case("sumlogdiag2", "linalg.sumlogdiag", [spd()])
g.case("extractdiag", "linalg.extractdiag", [u(2, 3, 3)], {"offset": 1})
g.case("extractdiag_m", "linalg.extractdiag", [u(3, 3)], {"offset": -2})
g.case("makediag", "linalg.makediag", [u(2, 2)], {"offset": -1})
g.case("makediag0", "linalg.makediag", [u(3)])
g.case("extracttrian", "linalg.extracttrian", [u(2, 3, 3)])
g.case("extracttrian_u", "linalg.extracttrian", [u(3, 3)], {"lower": False})
g.case("extracttrian_p", "linalg.extracttrian", [u(4, 4)], {"offset": 1})
g.case("extracttrian_m", "linalg.extracttrian", [u(4, 4)], {"offset": -2, "lower": False})
g.case("maketrian", "linalg.maketrian", [u(2, 6)])
g.case("maketrian_u", "linalg.maketrian", [u(6)], {"lower": False})
g.case("maketrian_p", "linalg.maketrian", [u(3)], {"offset": 1})
g.case("maketrian_m", "linalg.maketrian", [u(3)], {"offset": -2})
g.case("inverse", "linalg.inverse", [spd(2)])
g.case("inverse_64", "linalg.inverse", [u(3, 3, dtype=np.float64) + 2 * np.eye(3)])
g.case("det", "linalg.det", [u(2, 3, 3) + 2 * np.eye(3, dtype=np.float32)])
g.case("det2", "linalg.det", [u(3, 3) + np.eye(3, dtype=np.float32)])
g.case("slogdet", "linalg.slogdet", [u(2, 3, 3) - 2 * np.eye(3, dtype=np.float32)])
g.case("gelqf", "linalg.gelqf", [u(2, 2, 3)], grad=False)
g.case("gelqf_sq", "linalg.gelqf", [u(3, 3, dtype=np.float64)], grad=False)
g.case("syevd", "linalg.syevd", [spd(2)], grad=False, atol=1e-4)
g.case("syevd_64", "linalg.syevd", [spd(n=4, dtype=np.float64)], grad=False)
# upper Cholesky factors (lower=False: A = U^T U), appended last so the cases above keep their draws
g.case("potrf_upper", "linalg.potrf", [spd(2)], {"lower": False})
g.case("potri_upper", "linalg.potri", [tri(2, lower=False)], {"lower": False})
g.save()
