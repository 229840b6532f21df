"""Helpers that MXNet's own tests and tests written for MXNet import (``mx.test_utils``)."""
import contextlib
import gzip
import logging
import numbers
import os
import platform
import struct
import sys
import urllib.request

import numpy as np
import numpy.random as rnd

from .base import MXNetError
from .context import Context, current_context

_FLOATS = (np.float16, np.float32, np.float64)
_INTS = (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)
_NO_TOL = {np.dtype(t): 0 for t in _INTS}


# -- tolerances -----------------------------------------------------------------------
def default_rtols():
    """Default relative tolerance per dtype."""
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5, **_NO_TOL}


def default_atols():
    """Default absolute tolerance per dtype."""
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20, **_NO_TOL}


def default_numeric_eps():
    """Default finite-difference step per dtype (powers of two, exact in the dtype)."""
    return {np.dtype(np.float16): 1.0 / 2**6, np.dtype(np.float32): 1.0 / 2**9,
            np.dtype(np.float64): 1.0 / 2**14}


def effective_dtype(dat):
    """The dtype whose precision ``dat`` was computed in (its dtype on the CPU)."""
    return np.dtype(dat.dtype)


def get_tolerance(dat, tol, default_tol):
    """``tol`` when given, else the default for ``dat``'s effective dtype."""
    if tol is not None:
        return tol
    return default_tol[effective_dtype(dat)] if isinstance(default_tol, dict) else default_tol


def get_tols(x, y, rtol, atol):
    """(rtol, atol) for comparing x and y: the looser default of the two when not given."""
    if isinstance(x, numbers.Number):
        x = np.array(x)
    if isinstance(y, numbers.Number):
        y = np.array(y)
    rtol = max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols()))
    atol = max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols()))
    return rtol, atol


def get_atol(atol=None, dtype=np.dtype(np.float64)):
    """``atol``, or the default absolute tolerance for ``dtype``."""
    return default_atols()[dtype] if atol is None else atol


def get_rtol(rtol=None, dtype=np.dtype(np.float64)):
    """``rtol``, or the default relative tolerance for ``dtype``."""
    return default_rtols()[dtype] if rtol is None else rtol


def get_etol(etol=None):
    """``etol`` (the fraction of elements allowed to mismatch), default 0."""
    return 0 if etol is None else etol


# -- comparisons ----------------------------------------------------------------------
def _as_np(a):
    from .ndarray.ndarray import NDArray
    if isinstance(a, NDArray):
        return a.asnumpy()
    return a


def _violations(a, b, rtol, atol, equal_nan):
    """Per-element |a - b| / (atol + rtol |b|) (1e20 where the tolerance is 0), NaN-aware."""
    # compute in the inputs' own float precision, as MXNet does (its error values depend on it)
    a, b = np.asarray(a), np.asarray(b)
    dt = np.result_type(a, b)
    dt = dt if dt.kind == "f" else np.dtype(np.float64)
    a64, b64 = a.astype(dt), b.astype(dt)
    diff = np.abs(a64 - b64)
    tol = dt.type(atol) + dt.type(rtol) * np.abs(b64)
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.where(diff == 0, 0.0, np.where(tol > 0, diff / np.where(tol > 0, tol, 1), 1e20))
    nan_a, nan_b = np.isnan(a64), np.isnan(b64)
    if equal_nan:
        err = np.where(nan_a & nan_b, 0.0, err)
    err = np.where(np.isnan(err) | (nan_a != nan_b), np.inf, err)
    return err


def _check_shapes(a, b, names):
    if np.shape(a) != np.shape(b):
        raise AssertionError(f"\nItems are not equal: {names[0]}.shape = {np.shape(a)} and "
                             f"{names[1]}.shape = {np.shape(b)} are not equal\n ACTUAL: {a!r}\n DESIRED: {b!r}")


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True):
    """True when every |a - b| <= atol + rtol * |b| (tolerances per dtype when not given)."""
    a, b = _as_np(a), _as_np(b)
    if not use_broadcast:
        _check_shapes(a, b, ("a", "b"))
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    return bool(np.all(_violations(a, b, rtol, atol, equal_nan) <= 1))


