"""ONNX export (mx.onnx) and import (mx.contrib.onnx): models run in ONNX Runtime and match
mxnext's own forward; files exported by real MXNet 1.9.1 (tests/goldens/onnx, made by
tools/goldens/gen_onnx.py) give the same outputs as mxnext's export of the same model."""
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon
from mxnet.gluon.model_zoo import vision

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

GOLDENS = os.path.join(os.path.dirname(__file__), "goldens", "onnx")
NEWEST = onnx.defs.onnx_opset_version()


def _session(path):
    return ort.InferenceSession(path, providers=["CPUExecutionProvider"])


def _close(out, ref, rel=1e-4):
    """Max abs difference at most ``rel`` times the output's scale."""
    assert out.shape == ref.shape
    scale = max(float(np.abs(ref).max()), 1e-3)
    assert np.abs(out - ref).max() <= rel * scale, (np.abs(out - ref).max(), scale)


def _randomize(net, seed=0):
    """Random weights, including BatchNorm's statistics, so that every layer matters."""
    rng = np.random.RandomState(seed)
    for name, p in net.collect_params().items():
        shape = p.shape
        if name.endswith("running_var"):
            v = rng.uniform(0.5, 1.5, shape)
        elif name.endswith(("gamma",)):
            v = rng.uniform(0.8, 1.2, shape)
        elif name.endswith(("running_mean", "beta", "bias")):
            v = rng.normal(0, 0.1, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            v = rng.normal(0, np.sqrt(2.0 / max(fan_in, 1)), shape)
        p.set_data(mx.nd.array(v.astype(np.float32)))


def _symbol(net, *names):
    out = net(*[mx.sym.var(n) for n in names])
    params = {k: v.data() for k, v in net.collect_params().items()}
    return out, params


def _export(tmp_path, sym, params, shapes, types=np.float32, **kw):
    path = str(tmp_path / "model.onnx")
    assert mx.onnx.export_model(sym, params, shapes, types, path, **kw) == path
    onnx.checker.check_model(path)
    return path


# -- the vision model zoo ------------------------------------------------------------------------
# (name, input size): the smallest sizes each architecture accepts (fixed pooling windows decide)
FAST = [("resnet18_v1", 32), ("resnet18_v2", 32), ("mobilenet0.25", 32), ("mobilenetv2_0.25", 32),
        ("alexnet", 64)]
SLOW = [("vgg11", 32), ("resnet34_v1", 32), ("resnet34_v2", 32), ("resnet50_v1", 32), ("resnet50_v2", 32),
        ("resnet101_v1", 32), ("resnet101_v2", 32), ("resnet152_v1", 32), ("resnet152_v2", 32),
        ("mobilenet0.5", 32), ("mobilenet0.75", 32), ("mobilenet1.0", 32), ("mobilenetv2_0.5", 32),
        ("mobilenetv2_0.75", 32), ("mobilenetv2_1.0", 32), ("vgg11_bn", 32), ("vgg13", 32), ("vgg13_bn", 32),
        ("vgg16", 32), ("vgg16_bn", 32), ("vgg19", 32), ("vgg19_bn", 32), ("squeezenet1.0", 224),
        ("squeezenet1.1", 224), ("densenet121", 224), ("densenet161", 224), ("densenet169", 224),
        ("densenet201", 224), ("inceptionv3", 299)]


def test_every_vision_model_is_listed():
    assert sorted(n for n, _ in FAST + SLOW) == sorted(vision._models)


def _check_vision(tmp_path, name, size):
    net = vision.get_model(name, classes=10)
    net.initialize()
    net(mx.nd.zeros((1, 3, size, size)))
    _randomize(net)
    sym, params = _symbol(net, "data")
    path = _export(tmp_path, sym, params, [(1, 3, size, size)], dynamic=True,
                   dynamic_input_shapes=[(None, 3, size, size)])
    sess = _session(path)
    rng = np.random.RandomState(1)
    for batch in (1, 4):
        x = rng.uniform(-1, 1, (batch, 3, size, size)).astype(np.float32)
        _close(sess.run(None, {"data": x})[0], net(mx.nd.array(x)).asnumpy())


@pytest.mark.parametrize("name,size", FAST)
def test_vision_model(tmp_path, name, size):
    _check_vision(tmp_path, name, size)


@pytest.mark.slow
@pytest.mark.parametrize("name,size", SLOW)
def test_vision_model_slow(tmp_path, name, size):
    _check_vision(tmp_path, name, size)


def test_static_batch_and_opset_12(tmp_path):
    net = vision.get_model("mobilenetv2_0.25", classes=10)
    net.initialize()
    net(mx.nd.zeros((2, 3, 32, 32)))
    _randomize(net, 3)
    sym, params = _symbol(net, "data")
    x = np.random.RandomState(2).uniform(size=(2, 3, 32, 32)).astype(np.float32)
    ref = net(mx.nd.array(x)).asnumpy()
    for opset in (12, 13, NEWEST):
        path = _export(tmp_path, sym, params, [(2, 3, 32, 32)], opset_version=opset)
        model = onnx.load(path)
        assert model.opset_import[0].version == opset
        assert [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim] == [2, 3, 32, 32]
        _close(_session(path).run(None, {"data": x})[0], ref)


# -- sequence models -----------------------------------------------------------------------------
class LanguageModel(gluon.HybridBlock):
    def __init__(self, mode="lstm", vocab=40, **kw):
        super().__init__(**kw)
        layer = {"lstm": gluon.rnn.LSTM, "gru": gluon.rnn.GRU, "rnn": gluon.rnn.RNN}[mode]
        with self.name_scope():
            self.emb = gluon.nn.Embedding(vocab, 16)
            self.rnn = layer(24, num_layers=2, bidirectional=True, input_size=16)
            self.drop = gluon.nn.Dropout(0.3)
            self.out = gluon.nn.Dense(vocab, flatten=False)

    def hybrid_forward(self, F, x):
        return F.log_softmax(self.out(self.drop(self.rnn(self.emb(x)))), axis=-1)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn"])
def test_rnn_language_model(tmp_path, mode):
    net = LanguageModel(mode)
    net.initialize(mx.init.Uniform(0.3))
    net(mx.nd.zeros((7, 1)))
    sym, params = _symbol(net, "data")
    # sequence length and batch both free
    path = _export(tmp_path, sym, params, [(7, 1)], dynamic=True, dynamic_input_shapes=[(None, None)])
    sess = _session(path)
    rng = np.random.RandomState(0)
    for shape in ((7, 1), (5, 4)):
        x = rng.randint(0, 40, shape).astype(np.float32)
        _close(sess.run(None, {"data": x})[0], net(mx.nd.array(x)).asnumpy())
    # round trip
    sym2, args, aux = mx.contrib.onnx.import_model(path)
    x = rng.randint(0, 40, (6, 3)).astype(np.float32)
    out = sym2.bind(mx.cpu(), {"data": mx.nd.array(x), **args}, aux_states=aux).forward()[0]
    _close(out.asnumpy(), net(mx.nd.array(x)).asnumpy())


class EncoderBlock(gluon.HybridBlock):
    """A BERT-style transformer encoder layer on MXNet's fused attention operators, with
    learned positions and a length mask, in (seq, batch, units) layout."""

    def __init__(self, units=32, heads=4, hidden=64, vocab=30, **kw):
        super().__init__(**kw)
        self._heads = heads
        with self.name_scope():
            self.tok = gluon.nn.Embedding(vocab, units)
            self.pos = gluon.nn.Embedding(64, units)
            self.qkv = gluon.nn.Dense(3 * units, flatten=False)
            self.proj = gluon.nn.Dense(units, flatten=False)
            self.ln1 = gluon.nn.LayerNorm()
            self.ln2 = gluon.nn.LayerNorm()
            self.ffn1 = gluon.nn.Dense(hidden, flatten=False)
            self.ffn2 = gluon.nn.Dense(units, flatten=False)
            self.drop = gluon.nn.Dropout(0.1)

    def hybrid_forward(self, F, tokens, valid_length):
        x = F.broadcast_add(self.tok(tokens), F.expand_dims(self.pos(F.contrib.arange_like(tokens, axis=0)), axis=1))
        qkv = self.qkv(x)
        scores = F.contrib.interleaved_matmul_selfatt_qk(qkv, heads=self._heads)
        lengths = F.repeat(F.cast(valid_length, "int32"), repeats=self._heads, axis=0)   # (batch * heads,)
        lengths = F.broadcast_like(F.expand_dims(lengths, axis=1), scores, lhs_axes=(1,), rhs_axes=(1,))
        att = F.softmax(scores, lengths, axis=-1, use_length=True)
        ctx = F.contrib.interleaved_matmul_selfatt_valatt(qkv, att, heads=self._heads)
        x = self.ln1(x + self.drop(self.proj(ctx)))
        h = self.ffn2(F.LeakyReLU(self.ffn1(x), act_type="gelu"))
        return self.ln2(x + self.drop(h))


def test_transformer_encoder_block(tmp_path):
    net = EncoderBlock()
    net.initialize(mx.init.Normal(0.2))
    net(mx.nd.zeros((6, 2)), mx.nd.array([6, 3]))
    sym, params = _symbol(net, "tokens", "valid_length")
    path = _export(tmp_path, sym, params, [(6, 2), (2,)], [np.float32, np.float32], dynamic=True,
                   dynamic_input_shapes=[(None, None), (None,)])
    sess = _session(path)
    rng = np.random.RandomState(0)
    for t, n in ((6, 2), (9, 4)):
        tokens = rng.randint(0, 30, (t, n)).astype(np.float32)
        lengths = rng.randint(1, t + 1, (n,)).astype(np.float32)
        ref = net(mx.nd.array(tokens), mx.nd.array(lengths)).asnumpy()
        _close(sess.run(None, {"tokens": tokens, "valid_length": lengths})[0], ref)
    for opset in (12, 16):      # without LayerNormalization and with
        path = _export(tmp_path, sym, params, [(6, 2), (2,)], [np.float32, np.float32], opset_version=opset)
        tokens = rng.randint(0, 30, (6, 2)).astype(np.float32)
        lengths = np.array([6, 2], np.float32)
        ref = net(mx.nd.array(tokens), mx.nd.array(lengths)).asnumpy()
        _close(_session(path).run(None, {"tokens": tokens, "valid_length": lengths})[0], ref)


def test_transformer_encoder_block_round_trip(tmp_path):
    net = EncoderBlock()
    net.initialize(mx.init.Normal(0.2))
    tokens = mx.nd.array(np.random.RandomState(0).randint(0, 30, (6, 2)))
    lengths = mx.nd.array([6, 3])
    ref = net(tokens, lengths).asnumpy()
    sym, params = _symbol(net, "tokens", "valid_length")
    path = _export(tmp_path, sym, params, [(6, 2), (2,)])
    sym2, args, aux = mx.contrib.onnx.import_model(path)
    out = sym2.bind(mx.cpu(), {"tokens": tokens, "valid_length": lengths, **args}, aux_states=aux).forward()[0]
    _close(out.asnumpy(), ref)
    # positions counted from a free sequence length are arithmetic on an open size: a clear error
    path = _export(tmp_path, sym, params, [(6, 2), (2,)], dynamic=True)
    with pytest.raises(mx.MXNetError, match="leaves open"):
        mx.contrib.onnx.import_model(path)


# -- round trips ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,size", [("mobilenet0.25", 32), ("mobilenetv2_0.25", 32)])
def test_round_trip(tmp_path, name, size):
    net = vision.get_model(name, classes=10)
    net.initialize()
    net(mx.nd.zeros((1, 3, size, size)))
    _randomize(net, 5)
    sym, params = _symbol(net, "data")
    path = _export(tmp_path, sym, params, [(1, 3, size, size)], dynamic=True)
    x = np.random.RandomState(4).uniform(-1, 1, (3, 3, size, size)).astype(np.float32)
    ref = net(mx.nd.array(x)).asnumpy()
    sym2, args, aux = mx.contrib.onnx.import_model(path)
    out = sym2.bind(mx.cpu(), {"data": mx.nd.array(x), **args}, aux_states=aux).forward()[0]
    _close(out.asnumpy(), ref)
    block = mx.contrib.onnx.import_to_gluon(path, mx.cpu())
    _close(block(mx.nd.array(x)).asnumpy(), ref)
    meta = mx.contrib.onnx.get_model_metadata(path)
    assert meta["input_tensor_data"] == [("data", (0, 0, 0, 0))]
    assert [n for n, _ in meta["output_tensor_data"]] == [sym.name]


# -- goldens from real MXNet 1.9.1 ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["cnn", "lstm_lm"])
def test_matches_mxnet_export(tmp_path, name):
    base = os.path.join(GOLDENS, name)
    z = np.load(base + ".npz")
    x = z["data"]
    theirs = _session(base + ".onnx").run(None, {"data": x})[0]
    path = _export(tmp_path, base + "-symbol.json", base + ".params", [x.shape])
    ours = _session(path).run(None, {"data": x})[0]
    _close(theirs, z["output"])
    _close(ours, z["output"])
    _close(ours, theirs)
    # the same input and output names as MXNet's file
    mine, mxnet_model = onnx.load(path).graph, onnx.load(base + ".onnx").graph
    inits = {t.name for t in mxnet_model.initializer}
    assert [i.name for i in mine.input] == [i.name for i in mxnet_model.input if i.name not in inits]
    assert [o.name for o in mine.output] == [o.name for o in mxnet_model.output]
    # and MXNet's file imports
    sym, args, aux = mx.contrib.onnx.import_model(base + ".onnx")
    out = sym.bind(mx.cpu(), {"data": mx.nd.array(x), **args}, aux_states=aux).forward()[0]
    _close(out.asnumpy(), z["output"])


@pytest.mark.parametrize("name,feed", [("cnn", (3, 3, 12, 12)), ("lstm_lm", (4, 3))])
def test_import_mxnet_dynamic_export(name, feed):
    """MXNet's export with every input dimension open imports and runs at other sizes (its LSTM's
    sequence lengths and dense layers' shapes are computed from Shape at run time)."""
    path = os.path.join(GOLDENS, name + "-dynamic.onnx")
    rng = np.random.RandomState(0)
    x = (rng.normal(size=feed) if name == "cnn" else rng.randint(0, 20, feed)).astype(np.float32)
    ref = _session(path).run(None, {"data": x})[0]
    sym, args, aux = mx.contrib.onnx.import_model(path)
    out = sym.bind(mx.cpu(), {"data": mx.nd.array(x), **args}, aux_states=aux).forward()[0]
    _close(out.asnumpy(), ref)


# -- a PyTorch-style graph ----------------------------------------------------------------------
def _torch_style_model(opset):
    """What torch.onnx.export writes for a small CNN: Conv/BatchNormalization/Relu/MaxPool, then
    ``x.view(x.size(0), -1)`` as Shape/Gather/Unsqueeze/Concat/Reshape, then Gemm."""
    h = onnx.helper
    rng = np.random.RandomState(0)
    init = {"conv.weight": rng.normal(0, 0.3, (4, 3, 3, 3)), "conv.bias": rng.normal(0, 0.1, 4),
            "bn.weight": rng.uniform(0.5, 1.5, 4), "bn.bias": rng.normal(0, 0.1, 4),
            "bn.running_mean": rng.normal(0, 0.1, 4), "bn.running_var": rng.uniform(0.5, 1.5, 4),
            "fc.weight": rng.normal(0, 0.2, (5, 4 * 4 * 4)), "fc.bias": rng.normal(0, 0.1, 5)}
    inits = [onnx.numpy_helper.from_array(v.astype(np.float32), k) for k, v in init.items()]
    const = [h.make_node("Constant", [], ["c0"], value=h.make_tensor("v", onnx.TensorProto.INT64, [], [0])),
             h.make_node("Constant", [], ["cm1"], value=h.make_tensor("v", onnx.TensorProto.INT64, [1], [-1]))]
    unsq = (h.make_node("Unsqueeze", ["n"], ["n1"], axes=[0]) if opset < 13 else
            h.make_node("Unsqueeze", ["n", "ax0"], ["n1"]))
    if opset >= 13:
        const.append(h.make_node("Constant", [], ["ax0"],
                                 value=h.make_tensor("v", onnx.TensorProto.INT64, [1], [0])))
    nodes = const + [
        h.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                    strides=[1, 1]),
        h.make_node("BatchNormalization", ["c", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
                    ["b"], epsilon=1e-5),
        h.make_node("Relu", ["b"], ["r"]),
        h.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Shape", ["p"], ["s"]),
        h.make_node("Gather", ["s", "c0"], ["n"], axis=0),
        unsq,
        h.make_node("Concat", ["n1", "cm1"], ["shape"], axis=0),
        h.make_node("Reshape", ["p", "shape"], ["f"]),
        h.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["g"], alpha=1.0, beta=1.0, transB=1),
        h.make_node("Softmax", ["g"], ["output"], axis=1),
    ]
    graph = h.make_graph(nodes, "torch_jit", [h.make_tensor_value_info("input", onnx.TensorProto.FLOAT,
                                                                        ["batch_size", 3, 8, 8])],
                         [h.make_tensor_value_info("output", onnx.TensorProto.FLOAT, ["batch_size", 5])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)], producer_name="pytorch")


