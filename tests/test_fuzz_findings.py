"""Regressions for what the fuzzing suite (tools/fuzz) found: each was a crash, a hang, a memory
blow-up, a wrong exception type or an error that did not say where it came from."""
import json
import struct

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError


def test_load_error_names_the_file(tmp_path):
    path = tmp_path / "broken.params"
    mx.nd.save(str(path), [mx.nd.ones((2, 3))])
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(MXNetError, match="broken.params.*Invalid NDArray file format"):
        mx.nd.load(str(path))
    with pytest.raises(MXNetError, match="cannot fit"):
        mx.nd.load_frombuffer(path.read_bytes())


def test_load_impossible_empty_shape():
    # a legacy record (first word = ndim) whose dims hold a 0 and others whose product
    # overflows: NumPy's ValueError escaped
    dims = (0, 2**32 - 1, 2**32 - 1, 2**32 - 1)
    buf = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<I", len(dims))
           + struct.pack(f"<{len(dims)}I", *dims) + struct.pack("<iii", 1, 0, 0) + struct.pack("<Q", 0))
    with pytest.raises(MXNetError, match="impossible shape"):
        mx.nd.load_frombuffer(buf)
    # an ordinary empty legacy record still loads
    buf = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<I", 2) + struct.pack("<2I", 0, 5)
           + struct.pack("<iii", 1, 0, 0) + struct.pack("<Q", 0))
    (a,) = mx.nd.load_frombuffer(buf)
    assert a.shape == (0, 5) and a.dtype == np.float32


def test_errors_name_the_operator_called():
    ones = [mx.nd.ones((1, 2)) for _ in range(5)]
    # BatchNorm_v1 runs BatchNorm's checks, whose messages name BatchNorm only
    with pytest.raises(MXNetError, match="Operator BatchNorm_v1: .*gamma"):
        mx.nd.BatchNorm_v1(*ones)
    with pytest.raises(MXNetError, match="Operator _zeros: .*unknown device_type 'a'"):
        mx.nd.op._zeros(shape=(2,), ctx="a")
    with pytest.raises(MXNetError, match="Operator _arange: invalid context"):
        mx.nd._internal._arange(start=1, ctx="(2,)")       # was int()'s ValueError
    with pytest.raises(MXNetError, match="_np_sum.*'dtype'.*bogus"):
        mx.np.sum(mx.np.ones(2), dtype="bogus")
    with pytest.raises(MXNetError, match="amp_cast.*bfloat16"):
        mx.nd.amp_cast(mx.nd.ones(2), dtype="bfloat16")    # was NotImplementedError


@pytest.mark.parametrize("call", [
    lambda: mx.nd.zeros((2**31,)),
    lambda: mx.nd.op._full(shape=(2**16, 2**16), value=1),
    lambda: mx.nd.random.uniform(shape=(10**9, 10**9)),
    lambda: mx.np.random.uniform(size=(2**31, 1)),
    lambda: mx.nd.random.exponential(shape=(2**31, 1)),
    lambda: mx.nd.tile(mx.nd.ones((2, 2, 3)), reps=(10**9, 10**9)),
    lambda: mx.np.tile(mx.np.ones((2,)), (2**16, 2**16)),
    lambda: mx.nd.repeat(mx.nd.ones((2, 3)), repeats=2**30, axis=0),
    lambda: mx.np.repeat(mx.np.ones((2, 4, 2)), 2**31 - 1, axis=-2),
])
def test_huge_outputs_refused_before_allocating(call):
    # these allocated many GB (or failed with NumPy's MemoryError) instead of MXNet's size error
    with pytest.raises(MXNetError, match="2\\^31"):
        call()


def test_tile_reps_are_c_ints():
    with pytest.raises(MXNetError, match="reps expect int"):
        mx.np.tile(mx.np.ones((2,)), (2**31,))


def test_sizes_within_the_limit_still_work():
    assert mx.nd.random.uniform(shape=(2, 3)).shape == (2, 3)
    assert mx.nd.broadcast_to(mx.nd.ones((1, 3)), shape=(4, 3)).shape == (4, 3)
    assert mx.nd.reshape(mx.nd.ones((6,)), shape=(2, 3)).shape == (2, 3)
    assert mx.nd.tile(mx.nd.ones((2, 3)), reps=(2,)).shape == (2, 6)
    assert mx.np.repeat(mx.np.ones((2, 3)), 2, axis=-1).shape == (2, 6)
    assert mx.np.repeat(mx.np.ones((2, 3)), 2).shape == (12,)