def locationError(a, b, index, names, maxError=False):
    """One line describing the values of a and b at ``index``."""
    return (f"Location of {'maximum ' if maxError else ''}error: {index}, {names[0]}={a[index]:.8f}, "
            f"{names[1]}={b[index]:.8f}")


def _not_equal_message(a, b, err, bad, rtol, atol, names, etol=None):
    if np.ndim(a) == 0 and np.ndim(b) == 0:
        return (f"\nItems are not equal:\nError {float(err):f} exceeds tolerance rtol={rtol:e}, "
                f"atol={atol:e}.\n\n ACTUAL: {a!r}\n DESIRED: {b!r}")
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
    pct = 100.0 * np.count_nonzero(bad) / bad.size
    if etol is not None:
        tail = f"(mismatch {pct:f}% exceeds etol={etol:f})"
    else:
        tail = f"(mismatch {pct:f}%)"
    aa, bb = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    return (f"\nItems are not equal:\nError {float(err[idx]):f} exceeds tolerance rtol={rtol:e}, "
            f"atol={atol:e} {tail}.\n{locationError(aa, bb, idx, names, maxError=True)}\n ACTUAL: {a!r}\n DESIRED: {b!r}")


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False,
                        use_broadcast=True, mismatches=(10, 10)):
    """Raise AssertionError (MXNet's message: worst error, mismatch %, location) unless a ~= b."""
    a, b = _as_np(a), _as_np(b)
    if not use_broadcast:
        _check_shapes(a, b, names)
    rtol, atol = get_tols(a, b, rtol, atol)
    aa, bb = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    err = _violations(aa, bb, rtol, atol, equal_nan)
    bad = err > 1
    if not bad.any():
        return
    raise AssertionError(_not_equal_message(a, b, err, bad, rtol, atol, names))


def assert_almost_equal_with_err(a, b, rtol=None, atol=None, etol=None, names=("a", "b"), equal_nan=False,
                                 mismatches=(10, 10)):
    """Like ``assert_almost_equal`` but tolerate a fraction ``etol`` of mismatching elements."""
    a, b = _as_np(a), _as_np(b)
    etol = get_etol(etol)
    rtol, atol = get_tols(a, b, rtol, atol)
    aa, bb = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    err = _violations(aa, bb, rtol, atol, equal_nan)
    bad = err > 1
    if bad.size == 0 or np.count_nonzero(bad) / bad.size <= etol:
        return
    raise AssertionError(_not_equal_message(a, b, err, bad, rtol, atol, names,
                                            etol if etol > 0 else None))


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=("a", "b")):
    """``assert_almost_equal`` over the positions where neither array is NaN."""
    a = np.copy(_as_np(a)).astype(np.result_type(_as_np(a), np.float32))
    b = np.copy(_as_np(b)).astype(np.result_type(_as_np(b), np.float32))
    a, b = np.broadcast_arrays(a, b)
    nan = np.isnan(a) | np.isnan(b)
    a, b = np.where(nan, 0, a), np.where(nan, 0, b)
    assert_almost_equal(a, b, rtol, atol, names)


