"""Helpers that MXNet's own tests and tests written for MXNet import (``mx.test_utils``)."""
import bz2
import contextlib
import gzip
import logging
import math
import numbers
import os
import platform
import shutil
import struct
import sys
import urllib.request
import zipfile

import numpy as np
import numpy.random as rnd

import errno  # noqa: F401  (MXNet's test_utils exports these module names to star imports)
import json  # noqa: F401
import time  # noqa: F401
import traceback  # noqa: F401
from collections import OrderedDict  # noqa: F401
from contextlib import contextmanager  # noqa: F401

import numpy.testing as npt  # noqa: F401

import mxnet as mx  # noqa: F401
from .base import MXNetError
from .context import Context, current_context
from .io import DataIter
from .ndarray import array  # noqa: F401
from .ndarray.ndarray import _STORAGE_TYPE_STR_TO_ID  # noqa: F401
from .symbol import Symbol  # noqa: F401
from .symbol.numpy import _Symbol as np_symbol  # noqa: F401
from .util import use_np, getenv, setenv  # noqa: F401
from .runtime import Features  # noqa: F401

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


def _compare_dtype(a, b):
    # compare in the inputs' own float precision, as MXNet does (its error values depend on it)
    dt = np.result_type(a, b)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def _all_within(a, b, rtol, atol):
    """Whether every |a - b| <= atol + rtol |b|, computed as ``_violations`` does; NaNs and
    infinities answer False (the full check then decides). A cheap pass that spares large equal
    arrays the per-element error computation."""
    a, b = np.asarray(a), np.asarray(b)
    dt = _compare_dtype(a, b)
    block = 1 << 18
    if a.size > block and a.shape == b.shape and a.flags.c_contiguous and b.flags.c_contiguous:
        # large arrays in cache-sized blocks: the temporaries stay small
        fa, fb = a.reshape(-1), b.reshape(-1)
        return all(_all_within(fa[i:i + block], fb[i:i + block], rtol, atol)
                   for i in range(0, fa.size, block))
    if dt == np.float16:
        return _all_within_half(a, b, rtol, atol)
    a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        tol = dt.type(atol) + dt.type(rtol) * np.abs(b)
        # capped at the largest finite value: an infinite difference never passes here
        return bool(np.all(np.abs(a - b) <= np.minimum(tol, np.finfo(dt).max)))


