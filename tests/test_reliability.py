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

loader = gluon.data.DataLoader(Stuck(), batch_size=2, num_workers=2, thread_pool=THREADS, timeout=2)
got = []
try:
    for b in loader:
        got.append(b.shape)
except multiprocessing.TimeoutError:
    print("timeout", got)
"""


@pytest.mark.parametrize("threads", [True, False])
def test_dataloader_timeout_does_not_hang(threads):
    # the error path joined the stuck worker thread, and so did interpreter exit
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-c", f"THREADS = {threads}\n" + _STUCK_LOADER],
                       capture_output=True, text=True, timeout=60)
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


def _max_pool(a, nd_, **kw):
    x = mx.nd.array(a)
    x.attach_grad()
    with autograd.record():
        y = mx.nd.Pooling(x, kernel=(2,) * nd_, stride=(2,) * nd_, pool_type="max", **kw)
    y.backward()
    return y.asnumpy(), x.grad.asnumpy()


LOW = float(np.finfo(np.float32).min)


@pytest.mark.parametrize("nd_", [1, 2, 3])
@pytest.mark.parametrize("jit", [True, False])
def test_max_pool_nan_as_mxnet(nd_, jit):
    # MXNet's max starts from the lowest float and takes only greater elements: NaN and -inf are
    # skipped, a window of nothing else gives that lowest value with the gradient on its first
    # element (the C kernel gave NaN on the last, the NumPy paths NaN or -inf)
    run = _max_pool if jit else (lambda *a, **k: numpy_path(_max_pool, *a, **k))
    y, g = run(np.full((1, 1) + (2,) * nd_, np.nan, np.float32), nd_)
    assert y.ravel().tolist() == [LOW]
    assert g.ravel().tolist() == [1.0] + [0.0] * (2 ** nd_ - 1)
    y, g = run(np.full((1, 1) + (2,) * nd_, np.nan, np.float32), nd_, global_pool=True)
    assert y.ravel().tolist() == [LOW] and g.ravel()[0] == 1
    a = np.array([np.nan, -np.inf, 1, np.nan, np.nan, 5, 2, np.nan], np.float32)
    y, g = run(a.reshape((1, 1) + ((8,) if nd_ == 1 else (2,) * nd_ if nd_ == 3 else (2, 4))),
               nd_)
    want = {1: [LOW, 1, 5, 2], 2: [5, 2], 3: [5]}[nd_]
    assert y.ravel().tolist() == want
    # a NaN first in a padded window no longer hides the rest (the NumPy path gave NaN)
    row = np.array([np.nan] + list(range(1, 16)), np.float32)
    x = mx.nd.array(np.tile(row, (1, 1, 16, 1)))
    pool = (lambda: mx.nd.Pooling(x, kernel=(3, 3), pad=(1, 1), pool_type="max").asnumpy())
    out = pool() if jit else numpy_path(pool)
    assert not np.isnan(out).any() and out[0, 0, 1, :3].tolist() == [1, 2, 3]


@pytest.mark.parametrize("fn", [lambda a, b, n: mx.nd.concat(a, b, dim=0, num_args=n),
                                lambda a, b, n: mx.nd.add_n(a, b, num_args=n),
                                lambda a, b, n: mx.nd.stack(a, b, num_args=n)])
def test_num_args_checked_against_inputs(fn):
    a, b = mx.nd.ones((2, 3)), mx.nd.ones((2, 3))
    with pytest.raises(MXNetError, match="num_args"):
        fn(a, b, -1)
    with pytest.raises(MXNetError, match="expects 3 inputs"):
        fn(a, b, 3)
    with pytest.raises(MXNetError, match="expects 1 inputs"):
        fn(a, b, 1)
    assert fn(a, b, 2).size in (6, 12)


def test_arguments_mxnet_rejects():
    x = mx.nd.ones((2, 3))
    with pytest.raises(MXNetError, match="Dropout.*axes"):
        mx.nd.Dropout(x, p=0.5, axes=(5,))            # in inference too
    with pytest.raises(MXNetError, match="moments.*duplicates"):
        mx.nd.moments(x, axes=(0, 0))
    with pytest.raises(MXNetError, match="moments.*duplicates"):
        mx.nd.moments(x, axes=(1, -1))
    seq, lens = mx.nd.ones((4, 2, 3)), mx.nd.array([1, 2])
    for op in (mx.nd.SequenceMask, mx.nd.SequenceLast, mx.nd.SequenceReverse):
        with pytest.raises(MXNetError, match="Sequence.*use_sequence_length=False"):
            op(seq, lens, use_sequence_length=False)
    assert mx.nd.SequenceLast(seq, lens, use_sequence_length=True).shape == (2, 3)


def test_save_removes_temporaries_of_killed_saves(tmp_path):
    import os
    import subprocess
    import sys
    target = tmp_path / "w.params"
    # a save killed mid-write leaves its temporary (named after the saving process's pid)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = int(child.stdout)
    stale = tmp_path / f".w.params.{dead}.0badc0de.tmp"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".w.params.{os.getppid()}.feedbeef.tmp"   # a save in progress elsewhere
    live.write_bytes(b"y")
    other = tmp_path / f".x.params.{dead}.0badc0de.tmp"          # another target's
    other.write_bytes(b"z")
    mx.nd.save(str(target), {"a": mx.nd.ones((2,))})
    assert not stale.exists() and live.exists() and other.exists()
    assert mx.nd.load(str(target))["a"].asnumpy().tolist() == [1, 1]


def _graph():
    return {"nodes": [{"op": "null", "name": "x", "inputs": []},
                      {"op": "null", "name": "w", "inputs": []},
                      {"op": "FullyConnected", "name": "fc", "inputs": [[0, 0, 0], [1, 0, 0]],
                       "attrs": {"num_hidden": "3", "no_bias": "True", "__lr_mult__": "2"}}],
            "arg_nodes": [0, 1], "node_row_ptr": [0, 1, 2, 3], "heads": [[2, 0, 0]]}


def _corrupt(path, value):
    import json
    g = _graph()
    *keys, last = path
    d = g
    for k in keys:
        d = d[k]
    if value is KeyError:
        del d[last]
    else:
        d[last] = value
    return json.dumps(g)


@pytest.mark.parametrize("path,value,match", [
    (("nodes", 0), 1, "node 0 must be an object"),
    (("nodes", 2, "inputs", 0), [-1, 0, 0], "node index -1"),      # silently rewired before
    (("heads", 0), [-1, 0, 0], "node index -1"),
    (("heads", 0), [2, -1, 0], "output index -1"),
    (("heads", 0), [2, 5, 0], "output index 5"),
    (("nodes", 2, "inputs", 0), [0, 3, 0], "output index 3"),
    (("nodes", 2, "inputs", 0), [2, 0, 0], "node index 2"),        # not an earlier node
    (("nodes", 2, "inputs", 0), [True, 0, 0], "integers"),
    (("nodes", 2, "attrs", "dilaTe"), "(1,1)", "Cannot find argument 'dilaTe'"),
    (("nodes", 2, "op"), KeyError, 'no "op"'),                      # read as a variable before
    (("nodes", 2, "inputs"), "ab", '"inputs" must be a list'),
    (("nodes", 2, "attrs"), [1], '"attrs" must be an object'),
    (("heads",), 5, "must be lists"),
])
def test_malformed_symbol_json(path, value, match):
    with pytest.raises(MXNetError, match=match):
        mx.sym.load_json(_corrupt(path, value))


def test_symbol_json_still_loads():
    import json
    s = mx.sym.load_json(json.dumps(_graph()))
    assert s.list_arguments() == ["x", "w"] and s.attr_dict()["fc"]["__lr_mult__"] == "2"
    with pytest.raises(MXNetError, match="load_json"):
        mx.sym.load_json("[1, 2]")
    leaf = '{"nodes": [{"op": "null", "name": "x", "inputs": []}], "heads": [[0, 0, 0]]}'
    head = '{"nodes": [{"op": "_foreach", "name": "f", "inputs": [], "subgraphs": ['
    tail = ']}], "heads": [[0, 0, 0]]}'
    for depth in (400, 100000):   # subgraphs nested past the recursion limit, then past json's
        with pytest.raises(MXNetError, match="nested too deeply"):
            mx.sym.load_json(head * depth + leaf + tail * depth)


def test_recordio_negative_offset_and_corrupt_image(tmp_path):
    pytest.importorskip("PIL")
    from mxnet import recordio
    rec, idx = str(tmp_path / "d.rec"), str(tmp_path / "d.idx")
    w = recordio.MXIndexedRecordIO(idx, rec, "w")
    img = np.zeros((4, 5, 3), np.uint8)
    w.write_idx(0, recordio.pack_img(recordio.IRHeader(0, 1.0, 0, 0), img, img_fmt=".png"))
    w.write_idx(1, recordio.pack(recordio.IRHeader(0, 2.0, 1, 0), b"\x89PNG\r\n\x1a\nbroken"))
    w.close()
    r = recordio.MXIndexedRecordIO(idx, rec, "r")
    assert recordio.unpack_img(r.read_idx(0))[1].shape == (4, 5, 3)
    with pytest.raises(MXNetError, match="unpack_img"):
        recordio.unpack_img(r.read_idx(1))      # was Pillow's UnidentifiedImageError
    r.close()
    with open(idx, "w") as f:
        f.write("0\t-8\n")
    with pytest.raises(MXNetError, match="negative record offset"):
        recordio.MXIndexedRecordIO(idx, rec, "r")
    with open(idx, "w") as f:
        f.write("0\tx\n")
    with pytest.raises(MXNetError, match="line 1"):
        recordio.MXIndexedRecordIO(idx, rec, "r")


def test_softmax_output_rank3_normalises_each_sample():
    # without multi_output MXNet softmaxes each flattened sample (goldens from MXNet 1.9.1)
    x = mx.nd.array(np.arange(24).reshape(2, 3, 4) / 10.)
    x.attach_grad()
    with autograd.record():
        y = mx.nd.SoftmaxOutput(x, mx.nd.array([[0, 1, 2], [3, 0, 1]]))
    y.backward()
    np.testing.assert_allclose(y.asnumpy().sum(axis=(1, 2)), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(y.asnumpy()[0, 0], [0.04533, 0.05009741, 0.05536619, 0.0611891],
                               rtol=1e-5)
    np.testing.assert_allclose(x.grad.asnumpy()[0, 0], [-0.95467, 0.05009741, 0.05536619, 0.0611891],
                               rtol=1e-5)


def _bn_special(v):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 8, 16, 16)).astype(np.float32)
    a.flat[0], a.flat[1] = v, 3e38
    x = mx.nd.array(a)
    x.attach_grad()
    mm, mv = mx.nd.zeros(8), mx.nd.ones(8)
    with np.errstate(all="ignore"), autograd.record():   # inf - inf on the NumPy path
        y = mx.nd.BatchNorm(x, mx.nd.ones(8), mx.nd.zeros(8), mm, mv, fix_gamma=False)
    with np.errstate(all="ignore"):
        y.backward()
    return y.asnumpy(), x.grad.asnumpy(), mm.asnumpy(), mv.asnumpy()


@pytest.mark.parametrize("v", [3e38, np.inf])
def test_batchnorm_overflow_same_on_both_paths(v):
    # MXNet sums in float32: a channel whose sum overflows has an infinite mean, so its outputs
    # and gradients are NaN and its moving variance inf (NaN with an inf input); the C kernels
    # (float64 sums) gave finite values
    for y, g, mm, mv in (_bn_special(v), numpy_path(_bn_special, v)):
        assert np.isnan(y[:, 0]).all() and np.isfinite(y[:, 1:]).all()
        assert np.isnan(g[:, 0]).all() and np.isfinite(g[:, 1:]).all()
        assert mm[0] == np.inf and np.isfinite(mm[1:]).all()
        assert (np.isinf(mv[0]) if v == 3e38 else np.isnan(mv[0])) and np.isfinite(mv[1:]).all()


def test_np_diagonals_huge_offset():
    # NumPy's diagonal() segfaulted on offsets near -2**31; MXNet gives the empty diagonal
    a = mx.np.ones((3, 3))
    assert mx.np.diag(a, k=-2**31).shape == (0,)
    assert mx.np.diagonal(a, offset=-2**31).shape == (0,)
    assert float(mx.np.trace(a, offset=-2**31)) == 0
    assert mx.np.diagonal(mx.np.ones((2, 3, 4)), offset=-1, axis1=1, axis2=2).shape == (2, 2)
    with pytest.raises(MXNetError, match="_np_diagflat"):
        mx.np.diagflat(mx.np.ones((3,)), k=-2**31 + 1)