def assert_allclose(a, b, rtol=1e-07, atol=0, equal_nan=True):
    """NumPy's assert_allclose on NDArrays or arrays."""
    np.testing.assert_allclose(_as_np(a), _as_np(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def same(a, b):
    """True when a and b have the same shape and equal elements."""
    return bool(np.array_equal(_as_np(a), _as_np(b)))


def same_array(array1, array2):
    """True when two NDArrays share memory (a write through one shows in the other)."""
    array1[:] += 1
    if not same(array1.asnumpy(), array2.asnumpy()):
        array1[:] -= 1
        return False
    array1[:] -= 1
    return same(array1.asnumpy(), array2.asnumpy())


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None):
    """Assert that two (nested) tuples of arrays are almost equal element by element."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def assert_exception(f, exception_type, *args, **kwargs):
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError()


# -- context, dtype, random data ------------------------------------------------------
def default_context():
    """The context tests run on (the current default context)."""
    return current_context()


def set_default_context(ctx):
    """Make ``ctx`` the default context for the rest of the thread."""
    if not isinstance(ctx, Context):
        raise MXNetError(f"set_default_context expects a Context, got {type(ctx).__name__}")
    Context._local.value = ctx


def default_dtype():
    """The dtype tests create arrays in: float32."""
    return np.float32


def random_arrays(*shapes):
    """Standard-normal float32 NumPy arrays of the given shapes (one array for one shape)."""
    arrays = [np.array(rnd.randn(*s), dtype=default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes, **kwargs):
    """Uniform float32 arrays in [low, high) (keywords ``low``, ``high``, ``dtype``)."""
    low, high = kwargs.pop("low", 0.0), kwargs.pop("high", 1.0)
    dtype = kwargs.pop("dtype", default_dtype())
    arrays = [rnd.uniform(low, high, size=s).astype(dtype) for s in shapes]
    return arrays


def random_sample(population, k):
    """``k`` distinct items of ``population`` (a list), drawn with NumPy's generator."""
    assert 0 <= k <= len(population)
    idx = rnd.choice(len(population), k, replace=False)
    return [population[i] for i in idx]


def rand_shape_2d(dim0=10, dim1=10, allow_zero_size=False):
    """A random 2-D shape with dims in [1, dim] ([0, dim] when ``allow_zero_size``)."""
    low = 0 if allow_zero_size else 1
    return rnd.randint(low, dim0 + 1), rnd.randint(low, dim1 + 1)


def rand_shape_3d(dim0=10, dim1=10, dim2=10, allow_zero_size=False):
    """A random 3-D shape."""
    low = 0 if allow_zero_size else 1
    return rnd.randint(low, dim0 + 1), rnd.randint(low, dim1 + 1), rnd.randint(low, dim2 + 1)


def rand_shape_nd(num_dim, dim=10, allow_zero_size=False):
    """A random shape of ``num_dim`` dims, each in [1, dim] ([0, dim] when ``allow_zero_size``)."""
    low = 0 if allow_zero_size else 1
    return tuple(rnd.randint(low, dim + 1, size=num_dim))


def rand_ndarray(shape, stype="default", density=None, dtype=None, modifier_func=None,
                 shuffle_csr_indices=False, distribution=None, ctx=None):
    """A standard-normal NDArray (``stype='default'``; sparse storage is not implemented)."""
    from . import ndarray as nd
    if stype != "default":
        raise NotImplementedError(f"rand_ndarray: stype={stype!r} needs sparse NDArrays, which mxnext "
                                  "does not implement")
    ctx = ctx if ctx else default_context()
    return nd.array(random_arrays(shape), dtype=dtype if dtype is not None else default_dtype(), ctx=ctx)


def np_reduce(dat, axis, keepdims, numpy_reduce_func):
    """Apply a NumPy reduction over ``axis`` (int, tuple or None), one axis at a time."""
    if isinstance(axis, int):
        axis = [axis]
    else:
        axis = list(axis) if axis is not None else range(len(dat.shape))
    ret = dat
    for i in reversed(sorted(axis)):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        keepdims_shape = list(dat.shape)
        for i in axis:
            keepdims_shape[i] = 1
        ret = ret.reshape(tuple(keepdims_shape))
    return ret


def collapse_sum_like(a, shape):
    """Sum ``a`` down to ``shape`` (the inverse of broadcasting ``shape`` to ``a.shape``)."""
    assert len(a.shape) >= len(shape)
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    lead = len(a.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and a.shape[lead + i] != 1)
    return a.sum(axis=axes).reshape(shape) if axes else a.reshape(shape)


def assign_each(the_input, function):
    """``function`` applied to every element (a vectorised NumPy function) as a new array."""
    return np.vectorize(function)(the_input) if function is not None else np.copy(the_input)


def assign_each2(input1, input2, function):
    """``function(a, b)`` applied element-wise to two same-shaped arrays."""
    assert input1.shape == input2.shape
    return np.vectorize(function)(input1, input2) if function is not None else np.copy(input1)


def create_vector(size, dtype=np.int64):
    """``arange(size)`` as an NDArray (large-tensor tests)."""
    from . import ndarray as nd
    return nd.arange(0, size, dtype=dtype)


def create_2d_tensor(rows, columns, dtype=np.int64):
    """An NDArray whose row i is filled with i."""
    from . import ndarray as nd
    return nd.array(np.repeat(np.arange(rows, dtype=dtype)[:, None], columns, axis=1), dtype=dtype)


# -- gradients ------------------------------------------------------------------------
def _as_callable(sym, fname):
    if callable(sym) and not type(sym).__name__ == "Symbol":
        return sym
    raise NotImplementedError(f"{fname}: mxnext accepts a Python callable over NDArrays here; checking a "
                              "Symbol needs mx.sym executors, which are not implemented yet")


def _locations(location, dtype):
    keys = list(location.keys()) if isinstance(location, dict) else None
    vals = list(location.values()) if keys is not None else list(location)
    return keys, [np.array(_as_np(v), dtype=dtype) for v in vals]


def _call(f, keys, arrays):
    from . import ndarray as nd
    args = [nd.array(v, dtype=v.dtype) for v in arrays]
    out = f(**dict(zip(keys, args))) if keys is not None else f(*args)
    return out, args


def numeric_grad(executor, location, aux_states=None, eps=1e-4, use_forward_train=True, dtype=np.float32):
    """Central-difference gradient of ``sum(executor(*location))`` w.r.t. each input.

    ``executor`` is a callable over NDArrays here (MXNet passes a bound Executor);
    ``location`` a list (positional) or dict (keyword) of arrays.  Returns NumPy gradients
    in the same structure.
    """
    from . import autograd
    f = _as_callable(executor, "numeric_grad")
    keys, arrays = _locations(location, dtype)
    grads = []
    with autograd.train_mode() if use_forward_train else contextlib.nullcontext():
        for v in arrays:
            g = np.zeros(v.shape, dtype=np.float64)
            flat, gflat = v.reshape(-1), g.reshape(-1)
            for i in range(flat.size):   # one forward pair per element: inputs are tiny
                old = flat[i]
                flat[i] = old + eps / 2.0
                f_p = float(_as_np(_call(f, keys, arrays)[0]).astype(np.float64).sum())
                flat[i] = old - eps / 2.0
                f_n = float(_as_np(_call(f, keys, arrays)[0]).astype(np.float64).sum())
                flat[i] = old
                gflat[i] = (f_p - f_n) / eps
            grads.append(g.astype(dtype))
    return dict(zip(keys, grads)) if keys is not None else grads


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None, atol=None,
                           grad_nodes=None, use_forward_train=True, ctx=None, grad_stype_dict=None,
                           dtype=default_dtype()):
    """Compare autograd's gradient of ``sum(sym(*x) * proj)`` (random ``proj``) with finite differences.

    ``sym`` is a callable over NDArrays here; ``grad_nodes`` (names for a dict location,
    indices for a list) limits which inputs are checked.
    """
    from . import autograd, ndarray as nd
    assert dtype in (np.float16, np.float32, np.float64)
    f = _as_callable(sym, "check_numeric_gradient")
    keys, arrays = _locations(location, dtype)
    out, args = _call(f, keys, arrays)
    proj = (rnd.rand(*out.shape) + 0.1).astype(dtype)

    def projected(*a, **kw):
        return f(*a, **kw) * nd.array(proj, dtype=dtype, ctx=out.context)
    for a in args:
        a.attach_grad()
    with autograd.record(train_mode=use_forward_train):
        y = projected(**dict(zip(keys, args))) if keys is not None else projected(*args)
    y.backward()
    eps = get_tolerance(out, numeric_eps, default_numeric_eps())
    if dtype in (np.float32, np.float16):
        assert eps >= 1e-5
    num = numeric_grad(projected, location if keys is None else dict(zip(keys, arrays)), eps=eps,
                       use_forward_train=use_forward_train, dtype=dtype)
    names = keys if keys is not None else list(range(len(args)))
    check = grad_nodes if grad_nodes is not None else names
    for n in check:
        i = names.index(n)
        fd = num[n] if keys is not None else num[i]
        assert_almost_equal(fd, args[i].grad.asnumpy(), rtol, atol,
                            (f"NUMERICAL_{n}", f"BACKWARD_{n}"))