def _all_within_half(a, b, rtol, atol):
    """``_all_within`` for float16, with NumPy's float16 answer ~10x faster than its float16 loops.
    NumPy computes each float16 operation in float32 and rounds to float16: the comparison is made
    in float32 first, and only the elements within float16 rounding of their bound (or not
    finite) are decided with that rounding."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    big = np.float32(np.finfo(np.float16).max)
    at, rt = np.float32(np.float16(atol)), np.float32(np.float16(rtol))
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(a - b)
        tol = np.minimum(at + rt * np.abs(b), big)
        # float16 rounding moves d and tol by < 2**-10 relative, or 2**-24 among subnormals
        unsure = ~(d + np.float32(2.0 ** -23) <= tol * np.float32(1 - 2.0 ** -8))
        if not unsure.any():
            return True
        a, b = a[unsure], b[unsure]

        def r(x):
            return x.astype(np.float16).astype(np.float32)
        tol = r(at + r(rt * np.abs(b)))
        return bool(np.all(r(np.abs(a - b)) <= np.minimum(tol, big)))


def _violations(a, b, rtol, atol, equal_nan):
    """Per-element |a - b| / (atol + rtol |b|) (1e20 where the tolerance is 0), NaN-aware."""
    a, b = np.asarray(a), np.asarray(b)
    dt = _compare_dtype(a, b)
    a64, b64 = a.astype(dt, copy=False), b.astype(dt, copy=False)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        diff = np.abs(a64 - b64)
        tol = dt.type(atol) + dt.type(rtol) * np.abs(b64)
        # equal values count as no error, infinities of the same sign included (NumPy's isclose)
        err = np.where((diff == 0) | (a64 == b64), 0.0,
                       np.where(tol > 0, diff / np.where(tol > 0, tol, 1), 1e20))
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
    if _all_within(a, b, rtol, atol):
        return True
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
    if _all_within(aa, bb, rtol, atol):
        return
    err = _violations(aa, bb, rtol, atol, equal_nan)
    bad = err > 1
    if not bad.any():
        return
    _print_max_errors(aa, bb, err, bad, rtol, atol, names, mismatches[0])
    msg = _not_equal_message(a, b, err, bad, rtol, atol, names)
    if np.count_nonzero(bad) > mismatches[0]:
        msg = msg.replace("(mismatch ", "(mismatch at least ", 1)
    raise AssertionError(msg)


def _print_max_errors(a, b, err, bad, rtol, atol, names, limit):
    """MXNet prints the worst ``limit`` mismatches to stdout before failing (arrays only)."""
    if err.ndim == 0:
        return
    flat = np.flatnonzero(bad.ravel())
    worst = flat[np.argsort(-err.ravel()[flat], kind="stable")][:limit]
    print(f"\n*** Maximum errors for vector of size {err.size}:  rtol={rtol}, atol={atol}\n")
    for k, i in enumerate(worst, 1):
        idx = tuple(int(j) for j in np.unravel_index(int(i), err.shape))
        print(f"{k:3d}: Error {float(err[idx]):f}  {locationError(a, b, idx, names)}")


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
    """A random NDArray: standard-normal dense values, or a random sparse array of ``stype``."""
    from . import ndarray as nd
    ctx = ctx if ctx else default_context()
    if stype != "default":
        return rand_sparse_ndarray(shape, stype, density=density, modifier_func=modifier_func, dtype=dtype,
                                   shuffle_csr_indices=shuffle_csr_indices, distribution=distribution,
                                   ctx=ctx)[0]
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
def _is_symbol(obj):
    return isinstance(obj, Symbol)


def _locations(location, dtype):
    keys = list(location.keys()) if isinstance(location, dict) else None
    vals = list(location.values()) if keys is not None else list(location)
    return keys, [np.array(_as_np(v), dtype=dtype) for v in vals]


def _call(f, keys, arrays):
    from . import ndarray as nd
    args = [nd.array(v, dtype=v.dtype) for v in arrays]
    out = f(**dict(zip(keys, args))) if keys is not None else f(*args)
    return out, args


def _to_nd(v, ctx, dtype):
    """NumPy arrays and numbers become NDArrays of ``dtype`` ("asnumpy": keep theirs); NDArrays stay."""
    from . import ndarray as nd
    if isinstance(v, numbers.Number):
        v = np.array(v)
    if isinstance(v, np.ndarray):
        return nd.array(v, ctx=ctx, dtype=v.dtype if dtype == "asnumpy" else dtype)
    return v


def _parse_location(sym, location, ctx, dtype=default_dtype()):
    """``location`` (a list in ``sym.list_arguments()`` order, or a dict) as a dict of NDArrays."""
    names = sym.list_arguments()
    if isinstance(location, dict):
        if set(location.keys()) != set(names):
            raise ValueError(f"Symbol arguments and keys of the given location do not match."
                             f"symbol args:{set(names)}, location.keys():{set(location.keys())}")
    else:
        location = dict(zip(names, location))
    return {k: _to_nd(v, ctx, dtype) for k, v in location.items()}


def _parse_aux_states(sym, aux_states, ctx, dtype=default_dtype()):
    """``aux_states`` (a list in ``sym.list_auxiliary_states()`` order, or a dict) as NDArrays."""
    if aux_states is None:
        return None
    names = sym.list_auxiliary_states()
    if isinstance(aux_states, dict):
        if set(aux_states.keys()) != set(names):
            raise ValueError(f"Symbol aux_states names and given aux_states do not match."
                             f"symbol aux_names:{set(names)}, aux_states.keys:{set(aux_states.keys())}")
    else:
        aux_states = dict(zip(names, aux_states))
    return {k: _to_nd(v, ctx, dtype) for k, v in aux_states.items()}


def _executor_numeric_grad(executor, location, aux_states, eps, use_forward_train, dtype):
    """Central differences of ``sum(executor.outputs[0])`` w.r.t. each float array in ``location``."""
    grads = {k: np.zeros(np.shape(v), dtype=dtype) for k, v in location.items()}
    location = {k: np.ascontiguousarray(_as_np(v)) for k, v in location.items()}
    for k, v in location.items():
        executor.arg_dict[k][:] = v.astype(dtype)

    def objective():
        for name, val in (aux_states or {}).items():
            executor.aux_dict[name][:] = _as_np(val)   # BatchNorm & co. update them in training mode
        executor.forward(is_train=use_forward_train)
        return executor.outputs[0].asnumpy()

    for k, v in location.items():
        if v.dtype.kind != "f":
            continue
        old = v.copy()
        flat, gflat = v.reshape(-1), grads[k].reshape(-1)
        for i in range(flat.size):   # one forward pair per element: the inputs are tiny
            flat[i] = old.flat[i] + eps / 2.0
            executor.arg_dict[k][:] = v.astype(dtype)
            f_p = objective()
            flat[i] = old.flat[i] - eps / 2.0
            executor.arg_dict[k][:] = v.astype(dtype)
            f_n = objective()
            gflat[i] = (f_p - f_n).sum() / eps
            flat[i] = old.flat[i]
        executor.arg_dict[k][:] = old.astype(dtype)
    return grads


def _callable_numeric_grad(f, location, eps, use_forward_train, dtype):
    from . import autograd
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


def numeric_grad(executor, location, aux_states=None, eps=1e-4, use_forward_train=True, dtype=np.float32):
    """Central-difference gradient of ``sum(output 0)`` w.r.t. each input.

    ``executor`` is a bound ``Executor`` (``location``: dict name -> array, written into its
    ``arg_dict``) or, as an mxnext extension, a callable over NDArrays (``location``: a list
    for positional or a dict for keyword arguments).  Returns NumPy gradients keyed like
    ``location``.
    """
    from .executor import Executor
    assert dtype in (np.float16, np.float32, np.float64)
    if isinstance(executor, Executor):
        return _executor_numeric_grad(executor, location, aux_states, eps, use_forward_train, dtype)
    return _callable_numeric_grad(executor, location, eps, use_forward_train, dtype)


def _numeric_eps(numeric_eps, dtype):
    eps = get_tolerance(np.zeros(0, dtype=dtype), numeric_eps, default_numeric_eps())
    if dtype in (np.float32, np.float16):
        assert eps >= 1e-5
    return eps


def _grad_nodes(grad_nodes, names):
    """(nodes to check, grad_req dict) from ``grad_nodes``: None, a list of names or a name -> req dict."""
    if grad_nodes is None:
        nodes = list(names)
        return nodes, {k: "write" for k in nodes}
    if isinstance(grad_nodes, (list, tuple)):
        nodes = list(grad_nodes)
        return nodes, {k: "write" for k in nodes}
    if isinstance(grad_nodes, dict):
        return list(grad_nodes.keys()), dict(grad_nodes)
    raise ValueError("Invalid grad_nodes type")


def _check_symbol_numeric_gradient(sym, location, aux_states, numeric_eps, rtol, atol, grad_nodes,
                                   use_forward_train, ctx, grad_stype_dict, dtype):
    from . import ndarray as nd, symbol as msym
    if grad_stype_dict is not None and not isinstance(grad_stype_dict, dict):
        raise AssertionError("grad_stype_dict must be a dict")
    ctx = ctx if ctx is not None else default_context()
    location = _parse_location(sym, location, ctx, dtype)
    location_np = {k: v.asnumpy() for k, v in location.items()}
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_np = None if aux_states is None else {k: v.asnumpy() for k, v in aux_states.items()}
    nodes, grad_req = _grad_nodes(grad_nodes, sym.list_arguments())
    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    # weight the output by a random positive projection; the differences are summed only after
    # the subtraction (in numeric_grad), as a float32 sum taken first would cancel most digits
    proj = msym.var("__random_proj")
    out = msym.make_loss(sym * proj)
    location["__random_proj"] = nd.array(rnd.rand(*out_shapes[0]) + 0.1, ctx=ctx, dtype=dtype)
    # the gradient buffers start dirty so that 'add'/'null' semantics are visible
    grad_np = {k: rnd.normal(0, 0.01, size=location[k].shape) for k in nodes}
    grad_np["__random_proj"] = rnd.normal(0, 0.01, size=out_shapes[0])
    args_grad = {k: nd.array(v, ctx=ctx, dtype=dtype) for k, v in grad_np.items()}
    for k, stype in (grad_stype_dict or {}).items():
        if k in args_grad and stype in ("row_sparse", "csr"):
            # as MXNet: a sparse gradient buffer starts empty
            args_grad[k] = nd.zeros(args_grad[k].shape, ctx, args_grad[k].dtype, stype=stype)
    executor = out.bind(ctx, args=location, args_grad=args_grad, grad_req=grad_req, aux_states=aux_states)
    if len(executor.arg_arrays) != len(location):
        raise ValueError(f"Executor arg_arrays and and location len do not match.Got "
                         f"{len(executor.arg_arrays)} inputs and {len(location)} locations")
    executor.forward(is_train=True)
    executor.backward()
    symbolic = executor.grad_dict
    numeric = numeric_grad(executor, location_np, aux_np, eps=_numeric_eps(numeric_eps, dtype),
                           use_forward_train=use_forward_train, dtype=dtype)
    for name in nodes:
        names = (f"NUMERICAL_{name}", f"BACKWARD_{name}")
        req, sym_grad = grad_req[name], symbolic[name]
        if req == "write":
            assert_almost_equal(numeric[name], sym_grad, rtol, atol, names)
        elif req == "add":
            assert_almost_equal(numeric[name], _as_np(sym_grad) - grad_np[name], rtol, atol, names)
        elif req == "null":   # the buffer handed to bind must be untouched
            assert_almost_equal(grad_np[name], args_grad[name], rtol, atol, names)
        else:
            raise ValueError(f"Invalid grad_req {req} for argument {name}")


def _check_callable_numeric_gradient(f, location, numeric_eps, rtol, atol, grad_nodes,
                                     use_forward_train, dtype):
    from . import autograd, ndarray as nd
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
    num = numeric_grad(projected, location if keys is None else dict(zip(keys, arrays)),
                       eps=_numeric_eps(numeric_eps, dtype), use_forward_train=use_forward_train, dtype=dtype)
    names = keys if keys is not None else list(range(len(args)))
    for n in (grad_nodes if grad_nodes is not None else names):
        i = names.index(n)
        fd = num[n] if keys is not None else num[i]
        assert_almost_equal(fd, args[i].grad.asnumpy(), rtol, atol, (f"NUMERICAL_{n}", f"BACKWARD_{n}"))


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None, atol=None,
                           grad_nodes=None, use_forward_train=True, ctx=None, grad_stype_dict=None,
                           dtype=default_dtype()):
    """Compare the analytic gradient of ``sum(out * proj)`` (random ``proj``) with finite differences.

    ``sym`` is a Symbol (``location``: arrays for ``sym.list_arguments()``, a list or dict;
    the gradient comes from a bound executor; ``grad_nodes`` may be a list of names or a
    name -> grad_req dict) or, as an mxnext extension, a callable over NDArrays whose
    gradient comes from autograd (``grad_nodes``: names for a dict location, indices for a
    list).  Raises AssertionError on a mismatch.
    """
    assert dtype in (np.float16, np.float32, np.float64)
    if _is_symbol(sym):
        return _check_symbol_numeric_gradient(sym, location, aux_states, numeric_eps, rtol, atol, grad_nodes,
                                              use_forward_train, ctx, grad_stype_dict, dtype)
    if not callable(sym):
        raise TypeError(f"check_numeric_gradient expects a Symbol or a callable, got {type(sym).__name__}")
    return _check_callable_numeric_gradient(sym, location, numeric_eps, rtol, atol, grad_nodes,
                                            use_forward_train, dtype)


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None, ctx=None,
                           equal_nan=False, dtype=default_dtype()):
    """Run ``sym`` forward (inference mode) at ``location`` and compare each output with ``expected``.

    ``expected`` is a list in ``sym.list_outputs()`` order or a dict by output name.
    Returns the executor's output NDArrays.
    """
    from . import ndarray as nd
    assert dtype in (np.float16, np.float32, np.float64, "asnumpy")
    ctx = ctx if ctx is not None else default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    args_grad = {k: nd.zeros(v.shape, ctx=ctx, dtype=v.dtype if dtype == "asnumpy" else dtype)
                 for k, v in location.items()}
    executor = sym.bind(ctx, args=location, args_grad=args_grad, aux_states=aux_states)
    executor.forward(is_train=False)
    for name, expect, output in zip(sym.list_outputs(), expected, executor.outputs):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"),
                            equal_nan=equal_nan)
    return executor.outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None, aux_states=None,
                            grad_req="write", ctx=None, grad_stypes=None, equal_nan=False,
                            dtype=default_dtype()):
    """Run ``sym`` forward (training mode) and backward with ``out_grads``; compare the input gradients.

    ``expected`` is a list in ``sym.list_arguments()`` order or a dict (only its names are
    checked); ``grad_req`` a string, list or dict.  The gradient buffers start with random
    values, so 'add' is checked as the increment and 'null' as untouched.  Returns the
    gradient NDArrays by name.
    """
    from . import ndarray as nd
    assert dtype in (np.float16, np.float32, np.float64, "asnumpy")
    ctx = ctx if ctx is not None else default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    names = sym.list_arguments()
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(names, expected))
    grad_np = {k: rnd.normal(size=np.shape(v)) for k, v in expected.items()}
    args_grad = {k: nd.array(v, ctx=ctx, dtype=_as_np(expected[k]).dtype if dtype == "asnumpy" else dtype)
                 for k, v in grad_np.items()}
    for k, stype in (grad_stypes or {}).items():
        if k in args_grad and stype not in (None, "default"):
            # as MXNet: a sparse gradient buffer starts empty
            args_grad[k] = create_sparse_array(args_grad[k].shape, stype, density=0.0)
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(names, grad_req))
    executor = sym.bind(ctx, args=location, args_grad=args_grad, aux_states=aux_states, grad_req=grad_req)
    executor.forward(is_train=True)
    if isinstance(out_grads, (list, tuple)):
        out_grads = [_to_nd(g, ctx, dtype) for g in out_grads]
    elif isinstance(out_grads, dict):
        out_grads = {k: _to_nd(g, ctx, dtype) for k, g in out_grads.items()}
    else:
        assert out_grads is None
    executor.backward(out_grads)
    grads = executor.grad_dict
    for name in expected:
        labels = (f"EXPECTED_{name}", f"BACKWARD_{name}")
        req = grad_req[name]
        if req == "write":
            assert_almost_equal(expected[name], grads[name], rtol, atol, labels, equal_nan=equal_nan)
        elif req == "add":
            assert_almost_equal(expected[name], _as_np(grads[name]) - grad_np[name], rtol, atol, labels,
                                equal_nan=equal_nan)
        elif req == "null":   # the buffer handed to bind must be untouched
            assert_almost_equal(grad_np[name], args_grad[name], rtol, atol, labels, equal_nan=equal_nan)
        else:
            raise ValueError(f"Invalid grad_req {req} for argument {name}")
    return args_grad


def simple_forward(sym, ctx=None, is_train=False, **inputs):
    """Bind ``sym`` to the NumPy ``inputs``, run forward, return the output(s) as NumPy arrays."""
    from . import ndarray as nd
    ctx = ctx if ctx is not None else default_context()
    inputs = {k: nd.array(v, ctx=ctx) for k, v in inputs.items()}
    outputs = [o.asnumpy() for o in sym.bind(ctx, args=inputs).forward(is_train=is_train)]
    return outputs[0] if len(outputs) == 1 else outputs


def check_speed(sym, location=None, ctx=None, N=20, grad_req=None, typ="whole", **kwargs):
    """Average seconds per forward+backward (``typ='whole'``) or per forward (``'forward'``) over N runs.

    Without ``location`` the inputs are random normals with the shapes given in ``kwargs``.
    """
    from . import ndarray as nd
    ctx = ctx if ctx is not None else default_context()
    grad_req = "write" if grad_req is None else grad_req
    if location is None:
        exe = sym.simple_bind(ctx, grad_req=grad_req, **kwargs)
        location = {k: rnd.normal(size=a.shape, scale=1.0) for k, a in exe.arg_dict.items()}
    else:
        assert isinstance(location, dict), f"Expect dict, get \"location\"={location}"
        exe = sym.simple_bind(ctx, grad_req=grad_req, **{k: v.shape for k, v in location.items()})
    for name, value in location.items():
        exe.arg_dict[name][:] = _as_np(value).astype(exe.arg_dict[name].dtype)
    if typ == "whole":
        def step():
            exe.forward(is_train=True)
            exe.backward(out_grads=exe.outputs)
    elif typ == "forward":
        def step():
            exe.forward(is_train=False)
    else:
        raise ValueError('typ can only be "whole" or "forward".')
    step()   # warm-up
    nd.waitall()
    tic = time.time()
    for _ in range(N):
        step()
    nd.waitall()
    return (time.time() - tic) / N


def _smaller_dtype(dt1, dt2):
    """The less precise of two dtypes (``dt1`` when ``dt2`` is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def _compare_or_report(arr, gtarr, rtol, atol, equal_nan, raise_on_err, what):
    try:
        assert_almost_equal(arr, gtarr, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except AssertionError as e:
        print(what)
        if raise_on_err:
            raise
        print(str(e))


def _full_type_dict(sym, type_dict):
    """``type_dict`` extended with the inferred dtype of every other argument (a float64 input makes
    its weights float64), so that binding does not fall back to float32 for them."""
    if not type_dict:
        return type_dict
    arg_types, _, _ = sym.infer_type(**type_dict)
    if arg_types is None:
        return type_dict
    return {**dict(zip(sym.list_arguments(), arg_types)), **type_dict}


def check_consistency(sym, ctx_list, scale=1.0, grad_req="write", arg_params=None, aux_params=None,
                      rtol=None, atol=None, raise_on_err=True, ground_truth=None, equal_nan=False,
                      use_uniform=False, rand_type=np.float64):
    """Run ``sym`` (or one symbol per entry) under every ``ctx_list`` entry and compare the results.

    Each entry is ``simple_bind`` keywords: ``ctx``, input shapes and ``type_dict``.  All
    executors get the same random inputs; outputs (and, unless ``grad_req='null'``, the
    gradients of a backward pass whose head gradient is the first executor's output) are
    compared with those of the most precise executor, using the less precise dtype's default
    tolerances.  Returns the ground truth dict (outputs and gradients by name).
    """
    from . import ndarray as nd
    assert len(ctx_list) > 1
    syms = [sym] * len(ctx_list) if _is_symbol(sym) else list(sym)
    assert len(syms) == len(ctx_list)
    output_names, arg_names = syms[0].list_outputs(), syms[0].list_arguments()
    exe_list = []
    for s, spec in zip(syms, ctx_list):
        assert s.list_arguments() == arg_names
        assert s.list_outputs() == output_names
        spec = dict(spec)
        exe_list.append(s.simple_bind(spec.pop("ctx", default_context()), grad_req=grad_req,
                                      type_dict=_full_type_dict(s, spec.pop("type_dict", None)), **spec))
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    for n in sorted(exe_list[0].arg_dict):   # sorted: the same random draws on every run
        if n not in arg_params:
            shape = exe_list[0].arg_dict[n].shape
            if use_uniform:
                arg_params[n] = rnd.uniform(low=-0.92 * scale, high=0.92 * scale, size=shape).astype(rand_type)
            else:
                arg_params[n] = rnd.normal(size=shape, scale=scale).astype(rand_type)
    for n in exe_list[0].aux_dict:
        aux_params.setdefault(n, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = _as_np(arg_params[name])
        for name, arr in exe.aux_dict.items():
            arr[:] = _as_np(aux_params[name])
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = 0
    for exe in exe_list:
        exe.forward(is_train=False)
    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exe_list]
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))   # the first most precise executor
    gt = ground_truth
    if gt is None:
        gt = dict(exe_list[gt_idx].output_dict)
        if grad_req != "null":
            gt.update(exe_list[gt_idx].grad_dict)
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names, exe.outputs):
            _compare_or_report(arr, gt[name], rtol, atol, equal_nan, raise_on_err,
                               f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}")
    if grad_req == "null":
        return gt
    for exe in exe_list:
        exe.forward(is_train=True)
    least = [o.dtype for o in exe_list[0].outputs]
    for exe in exe_list:
        least = [_smaller_dtype(o.dtype, dt) for o, dt in zip(exe.outputs, least)]
    heads = [o.asnumpy().astype(dt) for o, dt in zip(exe_list[0].outputs, least)]
    for exe in exe_list:
        exe.backward([nd.array(h, ctx=o.context, dtype=o.dtype) for h, o in zip(heads, exe.outputs)])
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names + arg_names, exe.outputs + exe.grad_arrays):
            gtarr = gt[name]
            if gtarr is None:
                assert arr is None, name
                continue
            rt, at = rtol, atol
            # a float32 gradient (e.g. BatchNorm's gamma) of a float16 network gets float16 tolerances
            small_arr = _smaller_dtype(arr.dtype, dtypes[i])
            small_gt = _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
            if small_arr != arr.dtype or small_gt != gtarr.dtype:
                rt, at = get_tols(np.zeros(0, small_arr), np.zeros(0, small_gt), rtol, atol)
            _compare_or_report(arr, gtarr, rt, at, equal_nan, raise_on_err,
                               f"Train Err: {np.dtype(arr.dtype).name} ctx {i} vs "
                               f"{np.dtype(gtarr.dtype).name} ctx {gt_idx} at {name}")
    return gt