@pytest.mark.parametrize("opset", [11, 13, 17])
def test_import_pytorch_style(tmp_path, opset):
    model = _torch_style_model(opset)
    onnx.checker.check_model(model)
    path = str(tmp_path / "torch.onnx")
    onnx.save(model, path)
    sess = _session(path)
    sym, args, aux = mx.contrib.onnx.import_model(path)
    assert sorted(aux) == ["bn.running_mean", "bn.running_var"]
    for batch in (1, 3):    # the batch dimension stays free
        x = np.random.RandomState(batch).normal(size=(batch, 3, 8, 8)).astype(np.float32)
        out = sym.bind(mx.cpu(), {"input": mx.nd.array(x), **args}, aux_states=aux).forward()[0]
        _close(out.asnumpy(), sess.run(None, {"input": x})[0])


# -- operators and errors --------------------------------------------------------------------------
def _check_sym(tmp_path, sym, inputs, params=None, rel=1e-4, **kw):
    params = params or {}
    shapes = [v.shape for v in inputs.values()]
    types = [v.dtype for v in inputs.values()]
    path = _export(tmp_path, sym, params, shapes, types, **kw)
    arrays = {k: mx.nd.array(v, dtype=v.dtype) for k, v in inputs.items()}
    aux = {k: arrays.pop(k) for k in sym.list_auxiliary_states()}
    # a loss layer's label is no model input: any value does for the forward pass
    arg_shapes, _, _ = sym.infer_shape(**{k: v.shape for k, v in inputs.items()})
    for name, shape in zip(sym.list_arguments(), arg_shapes):
        if name not in arrays and name not in params:
            arrays[name] = mx.nd.zeros(shape)
    ex = sym.bind(mx.cpu(), {**arrays, **params}, aux_states=aux)
    refs = [o.asnumpy() for o in ex.forward()]
    outs = _session(path).run(None, inputs)
    for o, r in zip(outs, refs):
        _close(o, r, rel)