def test_np_repeat_axis_checked():
    # NumPy reads axis=-2**31 as "flatten": it tried to allocate 96 GB
    with pytest.raises(MXNetError, match="_np_repeat.*axis"):
        mx.np.repeat(mx.np.ones((3, 2)), 2, axis=-2**31)
    with pytest.raises(MXNetError, match="_np_repeat.*axis"):
        mx.np.repeat(mx.np.ones((3, 2)), 2, axis=2)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")     # NumPy's, for 10**400 overflowing
def test_around_huge_decimals():
    # NumPy's around takes seconds for |decimals| near 2**31; past 400 every float rounds alike
    x = np.array([1.5, -2.5, 123.0, np.nan], np.float64)
    for d, ref in ((-2**31, -400), (2**31 - 1, 400), (-3, -3)):
        got = mx.np.around(mx.np.array(x, dtype="float64"), d).asnumpy()
        np.testing.assert_array_equal(got, np.around(x, ref))
    ints = mx.np.array([3, 17], dtype="int32")
    assert mx.np.around(ints, 2**31 - 1).asnumpy().tolist() == [3, 17]


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "softrelu", "softsign"])
def test_activation_0d(kernels, act):
    # NumPy's ufuncs gave scalars for 0-d arrays, which out= refused (TypeError), on some paths
    from mxnet import autograd
    v = np.float32(-0.5)
    x = mx.nd.array(np.array(v)).reshape(())
    x.attach_grad()
    with autograd.record():
        y = mx.nd.Activation(x, act_type=act)
    y.backward()
    ref = mx.nd.array([v])
    ref.attach_grad()
    with autograd.record():
        yr = mx.nd.Activation(ref, act_type=act)
    yr.backward()
    assert y.shape == () and x.grad.shape == ()
    assert float(y.asnumpy()) == pytest.approx(float(yr.asnumpy()[0]))
    assert float(x.grad.asnumpy()) == pytest.approx(float(ref.grad.asnumpy()[0]))


@pytest.mark.parametrize("sa,sb", [((0, 0, 0, 3), (0, 0, 3, 0)), ((2, 0), (0, 4)), ((3,), (3, 0)),
                                   ((2, 3, 4), (5, 4, 2))])
def test_np_dot_gradient_zero_size(sa, sb):
    # the backward reshaped with -1, which NumPy cannot resolve for size 0 (ValueError)
    from mxnet import autograd
    rng = np.random.default_rng(0)
    an, bn = rng.standard_normal(sa), rng.standard_normal(sb)
    a, b = mx.np.array(an), mx.np.array(bn)
    a.attach_grad()
    b.attach_grad()
    with autograd.record():
        y = mx.np.dot(a, b)
    y.backward()
    # d(sum(a . b))/da = sum of b over everything but its contracted axis, for every row of a
    baxis = b.ndim - 2 if b.ndim > 1 else 0
    ga = np.broadcast_to(bn.sum(axis=tuple(i for i in range(b.ndim) if i != baxis)), sa)
    np.testing.assert_allclose(a.grad.asnumpy(), ga, rtol=1e-5)
    assert b.grad.shape == sb


def test_backward_errors_are_mxnet_errors():
    from mxnet import autograd

    class Broken(autograd.Function):
        def forward(self, x):
            return x * 2

        def backward(self, dy):
            raise ValueError("broken gradient")

    x = mx.nd.ones((2,))
    x.attach_grad()
    with autograd.record():
        y = Broken()(x)
    with pytest.raises(MXNetError, match="broken gradient"):
        y.backward()


def _indexed_pair(tmp_path, records):
    from mxnet import recordio
    rec, idx = str(tmp_path / "data.rec"), str(tmp_path / "data.idx")
    w = recordio.MXIndexedRecordIO(idx, rec, "w")
    for k, r in enumerate(records):
        w.write_idx(k, r)
    w.close()
    return rec, idx


