"""``mx.sym.np.linalg``: linear algebra on np symbols."""
from ..symbol import Symbol
from ._symbol import make

__all__ = ["inv", "det", "slogdet", "solve", "cholesky", "svd", "eigh", "eigvalsh", "eig", "eigvals",
           "pinv", "tensorinv", "norm", "tensorsolve"]


def _unary(name, opname):
    def fn(a):
        return make(opname, name, [a])
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``linalg.{name}`` of a (batch of) matrices."
    return fn


# MXNet 1.9.1 writes the legacy _linalg_ operators for inv and det
inv = _unary("inv", "_linalg_inverse")
det = _unary("det", "_linalg_det")
slogdet = _unary("slogdet", "_npi_slogdet")
cholesky = _unary("cholesky", "_npi_cholesky")
svd = _unary("svd", "_npi_svd")
eig = _unary("eig", "_npi_eig")
eigvals = _unary("eigvals", "_npi_eigvals")


def eigvalsh(a, UPLO="L"):
    return make("_npi_eigvalsh", "eigvalsh", [a], {"UPLO": UPLO})


def eigh(a, UPLO="L"):
    return make("_npi_eigh", "eigh", [a], {"UPLO": UPLO})


def solve(a, b):
    return make("_npi_solve", "solve", [a, b])


def pinv(a, rcond=1e-15, hermitian=False):
    if isinstance(rcond, Symbol):
        return make("_npi_pinv", "pinv", [a, rcond], {"hermitian": hermitian})
    return make("_npi_pinv_scalar_rcond", "pinv_scalar_rcond", [a], {"hermitian": hermitian, "rcond": rcond})


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    return make("_npi_norm", "norm", [x], {"axis": axis, "keepdims": keepdims, "ord": ord})


def tensorsolve(a, b, axes=None):
    return make("_npi_tensorsolve", "tensorsolve", [a, b], {"a_axes": axes})


def tensorinv(a, ind=2):
    return make("_npi_tensorinv", "tensorinv", [a], {"ind": ind})