def test_reshape_special_codes(tmp_path):
    x = mx.sym.var("data")
    y = mx.sym.Reshape(x, shape=(0, -3, -2))            # (N, C*H, W)
    y = mx.sym.Reshape(y, shape=(-4, 1, -1, 0, -1))     # (1, N, C*H, W)
    y = mx.sym.Reshape(y, shape=(-2,), reverse=True)
    y = mx.sym.Reshape(y, shape=(0, 0, -3))
    data = np.random.RandomState(0).normal(size=(2, 3, 4, 5)).astype(np.float32)
    _check_sym(tmp_path, y, {"data": data})
    _check_sym(tmp_path, y, {"data": data}, dynamic=True, dynamic_input_shapes=[(None, 3, 4, 5)])


def test_slices_and_arithmetic(tmp_path):
    x = mx.sym.var("data")
    a = mx.sym.slice(x, begin=(None, 1), end=(None, None), step=(1, 2))
    b = mx.sym.slice_axis(x, axis=1, begin=0, end=-1)
    c = mx.sym.slice_like(x, mx.sym.slice_axis(x, axis=1, begin=0, end=2), axes=(1,))
    y = mx.sym.concat(a * 2 - 1, mx.sym.sqrt(mx.sym.abs(b)) / 3, 1 - c, dim=1)
    y = mx.sym.broadcast_add(mx.sym.broadcast_mul(y, mx.sym.mean(y, axis=1, keepdims=True)),
                             mx.sym.max(y, axis=(0,), keepdims=True))
    y = mx.sym.clip(mx.sym.transpose(mx.sym.expand_dims(y, axis=0), axes=(1, 0, 2)), 0.1, 2.0)
    y = mx.sym.Group([y, mx.sym.sum(y, axis=2, exclude=True), mx.sym.argmax(x, axis=1), mx.sym.norm(x, axis=1)])
    data = np.random.RandomState(0).normal(size=(3, 6)).astype(np.float32)
    _check_sym(tmp_path, y, {"data": data})


