"""Helpers that MXNet's own tests and tests written for MXNet import."""
import numpy as np

_RTOL = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5}
_ATOL = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20}


def _as_np(a):
    from .ndarray.ndarray import NDArray
    if isinstance(a, NDArray):
        return a.asnumpy()
    return np.asarray(a)


def _tol(table, a, b, given):
    if given is not None:
        return given
    vals = [table.get(np.dtype(x.dtype), 0.0) for x in (a, b)]
    return max(vals)


def get_tolerance(dat, tol, default_tol):
    """Tolerance for an array: ``tol`` when given, else the per-dtype default."""
    if tol is not None:
        return tol
    return default_tol.get(np.dtype(_as_np(dat).dtype), 0.0) if isinstance(default_tol, dict) else default_tol


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True):
    """True when |a - b| <= atol + rtol * |b| everywhere."""
    a, b = _as_np(a), _as_np(b)
    rtol, atol = _tol(_RTOL, a, b, rtol), _tol(_ATOL, a, b, atol)
    if not use_broadcast and a.shape != b.shape:
        return False
    return bool(np.allclose(a.astype(np.float64) if a.dtype.kind != "b" else a,
                            b.astype(np.float64) if b.dtype.kind != "b" else b,
                            rtol=rtol, atol=atol, equal_nan=equal_nan))


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False,
                        use_broadcast=True, mismatches=(10, 10)):
    """Raise AssertionError naming the worst mismatches unless a and b are close."""
    a, b = _as_np(a), _as_np(b)
    if not use_broadcast and a.shape != b.shape:
        raise AssertionError(f"shapes differ: {names[0]} {a.shape} vs {names[1]} {b.shape}")
    rtol, atol = _tol(_RTOL, a, b, rtol), _tol(_ATOL, a, b, atol)
    af = a.astype(np.float64) if a.dtype.kind != "b" else a.astype(np.float64)
    bf = b.astype(np.float64) if b.dtype.kind != "b" else b.astype(np.float64)
    try:
        af, bf = np.broadcast_arrays(af, bf)
    except ValueError:
        raise AssertionError(f"shapes differ: {names[0]} {a.shape} vs {names[1]} {b.shape}") from None
    close = np.isclose(af, bf, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    bad = np.argwhere(~close)
    err = np.abs(af - bf) / (atol + rtol * np.abs(bf))
    err = np.where(np.isnan(err), np.inf, err)
    worst = np.unravel_index(np.argmax(err), err.shape) if err.size else ()
    lines = [f"Items are not equal (rtol={rtol}, atol={atol}): {len(bad)} of {af.size} mismatch; "
             f"worst at {tuple(int(i) for i in worst)}: {names[0]}={af[worst]!r} {names[1]}={bf[worst]!r}"]
    for idx in bad[: mismatches[0]]:
        idx = tuple(int(i) for i in idx)
        lines.append(f"  {idx}: {names[0]}={af[idx]!r} {names[1]}={bf[idx]!r}")
    raise AssertionError("\n".join(lines))


def same(a, b):
    """True when a and b are exactly equal (NaNs in the same places count as equal)."""
    a, b = _as_np(a), _as_np(b)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def assert_exception(f, exception_type, *args, **kwargs):
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")

