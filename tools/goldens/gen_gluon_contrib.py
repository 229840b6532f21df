"""Goldens for mx.gluon.contrib (estimator, rnn, cnn), recorded under real MXNet 1.9.1.

* ``estimator.json``: the normalised log, checkpoint file names and final metrics of a fixed fit.
* ``cases.npz/json`` + ``<id>.params``: contrib rnn cells / cnn blocks, replayed like gen_gluon_rnn.
"""
import io
import json
import os
import re
import shutil
import tempfile
import warnings

import mxnet as mx
import numpy as np
from mxnet import gluon

from harness import OUT
from gen_gluon_rnn import run as run_rnn
from mxnet import autograd
from mxnet.gluon import rnn  # noqa: F401  (used by the constructor expressions)
from mxnet.gluon.contrib import cnn as ccnn  # noqa: F401
from mxnet.gluon.contrib import rnn as crnn  # noqa: F401

DIR = os.path.join(OUT, "gluon_contrib")


def estimator_scenario():
    """Fit a small MLP with logging/checkpoint/early-stopping handlers; returns comparable results."""
    from mxnet.gluon.contrib.estimator import (CheckpointHandler, EarlyStoppingHandler, Estimator,
                                               LoggingHandler)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.float32)
    ds = gluon.data.ArrayDataset(X, y)
    train, val = gluon.data.DataLoader(ds, batch_size=16), gluon.data.DataLoader(ds, batch_size=32)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(2))
    net.hybridize()
    net.initialize()
    net(mx.nd.array(X[:2]))
    for p in net.collect_params().values():
        p.set_data(mx.nd.array(rng.uniform(-0.6, 0.6, size=p.shape)))
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=tr)
        buf = io.StringIO()
        est.logger.handlers[0].stream = buf
        d = tempfile.mkdtemp()
        hs = [LoggingHandler(log_interval=2, metrics=est.train_metrics),
              CheckpointHandler(d, model_prefix="m", monitor=est.val_metrics[0], save_best=True, verbose=1,
                                batch_period=3, max_checkpoints=3),
              EarlyStoppingHandler(monitor=est.train_metrics[1], patience=1, mode="min", min_delta=10)]
        est.fit(train, val_data=val, epochs=5, event_handlers=hs)
        files = sorted(os.listdir(d))
        shutil.rmtree(d)
        first = buf.getvalue()
        net2 = gluon.nn.Dense(1, in_units=4)
        net2.initialize()
        for p in net2.collect_params().values():
            p.set_data(mx.nd.array(rng.uniform(-0.6, 0.6, size=p.shape)))
        est2 = Estimator(net2, gluon.loss.L2Loss(), trainer=gluon.Trainer(net2.collect_params(), "adam"))
        buf2 = io.StringIO()
        est2.logger.handlers[0].stream = buf2
        est2.fit(train, batches=3)
        est2.evaluate(val)
    log = first.replace(d, "<DIR>") + buf2.getvalue()
    # times vary; everything else must match
    log = re.sub(r"(Finished in |time/interval: )[0-9.]+s", r"\1<T>s", log)
    log = re.sub(r"total \d+s", "total <T>s", log)
    metrics = [[n, float(v)] for n, v in (m.get() for m in est.train_metrics + est.val_metrics + est2.val_metrics)]
    return {"log": log.splitlines(), "files": files, "metrics": metrics}