def test_recordio_index_faults(tmp_path):
    from mxnet import recordio
    rec, idx = _indexed_pair(tmp_path, [b"abc", b"defg"])
    size = (tmp_path / "data.rec").stat().st_size
    with open(idx, "a") as f:
        f.write(f"2\t{size}\n")                      # past the last record: unpack(None) failed
    r = recordio.MXIndexedRecordIO(idx, rec, "r")
    assert r.read_idx(1) == b"defg"
    with pytest.raises(MXNetError, match="data.idx.*key 2.*past the last record"):
        r.read_idx(2)
    r.close()
    (tmp_path / "data.idx").write_text(f"0\t{2**63}\n")   # seek's ValueError
    with pytest.raises(MXNetError, match="data.idx.*out of range"):
        recordio.MXIndexedRecordIO(idx, rec, "r")
    (tmp_path / "data.idx").write_bytes(b"0\t0\n\xff\xfe\t4\n")   # UnicodeDecodeError
    with pytest.raises(MXNetError, match="data.idx.*not text"):
        recordio.MXIndexedRecordIO(idx, rec, "r")


def test_recordio_unpack_label_count_checked():
    from mxnet import recordio
    s = recordio.pack(recordio.IRHeader(0, [1.0, 2.0], 0, 0), b"")
    header, rest = recordio.unpack(s)
    assert header.label.tolist() == [1.0, 2.0] and rest == b""
    bad = struct.pack("<I", 1000) + s[4:]             # 1000 labels announced, 2 present
    with pytest.raises(MXNetError, match="1000 float labels"):
        recordio.unpack(bad)                          # was NumPy's ValueError


@pytest.mark.parametrize("x,kw", [
    ([[-np.inf, 1.0], [2.0, 3.0]], dict(kernel=(2, 2), stride=(1, 1), pad=(1, 1))),
    ([[-np.inf] * 3] * 3, dict(kernel=(3, 3), stride=(1, 1), pad=(1, 1))),
])
def test_max_pool_gradient_of_padded_window_without_max(kernels, x, kw):
    # a window whose elements are all -inf (or NaN) has no maximum: its gradient goes to the
    # window's first element only when that lies inside the image (MXNet 1.9.1 with oneDNN,
    # and the NumPy path); the C kernel gave it to the first element inside the image
    from mxnet import autograd
    a = mx.nd.array(np.array(x, np.float32)[None, None])
    a.attach_grad()
    with autograd.record():
        y = mx.nd.Pooling(a, pool_type="max", **kw)
    y.backward()
    # MXNet 1.9.1 (tools/fuzz found it; values read from the oracle)
    want = {2: [0, 2, 2, 4], 3: [1, 1, 0, 1, 1, 0, 0, 0, 0]}[len(x)]
    assert a.grad.asnumpy().ravel().tolist() == want


def test_symbol_load_names_the_file(tmp_path):
    path = tmp_path / "net-symbol.json"
    path.write_text('{"nodes": [{"op": "null", "name": "x", "inputs": []}], "heads": [[0, 0')
    with pytest.raises(MXNetError, match="net-symbol.json.*not a symbol JSON"):
        mx.sym.load(str(path))
    with pytest.raises(MXNetError, match="cannot open"):      # was FileNotFoundError
        mx.sym.load(str(tmp_path / "missing.json"))
    path.write_bytes(b'{"nodes": \xff}')
    with pytest.raises(MXNetError, match="net-symbol.json"):   # was UnicodeDecodeError
        mx.sym.load(str(path))


def test_graph_node_with_an_extra_input_fails_clearly():
    # an Embedding node given three inputs: storage inference indexed past its rule (IndexError)
    d = mx.sym.var("data")
    g = json.loads(mx.sym.Embedding(d, input_dim=10, output_dim=4, name="emb").tojson())
    g["nodes"][-1]["inputs"].append([0, 0, 0])
    sym = mx.sym.load_json(json.dumps(g))
    with pytest.raises(MXNetError, match="emb"):
        sym.simple_bind(mx.cpu(), data=(2, 3)).forward()


def test_resize_and_adaptive_pool_sizes_checked():
    x = mx.nd.ones((3, 4, 3, 3))
    with pytest.raises(MXNetError, match="AdaptiveAvgPooling2D.*2\\^31"):   # was a 7 GB MemoryError
        mx.nd.contrib.AdaptiveAvgPooling2D(x, output_size=(10**9, 10**9))
    with pytest.raises(MXNetError, match="BilinearResize2D.*2\\^31"):
        mx.nd.contrib.BilinearResize2D(x, height=10**9, width=2)
    assert mx.nd.contrib.AdaptiveAvgPooling2D(x, output_size=(2,)).shape == (3, 4, 2, 2)
    assert mx.nd.contrib.BilinearResize2D(x, height=5, width=2).shape == (3, 4, 5, 2)