def check_gluon_hybridize_consistency(net_builder, data_l, numpy_func=None, test_grad=True,
                                      rtol=1e-4, atol=1e-4):
    """Run the block ``net_builder(prefix='net_')`` (initialised here) imperatively and hybridized,
    each with and without autograd; every build after the first starts from the first one's
    parameter values.  Outputs, and the inputs' gradients of ``out.backward(out)``, must agree
    across runs, and the output must equal ``numpy_func`` of the inputs (as NumPy arrays)."""
    from . import autograd
    saved_out, saved_grads, values = None, None, None
    for hybridize in (False, True):
        for use_autograd in ((False, True) if test_grad else (False,)):
            net = net_builder(prefix="net_")
            net.initialize()
            if values is not None:
                for name, p in net.collect_params().items():
                    p.set_data(values[name])
            if hybridize:
                net.hybridize()
            inputs = [x.copy() for x in data_l]
            if use_autograd:
                for x in inputs:
                    x.attach_grad()
                with autograd.record():
                    out = net(*inputs)
                out.backward(out)
            else:
                out = net(*inputs)
            if values is None:
                values = {k: v.data().asnumpy() for k, v in net.collect_params().items()}
            if saved_out is None:
                saved_out = out.asnumpy()
            else:
                assert_almost_equal(out.asnumpy(), saved_out, rtol=rtol, atol=atol)
            if use_autograd:
                grads = [x.grad.asnumpy() for x in inputs]
                if saved_grads is None:
                    saved_grads = grads
                else:
                    for g, sg in zip(grads, saved_grads):
                        assert_almost_equal(g, sg, rtol=rtol, atol=atol)
    if numpy_func is not None:
        assert_almost_equal(saved_out, numpy_func(*[x.asnumpy() for x in data_l]), rtol=rtol, atol=atol)


