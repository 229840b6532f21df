"""mx.kv: the local/device stores (values checked against MXNet 1.9.1) and the MPI store."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError


def _np(x):
    return x.asnumpy()


def test_create_types():
    kv = mx.kv.create()
    assert (kv.type, kv.rank, kv.num_workers) == ("local", 0, 1)
    for t in ("device", "nccl", "local_allreduce_cpu", "local_update_cpu", "foo"):
        assert mx.kv.create(t).type == t
    assert kv.is_capable("optimizer") and kv.is_capable(mx.kv.KVStoreBase.OPTIMIZER)
    with pytest.raises(ValueError):
        kv.is_capable("foo")
    with pytest.raises(TypeError):
        mx.kv.create(3)
    t = mx.kv.create("teststore")
    assert t.type == "teststore" and not t.is_capable("optimizer")
    out = [mx.nd.zeros(2), mx.nd.zeros(2)]
    t.pushpull("a", [mx.nd.ones(2), mx.nd.ones(2) * 2], out=out)
    assert _np(out[1]).tolist() == [3, 3]


def test_init_push_pull_sums_devices():
    kv = mx.kv.create("local")
    kv.init(3, mx.nd.ones((2, 3)))
    a = mx.nd.zeros((2, 3))
    kv.pull(3, out=a)
    assert np.all(_np(a) == 1)
    kv.push(3, [mx.nd.ones((2, 3)) * 2, mx.nd.ones((2, 3)) * 3])
    kv.pull(3, out=a)
    assert np.all(_np(a) == 5)
    outs = [mx.nd.zeros((2, 3)), mx.nd.zeros((2, 3))]
    kv.pull(3, out=outs)
    assert all(np.all(_np(o) == 5) for o in outs)


def test_list_keys_and_pushpull_broadcast():
    kv = mx.kv.create("local")
    kv.init(["a", "b"], [mx.nd.ones(2), mx.nd.ones(2) * 2])
    out = [[mx.nd.zeros(2), mx.nd.zeros(2)], [mx.nd.zeros(2)]]
    kv.pull(["a", "b"], out=out)
    assert [[_np(x).tolist() for x in o] for o in out] == [[[1, 1], [1, 1]], [[2, 2]]]
    kv.push(["a", "b"], [[mx.nd.ones(2), mx.nd.ones(2)], mx.nd.ones(2) * 7])
    o = [mx.nd.zeros(2), mx.nd.zeros(2)]
    kv.pull(["a", "b"], out=o)
    assert _np(o[0]).tolist() == [2, 2] and _np(o[1]).tolist() == [7, 7]
    x = mx.nd.zeros(2)
    kv.pushpull("a", mx.nd.ones(2) * 4, out=x)
    assert _np(x).tolist() == [4, 4]
    v = mx.nd.ones(2) * 6
    kv.pushpull("a", v)
    assert _np(v).tolist() == [6, 6]
    y = [mx.nd.zeros(2), mx.nd.zeros(2)]
    kv.broadcast("c", mx.nd.ones(2) * 9, out=y)
    assert _np(y[1]).tolist() == [9, 9]


def test_errors():
    kv = mx.kv.create("local")
    kv.init(3, mx.nd.ones((2, 3)))
    a = mx.nd.zeros((2, 3))
    with pytest.raises(MXNetError, match="duplicate init of key 3"):
        kv.init(3, a)
    with pytest.raises(MXNetError, match="key 9 has not been inited"):
        kv.pull(9, out=a)
    with pytest.raises(MXNetError, match="not been inited"):
        kv.push(9, a)
    with pytest.raises(MXNetError, match="Mixed key types"):
        kv.init("s", a)
    with pytest.raises(AssertionError):
        kv.pull(1.5, out=a)
    with pytest.raises(AssertionError):
        kv.pull(3)
    with pytest.raises(MXNetError, match="shape"):
        kv.push(3, mx.nd.ones((3, 3)))
    with pytest.raises(MXNetError, match="shape"):
        kv.pull(3, out=mx.nd.zeros((3, 3)))
    with pytest.raises(MXNetError, match="row_sparse"):
        kv.row_sparse_pull(3, out=a, row_ids=mx.nd.array([0]))
    with pytest.raises(Exception, match="not supported for this type"):
        kv.set_gradient_compression({"type": "2bit"})
    with pytest.raises(AssertionError, match="Cannot save"):
        kv.save_optimizer_states("unused")


def test_dtype_cast_on_push_and_pull():
    kv = mx.kv.create("local")
    kv.init(1, mx.nd.ones((2, 2)))
    kv.push(1, mx.nd.ones((2, 2), dtype="float64") * 3)
    w = mx.nd.zeros((2, 2), dtype="float16")
    kv.pull(1, out=w)
    assert w.dtype == np.float16 and np.all(_np(w) == 3)


def test_optimizer_and_states(tmp_path):
    # MXNet 1.9.1: SGD(lr=0.1) after pushpull 4 then push 1 -> 3.9; momentum 0.9 two pushes -> -0.19
    kv = mx.kv.create("local")
    kv.init("a", mx.nd.ones(2) * 4)
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
    kv.push("a", mx.nd.ones(2))
    x = mx.nd.zeros(2)
    kv.pull("a", out=x)
    np.testing.assert_allclose(_np(x), [3.9, 3.9], rtol=1e-6)
    kv4 = mx.kv.create("local")
    kv4.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv4.init("p", mx.nd.ones(2))
    kv4.push("p", mx.nd.ones(2))
    kv4.push("p", mx.nd.ones(2))
    np.testing.assert_allclose(_np(kv4._updater.states["p"]), [-0.19, -0.19], rtol=1e-6)
    fname = str(tmp_path / "st")
    kv4.save_optimizer_states(fname)
    kv5 = mx.kv.create("local")
    kv5.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv5.load_optimizer_states(fname)
    np.testing.assert_allclose(_np(kv5._updater.states["p"]), [-0.19, -0.19], rtol=1e-6)


def test_custom_updater_gets_bytes_for_str_keys():
    seen = []
    kv = mx.kv.create("local")

    def upd(key, inp, stored):
        seen.append(key)
        stored += inp * 2
    kv._set_updater(upd)
    kv.init("w", mx.nd.ones(2))
    kv.push("w", [mx.nd.ones(2), mx.nd.ones(2)])
    z = mx.nd.zeros(2)
    kv.pull("w", out=z)
    assert seen == [b"w"] and _np(z).tolist() == [5, 5]


def test_2bit_compression_matches_mxnet():
    kv = mx.kv.create("device")
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    kv.init(0, mx.nd.zeros(4))
    vals = [mx.nd.array([0.3, 0.6, -0.7, 0.1]), mx.nd.array([0.3, 1.6, -0.2, 0.1])]
    r = mx.nd.zeros(4)
    kv.push(0, vals)
    kv.pull(0, out=r)
    assert _np(r).tolist() == [0, 1, -0.5, 0]
    kv.push(0, vals)   # residuals carry over: 0.6 >= 0.5 on the first device
    kv.pull(0, out=r)
    assert _np(r).tolist() == [1, 1, -0.5, 0]


class _FakeMPI:
    IN_PLACE = object()
    SUM = "sum"
    MAX = "max"


class _FakeComm:
    """Two workers whose peer always passes the same arrays (sums are 2x); worker 0 holds 7s."""

    def Get_rank(self):
        return 1

    def Get_size(self):
        return 2

    def Allreduce(self, send, recv, op=None):
        assert send is _FakeMPI.IN_PLACE
        if op == "sum":
            recv[...] = recv * 2

    def allgather(self, obj):
        return [obj, obj]

    def Allgather(self, send, recv):
        recv[...] = send

    def Bcast(self, buf, root=0):
        buf[...] = 7

    def Abort(self, code):
        raise AssertionError("no abort expected")


def test_dist_store_over_comm(monkeypatch):
    import sys
    from mxnet.kvstore.dist import DistKVStore
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the store installs its abort hook
    kv = DistKVStore("dist_sync", comm=_FakeComm(), mpi=_FakeMPI, fusion_threshold=16)
    assert (kv.rank, kv.num_workers, kv.is_capable("optimizer")) == (1, 2, True)
    kv.init([0, 1, 2], [mx.nd.zeros(3), mx.nd.zeros(2), mx.nd.zeros(5)])
    o = mx.nd.zeros(3)
    kv.pull(0, out=o)
    assert _np(o).tolist() == [7, 7, 7]
    # the 16-byte fusion buffer packs keys 0 (12 bytes) alone, then 1, then 2
    assert kv._buckets([mx.nd.zeros(3), mx.nd.zeros(1), mx.nd.zeros(2), mx.nd.zeros(5)]) == [[0, 1], [2], [3]]
    kv.push([0, 1, 2], [[mx.nd.ones(3), mx.nd.ones(3)], mx.nd.array([1, 2]), mx.nd.ones(5) * 3])
    outs = [mx.nd.zeros(3), mx.nd.zeros(2), mx.nd.zeros(5)]
    kv.pull([0, 1, 2], out=outs)
    assert [_np(a).tolist() for a in outs] == [[4] * 3, [2, 4], [6] * 5]
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.5))
    kv.push(0, mx.nd.ones(3))
    kv.pull(0, out=o)
    assert _np(o).tolist() == [3, 3, 3]
    # 2-bit: both keys in one bucket, each worker's codes counted (the peer sends the same)
    kv = DistKVStore("dist_sync", comm=_FakeComm(), mpi=_FakeMPI)
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    kv.init([0, 1], [mx.nd.zeros(3), mx.nd.zeros(2)])
    outs = [mx.nd.zeros(3), mx.nd.zeros(2)]
    for want in ([[1, 0, -1], [0, -1]], [[1, 0, -1], [1, -1]]):
        kv.push([0, 1], [mx.nd.array([0.6, 0.2, -0.9]), mx.nd.array([0.4, -0.5])])
        kv.pull([0, 1], out=outs)
        assert [_np(a).tolist() for a in outs] == want


def test_2bit_codes_round_trip():
    from mxnet.kvstore.dist import _pack_2bit, _unpack_2bit
    signs = np.array([1, -1, 0, 0, 1, 1, -1, 0, 0, 1], np.int8)
    packed = _pack_2bit(signs > 0, signs < 0)
    assert packed.dtype == np.uint8 and packed.size == 4  # 2 bits a value: 16x less than float32
    other = _pack_2bit(signs < 0, np.zeros(10, bool))
    assert _unpack_2bit(np.stack([packed, packed]), 10).tolist() == (2 * signs).tolist()
    assert _unpack_2bit(np.stack([packed, other]), 10).tolist() == (signs + (signs < 0)).tolist()


def test_dist_needs_mpi():
    try:
        import mpi4py  # noqa: F401
        pytest.skip("mpi4py installed; the error path is for its absence")
    except ImportError:
        pass
    for name in ("dist_sync", "dist_async"):
        with pytest.raises(MXNetError, match=r"mpi4py.*\[dist\]"):
            mx.kv.create(name)


def test_unknown_dist_names_are_errors():
    with pytest.raises(MXNetError, match="unknown distributed kvstore 'dist_foo'"):
        mx.kv.create("dist_foo")


def test_horovod_byteps_need_their_packages(monkeypatch):
    import sys
    import types
    for name in ("horovod", "byteps"):
        monkeypatch.setitem(sys.modules, name, None)  # an import of it fails
        with pytest.raises(MXNetError, match=f"kvstore '{name}' needs the {name}.mxnet package"):
            mx.kv.create(name)
    # with the package present, the store calls it (a stand-in with Horovod's MXNet API)
    calls = []
    hvd = types.ModuleType("horovod.mxnet")
    hvd.init = lambda: calls.append("init")
    hvd.rank, hvd.size = (lambda: 0), (lambda: 2)

    def allreduce_(t, average, name, priority):
        assert average is False
        calls.append(("allreduce", name))
        t[:] = t * 2

    hvd.allreduce_ = allreduce_
    hvd.broadcast_ = lambda t, root_rank, name, priority: calls.append(("broadcast", name))
    monkeypatch.setitem(sys.modules, "horovod", types.ModuleType("horovod"))
    monkeypatch.setitem(sys.modules, "horovod.mxnet", hvd)
    kv = mx.kv.create("horovod")
    assert (kv.type, kv.rank, kv.num_workers, kv.is_capable("optimizer")) == ("horovod", 0, 2, False)
    out = [mx.nd.zeros(2), mx.nd.zeros(2)]
    kv.broadcast("w", mx.nd.ones(2), out=out)
    kv.pushpull("w", [mx.nd.ones(2), mx.nd.ones(2)], out=out)
    assert _np(out[1]).tolist() == [4, 4]
    assert calls == ["init", ("broadcast", "w"), ("broadcast", "w"), ("allreduce", "w")]


def test_teststore_is_capable_on_the_class():
    assert mx.kv.create("teststore").is_capable("optimizer") is False
    assert type(mx.kv.create("teststore")).is_capable("OPTIMIZER") is False
    with pytest.raises(ValueError):
        mx.kvstore.base.TestStore.is_capable("bogus")
