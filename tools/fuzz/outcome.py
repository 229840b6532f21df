"""What a fuzz case may end in, and how its outcome is judged.

Acceptable outcomes:

* ``ok``: a result (for operators, the same result with the C kernels on and off);
* ``error``: an ``MXNetError`` whose message names the operator (any of its names) or the file;
* ``slow``: past the time limit in a batch, but within it when run again alone (a loaded machine).

``MXNetError`` is the one exception type allowed, because it is what MXNet 1.9.1 raises for every
failure behind its C API: every operator call through ``mx.nd`` and every reader of ``.params``
files, symbol JSON and RecordIO files.  The one exception: a ``TypeError`` Python raises because a
call does not match the function's signature (two values for one argument, too many positional
arguments), which MXNet's Python front ends raise alike.  A ``ValueError``, ``KeyError``, ``IndexError``,
``struct.error`` or a third-party library's exception escaping is a defect here even where it
would be harmless, because code written for MXNet catches ``MXNetError``.

Bad outcomes (the runner fills in the first three, the child the rest):

* ``signal``: the child died of a signal (segfault, SIGFPE, abort);
* ``exit``: the child exited without reporting the case (``os._exit``, a C ``exit()``);
* ``hang``: the case ran past the wall-clock limit (10 s by default);
* ``memory``: the case tried to go past the address-space limit (2 GB above the child's size
  after importing mxnet): a ``MemoryError`` anywhere in the exception's chain;
* ``exc-type``: an exception other than ``MXNetError`` (``RecursionError`` included);
* ``unnamed``: an ``MXNetError`` whose message names neither the operator nor the file;
* ``mismatch``: the C kernels and the NumPy paths disagree (one fails and the other does not, or
  shapes, dtypes or values differ beyond float rounding; NaN must meet NaN and inf the same inf).
"""
import re

import numpy as np

GOOD = ("ok", "error", "slow")
BAD = ("signal", "exit", "hang", "memory", "exc-type", "unnamed", "mismatch")


def _chain(e):
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


_SIGNATURE = re.compile(r"(missing \d+ required (positional|keyword-only) argument|"
                        r"got multiple values for argument|takes \d+ positional arguments? but|"
                        r"got an unexpected keyword argument)")


def classify(exc, names=()):
    """``(kind, detail)`` for an exception raised by a case; ``names`` are the strings (operator
    names, a file name) of which the message must contain one."""
    from mxnet.base import MXNetError
    msg = str(exc)
    detail = f"{type(exc).__name__}: {msg[:300]}"
    for e in _chain(exc):
        if isinstance(e, MemoryError) or "Unable to allocate" in str(e):
            return "memory", detail
    if type(exc) is TypeError and _SIGNATURE.search(msg):
        return "error", detail
    if not isinstance(exc, MXNetError):
        return "exc-type", detail
    if names and not any(n in msg for n in names):
        return "unnamed", detail
    return "error", detail


def _tolerance(dtype):
    if dtype == np.float16:
        return 2e-3
    if dtype == np.float32:
        return 2e-5
    return 1e-9


def compare(a, b):
    """None when two lists of NumPy arrays agree (NaN-aware, with a float-rounding tolerance),
    else a line saying where they differ."""
    if len(a) != len(b):
        return f"{len(a)} outputs vs {len(b)}"
    for k, (x, y) in enumerate(zip(a, b)):
        if x is None or y is None:
            if (x is None) != (y is None):
                return f"output {k}: {type(x).__name__} vs {type(y).__name__}"
            continue
        if x.shape != y.shape or x.dtype != y.dtype:
            return f"output {k}: {x.shape} {x.dtype} vs {y.shape} {y.dtype}"
        if x.dtype.kind not in "fc":
            if not np.array_equal(x, y):
                return f"output {k}: {np.count_nonzero(x != y)} of {x.size} values differ"
            continue
        xn, yn = np.isnan(x), np.isnan(y)
        if not np.array_equal(xn, yn):
            return f"output {k}: NaN at {np.count_nonzero(xn)} vs {np.count_nonzero(yn)} places"
        xi, yi = np.isinf(x), np.isinf(y)
        if not np.array_equal(xi, yi) or not np.array_equal(x[xi], y[yi]):
            return f"output {k}: inf at {np.count_nonzero(xi)} vs {np.count_nonzero(yi)} places"
        fin = ~(xn | xi)
        xf, yf = x[fin].astype(np.float64), y[fin].astype(np.float64)
        if xf.size:
            scale = max(1.0, float(np.max(np.abs(xf))))
            tol = _tolerance(x.dtype)
            err = np.abs(xf - yf)
            if np.any(err > tol * scale + tol * np.abs(xf) * 10):
                i = int(np.argmax(err))
                return f"output {k}: values differ, largest {xf[i]!r} vs {yf[i]!r}"
    return None


def judge_pair(got, first="C kernels", second="NumPy", same=compare):
    """The outcome of a case run two ways (``got``: the two ``(kind, value)`` results): the first
    bad kind, a mismatch where the ways disagree (``same`` compares two results: None, or where
    they differ), else ok or the error both raised."""
    for k, v in got:
        if k not in ("ok", "error"):
            return k, v
    (k1, v1), (k2, v2) = got
    if k1 != k2:
        return "mismatch", f"{first}: {k1} {v1 if k1 != 'ok' else ''}; {second}: {k2} " \
                           f"{v2 if k2 != 'ok' else ''}"
    if k1 == "ok":
        d = same(v1, v2)
        return ("mismatch", d) if d is not None else ("ok", "")
    return "error", v1