def compare_optimizer(opt1, opt2, shape, dtype, w_stype="default", g_stype="default", rtol=1e-4, atol=1e-5,
                      compare_states=True, ntensors=1):
    """Apply one update of ``opt1`` and ``opt2`` to identical random weights/gradients; compare
    the states (before and after) and the weights.

    ``shape`` is one shape, or (with ``ntensors`` > 1) a list of shapes where ``opt2`` updates
    all tensors at once (multi-tensor) and ``opt1`` one at a time.
    """
    from copy import deepcopy
    from . import random as mxrand
    ctx = default_context()

    def pair(stype, density):
        # (dense copy for opt1, array of storage type ``stype`` for opt2)
        if stype == "default":
            a = mxrand.uniform(shape=shape, ctx=ctx, dtype=dtype)
            return a.copyto(ctx), a
        if stype not in ("row_sparse", "csr"):
            raise Exception("type not supported yet")
        a = rand_ndarray(shape, stype, density=density, dtype=dtype)
        return a.copyto(ctx).tostype("default"), a

    if not isinstance(shape, list):
        assert ntensors == 1
        w1, w2 = pair(w_stype, 1)
        g1, g2 = pair(g_stype, None)
        state1 = opt1.create_state_multi_precision(0, w1)
        state2 = opt2.create_state_multi_precision(0, w2)
        if compare_states:
            compare_ndarray_tuple(state1, state2)
        opt1.update_multi_precision(0, w1, g1, state1)
        opt2.update_multi_precision(0, w2, g2, state2)
        if compare_states:
            compare_ndarray_tuple(state1, state2, rtol=rtol, atol=atol)
        assert_almost_equal(w1, w2, rtol=rtol, atol=atol)
        return
    w1 = tuple(mxrand.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    g1 = tuple(mxrand.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    w2, g2 = deepcopy(w1), deepcopy(g1)
    state2 = [opt2.create_state_multi_precision(0, w2[i]) for i in range(ntensors)]
    opt2.update_multi_precision(list(range(ntensors)), w2, g2, state2)
    for i in range(ntensors):
        state1 = opt1.create_state_multi_precision(i, w1[i])
        opt1.update_multi_precision(i, w1[i], g1[i], state1)
        if compare_states:
            compare_ndarray_tuple(state1, state2[i], rtol, atol)
        compare_ndarray_tuple(w1[i], w2[i], rtol, atol)

# -- environment and system -----------------------------------------------------------
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


def get_mnist_ubyte():
    """Download MNIST's four raw IDX files into ``data/`` (from a zip archive) unless they are there."""
    os.makedirs("data", exist_ok=True)
    files = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")
    if not all(os.path.exists(os.path.join("data", f)) for f in files):
        path = download("http://data.mxnet.io/mxnet/data/mnist.zip", dirname="data")
        with zipfile.ZipFile(path) as zf:
            zf.extractall("data")


def get_cifar10():
    """Download CIFAR-10 as RecordIO files into ``data/cifar/`` (from a zip archive) unless they are there."""
    os.makedirs("data", exist_ok=True)
    files = ("train.rec", "test.rec", "train.lst", "test.lst")
    if not all(os.path.exists(os.path.join("data", "cifar", f)) for f in files):
        path = download("http://data.mxnet.io/mxnet/data/cifar10.zip", dirname="data")
        with zipfile.ZipFile(path) as zf:
            zf.extractall("data")


def get_zip_data(data_dir, url, data_origin_name):
    """Download the zip archive ``url`` into ``data_dir`` and extract it there, unless
    ``data_dir/data_origin_name`` exists already."""
    data_origin_name = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(data_origin_name):
        download(url, dirname=data_dir, overwrite=False)
        with zipfile.ZipFile(data_origin_name) as zf:
            zf.extractall(path=data_dir)


def get_bz2_data(data_dir, data_name, url, data_origin_name):
    """Download the bz2 file ``url`` and decompress it to ``data_dir/data_name`` (skipped when that
    exists); the compressed download is removed afterwards.

    As in MXNet, the download path is ``data_dir`` joined twice with ``data_origin_name``, so
    ``data_dir`` should be an absolute path.
    """
    data_name = os.path.join(data_dir, data_name)
    data_origin_name = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(data_name):
        download(url, fname=data_origin_name, dirname=data_dir, overwrite=False)
        with bz2.BZ2File(data_origin_name, "rb") as src, open(data_name, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.remove(data_origin_name)


# -- sparse arrays ----------------------------------------------------------------------------
def shuffle_csr_column_indices(csr):
    """Shuffle each row's column indices (and values with them) of a SciPy CSR matrix in place:
    CSR does not require sorted columns, and tests use this to check that."""
    for r in range(csr.shape[0]):
        lo, hi = csr.indptr[r], csr.indptr[r + 1]
        perm = np.random.permutation(hi - lo)
        csr.indices[lo:hi] = csr.indices[lo:hi][perm]
        csr.data[lo:hi] = csr.data[lo:hi][perm]


def _check_csr_args(rows, cols, density, distribution):
    if not 0 <= density <= 1:
        raise ValueError("density has to be between 0 and 1")
    if rows <= 0 or cols <= 0:
        raise ValueError("num_rows or num_cols should be greater than 0")
    if distribution == "powerlaw" and int(rows * cols * density) < 2 * rows:
        raise ValueError(f"not supported for this density: {density} for this shape ({rows}, {cols}): "
                         "keep num_rows * num_cols * density >= 2 * num_rows")


def _uniform_csr(rows, cols, density, dtype, data_init, shuffle):
    from .ndarray import sparse
    import scipy.sparse as spsp
    _check_csr_args(rows, cols, density, "uniform")
    m = spsp.random(rows, cols, density=density, dtype=dtype, format="csr")
    if data_init is not None:
        m.data.fill(data_init)
    if shuffle:
        shuffle_csr_column_indices(m)
    return sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(rows, cols), dtype=dtype)


def _powerlaw_csr(rows, cols, density, dtype):
    """Row i holds about twice row i-1's values (every row at least one), up to the density."""
    from . import ndarray as nd
    _check_csr_args(rows, cols, density, "powerlaw")
    left = int(rows * cols * density)
    out = np.zeros((rows, cols), dtype=dtype)
    for r in range(rows):
        out[r, 0] = 1 + rnd.uniform(0.001, 2)
        left -= 1
        if left <= 0:
            return nd.array(out).tostype("csr")
    width = 2
    for r in range(rows):
        limit = min(cols, width)
        if limit == cols and left > limit:
            out[r] = 1 + rnd.uniform(0.001, 2)
            left -= limit - 1
            if left <= 0:
                return nd.array(out).tostype("csr")
            continue
        for c in range(1, limit):
            out[r, c] = 1 + rnd.uniform(0.001, 2)
            left -= 1
            if left <= 0:
                return nd.array(out).tostype("csr")
        width *= 2
    if left > 0:
        raise ValueError(f"not supported for this density: {density} for this shape ({rows},{cols})")
    return nd.array(out).tostype("csr")


def rand_sparse_ndarray(shape, stype, density=None, dtype=None, distribution=None, data_init=None,
                        rsp_indices=None, modifier_func=None, shuffle_csr_indices=False, ctx=None):
    """A random sparse NDArray and its parts: ``(arr, (values, indices))`` for row_sparse,
    ``(arr, (indptr, indices, data))`` for csr (distribution 'uniform' or 'powerlaw')."""
    from . import ndarray as nd
    ctx = ctx if ctx else default_context()
    density = rnd.rand() if density is None else density
    dtype = default_dtype() if dtype is None else dtype
    distribution = distribution or "uniform"
    if stype == "row_sparse":
        if distribution != "uniform":
            raise AssertionError(f"Distribution {distribution} not supported for row_sparse")
        if rsp_indices is not None:
            indices = np.asarray(rsp_indices)
            assert len(indices) <= shape[0]
        else:
            indices = np.argwhere(rnd.rand(shape[0]) < density).flatten()
        if indices.shape[0] == 0:
            return (nd.zeros(shape, stype="row_sparse", dtype=dtype, ctx=ctx),
                    (np.array([], dtype=dtype), np.array([])))
        val = rnd.rand(indices.shape[0], *shape[1:]).astype(dtype)
        if data_init is not None:
            val.fill(data_init)
        if modifier_func is not None:
            val = assign_each(val, modifier_func)
        arr = nd.sparse.row_sparse_array((val, indices), shape=shape, dtype=dtype, ctx=ctx)
        return arr, (val, indices)
    if stype == "csr":
        assert len(shape) == 2
        if distribution == "uniform":
            csr = _uniform_csr(shape[0], shape[1], density, dtype, data_init, shuffle_csr_indices)
        elif distribution == "powerlaw":
            csr = _powerlaw_csr(shape[0], shape[1], density, dtype)
        else:
            raise AssertionError(f"Distribution not supported: {distribution}")
        csr = csr.as_in_context(ctx)
        return csr, (csr.indptr, csr.indices, csr.data)
    raise AssertionError("unknown storage type")


def create_sparse_array(shape, stype, data_init=None, rsp_indices=None, dtype=None, modifier_func=None,
                        density=0.5, shuffle_csr_indices=False):
    """A random sparse array (row_sparse indices sorted)."""
    if stype == "row_sparse":
        idx = None if rsp_indices is None else np.sort(np.asarray(rsp_indices))
        return rand_sparse_ndarray(shape, stype, density=density, data_init=data_init, rsp_indices=idx,
                                   dtype=dtype, modifier_func=modifier_func)[0]
    if stype == "csr":
        return rand_sparse_ndarray(shape, stype, density=density, data_init=data_init, dtype=dtype,
                                   modifier_func=modifier_func, shuffle_csr_indices=shuffle_csr_indices)[0]
    raise AssertionError("Unknown storage type: " + stype)


def create_sparse_array_zd(shape, stype, density, data_init=None, rsp_indices=None, dtype=None,
                           modifier_func=None, shuffle_csr_indices=False):
    """A random sparse array whose row_sparse rows are exactly ``rsp_indices``."""
    if stype == "row_sparse":
        density = 0.0
        if rsp_indices is not None:
            assert len(rsp_indices) <= shape[0]
    return create_sparse_array(shape, stype, data_init=data_init, rsp_indices=rsp_indices, dtype=dtype,
                               modifier_func=modifier_func, density=density,
                               shuffle_csr_indices=shuffle_csr_indices)


# -- random generator checks -----------------------------------------------------------
def gen_buckets_probs_with_ppf(ppf, nbuckets):
    """``nbuckets`` equal-probability buckets [(low, high), ...] cut by the inverse CDF ``ppf``,
    and their probabilities."""
    assert nbuckets > 0
    probs = [1.0 / nbuckets] * nbuckets
    buckets = [(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets))) for i in range(nbuckets)]
    return buckets, probs


