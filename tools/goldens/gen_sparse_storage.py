"""Golden storage types of operators on sparse inputs, written under real MXNet 1.9.1.

For each case (operator, parameters, input storage types) it records, eagerly and in a bound
graph (``simple_bind`` with ``stype_dict``): the output's storage type, its values, and whether
MXNet printed its storage-fallback message (eager only).

    /work/main/.ref/bin/python tools/goldens/gen_sparse_storage.py   # -> tests/goldens/sparse_storage.json
"""
import json
import os
import sys
import tempfile

import numpy as np
import mxnet as mx

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "goldens",
                   "sparse_storage.json")

A = np.array([[0, 1.5, 0, -2, 0], [0, 0, 0, 0, 0], [0.5, 0, -0.25, 0, 3], [0, 0, 0, 1, 0]], np.float32)
B = np.array([[1, 0, 0, 0.5, 0], [0, 0, 0, 0, 0], [0, 2, 0, 0, -1], [0, 0, 4, 0, 0]], np.float32)
SMALL = A / 4  # |x| < 1 for arctanh / arcsin
ROW = np.array([[1, 2, -1, 0.5, 4]], np.float32)
COL = np.array([[2], [-1], [0.5], [3]], np.float32)
W = np.arange(15, dtype=np.float32).reshape(5, 3) / 10 - 0.5   # 5 x 3 for dot
W_T = W.T.copy()
WFC = np.arange(15, dtype=np.float32).reshape(3, 5) / 10 - 0.5  # FullyConnected weight (3 x 5)
BIAS = np.array([0.1, -0.2, 0.3], np.float32)
LEFT = np.arange(12, dtype=np.float32).reshape(3, 4) / 5 - 1   # 3 x 4 for dot(dense, csr)
COND = (A != 0).astype(np.float32)

UNARY = ["abs", "sign", "negative", "square", "relu", "sin", "tan", "arctan", "sinh", "tanh",
         "arcsinh", "ceil", "floor", "rint", "round", "fix", "trunc", "expm1", "log1p", "degrees",
         "radians", "exp", "cos", "sigmoid", "zeros_like", "ones_like", "make_loss", "stop_gradient",
         "BlockGrad", "cbrt", "_copy"]