N = 2
# (id, constructor, call, input shape): call as in gen_gluon_rnn, plus ("dyn", layout, valid_length)
CASES = [
    ("conv1d_rnn_step", "crnn.Conv1DRNNCell((2, 5), 3, 3, 3, i2h_pad=1)", ("step",), (N, 2, 5)),
    ("conv2d_lstm_unroll", "crnn.Conv2DLSTMCell((2, 4, 4), 2, 3, 3, i2h_pad=(1, 1))",
     ("unroll", 2, N, 0, "NTC", True, None), (N, 2, 2, 4, 4)),
    ("conv3d_gru_step", "crnn.Conv3DGRUCell((1, 3, 3, 3), 2, (1, 3, 3), 3, i2h_pad=(0, 1, 1))", ("step",),
     (N, 1, 3, 3, 3)),
    ("conv2d_gru_relu_dilate", "crnn.Conv2DGRUCell((2, 5, 5), 2, 3, (3, 1), i2h_dilate=2, h2h_dilate=(1, 2), "
     "activation='relu')", ("step",), (N, 2, 5, 5)),
    ("conv1d_lstm_unroll_list", "crnn.Conv1DLSTMCell((1, 4), 2, 1, 3)", ("unroll", 3, N, 0, "TNC", False, None),
     (3, N, 1, 4)),
    ("conv3d_rnn_step", "crnn.Conv3DRNNCell((2, 2, 3, 3), 1, 2, 1)", ("step",), (N, 2, 2, 3, 3)),
    ("lstmp_unroll", "crnn.LSTMPCell(4, 2, input_size=3)", ("unroll", 3, N, 3, "TNC", True, None), (3, N, 3)),
    ("lstmp_valid", "crnn.LSTMPCell(3, 2)", ("unroll", 3, 3, 3, "NTC", True, [3, 1, 2]), (3, 3, 3)),
    ("vardrop_eval", "crnn.VariationalDropoutCell(rnn.GRUCell(3), 0.3, 0.3, 0.3)",
     ("unroll", 3, N, 3, "NTC", True, None), (N, 3, 3)),
    ("vardrop_nostate_eval", "crnn.VariationalDropoutCell(rnn.LSTMCell(3), drop_inputs=0.5, drop_outputs=0.5)",
     ("unroll", 2, N, 3, "TNC", True, None), (2, N, 3)),
    ("dynamic_unroll", "rnn.LSTMCell(3, input_size=2)", ("dyn", "TNC", None), (3, N, 2)),
    ("dynamic_unroll_valid", "rnn.GRUCell(3, input_size=2)", ("dyn", "NTC", [1, 3]), (N, 3, 2)),
    ("deform_block", "ccnn.DeformableConvolution(3, kernel_size=3, padding=1, in_channels=2)", ("block",),
     (1, 2, 4, 4)),
    ("deform_block_act", "ccnn.DeformableConvolution(4, (2, 3), strides=2, dilation=(2, 1), groups=2, "
     "num_deformable_group=2, use_bias=False, activation='relu')", ("block",), (2, 4, 6, 5)),
    ("mdeform_block", "ccnn.ModulatedDeformableConvolution(2, kernel_size=(3, 3), padding=(1, 1), "
     "offset_use_bias=False)", ("block",), (1, 2, 3, 4)),
]


def randn(*shape):
    return RNG.normal(size=shape).astype(np.float32)


RNG = np.random.RandomState(5)


def run(block, call, ins):
    """Outputs (distinct) of one case; ``ins`` = input, begin states, then valid lengths."""
    if call[0] != "dyn":
        return run_rnn(block, tuple(call), ins)
    nst = len(block.state_info(0))
    vl = ins[1 + nst] if call[2] is not None else None
    out, st = crnn.rnn_cell.dynamic_unroll(block, ins[0], ins[1:1 + nst], layout=call[1], valid_length=vl)
    outs = [out] + list(st)
    return [o for i, o in enumerate(outs) if all(o is not p for p in outs[:i])]


def make_inputs(block, call, shape):
    if call[0] == "block":
        return [randn(*shape)], False
    n = shape[1] if call[0] in ("unroll", "dyn") and (call[4] if call[0] == "unroll" else call[1]) == "TNC" \
        else shape[0]
    ins = [randn(*shape)] + [randn(*i["shape"]) for i in block.state_info(n)]
    valid = call[6] if call[0] == "unroll" else (call[2] if call[0] == "dyn" else None)
    if valid is not None:
        ins.append(np.array(valid, dtype=np.float32))
    return ins, valid is not None


