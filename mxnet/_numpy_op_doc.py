"""Reference signatures of the operators MXNet exposes directly as ``mx.np`` / ``mx.npx`` functions.

Each function here is named after a registered ``_np_*`` / ``_npx_*`` operator and only carries
the NumPy-style signature and a short description; ``numpy_op_signature`` copies the signature
onto the public function.
"""
# pylint: disable=unused-argument


def _np_all(a, axis=None, keepdims=False, out=None):
    """Whether every element along ``axis`` is true."""


def _np_any(a, axis=None, keepdims=False, out=None):
    """Whether any element along ``axis`` is true."""


def _np_sometrue(a, axis=None, keepdims=False, out=None):
    """Alias of ``any``."""


def _np_cumsum(a, axis=None, dtype=None, out=None):
    """Running sum along ``axis`` (over the flattened array when ``axis`` is None)."""


def _np_sum(a, axis=None, dtype=None, keepdims=False, initial=None, out=None):
    """Sum along ``axis``; ``initial`` is added to every result."""


def _np_prod(a, axis=None, dtype=None, out=None, keepdims=False):
    """Product along ``axis``."""


def _np_product(a, axis=None, dtype=None, out=None, keepdims=False):
    """Alias of ``prod``."""


def _np_max(a, axis=None, keepdims=False, out=None):
    """Largest element along ``axis``."""


def _np_amax(a, axis=None, keepdims=False, out=None):
    """Alias of ``max``."""


def _np_min(a, axis=None, keepdims=False, out=None):
    """Smallest element along ``axis``."""


def _np_amin(a, axis=None, keepdims=False, out=None):
    """Alias of ``min``."""


def _np_copy(a, out=None):
    """A copy of ``a``."""


def _np_dot(a, b, out=None):
    """Dot product with NumPy's rules for 0-, 1- and N-d operands."""


def _np_reshape(a, newshape, order='C', out=None):
    """``a`` with a new shape holding the same data (one -1 entry is inferred)."""


def _np_squeeze(a, axis=None, out=None):
    """``a`` without its length-1 axes (or only those in ``axis``)."""


def _np_transpose(a, axes=None):
    """``a`` with its axes permuted (reversed when ``axes`` is None)."""


def _np_moveaxis(a, source, destination):
    """``a`` with the axes ``source`` moved to the positions ``destination``."""


def _np_repeat(a, repeats, axis=None):
    """Each element repeated ``repeats`` times along ``axis`` (flattened when None)."""


def _np_roll(a, shift, axis=None):
    """Elements shifted cyclically by ``shift`` along ``axis`` (flattened when None)."""


def _np_diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal at ``offset`` of the planes given by ``axis1`` and ``axis2``."""


def _np_diag(array, k=0):
    """A 1-d array's values on the ``k``-th diagonal of a square array, or a 2-d array's
    ``k``-th diagonal."""


def _np_diagflat(array, k=0):
    """A 2-d array with the flattened input on its ``k``-th diagonal."""


def _np_trace(a, offset=0, axis1=0, axis2=1, out=None):
    """Sum along the diagonal at ``offset`` of the planes given by ``axis1`` and ``axis2``."""


def _np_atleast_1d(*arys):
    """Each input viewed with at least one dimension."""


def _np_atleast_2d(*arys):
    """Each input viewed with at least two dimensions."""


def _np_atleast_3d(*arys):
    """Each input viewed with at least three dimensions."""


def _np__random_shuffle(x):
    """Shuffle ``x`` in place along its first axis."""


def _npx_constraint_check(x, msg):
    """``x`` (boolean) unchanged; raises with ``msg`` when any element is false."""


def _npx_nonzero(a):
    """Indices of the non-zero elements, one row per element."""


def _npx_reshape(a, newshape, reverse=False, order='C'):
    """Reshape with MXNet's special codes (-1 to -6) in ``newshape``."""