_INF_MATRIX = [[-0.24, np.inf, 0.93, 1.5], [1.76, -0.0, -3.28, -0.3], [-np.inf, 3.33, -3e38, -2.4]]


@pytest.mark.parametrize("call", [
    lambda a: mx.np.linalg.svd(a),                 # OpenBLAS's float32 SVD never returned
    lambda a: mx.np.linalg.pinv(a),
    lambda a: mx.np.linalg.norm(a, 2),
    lambda a: mx.np.linalg.eigvalsh(a[:, :3]),
    lambda a: mx.np.linalg.eigh(a[:, :3]),
    lambda a: mx.nd.linalg.syevd(a[:, :3].as_nd_ndarray()),
])
def test_lapack_decompositions_refuse_inf_and_nan(call):
    a = mx.np.array(np.array(_INF_MATRIX, np.float32))
    with pytest.raises(MXNetError, match="inf or NaN"):
        call(a)
    nan = mx.np.array(np.where(np.isinf(_INF_MATRIX), np.nan, _INF_MATRIX).astype(np.float32))
    with pytest.raises(MXNetError, match="inf or NaN"):
        call(nan)


def test_lapack_decompositions_still_work():
    a = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.0], [0.5, 0.0, 1.0]], np.float32)
    s = mx.np.linalg.svd(mx.np.array(a))[1].asnumpy()
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), rtol=1e-5)
    assert mx.np.linalg.norm(mx.np.array([np.inf, 1.0])).item() == np.inf   # vector norms: no SVD
    np.testing.assert_allclose(mx.np.linalg.eigvalsh(mx.np.array(a)).asnumpy(),
                               np.linalg.eigvalsh(a), rtol=1e-5)


def test_count_parameters_are_c_ints():
    # each built that many outputs, ranges or bins first (GBs, or a graph that never loaded)
    with pytest.raises(MXNetError, match="num_outputs expect int"):
        mx.sym.SliceChannel(mx.sym.var("x"), num_outputs=2**31)
    with pytest.raises(MXNetError, match="sections expect int"):
        mx.nd._internal._npi_split(mx.nd.ones(4), sections=2**31)
    with pytest.raises(MXNetError, match="bin_cnt expect int"):
        mx.nd.op._histogram(mx.nd.ones(2), bin_cnt=10**12, range=(0, 1))
    with pytest.raises(MXNetError, match="_histogram.*2\\^31"):
        mx.nd.op._histogram(mx.nd.ones(2), bin_cnt=2**31 - 1, range=(0, 1))
    with pytest.raises(MXNetError, match="tensordot.*axes=2147483647"):
        mx.np.tensordot(mx.np.ones((1, 2)), mx.np.ones((1, 2)), 2**31 - 1)
    assert mx.np.tensordot(mx.np.ones((2, 3)), mx.np.ones((3, 2)), 1).shape == (2, 2)
    assert [p.shape for p in mx.np.array_split(mx.np.ones(5), 2)] == [(3,), (2,)]
    counts, _ = mx.nd.op._histogram(mx.nd.array([0.1, 0.6, 0.7]), bin_cnt=2, range=(0, 1))
    assert counts.asnumpy().tolist() == [1, 2]


def test_sparse_dense_form_size_checked():
    # a file may hold a csr of any logical shape; its dense form raised NumPy's MemoryError
    csr = mx.nd.sparse.csr_matrix((np.array([1.0], np.float32), np.array([5]), np.array([0, 1, 1])),
                                  shape=(2, 2**56))
    with pytest.raises(MXNetError, match="2\\^31"):
        csr.asnumpy()


def test_cast_storage_errors_and_gradient():
    from mxnet import autograd
    with pytest.raises(MXNetError, match="cast_storage.*2-D"):
        mx.nd.cast_storage(mx.nd.ones((1, 3, 4)), stype="csr")   # was ValueError
    with pytest.raises(ValueError, match="2 Dimensional"):
        mx.nd.ones((3,)).tostype("csr")                           # MXNet's own Python check
    with pytest.raises(MXNetError, match="cast_storage.*'data'"):
        mx.nd.cast_storage(stype="default")                       # was TypeError
    # recorded, as MXNet's: the gradient passes through (was "not in a computational graph")
    x = mx.nd.array([[1.0, 0.0], [0.0, 2.0]])
    x.attach_grad()
    with autograd.record():
        y = mx.nd.cast_storage(x * 3, stype="row_sparse")
    y.backward()
    assert y.stype == "row_sparse"
    np.testing.assert_array_equal(x.grad.asnumpy(), np.full((2, 2), 3.0))