def record_cells():
    arrays, cases = {}, []
    for cid, ctor, call, shape in CASES:
        mx.random.seed(1)
        block = eval(ctor)
        block.initialize(mx.init.Uniform(0.5))
        ins, has_valid = make_inputs(block, call, shape)
        nfloat = len(ins) - has_valid
        xs = [mx.nd.array(a) for a in ins]
        run(block, call, xs)  # finish deferred initialisation
        for p in block.collect_params().values():
            p.set_data(mx.nd.array(RNG.uniform(-0.5, 0.5, size=p.shape).astype(np.float32)))
        block.save_parameters(os.path.join(DIR, f"{cid}.params"))
        for x in xs[:nfloat]:
            x.attach_grad()
        with autograd.record(train_mode=False):
            outs = run(block, call, xs)
        for i, a in enumerate(ins):
            arrays[f"{cid}/in{i}"] = a
        for i, o in enumerate(outs):
            arrays[f"{cid}/out{i}"] = o.asnumpy()
        grad = "Modulated" not in ctor  # MXNet's CPU build has no modulated backward
        if grad:
            heads = [randn(*o.shape) for o in outs]
            autograd.backward(outs, [mx.nd.array(h) for h in heads])
            for i, x in enumerate(xs[:nfloat]):
                arrays[f"{cid}/grad_in{i}"] = x.grad.asnumpy()
            for i, h in enumerate(heads):
                arrays[f"{cid}/head{i}"] = h
            for name, p in block._collect_params_with_prefix().items():
                arrays[f"{cid}/grad_{name}"] = p.grad().asnumpy()
        cases.append({"id": cid, "ctor": ctor, "call": list(call), "n_in": len(ins), "n_float": nfloat,
                      "n_out": len(outs), "grad": grad, "repr": repr(block), "params": sorted(block.collect_params().keys()),
                      "state_info": [list(i["shape"]) for i in block.state_info(N)] if call[0] != "block" else []})
    np.savez_compressed(os.path.join(DIR, "cases.npz"), **arrays)
    with open(os.path.join(DIR, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


WIKI_TEXT = (" = Title = \n\n the cat sat on the mat . \n the dog , the cat \t and a bird <unk> sat . \n"
             " \n = = Part = = \n a b c d e f the end \n")


def wikitext_scenario(root):
    """WikiText2 read from a local token file (the hash check is bypassed by the caller)."""
    from mxnet.gluon.contrib.data import IntervalSampler
    from mxnet.gluon.contrib.data.text import WikiText2
    with open(os.path.join(root, "wiki.valid.tokens"), "w", encoding="utf8") as f:
        f.write(WIKI_TEXT)
    ds = WikiText2(root=root, segment="validation", seq_len=4)
    ds2 = WikiText2(root=root, segment="validation", seq_len=5, vocab=ds.vocabulary)
    return {"tokens": ds.vocabulary.idx_to_token, "len": len(ds), "data": ds._data.asnumpy().tolist(),
            "label": ds._label.asnumpy().tolist(), "freq": sorted(ds.frequencies.items()),
            "data5": ds2._data.asnumpy().tolist(), "item0": [a.asnumpy().tolist() for a in ds[0]],
            "dtype": str(ds[0][0].dtype),
            "sampler": [list(IntervalSampler(10, 3)), list(IntervalSampler(7, 7)),
                        list(IntervalSampler(10, 4, rollover=False)), len(IntervalSampler(10, 4, False))]}


def record_ops():
    """Operator goldens for the deformable convolutions (family gluon_contrib/deform).

    MXNet 1.9.1 implements the modulated operator's backward only on GPU: forward-only cases here.
    """
    from harness import Goldens
    g = Goldens("gluon_contrib/deform", seed=3)
    r = np.random.RandomState(4)

    def u(*shape, lo=-1.0, hi=1.0):
        return r.uniform(lo, hi, size=shape).astype(np.float32)

    dc, mdc = "contrib.DeformableConvolution", "contrib.ModulatedDeformableConvolution"
    g.case("deform_basic", dc, [u(1, 2, 5, 5), u(1, 18, 3, 3, lo=-2.5, hi=2.5), u(3, 2, 3, 3), u(3)],
           {"kernel": (3, 3), "num_filter": 3})
    g.case("deform_groups", dc, [u(2, 4, 6, 6), u(2, 36, 3, 2, lo=-1.5, hi=1.5), u(4, 2, 3, 3)],
           {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "dilate": (1, 2), "num_filter": 4,
            "num_group": 2, "num_deformable_group": 2, "no_bias": True})
    g.case("mdeform_basic", mdc, [u(1, 2, 4, 4), u(1, 8, 3, 3, lo=-2, hi=2), u(1, 4, 3, 3, lo=0, hi=2),
                                  u(2, 2, 2, 2), u(2)], {"kernel": (2, 2), "num_filter": 2}, grad=False)
    g.case("mdeform_dg", mdc, [u(1, 4, 4, 5), u(1, 36, 4, 5, lo=-1.5, hi=1.5), u(1, 18, 4, 5, lo=0, hi=2),
                               u(2, 4, 3, 3)], {"kernel": (3, 3), "pad": (1, 1), "num_filter": 2,
                                                "num_deformable_group": 2, "no_bias": True}, grad=False)
    g.save()


def main():
    os.makedirs(DIR, exist_ok=True)
    record_ops()
    import mxnet.gluon.contrib.data.text as text_mod
    text_mod.check_sha1 = lambda *a: True
    with open(os.path.join(DIR, "wikitext.json"), "w") as f:
        root = tempfile.mkdtemp()
        json.dump(wikitext_scenario(root), f)
        shutil.rmtree(root)
    record_cells()
    with open(os.path.join(DIR, "estimator.json"), "w") as f:
        json.dump(estimator_scenario(), f, indent=1)


if __name__ == "__main__":
    main()