def cases():
    out = []

    def add(op, inputs, stypes, kw=None, graph=True):
        out.append({"op": op, "inputs": inputs, "stypes": list(stypes), "kwargs": kw or {}, "graph": graph})

    for st in ("csr", "row_sparse"):
        for op in UNARY:
            add(op, ["A"], [st])
        for op in ("sqrt", "arcsin", "arctanh"):
            add(op, ["SMALL"], [st]) if op != "sqrt" else add(op, ["B2"], [st])
        for op, s in (("_mul_scalar", 2.0), ("_div_scalar", 4.0), ("_plus_scalar", 0.0),
                      ("_plus_scalar", 1.0), ("_minus_scalar", 1.0), ("_rminus_scalar", 1.0),
                      ("_maximum_scalar", 0.0), ("_minimum_scalar", 0.0), ("_power_scalar", 2.0)):
            add(op, ["A"], [st], {"scalar": s})
        add("clip", ["A"], [st], {"a_min": -1.0, "a_max": 1.0})
        add("clip", ["A"], [st], {"a_min": 0.5, "a_max": 2.0})
        for axis in (0, 1):
            add("sum", ["A"], [st], {"axis": axis})
            add("mean", ["A"], [st], {"axis": axis})
            add("sum", ["A"], [st], {"axis": axis, "keepdims": True})
        add("sum", ["A"], [st])
        add("norm", ["A"], [st])
        for axis in (0, 1):
            add("_square_sum", ["A"], [st], {"axis": axis})
            add("_square_sum", ["A"], [st], {"axis": axis, "keepdims": True})
        add("Cast", ["A"], [st], {"dtype": "float64"})
        for other in ("default", "csr", "row_sparse"):
            for op in ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div"):
                inputs = ["A", "B"] if op != "elemwise_div" else ["A", "B3"]
                add(op, inputs, [st, other])
                add(op, inputs[::-1], [other, st])
        for op in ("broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div"):
            add(op, ["A", "ROW"], [st, "default"])
            add(op, ["A", "COL"], [st, "default"])
        for op in ("_maximum", "_minimum", "_hypot", "_power"):
            add(op, ["A", "B"], [st, st])
            add(op, ["A", "B"], [st, "default"])
        add("add_n", ["A", "B", "A"], [st, st, st])
        add("add_n", ["A", "B"], [st, "default"])
        add("where", ["COND", "A", "B"], [st, "default", "default"])
        add("dot", ["A", "W"], [st, "default"])
        add("dot", ["A", "LEFT_T"], [st, "default"], {"transpose_a": True})
        add("dot", ["A", "W_T"], [st, "default"], {"transpose_b": True})
        add("dot", ["LEFT", "A"], ["default", st])
        add("dot", ["LEFT_T", "A"], ["default", st], {"transpose_a": True})
        add("dot", ["W_T", "A"], ["default", st], {"transpose_b": True})
        add("FullyConnected", ["A", "WFC", "BIAS"], [st, "default", "default"], {"num_hidden": 3})
        add("cast_storage", ["A"], [st], {"stype": "default"})
        add("cast_storage", ["A"], [st], {"stype": "csr" if st == "row_sparse" else "row_sparse"})
    add("dot", ["A", "B_T"], ["csr", "row_sparse"])
    add("dot", ["A", "A"], ["csr", "csr"], {"transpose_a": True})
    add("slice", ["A"], ["csr"], {"begin": (1,), "end": (3,)})
    add("slice", ["A"], ["csr"], {"begin": (1, 1), "end": (3, 4)})
    add("slice", ["A"], ["row_sparse"], {"begin": (1,), "end": (3,)})
    add("cast_storage", ["A"], ["default"], {"stype": "csr"})
    add("cast_storage", ["A"], ["default"], {"stype": "row_sparse"})
    add("elemwise_add", ["A", "B"], ["default", "default"])
    add("concat", ["A", "B"], ["csr", "csr"], {"dim": 0})
    add("concat", ["A", "B"], ["csr", "csr"], {"dim": 1})
    add("where", ["COND", "A", "B"], ["csr", "csr", "csr"])
    return out


def arrays():
    return {"A": A, "B": B, "B2": np.abs(B), "B3": B + (B == 0) * 3, "SMALL": SMALL, "ROW": ROW,
            "COL": COL, "W": W, "W_T": W_T, "WFC": WFC, "BIAS": BIAS, "LEFT": LEFT,
            "LEFT_T": LEFT.T.copy(), "COND": COND, "B_T": B.T.copy()}


def resolve(root, name):
    return getattr(root._internal, name) if name.startswith("_") else getattr(root, name)