def mean_check(generator, mu, sigma, nsamples=1000000):
    """True when the mean of ``generator(nsamples)`` lies within mu +- 3 sigma / sqrt(nsamples)."""
    mean = np.array(generator(nsamples)).mean()
    bound = 3 * sigma / np.sqrt(nsamples)
    return bool(mu - bound < mean < mu + bound)


def var_check(generator, sigma, nsamples=1000000):
    """True when the sample variance of ``generator(nsamples)`` is within 3 standard errors of sigma**2."""
    var = np.array(generator(nsamples)).var(ddof=1)
    bound = 3 * np.sqrt(2 * sigma ** 4 / (nsamples - 1))
    return bool(sigma ** 2 - bound < var < sigma ** 2 + bound)


def _chi2_sf(x, dof):
    """P(X > x) for a chi-square variable with ``dof`` degrees of freedom (regularized upper gamma)."""
    a, x = dof / 2.0, x / 2.0
    if x <= 0:
        return 1.0
    log_pref = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:   # series for the lower function converges fast here
        term = total = 1.0 / a
        n = 0
        while abs(term) > abs(total) * 1e-15 and n < 10000:
            n += 1
            term *= x / (a + n)
            total += term
        return max(0.0, 1.0 - math.exp(log_pref) * total)
    # Lentz's continued fraction for the upper function
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return math.exp(log_pref) * h


