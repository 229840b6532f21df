"""The fused multi-head attention products ``_contrib_interleaved_matmul_*`` (ops/contrib_transformer.py)
against a NumPy reference, central differences, and the unfused graph they replace."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError

from fd import check_fd

L, LK, B, H, D = 3, 4, 2, 2, 3


def _heads(x, parts, part):
    """NumPy reference of one part of packed (seq, batch, heads * parts * dim) projections."""
    seq, batch = x.shape[:2]
    v = x.reshape(seq, batch, H, parts, D)[:, :, :, part]
    return v.transpose(1, 2, 0, 3).reshape(batch * H, seq, D)


def _merge(x):
    return x.reshape(B, H, -1, D).transpose(2, 0, 1, 3).reshape(-1, B, H * D)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    return dict(qkv=rng.randn(L, B, 3 * H * D), q=rng.randn(L, B, H * D), kv=rng.randn(LK, B, 2 * H * D),
                att=rng.rand(B * H, L, L), att2=rng.rand(B * H, L, LK))


def test_values_match_numpy_reference(data):
    C = mx.nd.contrib
    f32 = {k: v.astype(np.float32) for k, v in data.items()}
    qkv, q, kv = f32["qkv"], f32["q"], f32["kv"]
    scale = 1 / np.sqrt(D)
    cases = [
        (C.interleaved_matmul_selfatt_qk(mx.nd.array(qkv), heads=H),
         (_heads(qkv, 3, 0) * scale) @ _heads(qkv, 3, 1).transpose(0, 2, 1)),
        (C.interleaved_matmul_selfatt_valatt(mx.nd.array(qkv), mx.nd.array(f32["att"]), heads=H),
         _merge(f32["att"] @ _heads(qkv, 3, 2))),
        (C.interleaved_matmul_encdec_qk(mx.nd.array(q), mx.nd.array(kv), heads=H),
         (_heads(q, 1, 0) * scale) @ _heads(kv, 2, 0).transpose(0, 2, 1)),
        (C.interleaved_matmul_encdec_valatt(mx.nd.array(kv), mx.nd.array(f32["att2"]), heads=H),
         _merge(f32["att2"] @ _heads(kv, 2, 1))),
    ]
    shapes = [(B * H, L, L), (L, B, H * D), (B * H, L, LK), (L, B, H * D)]
    for (got, want), shape in zip(cases, shapes):
        assert got.shape == shape and got.dtype == np.float32
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)


def test_gradients_central_differences(data):
    C = mx.nd.contrib
    check_fd(lambda x: C.interleaved_matmul_selfatt_qk(x, heads=H), [data["qkv"]])
    check_fd(lambda x, a: C.interleaved_matmul_selfatt_valatt(x, a, heads=H), [data["qkv"], data["att"]])
    check_fd(lambda q, kv: C.interleaved_matmul_encdec_qk(q, kv, heads=H), [data["q"], data["kv"]])
    check_fd(lambda kv, a: C.interleaved_matmul_encdec_valatt(kv, a, heads=H), [data["kv"], data["att2"]])


def test_fused_graph_equals_unfused_attention(data):
    """Self-attention through the fused pair equals batch_dot over split heads, values and
    input gradients (what BERT's DotProductSelfAttentionCell relies on)."""
    qkv = mx.nd.array(data["qkv"].astype(np.float32))
    head = mx.nd.array(np.random.RandomState(1).rand(L, B, H * D).astype(np.float32))

    def fused(x):
        att = mx.nd.softmax(mx.nd.contrib.interleaved_matmul_selfatt_qk(x, heads=H))
        return mx.nd.contrib.interleaved_matmul_selfatt_valatt(x, att, heads=H)

    def unfused(x):
        parts = x.reshape((L, B, H, 3, D))
        q, k, v = (parts.slice_axis(axis=3, begin=i, end=i + 1).reshape((L, B, H, D))
                   .transpose((1, 2, 0, 3)).reshape((B * H, L, D)) for i in range(3))
        att = mx.nd.softmax(mx.nd.batch_dot(mx.nd.contrib.div_sqrt_dim(q), k, transpose_b=True))
        out = mx.nd.batch_dot(att, v)
        return out.reshape((B, H, L, D)).transpose((2, 0, 1, 3)).reshape((L, B, H * D))

    results = []
    for fn in (fused, unfused):
        x = qkv.copy()
        x.attach_grad()
        with mx.autograd.record():
            y = fn(x)
        y.backward(head)
        results.append((y.asnumpy(), x.grad.asnumpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)


def test_symbol_shapes_and_errors():
    s = mx.sym.contrib.interleaved_matmul_selfatt_qk(mx.sym.var("x"), heads=H)
    assert s.infer_shape(x=(L, B, 3 * H * D))[1] == [(B * H, L, L)]
    s = mx.sym.contrib.interleaved_matmul_encdec_valatt(mx.sym.var("kv"), mx.sym.var("att"), heads=H)
    assert s.list_arguments() == ["kv", "att"]
    assert s.infer_shape(kv=(LK, B, 2 * H * D), att=(B * H, L, LK))[1] == [(L, B, H * D)]
    with pytest.raises(MXNetError, match="interleaved_matmul_selfatt_qk.*3D"):
        mx.nd.contrib.interleaved_matmul_selfatt_qk(mx.nd.ones((L, 3 * H * D)), heads=H)
    with pytest.raises(MXNetError, match="multiple of heads"):
        mx.nd.contrib.interleaved_matmul_selfatt_qk(mx.nd.ones((L, B, 10)), heads=H)
    with pytest.raises(MXNetError, match="attention must be"):
        mx.nd.contrib.interleaved_matmul_selfatt_valatt(mx.nd.ones((L, B, 3 * H * D)),
                                                        mx.nd.ones((B * H, L, L + 1)), heads=H)
