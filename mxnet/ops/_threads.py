"""How many threads one process computes with: the C kernels' pool, OpenBLAS and OpenCV, sized
together so that several processes on one machine (serving workers, DataLoader workers, MPI
ranks) share its cores instead of each taking all of them.

- ``default_threads()``: ``$MXNEXT_THREADS``, else as many as OpenBLAS runs (it reads
  ``$OPENBLAS_NUM_THREADS``, else ``$OMP_NUM_THREADS``, what MXNet's operators use), else
  ``$OMP_NUM_THREADS``; never more than the CPUs this process may run on (its affinity mask, as
  ``taskset`` or a container's cpuset set it).
- ``set_num_threads(n)``: the kernels, OpenBLAS and (when loaded) OpenCV to ``n`` threads.
- A process forked from this one (a DataLoader worker, a ``multiprocessing`` fork) starts
  single-threaded, as MXNet makes its forked children: ``OMP_NUM_THREADS`` and
  ``MXNET_CPU_WORKER_NTHREADS`` become 1 in it and every pool above runs one thread.

``MXNET_CPU_WORKER_NTHREADS`` (MXNet's count of operators run at the same time) has nothing to
size here: mxnext runs one operator at a time.
"""
import ctypes
import glob
import os
import sys

import numpy as np


def cpu_count():
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _env_int(name):
    try:
        return max(1, int(os.environ[name]))
    except (KeyError, ValueError):
        return None


_BLAS = None


def openblas():
    """NumPy's OpenBLAS (found among the loaded libraries, or in NumPy's wheel, as threadpoolctl
    finds it) and its ``get_num_threads`` function, or (None, None); looked up once."""
    global _BLAS
    if _BLAS is None:
        _BLAS = _find_openblas()
    return _BLAS


def _find_openblas():
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            paths.update(line.split()[-1] for line in f if "openblas" in line and "/" in line)
    except OSError:
        pass
    base = os.path.dirname(os.path.dirname(np.__file__))
    for sub in ("numpy.libs", os.path.join("numpy", ".dylibs")):
        paths.update(glob.glob(os.path.join(base, sub, "*openblas*")))
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("openblas", "scipy_openblas"):
            for suffix in ("", "64_", "_64_"):
                fn = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if fn is not None:
                    fn.restype = ctypes.c_int
                    lib.mxnext_set_threads = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                    return lib, fn
    return None, None


def default_threads(blas_threads=None):
    """The process's thread count (see the module docstring); ``blas_threads``: OpenBLAS's."""
    n = _env_int("MXNEXT_THREADS") or blas_threads or _env_int("OMP_NUM_THREADS") or 1
    return min(n, cpu_count())


def set_num_threads(n):
    """Run the C kernels, OpenBLAS and OpenCV (if imported) on ``n`` threads each."""
    n = max(1, int(n))
    for name in ("mxnet.ops._native", "mxnet.ops._native_conv"):
        mod = sys.modules.get(name)
        if mod is not None and hasattr(mod, "THREADS"):
            mod.THREADS = n
    lib, _ = openblas()
    if lib is not None and lib.mxnext_set_threads is not None:
        lib.mxnext_set_threads(n)
    cv2 = sys.modules.get("cv2")
    if cv2 is not None and hasattr(cv2, "setNumThreads"):
        cv2.setNumThreads(n)


def _single_threaded_child():
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MXNET_CPU_WORKER_NTHREADS"] = "1"
    set_num_threads(1)


if hasattr(os, "register_at_fork"):
    # OpenBLAS is looked up in the parent: a child forked from a threaded process should not
    # dlopen (another thread may have held the loader's lock at the fork)
    os.register_at_fork(before=openblas, after_in_child=_single_threaded_child)