def chi_square_check(generator, buckets, probs, nsamples=1000000):
    """Pearson chi-square test of ``generator(nsamples)`` against bucket probabilities.

    ``buckets`` holds (low, high) ranges for a continuous distribution or the values of a
    discrete one.  Returns (p-value, observed counts, expected counts).
    """
    expected = (nsamples * np.array(probs)).astype(np.int64)
    samples = generator(nsamples)
    assert len(samples) == nsamples, f"Total number of generated samples is not equal to the given " \
                                     f"number of samples! Generated {len(samples)} vs {nsamples}"
    samples = np.asarray(_as_np(samples)).reshape(-1)
    if isinstance(buckets[0], (list, tuple)):
        edges = np.array(buckets, dtype=np.float32).reshape(-1)
        lo, hi = (int(samples.min()), int(samples.max())) if samples.size else (0, 0)
        if samples.dtype.kind in "iu" and hi - lo < 4 * samples.size:
            # integer samples: locate each distinct value once and weight it by its count
            # (the same buckets as locating every sample, at a fraction of the time)
            counts = np.bincount((samples - lo).astype(np.int64))
            ids = np.searchsorted(edges, np.arange(lo, hi + 1), side="right") // 2
            observed = np.bincount(ids, weights=counts, minlength=len(buckets) + 1)[:len(buckets)]
        else:
            # [low_i, high_i) maps to 2i + 1 under searchsorted(side='right'); halving gives i
            ids = np.searchsorted(edges, samples, side="right") // 2
            observed = np.bincount(ids, minlength=len(buckets) + 1)[:len(buckets)]
    else:
        values = np.asarray(buckets)
        observed = (samples.reshape(-1, 1) == values.reshape(1, -1)).sum(axis=0)
    observed = observed.astype(np.int64)
    stat = float((((observed - expected) ** 2) / expected).sum())
    return _chi2_sf(stat, len(buckets) - 1), observed, expected


