"""``mx.np.linalg``: linear algebra on mx.np arrays."""
import numpy as _onp

from .multiarray import invoke
from ._funcs import _to_nd, _fallback

__all__ = ["norm", "inv", "det", "slogdet", "solve", "cholesky", "svd", "eigh", "eigvalsh", "eig", "eigvals",
           "pinv", "tensorinv", "qr", "matrix_rank", "matrix_power", "multi_dot", "lstsq", "cond",
           "tensorsolve"]


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    return invoke("_npi_norm", [_to_nd(x)], {"ord": ord, "axis": axis, "keepdims": keepdims})


def inv(a):
    return invoke("_npi_inv", [_to_nd(a)])


def det(a):
    return invoke("_npi_det", [_to_nd(a)])


def slogdet(a):
    return list(invoke("_npi_slogdet", [_to_nd(a)]))  # MXNet returns [sign, logabsdet] as a list


def solve(a, b):
    return invoke("_npi_solve", [_to_nd(a), _to_nd(b)])


def cholesky(a):
    return invoke("_npi_cholesky", [_to_nd(a)])


def svd(a):
    """U, S, V^T of ``a`` (reduced); no gradient."""
    return tuple(invoke("_npi_svd", [_to_nd(a)]))


def eigh(a, UPLO="L"):
    return tuple(invoke("_npi_eigh", [_to_nd(a)], {"UPLO": UPLO}))


def eigvalsh(a, UPLO="L"):
    return invoke("_npi_eigvalsh", [_to_nd(a)], {"UPLO": UPLO})


def eig(a):
    return tuple(invoke("_npi_eig", [_to_nd(a)]))


def eigvals(a):
    return invoke("_npi_eigvals", [_to_nd(a)])


def pinv(a, rcond=1e-15, hermitian=False):
    if not isinstance(rcond, (int, float)):
        return invoke("_npi_pinv", [_to_nd(a), _to_nd(rcond)], {"hermitian": hermitian})
    return invoke("_npi_pinv_scalar_rcond", [_to_nd(a)], {"rcond": rcond, "hermitian": hermitian})


def tensorinv(a, ind=2):
    return invoke("_npi_tensorinv", [_to_nd(a)], {"ind": ind})


qr = _fallback(_onp.linalg.qr)
matrix_rank = _fallback(_onp.linalg.matrix_rank)
matrix_power = _fallback(_onp.linalg.matrix_power)
multi_dot = _fallback(_onp.linalg.multi_dot)
lstsq = _fallback(_onp.linalg.lstsq)
cond = _fallback(_onp.linalg.cond)


def tensorsolve(a, b, axes=None):
    """The x with ``tensordot(a, x, x.ndim) == b`` (``axes`` of ``a`` moved last first)."""
    return invoke("_npi_tensorsolve", [_to_nd(a), _to_nd(b)], {"a_axes": None if axes is None else tuple(axes)})
