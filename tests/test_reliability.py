"""Regressions for crashes, hangs and silent wrong answers on hostile input (issue 16)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd
from mxnet.base import MXNetError

from kernels_off import numpy_path


def _conv_empty_batch():
    x = mx.nd.array(np.zeros((0, 16, 16, 16), np.float32))
    w = mx.nd.ones((16, 16, 3, 3))
    b = mx.nd.ones((16,))
    for a in (x, w, b):
        a.attach_grad()
    with autograd.record():
        y = mx.nd.Convolution(x, w, b, kernel=(3, 3), pad=(1, 1), num_filter=16)
    y.backward()
    return y.shape, x.grad.shape, w.grad.asnumpy(), b.grad.asnumpy()


def test_convolution_empty_batch_gradients():
    # the direct C weight gradient divided by the batch size (SIGFPE)
    for run in (_conv_empty_batch, lambda: numpy_path(_conv_empty_batch)):
        yshape, xgshape, wg, bg = run()
        assert yshape == (0, 16, 16, 16) and xgshape == (0, 16, 16, 16)
        assert wg.shape == (16, 16, 3, 3) and not wg.any()
        assert bg.shape == (16,) and not bg.any()


def test_diag_offset_checked():
    with pytest.raises(MXNetError, match="diag.*k"):
        mx.nd.diag(mx.nd.ones((3, 3)), k=-2**31)       # segfaulted inside NumPy
    with pytest.raises(MXNetError, match="diag.*k"):
        mx.nd.diag(mx.nd.ones((3, 3)), k=-2**31 + 1)
    with pytest.raises(MXNetError, match="k expect int"):
        mx.nd.diag(mx.nd.ones((3,)), k=2**31)
    with pytest.raises(MXNetError, match="diag"):
        mx.nd.diag(mx.nd.ones((3,)), k=-2**31 + 1)     # a 2**31-square output
    assert mx.nd.diag(mx.nd.ones((3, 4)), k=3).shape == (1,)
    assert mx.nd.diag(mx.nd.ones((3,)), k=-2).shape == (5, 5)


def test_huge_arguments_refused_before_allocating():
    idx = mx.nd.array([0, 1])
    with pytest.raises(MXNetError, match="depth expect int"):
        mx.nd.one_hot(idx, depth=2**31)
    with pytest.raises(MXNetError, match="one_hot.*depth"):
        mx.nd.one_hot(idx, depth=-1)
    with pytest.raises(MXNetError, match="one_hot"):
        mx.nd.one_hot(idx, depth=2**30)
    assert mx.nd.one_hot(idx, depth=0).shape == (2, 0)
    v = mx.nd.ones((3,))
    with pytest.raises(MXNetError, match="offset expect int"):
        mx.nd.linalg.maketrian(v, offset=2**31)
    with pytest.raises(MXNetError, match="_linalg_maketrian"):
        mx.nd.linalg.maketrian(v, offset=2**30)
    assert mx.nd.linalg.maketrian(v, offset=1).shape == (3, 3)


_STUCK_LOADER = """
import time, multiprocessing
import mxnet as mx
from mxnet import gluon

class Stuck(gluon.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        while i == 3:
            time.sleep(1)
        return mx.nd.ones((2,)) * i

loader = gluon.data.DataLoader(Stuck(), batch_size=2, num_workers=2, thread_pool=True, timeout=2)
got = []
try:
    for b in loader:
        got.append(b.shape)
except multiprocessing.TimeoutError:
    print("timeout", got)
"""


def test_thread_dataloader_timeout_does_not_hang():
    # the error path joined the stuck worker thread, and so did interpreter exit
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-c", _STUCK_LOADER], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "timeout [(2, 2)]"


@pytest.mark.parametrize("name,kwargs", [("sgd", {}), ("sgd", {"momentum": 0.9}), ("adam", {}),
                                         ("nag", {"momentum": 0.9}), ("rmsprop", {}),
                                         ("lamb", {}), ("signum", {})])
def test_optimizer_refuses_broadcast_gradient(name, kwargs):
    # the in-place SGD / Adam paths broadcast a (1,) gradient onto a (10,) weight
    opt = mx.optimizer.create(name, learning_rate=0.1, **kwargs)
    w = mx.nd.ones((10,))
    state = opt.create_state(0, w)
    with pytest.raises(MXNetError, match="shape of 'grad' \\(1,\\)"):
        opt.update(0, w, mx.nd.ones((1,)), state)
    assert (w.asnumpy() == 1).all()
    if kwargs.get("momentum"):
        with pytest.raises(MXNetError, match="shape of 'state' \\(1,\\)"):
            opt.update(0, w, mx.nd.ones((10,)), mx.nd.zeros((1,)))
