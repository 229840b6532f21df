"""Goldens for gluon.rnn cells and layers and gluon.contrib.nn, recorded under real MXNet 1.9.1.

Each case: a constructor expression evaluated in both runtimes, parameters saved with
``save_parameters``, random inputs/begin states, the outputs (and final states) and the
gradients of inputs, states and parameters for random head gradients.
"""
import json
import os

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon  # noqa: F401
from mxnet.gluon import nn, rnn  # noqa: F401
from mxnet.gluon.contrib import nn as cnn  # noqa: F401

from harness import OUT

DIR = os.path.join(OUT, "gluon_rnn")
rng = np.random.RandomState(11)

# (id, constructor, call) where call is one of
#   ("unroll", T, N, C, layout, merge_outputs, valid_length or None)
#   ("step", N, C)
#   ("layer", T, N, C, with_states, sequence_length or None)
#   ("block", input shape, train)
N, C = 2, 3
CASES = [
    ("rnncell_unroll", "rnn.RNNCell(4, input_size=3)", ("unroll", 3, N, C, "NTC", True, None)),
    ("rnncell_relu_step", "rnn.RNNCell(4, activation='relu')", ("step", N, C)),
    ("lstmcell_unroll", "rnn.LSTMCell(4)", ("unroll", 3, N, C, "TNC", True, None)),
    ("lstmcell_step", "rnn.LSTMCell(2, input_size=3)", ("step", N, C)),
    ("grucell_unroll", "rnn.GRUCell(4)", ("unroll", 3, N, C, "NTC", False, None)),
    ("grucell_valid", "rnn.GRUCell(3)", ("unroll", 4, 3, C, "NTC", True, [4, 2, 1])),
    ("lstmcell_valid_list", "rnn.LSTMCell(3)", ("unroll", 3, 3, C, "TNC", False, [3, 1, 2])),
    ("seqcell", "_seq(rnn.SequentialRNNCell(), [rnn.LSTMCell(3), rnn.DropoutCell(0.5), "
     "rnn.ResidualCell(rnn.GRUCell(3))])", ("unroll", 3, N, C, "NTC", True, None)),
    ("hseqcell_step", "_seq(rnn.HybridSequentialRNNCell(), [rnn.RNNCell(3), rnn.GRUCell(2)])",
     ("step", N, C)),
    ("bicell", "rnn.BidirectionalCell(rnn.LSTMCell(2), rnn.GRUCell(3))",
     ("unroll", 3, N, C, "NTC", True, None)),
    ("bicell_valid", "rnn.BidirectionalCell(rnn.RNNCell(2), rnn.RNNCell(2))",
     ("unroll", 3, 3, C, "TNC", True, [3, 1, 2])),
    ("zoneout_eval", "rnn.ZoneoutCell(rnn.GRUCell(3), 0.5, 0.5)", ("unroll", 2, N, C, "NTC", True, None)),
    ("rnn_layer", "rnn.RNN(4, input_size=3)", ("layer", 3, N, C, False, None)),
    ("rnn_tanh_2l", "rnn.RNN(3, num_layers=2, activation='tanh', layout='NTC')",
     ("layer", 3, N, C, True, None)),
    ("lstm_layer", "rnn.LSTM(3)", ("layer", 4, N, C, True, None)),
    ("lstm_bi_2l", "rnn.LSTM(3, num_layers=2, bidirectional=True, dropout=0.3, layout='NTC')",
     ("layer", 3, N, C, True, None)),
    ("gru_layer", "rnn.GRU(4, input_size=3)", ("layer", 3, N, C, False, None)),
    ("gru_bi", "rnn.GRU(2, bidirectional=True)", ("layer", 3, N, C, True, None)),
    ("identity", "cnn.Identity()", ("block", (2, 3), False)),
    ("hconcurrent", "_seq(cnn.HybridConcurrent(axis=1), [nn.Dense(2, in_units=3), cnn.Identity()])",
     ("block", (2, 3), False)),
    ("concurrent", "_seq(cnn.Concurrent(), [nn.Dense(2, in_units=3), nn.Dense(1, in_units=3)])",
     ("block", (2, 3), False)),
    ("syncbn_train", "cnn.SyncBatchNorm(in_channels=3, num_devices=1)", ("block", (4, 3, 2), True)),
    ("pixelshuffle1d", "cnn.PixelShuffle1D(2)", ("block", (1, 4, 3), False)),
    ("pixelshuffle2d", "cnn.PixelShuffle2D((2, 3))", ("block", (1, 12, 2, 3), False)),
    ("pixelshuffle3d", "cnn.PixelShuffle3D(2)", ("block", (1, 8, 1, 2, 2), False)),
]


