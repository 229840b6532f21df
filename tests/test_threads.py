"""Thread counts of one process (``mxnet.ops._threads``): chosen from MXNEXT_THREADS /
OMP_NUM_THREADS / OpenBLAS within the CPUs the process may use, and a forked DataLoader worker
runs single-threaded, as MXNet's forked children do."""
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.gluon.data import DataLoader, Dataset
from mxnet.ops import _threads


def test_default_threads_follow_the_environment(monkeypatch):
    monkeypatch.delenv("MXNEXT_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cpus = _threads.cpu_count()
    assert _threads.default_threads(None) == 1
    assert _threads.default_threads(64) == cpus  # never more than the CPUs this process has
    assert _threads.default_threads(1) == 1  # as many as OpenBLAS runs
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert _threads.default_threads(None) == 1  # no OpenBLAS: OMP_NUM_THREADS
    monkeypatch.setenv("OMP_NUM_THREADS", "64")
    assert _threads.default_threads(None) == cpus
    monkeypatch.setenv("MXNEXT_THREADS", "1")
    assert _threads.default_threads(64) == 1  # MXNEXT_THREADS wins
    monkeypatch.setenv("MXNEXT_THREADS", "not a number")
    assert _threads.default_threads(1) == 1


class _Counts(Dataset):
    """Each item: the thread counts the process computing it sees."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        from mxnet.ops import _native  # imported by the parent: nothing to build here
        lib, get_threads = _threads.openblas()
        blas = get_threads() if get_threads is not None else 1
        return np.array([_native.THREADS, blas, int(os.environ.get("OMP_NUM_THREADS", "0")),
                         int(os.environ.get("MXNET_CPU_WORKER_NTHREADS", "0"))], np.int64)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers only")
def test_dataloader_workers_run_single_threaded():
    from mxnet.ops import _native  # noqa: F401 - loaded (or built) before the workers fork
    parent_env = os.environ.get("OMP_NUM_THREADS")
    for batch in DataLoader(_Counts(), batch_size=1, num_workers=2):
        assert batch.asnumpy().tolist() == [[1, 1, 1, 1]]
    assert os.environ.get("OMP_NUM_THREADS") == parent_env  # the parent keeps its own


def test_set_num_threads_sizes_kernels_and_blas():
    import sys
    from mxnet.ops import _native, _native_conv
    lib, get_threads = _threads.openblas()
    cv2 = sys.modules.get("cv2")
    before = (_native.THREADS, _native_conv.THREADS, get_threads() if get_threads else None,
              cv2.getNumThreads() if cv2 else None)
    try:
        _threads.set_num_threads(1)
        assert _native.THREADS == 1 and _native_conv.THREADS == 1
        if get_threads is not None:
            assert get_threads() == 1
        if cv2 is not None:
            assert cv2.getNumThreads() == 1
        x = mx.nd.array(np.arange(12, dtype=np.float32).reshape(3, 4))
        assert (mx.nd.dot(x, x.T).asnumpy() == x.asnumpy() @ x.asnumpy().T).all()
    finally:
        _native.THREADS, _native_conv.THREADS = before[:2]
        if before[2] is not None and lib.mxnext_set_threads is not None:
            lib.mxnext_set_threads(before[2])
        if cv2 is not None:
            cv2.setNumThreads(before[3])
