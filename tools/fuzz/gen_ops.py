"""Operator cases: every registered operator called through ``mx.nd`` with hostile arguments.

Case ``i`` calls operator ``OPS[i % len(OPS)]`` (canonical names, sorted) with strategy
``STRATEGIES[(i // len(OPS)) % len(STRATEGIES)]``, so any ``len(OPS) * k`` first cases cover every
operator ``k`` times.  Each call runs twice, with the C kernels on and off, on fresh copies of the
same inputs; recorded cases (half of them) also run the backward with ones as head gradients.
Outputs, gradients and the inputs after the call (optimizer updates write them) must agree.
"""
import zlib

import numpy as np

DTYPES = ("float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool")
# the first len(OPS) * 6 cases give every operator one of each of the first six
STRATEGIES = ("plausible", "params", "ranks", "special", "dtypes", "zero", "scalar0d", "params",
              "count", "template")

_ABSURD = {
    "int": (0, -1, -2, 2**31 - 1, 2**31, -2**31, 2**63, 10**12, 7, 1),
    "shape": ((), (0,), (-1,), (0, 0), (2**31,), (-2**31,), (1,) * 9, (3, 3), (10**9, 10**9),
              (2**31, 1), (-1, -1), (1, 0, -1)),
    "float": (float("nan"), float("inf"), float("-inf"), -1.0, 0.0, 1e308, -1e-300, 1e38),
    "floats": ((), (float("nan"),), (float("inf"), float("-inf")), (1e308,) * 4, (-1.0, 0.0)),
    "bool": (True, False),
    "str": ("", "bogus", "None", "(2,)"),
    "dtype": DTYPES + ("bogus", "int16", "uint64"),
    "any": (-1, None, (2**31,), (0,), "bogus", 2**31, ()),
}
_SPECIALS = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 3e38, -3e38, 1e-40, 65504.0, 1e300])

OPS = []


def prepare():
    """List the operators once per process (after mxnet has registered them)."""
    import mxnet  # noqa: F401
    from mxnet.ops import registry
    OPS[:] = sorted(registry.canonical_ops())


def reset():
    """Global switches an operator case may have turned on go back off."""
    from mxnet import util
    util.reset_np()


def _front(name):
    import mxnet as mx
    fn = getattr(mx.nd.op, name, None)
    return fn if fn is not None else getattr(mx.nd._internal, name)


def _names(op):
    return (op.name,) + tuple(op.aliases) + tuple(a.lstrip("_") for a in (op.name,) + op.aliases)


def _plausible_value(p, rng, rank):
    k = p.kind
    if p.choices:
        return p.choices[rng.integers(len(p.choices))]
    if k == "int":
        return int(rng.integers(1, 4))
    if k == "shape":
        return tuple(int(d) for d in rng.integers(1, 3, size=max(1, rank - 2)))
    if k == "float":
        return float(rng.choice([0.5, 1.0, 2.0]))
    if k == "floats":
        return (1.0,)
    if k == "str":
        return "a"
    if k == "dtype":
        return "float32"
    if k == "bool":
        return bool(rng.integers(2))
    return 1


def _array(rng, shape, dtype, special=False):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        a = rng.integers(0, 2, size=shape).astype(bool)
    elif dt.kind in "iu":
        lo = 0 if dt.kind == "u" else -3
        a = rng.integers(lo, 5, size=shape).astype(dt)
    else:
        a = np.asarray(rng.standard_normal(shape) * 2, dtype=dt)
        if special and a.size:
            m = rng.random(shape) < 0.3
            a[m] = rng.choice(_SPECIALS, size=int(m.sum())).astype(dt)
    return a