# -- environment and system -----------------------------------------------------------
def getenv(name):
    """The value of environment variable ``name`` or None."""
    return os.environ.get(name)


def setenv(name, value):
    """Set (or, for None, unset) environment variable ``name``."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = str(value)


@contextlib.contextmanager
def environment(*args):
    """Set environment variables for a ``with`` block and restore them after.

    ``environment('NAME', 'value')`` or ``environment({'A': '1', 'B': None})``; None unsets.
    """
    if len(args) == 2:
        new = {args[0]: args[1]}
    elif len(args) == 1 and isinstance(args[0], dict):
        new = dict(args[0])
    else:
        raise ValueError("environment() takes a name and a value, or a dict of them")
    saved = {k: os.environ.get(k) for k in new}
    try:
        for k, v in new.items():
            setenv(k, v)
        yield
    finally:
        for k, v in saved.items():
            setenv(k, v)


@contextlib.contextmanager
def discard_stderr():
    """Silence the process's stderr (file descriptor 2) for a ``with`` block."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def retry(n):
    """Decorator: rerun a test up to ``n`` times until it stops raising AssertionError."""
    assert n > 0

    def decorate(f):
        def wrapper(*args, **kwargs):
            for i in range(n):
                try:
                    return f(*args, **kwargs)
                except AssertionError:
                    if i == n - 1:
                        raise
        wrapper.__name__ = f.__name__
        wrapper.__doc__ = f.__doc__
        return wrapper
    return decorate