def test_deconvolution_and_pooling(tmp_path):
    x = mx.sym.var("data")
    y = mx.sym.Deconvolution(x, num_filter=4, kernel=(3, 3), stride=(2, 2), pad=(1, 1), adj=(1, 1),
                             num_group=2, name="deconv")
    y = mx.sym.Pooling(y, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg", name="p1")
    y = mx.sym.Pooling(y, kernel=(2, 2), stride=(2, 2), pool_type="max", pooling_convention="full", name="p2")
    rng = np.random.RandomState(0)
    params = {"deconv_weight": mx.nd.array(rng.normal(size=(4, 2, 3, 3)).astype(np.float32))}
    _check_sym(tmp_path, y, {"data": rng.normal(size=(1, 4, 5, 5)).astype(np.float32)}, params)


def _detections(batch, n, classes=3, seed=0):
    """(batch, n, 6) rows [class id, score, x1, y1, x2, y2] with many overlaps."""
    rng = np.random.RandomState(seed)
    xy = rng.uniform(0, 8, (batch, n, 2))
    wh = rng.uniform(1, 4, (batch, n, 2))
    return np.concatenate([rng.randint(-1, classes, (batch, n, 1)), rng.uniform(0, 1, (batch, n, 1)),
                           xy, xy + wh], axis=2).astype(np.float32)


@pytest.mark.parametrize("kw", [dict(overlap_thresh=0.5, valid_thresh=0.1, topk=-1, id_index=0, score_index=1,
                                     coord_start=2),
                                dict(overlap_thresh=0.3, valid_thresh=0.0, topk=12, id_index=0, force_suppress=True),
                                dict(overlap_thresh=0.45, topk=20, id_index=0, background_id=0),
                                dict(overlap_thresh=0.5, id_index=-1)])
def test_box_nms(tmp_path, kw):
    y = mx.sym.contrib.box_nms(D, **kw)
    _check_sym(tmp_path, y, {"data": _detections(2, 30)}, rel=1e-6)
    y = mx.sym.contrib.box_nms(D, **kw)
    _check_sym(tmp_path, y, {"data": _detections(3, 30, seed=1)}, dynamic=True, dynamic_input_shapes=[(None, 30, 6)])


def test_box_nms_center_format_and_box_decode(tmp_path):
    rng = np.random.RandomState(0)
    anchors = np.concatenate([rng.uniform(0, 8, (1, 25, 2)), rng.uniform(1, 3, (1, 25, 2))], axis=2)
    deltas = rng.normal(0, 0.3, (2, 25, 4))
    boxes = mx.sym.contrib.box_decode(D, S.var("anchors"), std0=0.1, std1=0.1, std2=0.2, std3=0.2, format="center",
                                      clip=1.0)
    corner = mx.sym.contrib.box_decode(D, S.var("anchors"), format="corner")
    dets = np.concatenate([_detections(2, 25)[:, :, :2], deltas + 4], axis=2).astype(np.float32)
    nms = mx.sym.contrib.box_nms(S.var("dets"), in_format="center", out_format="center", topk=10)
    _check_sym(tmp_path, S.Group([boxes, corner, nms]),
               {"data": deltas.astype(np.float32), "anchors": anchors.astype(np.float32), "dets": dets}, rel=1e-5)


@pytest.mark.parametrize("kw", [dict(), dict(nms_topk=6, threshold=0.2), dict(force_suppress=True, clip=False),
                                dict(nms_threshold=0.0)])
def test_multibox_detection(tmp_path, kw):
    """MXNet's SSD head: anchors from MultiBoxPrior (constants), then MultiBoxDetection."""
    rng = np.random.RandomState(0)
    feat = S.var("feat")
    anchors = S.contrib.MultiBoxPrior(feat, sizes=(0.3, 0.6), ratios=(1, 2))      # (1, 4 * 4 * 3, 4)
    logits = rng.normal(0, 2, (2, 4, 48)).astype(np.float32)
    cls_prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    det = S.contrib.MultiBoxDetection(S.var("cls"), S.var("loc"), anchors, **kw)
    _check_sym(tmp_path, det, {"cls": cls_prob, "loc": rng.normal(0, 0.5, (2, 192)).astype(np.float32),
                               "feat": np.zeros((1, 8, 4, 4), np.float32)}, rel=1e-5)


def test_unsupported_operator_is_named(tmp_path):
    y = mx.sym.contrib.DeformableConvolution(mx.sym.var("x"), mx.sym.var("offset"), kernel=(3, 3), num_filter=2)
    with pytest.raises(mx.MXNetError, match="_contrib_DeformableConvolution"):
        mx.onnx.export_model(y, {"deformableconvolution0_weight": mx.nd.ones((2, 2, 3, 3)),
                                 "deformableconvolution0_bias": mx.nd.zeros(2)},
                             [(1, 2, 5, 5), (1, 18, 3, 3)], np.float32, str(tmp_path / "x.onnx"))
    assert not os.path.exists(tmp_path / "x.onnx")


def test_operator_support_and_argument_checks(tmp_path):
    ops = mx.onnx.get_operator_support()
    for name in ("Convolution", "BatchNorm", "RNN", "FullyConnected", "Reshape", "reshape",
                 "_contrib_interleaved_matmul_selfatt_qk", "LayerNorm", "Embedding"):
        assert name in ops
    assert ops == sorted(ops)
    assert mx.onnx.get_operator_support(11) == []
    sym = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
    params = {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros(2)}
    with pytest.raises(ValueError, match="files or objects"):
        mx.onnx.export_model(sym, 42, [(1, 3)])
    with pytest.raises(ValueError, match="in_types and in_shapes"):
        mx.onnx.export_model(sym, params, [(1, 3)], [np.float32, np.float32])
    with pytest.raises(mx.MXNetError, match="in_shapes gives 2"):
        mx.onnx.export_model(sym, params, [(1, 3), (1, 3)], onnx_file_path=str(tmp_path / "m.onnx"))
    # the older argument names and a [arg_params, aux_params] list
    path = mx.onnx.export_model(sym, [params, {}], input_shape=[(1, 3)], input_type=np.float32,
                                onnx_file_path=str(tmp_path / "m.onnx"))
    out = _session(path).run(None, {"data": np.ones((1, 3), np.float32)})[0]
    np.testing.assert_allclose(out, [[3, 3]])


# -- the README's example ------------------------------------------------------------------------
def test_trained_mnist_model_in_onnxruntime(tmp_path, mnist_home):
    """Train a small CNN on part of MNIST, export it as the README shows, and classify the test
    images with ONNX Runtime."""
    from mxnet import autograd
    from mxnet.gluon import nn
    from mxnet.gluon.data.vision import MNIST, transforms
    mx.random.seed(0)
    np.random.seed(0)       # the DataLoader's shuffling
    train = MNIST(train=True).transform_first(transforms.ToTensor())
    test = MNIST(train=False)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(8, kernel_size=5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Conv2D(16, kernel_size=5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Flatten(), nn.Dense(64, activation="relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 3e-3})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    loader = gluon.data.DataLoader(gluon.data.SimpleDataset([train[i] for i in range(4800)]),
                                   batch_size=64, shuffle=True)
    for data, label in loader:
        with autograd.record():
            loss = loss_fn(net(data), label)
        loss.backward()
        trainer.step(data.shape[0])

    net.hybridize()
    net(mx.nd.zeros((1, 1, 28, 28)))
    prefix = str(tmp_path / "mnist")
    net.export(prefix)
    path = mx.onnx.export_model(prefix + "-symbol.json", prefix + "-0000.params", [(1, 1, 28, 28)],
                                np.float32, str(tmp_path / "mnist.onnx"), dynamic=True)
    onnx.checker.check_model(path)
    images = test._data[:1000].asnumpy().transpose(0, 3, 1, 2).astype(np.float32) / 255
    labels = test._label[:1000]
    logits = _session(path).run(None, {"data": images})[0]
    _close(logits, net(mx.nd.array(images)).asnumpy())
    assert (logits.argmax(axis=1) == labels).mean() > 0.85


# -- operator by operator ----------------------------------------------------------------------------
def _r(*shape, seed=0, low=-1.0, high=1.0):
    return np.random.RandomState(seed + len(shape)).uniform(low, high, shape).astype(np.float32)


S = mx.sym
D = S.var("data")
E = S.var("other")
OPS = {
    "activations": (S.Group([S.Activation(D, act_type=t) for t in ("relu", "sigmoid", "tanh", "softrelu", "softsign")]
                            + [S.LeakyReLU(D, act_type="leaky", slope=0.2), S.LeakyReLU(D, act_type="elu", slope=0.7),
                               S.LeakyReLU(D, act_type="selu"), S.LeakyReLU(D, act_type="gelu"),
                               S.relu(D), S.sigmoid(D), S.hard_sigmoid(D), S.softsign(D)]),
                    {"data": _r(2, 5)}),
    "prelu": (S.LeakyReLU(D, S.var("gamma"), act_type="prelu"), {"data": _r(2, 3, 4), "gamma": _r(3)}),
    "softmax_family": (S.Group([S.softmax(D, axis=1, temperature=2.0), S.log_softmax(D, axis=-1), S.softmin(D, axis=0),
                                S.SoftmaxActivation(D), S.SoftmaxActivation(D, mode="channel"),
                                S.SoftmaxOutput(D, preserve_shape=True)]), {"data": _r(2, 3, 4)}),
    "norms": (S.Group([S.InstanceNorm(D, S.var("g"), S.var("b"), eps=1e-3),
                       S.GroupNorm(D, S.var("g2"), S.var("b2"), num_groups=2),
                       S.L2Normalization(D, mode="channel"), S.L2Normalization(D, mode="instance"),
                       S.LRN(D, nsize=3), S.LayerNorm(D, S.var("g"), S.var("b"), axis=1),
                       S.BatchNorm(D, S.var("g"), S.var("b"), S.var("m"), S.var("v"), axis=1, fix_gamma=True)]),
              {"data": _r(2, 4, 3, 3), "g": _r(4, low=0.5), "b": _r(4), "g2": _r(2, low=0.5), "b2": _r(2),
               "m": _r(4), "v": _r(4, low=0.5, high=1.5)}),
    "batchnorm_last_axis": (S.BatchNorm(D, S.var("g"), S.var("b"), S.var("m"), S.var("v"), axis=-1, fix_gamma=False),
                            {"data": _r(2, 3, 4), "g": _r(4, low=0.5), "b": _r(4), "m": _r(4),
                             "v": _r(4, low=0.5, high=1.5)}),
    "dense_3d": (S.Group([S.FullyConnected(D, S.var("w"), num_hidden=5, no_bias=True, flatten=False),
                          S.FullyConnected(D, S.var("w2"), S.var("bias"), num_hidden=5)]),
                 {"data": _r(2, 3, 4), "w": _r(5, 4), "w2": _r(5, 12), "bias": _r(5)}),
    "conv_1d_3d": (S.Group([S.Convolution(S.var("x1"), S.var("w1"), num_filter=4, kernel=(3,), pad=(1,), no_bias=True),
                            S.Convolution(S.var("x3"), S.var("w3"), num_filter=2, kernel=(2, 2, 2), stride=(2, 1, 1),
                                          no_bias=True),
                            S.Pooling(S.var("x3"), kernel=(2, 2, 2), pool_type="max")]),
                   {"x1": _r(2, 3, 7), "w1": _r(4, 3, 3), "x3": _r(1, 2, 4, 4, 4), "w3": _r(2, 2, 2, 2, 2)}),
    "pooling_kinds": (S.Group([S.Pooling(D, kernel=(2, 2), pool_type="sum"), S.Pooling(D, kernel=(2, 2), pool_type="lp",
                                                                                       p_value=2),
                               S.Pooling(D, kernel=(1, 1), global_pool=True, pool_type="max"),
                               S.Pooling(D, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg",
                                         count_include_pad=False)]), {"data": _r(1, 2, 5, 5)}),
    "deconv_target_shape": (S.Deconvolution(D, S.var("w"), num_filter=3, kernel=(3, 3), stride=(2, 2),
                                            target_shape=(8, 8), no_bias=True),
                            {"data": _r(1, 2, 4, 4), "w": _r(2, 3, 3, 3)}),
    "resize": (S.Group([S.UpSampling(D, scale=2, sample_type="nearest"),
                        S.contrib.BilinearResize2D(D, height=7, width=5),
                        S.contrib.BilinearResize2D(D, height=6, width=8, align_corners=False),
                        S.contrib.AdaptiveAvgPooling2D(D, output_size=(2, 2)),
                        S.contrib.AdaptiveAvgPooling2D(D, output_size=1)]), {"data": _r(1, 2, 4, 4)}),
    "shapes": (S.Group([S.tile(D, reps=(2, 1, 3)), S.repeat(D, repeats=2, axis=1), S.repeat(D, repeats=2),
                        S.broadcast_to(S.slice_axis(D, axis=1, begin=0, end=1), shape=(0, 3, 0)),
                        S.broadcast_axis(S.slice_axis(D, axis=2, begin=0, end=1), axis=2, size=4),
                        S.broadcast_like(S.slice_axis(D, axis=0, begin=0, end=1), D),
                        S.stack(D, D, axis=1), S.squeeze(S.expand_dims(D, axis=2)), S.SwapAxis(D, dim1=0, dim2=2),
                        S.reverse(D, axis=1), S.Pad(S.expand_dims(D, axis=0), mode="constant", pad_width=(0, 0, 0, 0, 1, 1, 2, 0),
                                                    constant_value=0.5),
                        S.Pad(S.expand_dims(D, axis=0), mode="edge", pad_width=(0, 0, 0, 0, 1, 1, 2, 1))]
                       + list(S.split(D, num_outputs=3, axis=1, squeeze_axis=True))
                       + list(S.split_v2(D, indices_or_sections=(1, 3), axis=2))),
               {"data": _r(2, 3, 4)}),
    "depth_space": (S.Group([S.depth_to_space(D, block_size=2), S.space_to_depth(S.depth_to_space(D, block_size=2),
                                                                                 block_size=2)]),
                    {"data": _r(1, 8, 2, 3)}),
    "elementwise": (S.Group([D + E, D - E, D * E, D / (E + 2), S.maximum(D, E), S.minimum(D, E), D ** 2, 2 ** D,
                             D + 3, 3 - D, D / 4, 4 / (D + 2), S.maximum(D, 0.1), D == E, D != 0.5, D > E, D >= 0,
                             D < E, D <= 0.2, S.broadcast_power(S.abs(D) + 1, S.slice_axis(E, axis=0, begin=0, end=1)),
                             S.logical_not(D > 0), S.broadcast_logical_and(D > 0, E > 0),
                             S.broadcast_logical_or(D > 0, E > 0), S.broadcast_logical_xor(D > 0, E > 0),
                             S.add_n(D, E, D), S.where(D > 0, D, E), S.where(S.slice_axis(D, axis=1, begin=0, end=1).reshape(-1) > 0, D, E),
                             S.clip(D, -0.5, 0.5), S.Cast(D * 10, dtype="int32"), S.BlockGrad(D), S.identity(D)]),
                    {"data": _r(3, 4), "other": _r(3, 4, seed=1)}),
    "unary_math": (S.Group([f(D) for f in (S.abs, S.negative, S.exp, S.square, S.sign, S.floor, S.ceil, S.round, S.rint,
                                           S.trunc, S.fix, S.sin, S.cos, S.tan, S.arctan, S.sinh, S.cosh, S.tanh,
                                           S.arcsinh, S.erf)]
                           + [f(S.abs(D) + 0.5) for f in (S.log, S.sqrt, S.rsqrt, S.reciprocal, S.log1p, S.expm1, S.log2,
                                                          S.log10)]
                           + [S.arccosh(S.abs(D) + 1)]
                           + [f(S.clip(D, -0.9, 0.9)) for f in (S.arcsin, S.arccos, S.arctanh)]), {"data": _r(3, 4) * 2.5}),
    "reductions": (S.Group([S.sum(D), S.mean(D, axis=(1, 2)), S.max(D, axis=1, keepdims=True), S.min(D, axis=-1),
                            S.prod(D, axis=0), S.norm(D, ord=1, axis=2), S.norm(D), S.argmin(D, axis=2, keepdims=True),
                            S.argmax(D), S.sum(D, axis=1, exclude=True)]), {"data": _r(2, 3, 4)}),
    "sorting": (S.Group([S.topk(D, k=2, ret_typ="value"), S.topk(D, k=2, axis=0, is_ascend=True), S.sort(D),
                         S.argsort(D, axis=0, is_ascend=False)] + list(S.topk(D, k=3, ret_typ="both"))),
                {"data": _r(4, 5)}),
    "products": (S.Group([S.batch_dot(D, E, transpose_b=True), S.batch_dot(D, E, transpose_a=True),
                          S.dot(S.var("m1"), S.var("m2")), S.dot(S.var("m1"), S.var("m1"), transpose_a=True),
                          S.dot(D, S.var("m3"))]),
                 {"data": _r(2, 3, 4), "other": _r(2, 3, 4, seed=2), "m1": _r(3, 3), "m2": _r(3, 5), "m3": _r(4, 2, 3)}),
    "indexing": (S.Group([S.take(D, S.var("idx")), S.take(D, S.var("idx"), axis=1, mode="wrap"),
                          S.pick(D, S.var("pidx"), axis=1), S.pick(D, S.var("pidx"), axis=1, keepdims=True),
                          S.one_hot(S.var("pidx"), depth=4), S.gather_nd(D, S.var("nd_idx")),
                          S.Embedding(S.var("pidx"), S.var("table"), input_dim=6, output_dim=3)]),
                 {"data": _r(3, 4), "idx": np.array([[0, 2], [5, -1]], np.float32), "pidx": np.array([1, 3, 0], np.float32),
                  "nd_idx": np.array([[0, 2, 1], [3, 0, 1]], np.float32), "table": _r(6, 3)}),
    "sequences": (S.Group([S.SequenceMask(D, S.var("len"), use_sequence_length=True, value=-1.0),
                           S.SequenceMask(D, S.var("len2"), use_sequence_length=True, axis=1),
                           S.softmax(D, S.var("ilen"), axis=-1, use_length=True)]),
                  {"data": _r(4, 3, 4), "len": np.array([1, 4, 2], np.float32), "len2": np.array([3, 1, 2, 4], np.float32),
                   "ilen": np.array([[1, 2, 3], [4, 1, 2], [2, 2, 2], [3, 4, 1]], np.int32)}),
    "creation": (S.Group([S.zeros_like(D), S.ones_like(D), S.shape_array(D), S.size_array(D),
                          S.contrib.arange_like(D, axis=1), S.contrib.arange_like(D, start=2.0, step=0.5),
                          S.contrib.div_sqrt_dim(D), D + S.ones((3, 4)), S.broadcast_add(D, S.arange(4))]),
                 {"data": _r(3, 4)}),
    "encdec_attention": (S.Group([S.contrib.interleaved_matmul_encdec_qk(S.var("q"), S.var("kv"), heads=2),
                                  S.contrib.interleaved_matmul_encdec_valatt(S.var("kv"), S.var("att"), heads=2)]),
                         {"q": _r(3, 2, 8), "kv": _r(5, 2, 16), "att": _r(4, 3, 5)}),
    "sequence_reverse": (S.Group([S.SequenceReverse(D), S.SequenceReverse(D, S.var("len"), use_sequence_length=True)]),
                         {"data": _r(4, 3, 2), "len": np.array([1, 4, 2], np.float32)}),
    "gemm2": (S.Group([S.linalg.gemm2(D, E, transpose_b=True, alpha=0.5), S.linalg.gemm2(D, E, transpose_a=True)]),
              {"data": _r(2, 3, 4), "other": _r(2, 3, 4, seed=1)}),
    "roi_pooling": (S.ROIPooling(D, S.var("rois"), pooled_size=(2, 2), spatial_scale=0.5),
                    {"data": _r(2, 3, 8, 8), "rois": np.array([[0, 1, 1, 9, 9], [1, 0, 2, 7, 12]], np.float32)}),
    "rnn_param_concat": (S._internal._rnn_param_concat(D, E, dim=0), {"data": _r(6), "other": _r(4)}),
    "roi_align": (S.contrib.ROIAlign(D, S.var("rois"), pooled_size=(2, 2), spatial_scale=0.5, sample_ratio=2),
                  {"data": _r(2, 3, 8, 8), "rois": np.array([[0, 1, 1, 9, 9], [1, 0, 2, 7, 12]], np.float32)}),
}


# ONNX Runtime has no kernels for the opset-22 versions of RoiAlign and MaxRoiPool
OPSET = {"roi_align": 16, "roi_pooling": 21}


@pytest.mark.parametrize("case", sorted(OPS))
def test_operator(tmp_path, case):
    sym, inputs = OPS[case]
    _check_sym(tmp_path, sym, inputs, opset_version=OPSET.get(case))


@pytest.mark.parametrize("case", ["activations", "shapes", "reductions", "sequences", "norms"])
def test_operator_opset_12(tmp_path, case):
    sym, inputs = OPS[case]
    _check_sym(tmp_path, sym, inputs, opset_version=12)


@pytest.mark.parametrize("case", sorted(OPS))
def test_operator_round_trip(tmp_path, case):
    """Export, import back with import_model: the imported graph gives ONNX Runtime's outputs."""
    sym, inputs = OPS[case]
    path = _export(tmp_path, sym, {}, [v.shape for v in inputs.values()], [v.dtype for v in inputs.values()],
                   opset_version=OPSET.get(case))
    refs = _session(path).run(None, inputs)
    sym2, args, aux = mx.contrib.onnx.import_model(path)
    arrays = {k: mx.nd.array(v, dtype=v.dtype) for k, v in inputs.items()}
    for name in sym2.list_auxiliary_states():     # statistics that were graph inputs here
        aux.setdefault(name, arrays.pop(name))
    outs = sym2.bind(mx.cpu(), {**{k: v for k, v in arrays.items() if k in sym2.list_arguments()}, **args},
                     aux_states=aux).forward()
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        _close(o.asnumpy().astype(r.dtype), r)


# -- GluonCV and GluonNLP models ------------------------------------------------------------------------
def _check_block(tmp_path, net, inputs, dynamic_shapes=None, other_inputs=None):
    """HybridBlock.export, then export_model from the files; ONNX Runtime equals the block's
    forward (and, for a dynamic export, at ``other_inputs``' shapes too)."""
    net.hybridize()
    net(*inputs)
    prefix = str(tmp_path / "block")
    net.export(prefix)
    path = _export(tmp_path, prefix + "-symbol.json", prefix + "-0000.params", [x.shape for x in inputs],
                   [x.dtype for x in inputs], dynamic=dynamic_shapes is not None,
                   dynamic_input_shapes=dynamic_shapes)
    sess = _session(path)
    for feed in [inputs] + ([other_inputs] if other_inputs else []):
        refs = net(*feed)
        refs = refs if isinstance(refs, (list, tuple)) else [refs]
        outs = sess.run(None, {i.name: x.asnumpy() for i, x in zip(sess.get_inputs(), feed)})
        assert len(outs) == len(refs)
        for o, r in zip(outs, refs):
            _close(o, r.asnumpy())


@pytest.mark.parametrize("name", ["mobilenetv3_small", "se_resnet18_v1", "resnest14", "cifar_resnet20_v1"])
def test_gluoncv_classification(tmp_path, name):
    model_zoo = pytest.importorskip("gluoncv.model_zoo")
    net = model_zoo.get_model(name, pretrained=False, classes=10)
    net.initialize(mx.init.Xavier())
    x = mx.nd.random.uniform(shape=(1, 3, 32, 32))
    _check_block(tmp_path, net, [x], [(None, 3, 32, 32)], [mx.nd.random.uniform(shape=(3, 3, 32, 32))])


@pytest.mark.parametrize("name", ["ssd_300_mobilenet0.25_voc", "yolo3_mobilenet0.25_voc",
                                  pytest.param("center_net_resnet18_v1b_voc", marks=pytest.mark.slow)])
def test_gluoncv_detection(tmp_path, name):
    """The whole detector, box decoding and NMS included: ids, scores and boxes equal MXNet's."""
    model_zoo = pytest.importorskip("gluoncv.model_zoo")
    net = model_zoo.get_model(name, pretrained=False, pretrained_base=False)
    net.initialize()
    _check_block(tmp_path, net, [mx.nd.random.uniform(shape=(1, 3, 128, 128))])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fcn", "psp", "deeplab"])
def test_gluoncv_segmentation(tmp_path, name):
    gcv = pytest.importorskip("gluoncv.model_zoo")
    build = {"fcn": gcv.get_fcn, "psp": gcv.get_psp, "deeplab": gcv.get_deeplab}[name]
    net = build(dataset="pascal_voc", backbone="resnet50", pretrained=False, pretrained_base=False,
                crop_size=64, base_size=64, aux=False)
    net.initialize(mx.init.Xavier())
    _check_block(tmp_path, net, [mx.nd.random.uniform(shape=(1, 3, 64, 64))])


def test_gluonnlp_bert(tmp_path):
    nlp = pytest.importorskip("gluonnlp")
    vocab = nlp.vocab.BERTVocab(nlp.data.count_tokens("the quick brown fox jumps over the lazy dog".split()))
    encoder = nlp.model.BERTEncoder(num_layers=2, units=16, hidden_size=32, max_length=20, num_heads=2, dropout=0.0)
    model = nlp.model.BERTModel(encoder, vocab_size=len(vocab), token_type_vocab_size=2, units=16, embed_size=16,
                                use_pooler=True, use_decoder=False, use_classifier=True)
    model.initialize(mx.init.Normal(0.2))
    rng = np.random.RandomState(0)

    def inputs(batch, length):
        return [mx.nd.array(rng.randint(0, len(vocab), (batch, length))),
                mx.nd.array(rng.randint(0, 2, (batch, length))),
                mx.nd.array(rng.randint(1, length + 1, (batch,)))]
    # batch and sequence length both free
    _check_block(tmp_path, model, inputs(2, 7), [(None, None), (None, None), (None,)], inputs(3, 11))


def test_missing_onnx_package_is_named(monkeypatch, tmp_path):
    import sys
    monkeypatch.setitem(sys.modules, "onnx", None)
    sym = mx.sym.relu(mx.sym.var("data"))
    with pytest.raises(ImportError, match="pip install onnx"):
        mx.onnx.export_model(sym, {}, [(1, 2)], onnx_file_path=str(tmp_path / "m.onnx"))
    with pytest.raises(ImportError, match="pip install onnx"):
        mx.contrib.onnx.import_model(str(tmp_path / "m.onnx"))


def test_shape_inference_option_and_verbose(tmp_path, caplog):
    import logging
    sym = mx.sym.FullyConnected(mx.sym.relu(mx.sym.var("data")), num_hidden=3, name="fc")
    params = {"fc_weight": mx.nd.ones((3, 4)), "fc_bias": mx.nd.zeros(3)}
    with caplog.at_level(logging.INFO):
        path = _export(tmp_path, sym, params, [(2, 4)], run_shape_inference=True, verbose=True)
    assert "fc" in caplog.text
    inferred = {v.name for v in onnx.load(path).graph.value_info}
    assert inferred       # ONNX's shape inference filled in the intermediate tensors


def _torch_style_attention(opset=13):
    """A self-attention block as torch.onnx.export writes it at opset 13: batch and sequence
    named, head splits through Shape/Gather/Concat/Reshape, 4-D MatMuls, LayerNorm spelled out
    (ReduceMean/Sub/Pow/Sqrt/Div), GELU through Erf."""
    h = onnx.helper
    rng = np.random.RandomState(0)
    C, H = 8, 2
    d = C // H
    init = {n: rng.normal(0, 0.4, (C, C)).astype(np.float32) for n in ("wq", "wk", "wv")}
    init.update({"bq": rng.normal(0, 0.1, C), "ln_g": rng.uniform(0.5, 1.5, C), "ln_b": rng.normal(0, 0.1, C)})
    init.update({"two": np.array(2.0), "eps": np.array(1e-5), "scale": np.array(np.sqrt(d)), "half": np.array(0.5),
                 "one": np.array(1.0), "sqrt2": np.array(np.sqrt(2.0))})
    init = {k: np.asarray(v, np.float32) for k, v in init.items()}
    init.update({"i0": np.array(0, np.int64), "i1": np.array(1, np.int64), "ax0": np.array([0], np.int64),
                 "heads": np.array([H, d], np.int64), "minus1": np.array([-1], np.int64)})
    inits = [onnx.numpy_helper.from_array(v, k) for k, v in init.items()]
    n = h.make_node
    nodes = [
        n("Shape", ["x"], ["s"]), n("Gather", ["s", "i0"], ["b"], axis=0), n("Gather", ["s", "i1"], ["t"], axis=0),
        n("Unsqueeze", ["b", "ax0"], ["b1"]), n("Unsqueeze", ["t", "ax0"], ["t1"]),
        n("Concat", ["b1", "t1", "heads"], ["split_shape"], axis=0),
        n("Concat", ["b1", "t1", "minus1"], ["merge_shape"], axis=0),
    ]
    for name in ("q", "k", "v"):
        nodes.append(n("MatMul", ["x", "w" + name], [name + "0"]))
        src = name + "0"
        if name == "q":
            nodes.append(n("Add", ["q0", "bq"], ["q0b"]))
            src = "q0b"
        nodes += [n("Reshape", [src, "split_shape"], [name + "4"]),
                  n("Transpose", [name + "4"], [name + "h"], perm=[0, 2, 3, 1] if name == "k" else [0, 2, 1, 3])]
    nodes += [
        n("MatMul", ["qh", "kh"], ["scores0"]), n("Div", ["scores0", "scale"], ["scores"]),
        n("Softmax", ["scores"], ["att"], axis=-1), n("MatMul", ["att", "vh"], ["ctx4"]),
        n("Transpose", ["ctx4"], ["ctx_t"], perm=[0, 2, 1, 3]), n("Reshape", ["ctx_t", "merge_shape"], ["ctx"]),
        n("Add", ["x", "ctx"], ["res"]),
        n("ReduceMean", ["res"], ["mean"], axes=[-1]), n("Sub", ["res", "mean"], ["dev"]),
        n("Pow", ["dev", "two"], ["sq"]), n("ReduceMean", ["sq"], ["var"], axes=[-1]),
        n("Add", ["var", "eps"], ["var_eps"]), n("Sqrt", ["var_eps"], ["std"]), n("Div", ["dev", "std"], ["normed"]),
        n("Mul", ["normed", "ln_g"], ["scaled"]), n("Add", ["scaled", "ln_b"], ["ln"]),
        n("Div", ["ln", "sqrt2"], ["g0"]), n("Erf", ["g0"], ["g1"]), n("Add", ["g1", "one"], ["g2"]),
        n("Mul", ["ln", "g2"], ["g3"]), n("Mul", ["g3", "half"], ["y"]),
    ]
    graph = h.make_graph(nodes, "torch_jit", [h.make_tensor_value_info("x", onnx.TensorProto.FLOAT,
                                                                        ["batch", "seq", C])],
                         [h.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", "seq", C])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)], producer_name="pytorch")


def test_import_pytorch_style_attention(tmp_path):
    model = _torch_style_attention()
    onnx.checker.check_model(model)
    path = str(tmp_path / "attention.onnx")
    onnx.save(model, path)
    sess = _session(path)
    sym, args, aux = mx.contrib.onnx.import_model(path)
    for shape in ((2, 5, 8), (3, 7, 8)):     # batch and sequence stay free
        x = np.random.RandomState(shape[0]).normal(size=shape).astype(np.float32)
        out = sym.bind(mx.cpu(), {"x": mx.nd.array(x), **args}, aux_states=aux).forward()[0]
        _close(out.asnumpy(), sess.run(None, {"x": x})[0])


@pytest.mark.parametrize("opset", list(range(12, NEWEST + 1)))
def test_every_opset(tmp_path, opset):
    """The encoder block and an LSTM language model at every opset from 12 to the newest."""
    enc = EncoderBlock()
    enc.initialize(mx.init.Normal(0.2))
    tokens = mx.nd.array(np.random.RandomState(0).randint(0, 30, (6, 2)))
    lengths = mx.nd.array([6, 3])
    ref = enc(tokens, lengths).asnumpy()
    sym, params = _symbol(enc, "tokens", "valid_length")
    path = _export(tmp_path, sym, params, [(6, 2), (2,)], opset_version=opset)
    out = _session(path).run(None, {"tokens": tokens.asnumpy(), "valid_length": lengths.asnumpy()})[0]
    _close(out, ref)
    lm = LanguageModel("lstm")
    lm.initialize(mx.init.Uniform(0.3))
    x = mx.nd.array(np.random.RandomState(1).randint(0, 40, (7, 2)))
    lm(x)
    sym, params = _symbol(lm, "data")
    path = _export(tmp_path, sym, params, [(7, 2)], opset_version=opset)
    _close(_session(path).run(None, {"data": x.asnumpy()})[0], lm(x).asnumpy())


def _single_node_model(op_type, inputs, attrs=None, inits=None, outputs=1, opset=13):
    """A model of one ONNX node; ``inputs``: {name: array}, the ``inits`` names become initializers."""
    h = onnx.helper
    inits = inits or {}
    outs = [f"y{i}" for i in range(outputs)]
    node = h.make_node(op_type, list(inputs) + list(inits), outs, **(attrs or {}))
    vi = [h.make_tensor_value_info(k, h.np_dtype_to_tensor_dtype(v.dtype), v.shape) for k, v in inputs.items()]
    graph = h.make_graph([node], "one", vi, [h.make_empty_tensor_value_info(o) for o in outs],
                         [onnx.numpy_helper.from_array(v, k) for k, v in inits.items()])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])


IMPORT_CASES = {
    "flatten_axis2": ("Flatten", {"x": _r(2, 3, 4, 5)}, {"axis": 2}, {}),
    "hardswish": ("HardSwish", {"x": _r(3, 4) * 4}, {}, {}),
    "mean3": ("Mean", {"a": _r(3, 4), "b": _r(3, 4, seed=1), "c": _r(1, 4, seed=2)}, {}, {}),
    "max3": ("Max", {"a": _r(3, 4), "b": _r(3, 4, seed=1), "c": _r(4, seed=2)}, {}, {}),
    "gemm_trans_a": ("Gemm", {"a": _r(5, 3)}, {"transA": 1, "alpha": 0.5, "beta": 2.0},
                     {"w": _r(5, 4, seed=3), "c": _r(4, seed=4)}),
    "conv_same_upper": ("Conv", {"x": _r(1, 2, 7, 6)}, {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
                        {"w": _r(3, 2, 4, 4, seed=1)}),
    "avgpool_asym": ("AveragePool", {"x": _r(1, 2, 7, 7)},
                          {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [0, 0, 1, 1],
                           "count_include_pad": 1}, {}),
    "avgpool_ceil": ("AveragePool", {"x": _r(1, 2, 8, 8)}, {"kernel_shape": [3, 3], "strides": [2, 2],
                                                            "pads": [1, 1, 1, 1], "ceil_mode": 1}, {}),
    "maxpool_asym": ("MaxPool", {"x": _r(1, 2, 6, 6)}, {"kernel_shape": [2, 2], "strides": [2, 2],
                                                         "pads": [1, 1, 0, 0]}, {}),
    "resize_nearest": ("Resize", {"x": _r(1, 2, 3, 4)}, {"mode": "nearest"},
                       {"roi": np.zeros(0, np.float32), "scales": np.array([1, 1, 2, 2], np.float32)}),
    "resize_linear": ("Resize", {"x": _r(1, 2, 3, 4)}, {"mode": "linear", "coordinate_transformation_mode":
                                                         "align_corners"},
                      {"roi": np.zeros(0, np.float32), "scales": np.array([1, 1, 2, 1.5], np.float32)}),
    "softmax_opset11_axis1": ("Softmax", {"x": _r(2, 3, 4)}, {"axis": 1}, {}),
    "clip_attr_opset6": ("Clip", {"x": _r(3, 4) * 3}, {"min": -1.0, "max": 0.5}, {}),
    "split_attr_opset11": ("Split", {"x": _r(6, 4)}, {"axis": 0, "split": [2, 4]}, {}),
}
IMPORT_OPSET = {"hardswish": 14, "softmax_opset11_axis1": 11, "clip_attr_opset6": 6, "split_attr_opset11": 11}


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
def test_import_operator(tmp_path, case):
    op_type, inputs, attrs, inits = IMPORT_CASES[case]
    model = _single_node_model(op_type, inputs, attrs, inits, outputs=2 if op_type == "Split" else 1,
                               opset=IMPORT_OPSET.get(case, 13))
    path = str(tmp_path / "one.onnx")
    onnx.save(model, path)
    refs = _session(path).run(None, inputs)
    sym, args, aux = mx.contrib.onnx.import_model(path)
    outs = sym.bind(mx.cpu(), {**{k: mx.nd.array(v) for k, v in inputs.items()}, **args}, aux_states=aux).forward()
    for o, r in zip(outs, refs):
        _close(o.asnumpy(), r)


def test_import_refuses_what_it_cannot_reproduce(tmp_path):
    path = str(tmp_path / "one.onnx")
    onnx.save(_single_node_model("AveragePool", {"x": _r(1, 2, 8, 8)}, {"kernel_shape": [3, 3], "strides": [2, 2],
                                                                        "pads": [0, 0, 1, 1], "ceil_mode": 1,
                                                                        "count_include_pad": 1}), path)
    with pytest.raises(mx.MXNetError, match="asymmetric padding .*ceil_mode"):
        mx.contrib.onnx.import_model(path)
    onnx.save(_single_node_model("Einsum", {"a": _r(2, 3), "b": _r(3, 4)}, {"equation": "ij,jk->ik"}), path)
    with pytest.raises(mx.MXNetError, match="operator Einsum"):
        mx.contrib.onnx.import_model(path)


def test_random_operators(tmp_path):
    """Random draws cannot match: shapes, dtypes and ranges do."""
    y = S.Group([S.random.uniform(low=2, high=3, shape=(3, 4)), S.random.normal(loc=5, scale=0.1, shape=(2, 2)),
                 S.random.uniform_like(D, low=-1, high=0)])
    path = _export(tmp_path, y, {}, [(5, 2)], opset_version=21)    # ONNX Runtime lacks the opset-22 kernels
    a, b, c = _session(path).run(None, {"data": np.zeros((5, 2), np.float32)})
    assert a.shape == (3, 4) and ((a >= 2) & (a <= 3)).all()
    assert b.shape == (2, 2) and abs(b.mean() - 5) < 0.5
    assert c.shape == (5, 2) and ((c >= -1) & (c <= 0)).all()