def verify_generator(generator, buckets, probs, nsamples=1000000, nrepeat=5, success_rate=0.2, alpha=0.05):
    """Run ``chi_square_check`` ``nrepeat`` times; raise AssertionError unless at least
    ``success_rate`` of the p-values exceed ``alpha``.  Returns the p-values."""
    results = [chi_square_check(generator, buckets, probs, nsamples) for _ in range(nrepeat)]
    pvals = [r[0] for r in results]
    if (np.array(pvals) > alpha).sum() < nrepeat * success_rate:
        raise AssertionError(f"Generator test fails, Chi-square p={pvals}, obs_freq={[r[1] for r in results]}, "
                             f"expected_freq={[r[2] for r in results]}.\nbuckets={buckets}, probs={probs}")
    return pvals


# -- matrices with known spectra -------------------------------------------------------
def new_orthonormal_matrix_2d(n):
    """A random n x n orthonormal matrix (Q of a QR factorisation)."""
    q, _ = np.linalg.qr(rnd.uniform(-1.0, 1.0, (n, n)))
    return q


def new_matrix_with_real_eigvals_2d(n):
    """A random well-conditioned n x n matrix P^-1 D P with real eigenvalues in [-10, 10)."""
    while True:
        p = rnd.uniform(-1.0, 1.0, (n, n))
        if np.linalg.cond(p) < 10:
            break
    d = np.diag(rnd.uniform(-10.0, 10.0, n))
    return np.linalg.inv(p) @ d @ p


def new_matrix_with_real_eigvals_nd(shape):
    """A stack (leading dims of ``shape``) of square matrices with real eigenvalues."""
    n = int(np.prod(shape[:-2]))
    return np.array([new_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(n)]).reshape(shape)


def new_sym_matrix_with_real_eigvals_2d(n):
    """A random symmetric n x n matrix Q^T D Q with eigenvalues in [-10, 10)."""
    q = new_orthonormal_matrix_2d(n)
    d = np.diag(rnd.uniform(-10.0, 10.0, n))
    return q.T @ d @ q


def new_sym_matrix_with_real_eigvals_nd(shape):
    """A stack (leading dims of ``shape``) of symmetric matrices."""
    n = int(np.prod(shape[:-2]))
    return np.array([new_sym_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(n)]).reshape(shape)


class DummyIter(DataIter):
    """An endless iterator that returns the first batch of ``real_iter`` every time (speed tests)."""

    def __init__(self, real_iter):
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(iter(real_iter))

    def __iter__(self):
        return self

    def next(self):
        return self.the_batch

    def __next__(self):   # DataIter binds __next__ to its own next; route it to ours
        return self.next()

