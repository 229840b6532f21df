"""``mx.sym.np.linalg``: linear algebra on np symbols."""
from ._symbol import make

__all__ = ["inv", "det", "slogdet", "solve", "cholesky", "svd", "eigh", "eigvalsh", "eig", "eigvals",
           "pinv", "tensorinv"]


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
eigvalsh = _unary("eigvalsh", "_npi_eigvalsh")
eigh = _unary("eigh", "_npi_eigh")


def solve(a, b):
    return make("_npi_solve", "solve", [a, b])


def pinv(a, rcond=1e-15, hermitian=False):
    return make("_npi_pinv_scalar_rcond", "pinv_scalar_rcond", [a], {"hermitian": hermitian, "rcond": rcond})


def tensorinv(a, ind=2):
    return make("_npi_tensorinv", "tensorinv", [a], {"ind": ind})