def is_cd_run():
    """True inside MXNet's continuous-delivery jobs (environment variable CD_JOB=1)."""
    return os.environ.get("CD_JOB", "0") == "1"


def is_aarch64_run():
    """True on an aarch64 machine."""
    return platform.machine() == "aarch64"


def has_tvm_ops():
    """False: no TVM-generated operators here."""
    return False


def list_gpus():
    """Indices of the visible GPUs (a range)."""
    from .context import num_gpus
    return range(num_gpus())


def is_op_runnable():
    """True when operators can run on the default context (always on the CPU)."""
    ctx = current_context()
    return ctx.device_type != "gpu" or ctx.device_id < len(list_gpus())


def download(url, fname=None, dirname=None, overwrite=False, retries=5):
    """Download ``url`` to ``fname`` (default: the URL's last part, in ``dirname``); returns the path.

    An existing file is kept unless ``overwrite``.  Failed attempts are retried ``retries``
    times, then the last error is raised.
    """
    assert retries >= 0, "Number of retries should be at least 0"
    if fname is None:
        fname = url.split("/")[-1]
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname:
        os.makedirs(dirname, exist_ok=True)
    if not overwrite and os.path.exists(fname):
        logging.info("%s exists, skipping download", fname)
        return fname
    while True:
        try:
            with urllib.request.urlopen(url) as r:
                payload = r.read()
            from .ndarray.utils import write_atomic
            write_atomic(fname, payload)
            break
        except Exception:
            retries -= 1
            if retries < 0:
                raise
            logging.warning("download of %s failed, retrying (%d left)", url, retries)
    logging.info("downloaded %s into %s successfully", url, fname)
    return fname


MNIST_URL = "http://data.mxnet.io/data/mnist/"


def _read_mnist(label_url, image_url):
    with gzip.open(download(label_url)) as flbl:
        struct.unpack(">II", flbl.read(8))
        label = np.frombuffer(flbl.read(), dtype=np.int8)
    with gzip.open(download(image_url), "rb") as fimg:
        _, _, rows, cols = struct.unpack(">IIII", fimg.read(16))
        image = np.frombuffer(fimg.read(), dtype=np.uint8).reshape(len(label), 1, rows, cols)
    return label, image.astype(np.float32) / 255


def get_mnist():
    """MNIST as a dict of train/test data (N, 1, 28, 28 float32 in [0, 1]) and int8 labels.

    Downloads the four IDX ``.gz`` files from ``MNIST_URL`` into the working directory unless
    they are there already.
    """
    base = MNIST_URL
    train_lbl, train_img = _read_mnist(base + "train-labels-idx1-ubyte.gz",
                                       base + "train-images-idx3-ubyte.gz")
    test_lbl, test_img = _read_mnist(base + "t10k-labels-idx1-ubyte.gz", base + "t10k-images-idx3-ubyte.gz")
    return {"train_data": train_img, "train_label": train_lbl, "test_data": test_img, "test_label": test_lbl}


def __getattr__(name):
    # use_np comes from mx.util once that module exists
    if name == "use_np":
        try:
            from .util import use_np
        except ImportError:
            raise AttributeError("mxnet.test_utils.use_np needs mxnet.util, which is not built yet") from None
        return use_np
    raise AttributeError(f"module 'mxnet.test_utils' has no attribute {name!r}")

