"""Goldens for mx.onnx: models exported by real MXNet 1.9.1's ``mx.onnx.export_model``.

Run with the oracle (real MXNet 1.9.1 with onnx 1.14 installed):
    /work/main/.ref/bin/python tools/goldens/gen_onnx.py
Writes, per model, into tests/goldens/onnx/: ``<name>-symbol.json`` and ``<name>.params``
(the MXNet model), ``<name>.onnx`` and ``<name>-dynamic.onnx`` (MXNet's export, with fixed and
with open input dimensions) and ``<name>.npz`` (inputs and MXNet's forward outputs).

MXNet 1.9.1 targets the newest opset of the installed onnx package, but writes ReduceMean
with its opset-13 attributes, which opset 18 and later reject: the export is pinned to opset 13
(the newest MXNet 1.9.1 has translations for) by setting what onnx reports, checks against and
stamps.
"""
import os

import mxnet as mx
import numpy as np
import onnx
import onnx.checker
import onnx.defs
from mxnet import gluon

OPSET = 13
onnx.defs.onnx_opset_version = lambda: OPSET
_make_model = onnx.helper.make_model
onnx.helper.make_model = lambda graph, **kw: _make_model(
    graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)], **kw)
_check_graph = onnx.checker.check_graph


def _check_graph_at_opset(graph, ctx=None):
    ctx = onnx.checker.C.CheckerContext()
    ctx.ir_version = onnx.IR_VERSION
    ctx.opset_imports = {"": OPSET}
    return _check_graph(graph, ctx)


onnx.checker.check_graph = _check_graph_at_opset

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "goldens", "onnx")
rng = np.random.RandomState(7)


def rnd(*shape, scale=0.5):
    return mx.nd.array(rng.normal(scale=scale, size=shape).astype(np.float32))


def cnn():
    """A graph touching the layer families image models use."""
    d = mx.sym.var("data")
    x = mx.sym.Convolution(d, num_filter=8, kernel=(3, 3), pad=(1, 1), name="conv0")
    x = mx.sym.BatchNorm(x, fix_gamma=False, eps=1e-5, name="bn0")
    x = mx.sym.Activation(x, act_type="relu", name="relu0")
    y = mx.sym.Convolution(x, num_filter=8, kernel=(3, 3), pad=(2, 2), dilate=(2, 2), num_group=4, name="conv1")
    y = mx.sym.LeakyReLU(y, act_type="leaky", slope=0.1, name="leaky0")
    x = mx.sym.Concat(x, y, dim=1, name="concat0")
    x = mx.sym.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg", count_include_pad=False,
                       name="pool0")
    z = mx.sym.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type="max", pooling_convention="full", name="pool1")
    g = mx.sym.Pooling(z, kernel=(1, 1), global_pool=True, pool_type="avg", name="gpool")
    r = mx.sym.Reshape(z, shape=(0, -1, 3), name="reshape0")            # (N, C*H, W)
    r = mx.sym.transpose(r, axes=(0, 2, 1), name="transpose0")
    r = mx.sym.FullyConnected(r, num_hidden=6, flatten=False, name="fc_seq")
    r = mx.sym.LayerNorm(r, axis=-1, name="ln0")
    r = mx.sym.softmax(r, axis=-1, name="softmax0")
    r = mx.sym.sum(r, axis=1, name="sum0")
    f = mx.sym.FullyConnected(mx.sym.Flatten(g), num_hidden=6, name="fc0")
    f = mx.sym.clip(f, a_min=-1.0, a_max=1.0, name="clip0")
    out = mx.sym.broadcast_add(f, r, name="add0")
    out = mx.sym.Activation(out, act_type="tanh", name="tanh0")
    shapes = {"data": (2, 3, 12, 12)}
    arg_shapes, _, aux_shapes = out.infer_shape(**shapes)
    args = {n: rnd(*s) for n, s in zip(out.list_arguments(), arg_shapes) if n != "data"}
    aux = {n: (mx.nd.array(rng.uniform(0.5, 1.5, s).astype(np.float32)) if "var" in n else rnd(*s))
           for n, s in zip(out.list_auxiliary_states(), aux_shapes)}
    return out, args, aux, {"data": rnd(*shapes["data"], scale=1.0)}


class LSTMLM(gluon.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            # MXNet 1.9.1 exports an LSTM only when its input size equals its hidden size
            self.emb = gluon.nn.Embedding(20, 12)
            self.rnn = gluon.rnn.LSTM(12, num_layers=2, input_size=12)
            self.out = gluon.nn.Dense(20, flatten=False)

    def hybrid_forward(self, F, x):
        return F.log_softmax(self.out(self.rnn(self.emb(x))), axis=-1)


def lstm_lm():
    net = LSTMLM(prefix="lm_")
    net.initialize(mx.init.Uniform(0.3))
    x = mx.nd.array(rng.randint(0, 20, (5, 2)).astype(np.float32))
    net(x)
    net.hybridize()
    net(x)
    net.export(os.path.join(OUT, "lstm_lm"))
    sym = mx.sym.load(os.path.join(OUT, "lstm_lm-symbol.json"))
    params = mx.nd.load(os.path.join(OUT, "lstm_lm-0000.params"))
    os.remove(os.path.join(OUT, "lstm_lm-0000.params"))
    args = {k[4:]: v for k, v in params.items() if k.startswith("arg:")}
    aux = {k[4:]: v for k, v in params.items() if k.startswith("aux:")}
    return sym, args, aux, {"data": x}


def save(name, sym, args, aux, inputs):
    sym.save(os.path.join(OUT, f"{name}-symbol.json"))
    mx.nd.save(os.path.join(OUT, f"{name}.params"), {**{"arg:" + k: v for k, v in args.items()},
                                                     **{"aux:" + k: v for k, v in aux.items()}})
    ex = sym.bind(mx.cpu(), {**args, **inputs}, aux_states=aux)
    out = ex.forward(is_train=False)[0].asnumpy()
    shapes = [inputs[k].shape for k in inputs]
    mx.onnx.export_model(sym, {**args, **aux}, shapes, np.float32, os.path.join(OUT, f"{name}.onnx"))
    # and with every input dimension left open, as dynamic=True without dynamic_input_shapes does
    mx.onnx.export_model(sym, {**args, **aux}, shapes, np.float32, os.path.join(OUT, f"{name}-dynamic.onnx"),
                         dynamic=True)
    np.savez(os.path.join(OUT, f"{name}.npz"), output=out, **{k: v.asnumpy() for k, v in inputs.items()})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    save("cnn", *cnn())
    save("lstm_lm", *lstm_lm())