class OpCase:
    def __init__(self, seed, i, name=None, strategy=None):
        if not OPS:
            prepare()
        from mxnet.ops import registry
        self.name = name or OPS[i % len(OPS)]
        self.op = registry.get_op(self.name)
        self.strategy = strategy or STRATEGIES[(i // len(OPS)) % len(STRATEGIES)]
        rng = np.random.default_rng([seed, i, zlib.crc32(self.name.encode()),
                                     zlib.crc32(self.strategy.encode())])
        self.record = bool(rng.integers(2))
        self.arrays, self.params = self._build(rng)
        shapes = ", ".join(f"{a.shape}:{a.dtype}" for a in self.arrays)
        self.desc = (f"{self.name} [{self.strategy}{', recorded' if self.record else ''}] "
                     f"inputs ({shapes}) params {self.params!r}")

    def _input_count(self, rng):
        op = self.op
        if op.variadic:
            return int(rng.integers(1, 4))
        if callable(op.inputs):
            return int(rng.integers(0, 3))
        return len(op.inputs)

    def _build(self, rng):
        op, s = self.op, self.strategy
        if s == "template":
            from .templates import template
            t = template(self.name, rng)
            if t is not None:
                return t
            s = "plausible"
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 5, size=rank))
        n = self._input_count(rng)
        params = {}
        for p in op.params:
            if p.name == op.variadic:
                continue
            if p.required or rng.random() < 0.2:
                params[p.name] = _plausible_value(p, rng, rank)
        dtype = "float32"
        shapes = [shape] * n
        dtypes = [dtype] * n
        special = False
        if s == "params":
            cands = [p for p in op.params if p.name != op.variadic]
            if cands:
                for j in rng.choice(len(cands), size=min(len(cands), int(rng.integers(1, 4))),
                                    replace=False):
                    p = cands[int(j)]
                    vals = _ABSURD[p.kind]
                    params[p.name] = vals[rng.integers(len(vals))]
        elif s == "ranks":
            shapes = [tuple(int(d) for d in rng.integers(0, 5, size=int(rng.integers(0, 7))))
                      for _ in range(n)]
        elif s == "special":
            special = True
            dtypes = [str(rng.choice(["float32", "float64", "float16"]))] * n
        elif s == "dtypes":
            if rng.random() < 0.5:
                dtypes = [str(rng.choice(DTYPES))] * n
            else:
                dtypes = [str(rng.choice(DTYPES)) for _ in range(n)]
        elif s == "zero":
            shapes = [tuple(0 if rng.random() < 0.5 else d for d in shape) for _ in range(n)]
            if all(0 not in sh for sh in shapes) and n:
                shapes[0] = (0,) + shape[1:]
        elif s == "scalar0d":
            shapes = [()] * n
        elif s == "count":
            if op.variadic and op.variadic in op.param_map:
                params[op.variadic] = [0, -1, n + 1, 2**31, n][int(rng.integers(5))]
            elif rng.random() < 0.5 and n:
                shapes, dtypes = shapes[:-1], dtypes[:-1]
            else:
                shapes, dtypes = shapes + [shape], dtypes + ["float32"]
        arrays = [_array(rng, sh, dt, special) for sh, dt in zip(shapes, dtypes)]
        return arrays, params

    def _call(self):
        """Outputs, input gradients and the inputs after the call, as NumPy arrays."""
        import mxnet as mx
        from mxnet import autograd
        fn = _front(self.name)
        mx.random.seed(1234)
        ins = [mx.nd.array(a.copy(), dtype=a.dtype) for a in self.arrays]
        grads = []
        if self.record:
            diff = [x for x in ins if np.dtype(x.dtype).kind == "f"]
            for x in diff:
                x.attach_grad()
            with autograd.record(train_mode=True):
                out = fn(*ins, **self.params)
            outs = _as_list(out)
            heads = [o for o in outs if isinstance(o, mx.nd.NDArray)]
            if heads and diff and self.op.differentiable:
                autograd.backward(heads, [mx.nd.ones_like(h) for h in heads])
                grads = [x.grad for x in diff]
        else:
            outs = _as_list(fn(*ins, **self.params))
        return [_np(o) for o in outs] + [_np(g) for g in grads] + [x.asnumpy() for x in ins]

    def run(self):
        from mxnet.ops import _accel
        from .outcome import classify, judge_pair
        got = []
        for jit in (True, False):
            before = _accel.set_jit(jit)
            try:
                got.append(("ok", self._call()))
            except Exception as e:
                got.append(classify(e, _names(self.op)))
            finally:
                _accel.set_jit(before)
        return judge_pair(got)


def _as_list(out):
    if isinstance(out, (list, tuple)):
        return list(out)
    return [out]


def _np(x):
    import mxnet as mx
    if isinstance(x, mx.nd.NDArray):
        return x.asnumpy()
    if x is None:
        return None
    return np.asarray(x)


def make_case(seed, i):
    return OpCase(seed, i)


def default_count():
    if not OPS:
        prepare()
    return len(OPS) * 6
