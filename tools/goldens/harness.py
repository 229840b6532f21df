"""Golden-data recorder, run under real MXNet 1.9.1 (the side venv ``.ref``).

A family script builds cases with ``Goldens.case`` and calls ``save``; each
case stores the inputs, keyword parameters, outputs, the head gradients used
and the resulting input gradients in ``tests/goldens/<family>.npz`` (arrays)
and ``tests/goldens/<family>.json`` (case list).  ``tests/golden.py`` replays
the cases on mxnext.

Usage: ``.ref/bin/python tools/goldens/gen_<family>.py``
"""
import json
import os

import mxnet as mx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens")


def resolve(path):
    """``"Convolution"`` -> mx.nd.Convolution, ``"linalg.gemm"`` -> mx.nd.linalg.gemm."""
    obj = mx.nd
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


class Goldens:
    def __init__(self, family, seed=0):
        self.family = family
        self.cases = []
        self.arrays = {}
        self.rng = np.random.RandomState(seed)

    def case(self, cid, op, inputs, kwargs=None, grad=True, train=False, grad_inputs=None,
             rtol=None, atol=None, kwargs_in_nd=None):
        """Record ``mx.nd.<op>(*inputs, **kwargs)``.

        inputs: list of NumPy arrays (their dtype is kept).  grad: record input
        gradients for the floating inputs (or those listed in grad_inputs).
        train: run under autograd.train_mode.
        """
        kwargs = dict(kwargs or {})
        assert cid not in {c["id"] for c in self.cases}, cid
        fn = resolve(op)
        xs = [mx.nd.array(a, dtype=a.dtype) for a in inputs]
        want_grad = []
        for i, (a, x) in enumerate(zip(inputs, xs)):
            g = grad and a.dtype.kind == "f" and (grad_inputs is None or i in grad_inputs)
            want_grad.append(g)
            if g:
                x.attach_grad()
        with mx.autograd.record(train_mode=train):
            out = fn(*xs, **kwargs)
        outs = out if isinstance(out, (list, tuple)) else [out]
        rec = {"id": cid, "op": op, "kwargs": repr(kwargs), "n_in": len(inputs), "n_out": len(outs),
               "train": train, "grad": [bool(g) for g in want_grad]}
        if rtol is not None:
            rec["rtol"] = rtol
        if atol is not None:
            rec["atol"] = atol
        for i, a in enumerate(inputs):
            self.arrays[f"{cid}/in{i}"] = a
        for i, o in enumerate(outs):
            self.arrays[f"{cid}/out{i}"] = o.asnumpy()
        if any(want_grad):
            heads = [self.rng.normal(size=o.shape).astype(o.dtype) if np.dtype(o.dtype).kind == "f" else None
                     for o in outs]
            usable = [(o, h) for o, h in zip(outs, heads) if h is not None]
            mx.autograd.backward([o for o, _ in usable], [mx.nd.array(h, dtype=h.dtype) for _, h in usable])
            for i, h in enumerate(heads):
                if h is not None:
                    self.arrays[f"{cid}/head{i}"] = h
            for i, (x, g) in enumerate(zip(xs, want_grad)):
                if g:
                    self.arrays[f"{cid}/grad{i}"] = x.grad.asnumpy()
        self.cases.append(rec)
        return outs

    def save(self):
        os.makedirs(OUT, exist_ok=True)
        np.savez_compressed(os.path.join(OUT, f"{self.family}.npz"), **self.arrays)
        with open(os.path.join(OUT, f"{self.family}.json"), "w") as f:
            json.dump({"mxnet_version": mx.__version__, "cases": self.cases}, f, indent=1)
        print(f"{self.family}: {len(self.cases)} cases")