class Stderr:
    """Captures what C++ writes to file descriptor 2 (MXNet's fallback message)."""

    def __enter__(self):
        sys.stderr.flush()
        self.tmp = tempfile.TemporaryFile()
        self.saved = os.dup(2)
        os.dup2(self.tmp.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.tmp.seek(0)
        self.text = self.tmp.read().decode(errors="replace")


def record(case, arrs):
    ins = [mx.nd.array(arrs[n]).tostype(s) for n, s in zip(case["inputs"], case["stypes"])]
    res = {}
    try:
        with Stderr() as err:
            o = resolve(mx.nd, case["op"])(*ins, **case["kwargs"])
            o.wait_to_read()
        res["eager"] = {"stype": o.stype, "value": o.asnumpy().tolist(), "dtype": str(o.dtype.__name__),
                        "fallback": "Storage type fallback detected" in err.text}
    except Exception as e:  # noqa: BLE001 - the golden records the failure
        res["eager"] = {"error": type(e).__name__}
    if case["graph"]:
        try:
            names = [f"x{i}" for i in range(len(ins))]
            vs = [mx.sym.var(n, stype=s) for n, s in zip(names, case["stypes"])]
            sym = resolve(mx.sym, case["op"])(*vs, **case["kwargs"])
            shapes = {n: a.shape for n, a in zip(names, ins)}
            exe = sym.simple_bind(mx.cpu(), grad_req="null", stype_dict=dict(zip(names, case["stypes"])),
                                  **shapes)
            for n, a in zip(names, ins):
                a.copyto(exe.arg_dict[n])
            arg_st = [exe.arg_dict[n].stype for n in names]
            o = exe.forward(is_train=False)[0]
            res["graph"] = {"stype": o.stype, "value": o.asnumpy().tolist(), "arg_stypes": arg_st}
        except Exception as e:  # noqa: BLE001
            res["graph"] = {"error": type(e).__name__}
    return res


# simple_bind with stype_dict: (operator, input shapes, storage types given, parameters) -> the
# storage types of the argument, gradient and output arrays MXNet allocates
BINDS = [
    ("elemwise_add", [(3, 4), (3, 4)], ["row_sparse", "row_sparse"], {}),
    ("elemwise_add", [(3, 4), (3, 4)], ["csr", "csr"], {}),
    ("elemwise_sub", [(3, 4), (3, 4)], ["row_sparse", "default"], {}),
    ("elemwise_mul", [(3, 4), (3, 4)], ["row_sparse", "default"], {}),
    ("elemwise_mul", [(3, 4), (3, 4)], ["row_sparse", "row_sparse"], {}),
    ("dot", [(3, 4), (4, 2)], ["csr", "default"], {}),
    ("dot", [(3, 4), (3, 2)], ["csr", "default"], {"transpose_a": True}),
    ("sin", [(3, 4)], ["csr"], {}),
    ("sin", [(3, 4)], ["row_sparse"], {}),
    ("abs", [(3, 4)], ["row_sparse"], {}),
    ("sum", [(3, 4)], ["csr"], {"axis": 1}),
    ("cast_storage", [(3, 4)], ["default"], {"stype": "csr"}),
    ("cast_storage", [(3, 4)], ["row_sparse"], {"stype": "default"}),
    ("broadcast_mul", [(3, 4), (1, 4)], ["csr", "default"], {}),
    ("add_n", [(3, 4), (3, 4)], ["row_sparse", "row_sparse"], {}),
]


def binds():
    out = []
    for op, shapes, stypes, kw in BINDS:
        names = [f"x{i}" for i in range(len(shapes))]
        sym = resolve(mx.sym, op)(*[mx.sym.var(n) for n in names], **kw)
        exe = sym.simple_bind(mx.cpu(), stype_dict=dict(zip(names, stypes)), **dict(zip(names, shapes)))
        out.append({"op": op, "shapes": shapes, "stypes": stypes, "kwargs": kw,
                    "arg_stypes": [exe.arg_dict[n].stype for n in names],
                    "grad_stypes": [exe.grad_dict[n].stype for n in names],
                    "out_stype": exe.outputs[0].stype})
    return out


def main():
    arrs = arrays()
    out = []
    for i, c in enumerate(cases()):
        c = dict(c, id=i)
        c["kwargs"] = {k: list(v) if isinstance(v, tuple) else v for k, v in c["kwargs"].items()}
        c.update(record(dict(c, kwargs={k: tuple(v) if isinstance(v, list) else v
                                        for k, v in c["kwargs"].items()}), arrs))
        out.append(c)
    with open(OUT, "w") as f:
        json.dump({"mxnet": mx.__version__, "arrays": {k: v.tolist() for k, v in arrs.items()},
                   "cases": out, "binds": binds()}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"{len(out)} cases -> {OUT}")


if __name__ == "__main__":
    main()
