"""Record deterministic ``mx.init`` behaviour under real MXNet 1.9.1 -> tests/goldens/init.{npz,json}.

Run: ``cd tools/goldens && ../../.ref/bin/python gen_init.py``.  Covers ``dumps`` strings,
name-suffix dispatch (InitDesc and legacy string names), Bilinear kernels, LSTMBias and
the FusedRNN packing order (with a name-dependent initializer, defined identically in
tests/test_initializer.py).
"""
import json
import os
import warnings

import mxnet as mx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens")
I = mx.init


@I.register
class NameHash(I.Initializer):
    """Fills each array with values derived from its name, so piece order is visible."""

    def _init_weight(self, desc, arr):
        base = sum(map(ord, desc)) % 97
        arr[:] = base + 0.01 * np.arange(arr.size).reshape(arr.shape)

    def _init_bias(self, desc, arr):
        base = sum(map(ord, desc)) % 89
        arr[:] = -base - 0.01 * np.arange(arr.size).reshape(arr.shape)


DUMPS = ["I.Zero()", "I.One()", "I.Constant(2)", "I.Constant(0.5)", "I.Constant(mx.nd.array([1, 2]))",
         "I.Uniform()", "I.Uniform(0.3)", "I.Normal()", "I.Normal(0.5)", "I.Xavier()",
         "I.Xavier('gaussian', 'in', 2)", "I.Xavier(factor_type='out', magnitude=2.5)", "I.MSRAPrelu()",
         "I.MSRAPrelu('in', 0.1)", "I.Orthogonal()", "I.Orthogonal(2.0, 'normal')", "I.Bilinear()",
         "I.LSTMBias()", "I.LSTMBias(2.0)", "I.FusedRNN(None, 3, 1, 'lstm')",
         "I.FusedRNN(I.Xavier(), 4, 2, 'gru', True, 0.5)"]

NAMES = ["fc_weight", "fc_bias", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var",
         "bn_moving_inv_var", "bn_moving_avg", "x_min", "x_max", "fc_weight_quantize", "fc_bias_quantize",
         "upsampling_weight", "stn_loc_weight", "stn_loc_bias", "foo", "weight", "xweightx",
         "upsampling0_bias", "mygamma", "running_mean"]

METHODS = ["_init_bilinear", "_init_loc_bias", "_init_zero", "_init_one", "_init_bias",
           "_init_quantized_bias", "_init_gamma", "_init_beta", "_init_weight", "_init_quantized_weight",
           "_init_default"]


def dispatch_table():
    calls = []

    class Rec(I.Initializer):
        pass
    for m in METHODS:
        setattr(Rec, m, (lambda m: lambda self, name, arr: calls.append(m))(m))
    rec = Rec()
    table = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in NAMES:
            rec(I.InitDesc(n), mx.nd.zeros((6,)))
            rec(n, mx.nd.zeros((6,)))
            table[n] = calls[-2:]
    return table


def main():
    arrays = {}
    meta = {"dumps": {e: eval(e).dumps() for e in DUMPS}, "dispatch": dispatch_table(),
            "bilinear": [], "fused": []}
    for shape in [(1, 1, 4, 4), (2, 3, 3, 5), (1, 1, 5, 3), (1, 2, 1, 7)]:
        a = mx.nd.zeros(shape)
        I.Bilinear()(I.InitDesc("up_weight"), a)
        key = "bilinear_" + "x".join(map(str, shape))
        arrays[key] = a.asnumpy()
        meta["bilinear"].append(key)
    a = mx.nd.zeros((12,))
    I.LSTMBias(2.5)(I.InitDesc("lstm_weight"), a)
    arrays["lstmbias"] = a.asnumpy()
    for mode, layers, bi, nin in [("lstm", 2, True, 3), ("gru", 1, True, 2), ("rnn_relu", 2, False, 4),
                                  ("rnn_tanh", 1, False, 1), ("lstm", 1, False, 5)]:
        h = 2
        g = {"lstm": 4, "gru": 3}.get(mode, 1)
        d = 2 if bi else 1
        size = sum(g * h * ((nin if l == 0 else d * h) + h + 2) * d for l in range(layers))
        for init in ("given", "global"):
            a = mx.nd.zeros((size,))
            if init == "given":
                I.FusedRNN(NameHash(), h, layers, mode, bi, forget_bias=3.0)(I.InitDesc("rnn_weight"), a)
            else:
                I.FusedRNN(None, h, layers, mode, bi)(I.InitDesc("rnn_weight", global_init=NameHash()), a)
            key = f"fused_{mode}_{layers}_{int(bi)}_{nin}_{init}"
            arrays[key] = a.asnumpy()
            meta["fused"].append({"key": key, "mode": mode, "layers": layers, "bi": bi, "init": init,
                                  "size": size})
    np.savez_compressed(os.path.join(OUT, "init.npz"), **arrays)
    with open(os.path.join(OUT, "init.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print(f"wrote {len(arrays)} arrays")


if __name__ == "__main__":
    main()
