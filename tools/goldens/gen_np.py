"""Goldens for mx.np / mx.npx (forward values, dtypes and input gradients) under MXNet 1.9.1.

``harness.Goldens`` drives ``mx.nd``; this family records ``mx.np``/``mx.npx`` calls in the
same file format, with ``op`` a dotted path below ``mx`` (``np.sum``, ``npx.relu``,
``np.linalg.inv``).  Replayed by tests/test_numpy.py.
"""
import json
import os

import mxnet as mx
import numpy as np
from mxnet import npx

from harness import OUT

npx.set_np()


class NpGoldens:
    def __init__(self, family, seed=0):
        self.family, self.cases, self.arrays = family, [], {}
        self.rng = np.random.RandomState(seed)

    def case(self, cid, op, inputs, kwargs=None, grad=True, rtol=None, atol=None):
        kwargs = dict(kwargs or {})
        fn = mx
        for part in op.split("."):
            fn = getattr(fn, part)
        xs = [mx.np.array(a, dtype=a.dtype) for a in inputs]
        want = [grad and a.dtype.kind == "f" for a in inputs]
        for x, w in zip(xs, want):
            if w:
                x.attach_grad()
        with mx.autograd.record():
            out = fn(*xs, **kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        rec = {"id": cid, "op": op, "kwargs": repr(kwargs), "n_in": len(inputs), "n_out": len(outs),
               "train": False, "grad": want}
        if rtol is not None:
            rec["rtol"] = rtol
        if atol is not None:
            rec["atol"] = atol
        for i, a in enumerate(inputs):
            self.arrays[f"{cid}/in{i}"] = a
        for i, o in enumerate(outs):
            self.arrays[f"{cid}/out{i}"] = o.asnumpy()
        heads = [self.rng.normal(size=o.shape).astype(o.dtype) if o.dtype.kind == "f" else None for o in outs]
        used = [(o, h) for o, h in zip(outs, heads) if h is not None]
        if not used:
            want = rec["grad"] = [False] * len(inputs)
        if any(want):
            mx.autograd.backward([o for o, _ in used], [mx.np.array(h, dtype=h.dtype) for _, h in used])
            for i, h in enumerate(heads):
                if h is not None:
                    self.arrays[f"{cid}/head{i}"] = h
            for i, (x, w) in enumerate(zip(xs, want)):
                if w:
                    self.arrays[f"{cid}/grad{i}"] = x.grad.asnumpy()
        self.cases.append(rec)

    def save(self):
        np.savez_compressed(os.path.join(OUT, f"{self.family}.npz"), **self.arrays)
        with open(os.path.join(OUT, f"{self.family}.json"), "w") as f:
            json.dump({"family": self.family, "mxnet": mx.__version__, "cases": self.cases}, f, indent=1)


g = NpGoldens("np")
r = g.rng
f32 = np.float32


def U(*shape, lo=-2.0, hi=2.0):
    return r.uniform(lo, hi, size=shape).astype(f32)


x, y, row = U(3, 4), U(3, 4), U(1, 4)
pos = U(3, 4, lo=0.5, hi=2.0)
ints = r.randint(-3, 4, size=(3, 4)).astype(np.int32)

for n in ("exp", "log", "sqrt", "tanh", "sin", "cos", "arctan", "square", "abs", "negative", "reciprocal",
          "expm1", "log1p", "cbrt", "sinh", "floor", "sign"):
    g.case(f"u_{n}", f"np.{n}", [pos if n in ("log", "sqrt", "reciprocal", "log1p") else x])
g.case("u_exp_int", "np.exp", [ints])
for n in ("add", "subtract", "multiply", "true_divide", "maximum", "minimum", "power", "hypot", "arctan2",
          "mod"):
    a = pos if n in ("power", "true_divide", "mod") else x
    b = row if n not in ("power", "mod") else U(1, 4, lo=0.5, hi=2.0)
    g.case(f"b_{n}", f"np.{n}", [a, b])
g.case("b_add_int_float", "np.add", [ints, x])
g.case("b_div_int", "np.true_divide", [ints, np.full((3, 4), 2, np.int32)])
g.case("b_greater", "np.greater", [x, row])
for n, kw in (("sum", {}), ("sum", {"axis": 1}), ("sum", {"axis": (0, 1), "keepdims": True}), ("mean", {"axis": 0}),
              ("max", {"axis": 1}), ("min", {}), ("prod", {"axis": 0}), ("std", {"axis": 1}),
              ("var", {"ddof": 1}), ("cumsum", {"axis": 1}), ("argmax", {"axis": 1}), ("argmin", {})):
    g.case(f"r_{n}_{len(g.cases)}", f"np.{n}", [pos if n == "prod" else x], kw, grad=n not in ("std", "var"))
g.case("r_sum_int", "np.sum", [ints])
g.case("r_mean_int", "np.mean", [ints])
g.case("s_reshape", "np.reshape", [x], {"newshape": (2, -1)})
g.case("s_transpose", "np.transpose", [U(2, 3, 4)], {"axes": (1, 2, 0)})
g.case("s_swapaxes", "np.swapaxes", [U(2, 3, 4)], {"axis1": 0, "axis2": 2})
g.case("s_moveaxis", "np.moveaxis", [U(2, 3, 4)], {"source": 0, "destination": -1})
g.case("s_expand_dims", "np.expand_dims", [x], {"axis": 1})
g.case("s_squeeze", "np.squeeze", [U(3, 1, 4)], {"axis": 1})
g.case("s_tile", "np.tile", [U(2, 3)], {"reps": (2, 2)})
g.case("s_repeat", "np.repeat", [U(2, 3)], {"repeats": 2, "axis": 1})
g.case("s_flip", "np.flip", [x], {"axis": 1})
g.case("s_roll", "np.roll", [x], {"shift": 2, "axis": 1})
# MXNet 1.9.1's gradients of rot90, of matmul with broadcast batch axes and of std/var are
# wrong (zeros for std/var): record forward only; tests/test_numpy.py checks ours by finite differences
g.case("s_rot90", "np.rot90", [x], {"k": 1}, grad=False)
g.case("s_broadcast_to", "np.broadcast_to", [row], {"shape": (3, 4)})
g.case("s_tril", "np.tril", [U(4, 4)], {"k": -1})
g.case("s_clip", "np.clip", [x], {"a_min": -1.0, "a_max": 1.0})
g.case("s_where", "np.where", [(x > 0).astype(f32), x, y])
g.case("s_ravel", "np.ravel", [x])
g.case("s_diagonal", "np.diagonal", [U(3, 3)])
g.case("s_trace", "np.trace", [U(3, 3)])
g.case("p_dot2", "np.dot", [U(3, 4), U(4, 2)])
g.case("p_dot1", "np.dot", [U(4), U(4)])
g.case("p_dot_nd", "np.dot", [U(2, 3, 4), U(4, 2)])
g.case("p_matmul", "np.matmul", [U(2, 3, 4), U(4, 5)])
g.case("p_matmul_b", "np.matmul", [U(2, 1, 3, 4), U(3, 4, 2)], grad=False)
g.case("p_tensordot", "np.tensordot", [U(2, 3, 4), U(3, 4, 2)], {"axes": 2})
g.case("p_tensordot_ax", "np.tensordot", [U(2, 3, 4), U(4, 3, 2)], {"axes": ((1, 2), (1, 0))})
g.case("p_outer", "np.outer", [U(3), U(4)])
g.case("p_inner", "np.inner", [U(2, 3), U(4, 3)])
spd = U(3, 3)
spd = (spd @ spd.T + 3 * np.eye(3)).astype(f32)
g.case("l_inv", "np.linalg.inv", [spd], rtol=1e-4, atol=1e-5)
g.case("l_det", "np.linalg.det", [spd], rtol=1e-4, atol=1e-5)
g.case("l_slogdet", "np.linalg.slogdet", [spd], rtol=1e-4, atol=1e-5)
g.case("l_solve", "np.linalg.solve", [spd, U(3, 2)], rtol=1e-4, atol=1e-5)
g.case("l_cholesky", "np.linalg.cholesky", [spd], rtol=1e-4, atol=1e-5)
g.case("l_norm", "np.linalg.norm", [x])
g.case("l_norm_ax", "np.linalg.norm", [x], {"axis": 1})
g.case("l_norm_ord1", "np.linalg.norm", [U(5)], {"ord": 1}, grad=False)
g.case("x_relu", "npx.relu", [x])
g.case("x_sigmoid", "npx.sigmoid", [x])
g.case("x_softmax", "npx.softmax", [x])
g.case("x_log_softmax", "npx.log_softmax", [x], {"axis": 0})
g.case("x_activation", "npx.activation", [x], {"act_type": "tanh"})
g.case("x_leaky_relu", "npx.leaky_relu", [x], {"slope": 0.1})
g.case("x_fc", "npx.fully_connected", [U(2, 3), U(4, 3), U(4)], {"num_hidden": 4, "no_bias": False})
g.case("x_fc_nobias", "npx.fully_connected", [U(2, 3), U(4, 3)], {"num_hidden": 4, "no_bias": True})
g.case("x_conv", "npx.convolution", [U(1, 2, 5, 5), U(3, 2, 3, 3), U(3)],
       {"kernel": (3, 3), "num_filter": 3, "pad": (1, 1)}, rtol=1e-4, atol=1e-5)
g.case("x_pool", "npx.pooling", [U(1, 2, 4, 4)], {"kernel": (2, 2), "stride": (2, 2), "pool_type": "avg"})
g.case("x_batch_flatten", "npx.batch_flatten", [U(2, 3, 4)])
g.case("x_batch_dot", "npx.batch_dot", [U(2, 3, 4), U(2, 4, 2)])
g.case("x_pick", "npx.pick", [x, np.array([0, 3, 1], np.int32)], {"axis": 1})
g.case("x_one_hot", "npx.one_hot", [np.array([0, 2, 1], np.int32)], {"depth": 3})
g.case("x_topk", "npx.topk", [x], {"k": 2, "ret_typ": "value"})
g.case("x_layer_norm", "npx.layer_norm", [x, U(4), U(4)], rtol=1e-4, atol=1e-5)
g.case("x_reshape", "npx.reshape", [U(2, 3, 4)], {"newshape": (-2, -1)})
g.case("x_reshape5", "npx.reshape", [U(2, 3, 4)], {"newshape": (-5, -2)})
g.case("x_reshape6", "npx.reshape", [U(6, 4)], {"newshape": (-6, 2, 3, -2)})
g.case("x_sequence_mask", "npx.sequence_mask", [U(3, 2, 2), np.array([1, 3], f32)],
       {"use_sequence_length": True})
g.case("x_erf", "npx.erf", [x])
g.case("x_embedding", "npx.embedding", [np.array([0, 2], np.int32), U(4, 3)], {"input_dim": 4, "output_dim": 3})
g.save()
print(len(g.cases), "cases")