def _seq(container, blocks):
    for b in blocks:
        container.add(b)
    return container


def randn(*shape):
    return rng.normal(size=shape).astype(np.float32)


def run(block, call, ins):
    """Run the case; returns the distinct outputs (a cell's output is often also its state)."""
    outs = _run(block, call, ins)
    return [o for i, o in enumerate(outs) if all(o is not p for p in outs[:i])]


def _run(block, call, ins):
    """``ins`` are NDArrays: inputs, then begin states, then valid lengths."""
    kind = call[0]
    if kind == "unroll":
        _, T, n, _, layout, merge, valid = call
        nst = len(block.state_info(n))
        x, states = ins[0], ins[1:1 + nst]
        vl = ins[1 + nst] if valid is not None else None
        if merge is False:
            x = list(mx.nd.split(x, num_outputs=T, axis=layout.find("T"), squeeze_axis=True))
        out, st = block.unroll(T, x, begin_state=states, layout=layout, merge_outputs=merge, valid_length=vl)
        return (list(out) if isinstance(out, list) else [out]) + list(st)
    if kind == "step":
        out, st = block(ins[0], ins[1:])
        return [out] + list(st)
    if kind == "layer":
        _, T, n, _, with_states, _ = call
        if with_states:
            out, st = block(ins[0], ins[1:])
            return [out] + list(st)
        return [block(ins[0])]
    return [block(*ins)]


def make_inputs(block, call):
    kind = call[0]
    if kind == "unroll":
        _, T, n, c, layout, _, valid = call
        x = randn(T, n, c) if layout == "TNC" else randn(n, T, c)
        ins = [x] + [randn(*i["shape"]) for i in block.state_info(n)]
        if valid is not None:
            ins.append(np.array(valid, dtype=np.float32))
        return ins
    if kind == "step":
        _, n, c = call
        return [randn(n, c)] + [randn(*i["shape"]) for i in block.state_info(n)]
    if kind == "layer":
        _, T, n, c, with_states, _ = call
        x = randn(T, n, c) if block._layout == "TNC" else randn(n, T, c)
        return [x] + ([randn(*i["shape"]) for i in block.state_info(n)] if with_states else [])
    return [randn(*call[1])]


def main():
    os.makedirs(DIR, exist_ok=True)
    arrays, cases = {}, []
    for cid, ctor, call in CASES:
        mx.random.seed(1)
        block = eval(ctor)
        block.initialize(mx.init.Uniform(0.5))
        ins = make_inputs(block, call)
        nfloat = len(ins) - (1 if call[0] == "unroll" and call[6] is not None else 0)
        xs = [mx.nd.array(a) for a in ins]
        run(block, call, xs)  # finish deferred initialisation
        for p in block.collect_params().values():
            p.set_data(mx.nd.array(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32)))
            if p.name.endswith("running_var"):
                p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, size=p.shape).astype(np.float32)))
        block.save_parameters(os.path.join(DIR, f"{cid}.params"))
        for x in xs[:nfloat]:
            x.attach_grad()
        train = call[0] == "block" and call[2]
        with autograd.record(train_mode=train):
            outs = run(block, call, xs)
        heads = [randn(*o.shape) for o in outs]
        autograd.backward(outs, [mx.nd.array(h) for h in heads])
        for i, a in enumerate(ins):
            arrays[f"{cid}/in{i}"] = a
        for i, x in enumerate(xs[:nfloat]):
            arrays[f"{cid}/grad_in{i}"] = x.grad.asnumpy()
        for i, (o, h) in enumerate(zip(outs, heads)):
            arrays[f"{cid}/out{i}"] = o.asnumpy()
            arrays[f"{cid}/head{i}"] = h
        for name, p in block._collect_params_with_prefix().items():
            if p.grad_req != "null":
                arrays[f"{cid}/grad_{name}"] = p.grad().asnumpy()
            arrays[f"{cid}/after_{name}"] = p.data().asnumpy()
        cases.append({"id": cid, "ctor": ctor, "call": list(call), "n_in": len(ins), "n_float": nfloat,
                      "n_out": len(outs), "train": bool(train), "repr": repr(block),
                      "params": sorted(block.collect_params().keys())})
    np.savez_compressed(os.path.join(DIR, "cases.npz"), **arrays)
    with open(os.path.join(DIR, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