def test_rnn_lstm_state_clip_nan():
    x, h = mx.nd.ones((3, 2, 4)), 5
    p, s = mx.nd.ones((4 * h * (4 + h + 2),)), mx.nd.zeros((1, 2, h))
    # without a clipping range MXNet ignores it (was NotImplementedError)
    y = mx.nd.RNN(x, p, s, s, state_size=h, num_layers=1, mode="lstm", lstm_state_clip_nan=True)
    ref = mx.nd.RNN(x, p, s, s, state_size=h, num_layers=1, mode="lstm")
    np.testing.assert_array_equal(y.asnumpy(), ref.asnumpy())
    with pytest.raises(MXNetError, match="lstm_state_clip_nan"):
        mx.nd.RNN(x, p, s, s, state_size=h, num_layers=1, mode="lstm", lstm_state_clip_nan=True,
                  lstm_state_clip_min=-1.0, lstm_state_clip_max=1.0)


def test_graph_type_inference_wrong_input_count():
    d = mx.sym.var("data")
    g = json.loads((d + d).tojson())
    g["nodes"][-1]["op"] = "_npi_add"
    g["nodes"][-1]["inputs"].append([0, 0, 0])      # a binary operator given three inputs
    with pytest.raises(MXNetError, match="type inference failed on 3 inputs"):
        mx.sym.load_json(json.dumps(g)).infer_type(data=np.float32)


def test_int_parameters_within_int64_and_counts_within_int32():
    # "1e308" parsed as an integer with 309 digits; as num_outputs a loaded graph never finished
    with pytest.raises(MXNetError, match="num_outputs.*64-bit"):
        mx.nd.SliceChannel(mx.nd.ones((4, 2)), num_outputs=1e308)
    with pytest.raises(MXNetError, match="depth.*64-bit"):
        mx.nd.one_hot(mx.nd.ones(2), depth=1e19)
    d = mx.sym.var("data")
    out, _ = mx.sym.contrib.foreach(lambda x, s: (x * 2, s), d, [mx.sym.var("s")])
    g = json.loads(out.tojson())
    node = next(n for n in g["nodes"] if n["op"] == "_foreach")
    node["attrs"]["num_outputs"] = "2147483648"
    with pytest.raises(MXNetError, match="num_outputs expect int"):
        mx.sym.load_json(json.dumps(g))
    assert mx.nd.concat(mx.nd.ones(2), mx.nd.ones(2), dim=0, num_args=2.0).shape == (4,)


def test_eye_size_checked():
    with pytest.raises(MXNetError, match="_eye.*2\\^31"):          # was a 16 GB MemoryError
        mx.nd.eye(2**31 - 1, 2)
    with pytest.raises(MXNetError, match="_npi_eye.*2\\^31"):
        mx.np.eye(3, 2**31 - 1)
    assert mx.np.eye(3, 2).shape == (3, 2) and mx.nd.eye(2).shape == (2, 2)


def test_load_sparse_record_with_0d_index_array(tmp_path):
    rsp = mx.nd.sparse.row_sparse_array((np.ones((1, 3), np.float32), np.array([1])), shape=(3, 3))
    mx.nd.save(str(tmp_path / "r.params"), [rsp])
    buf = (tmp_path / "r.params").read_bytes()
    # the index array's header (int64 flag 6, ndim 1, dim 1) made 0-d: (flag 6, ndim 0)
    pos = buf.index(struct.pack("<iiq", 6, 1, 1))
    bad = buf[:pos] + struct.pack("<ii", 6, 0) + buf[pos + 16:]
    with pytest.raises(MXNetError, match="sparse index arrays"):      # was IndexError
        mx.nd.load_frombuffer(bad)


def test_graph_head_on_a_hidden_output():
    # _linalg_det counts three outputs in MXNet's node_row_ptr but computes one here
    d = mx.sym.var("data")
    g = json.loads(mx.sym.linalg.det(d).tojson())
    g["heads"] = [[1, 1, 0]]
    with pytest.raises(MXNetError, match="hidden output"):           # was IndexError later
        mx.sym.load_json(json.dumps(g)).list_outputs()
