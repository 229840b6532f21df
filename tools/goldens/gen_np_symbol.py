"""Record MXNet 1.9.1's NumPy-style symbols: the JSON of each ``mx.sym.np``/``mx.sym.npx`` graph in
``tests/goldens/np_symbol/np_symbol_cases.py`` and its outputs, and the exported JSON, parameters and
outputs of the Gluon nets of ``np_symbol_nets.py`` hybridized under ``npx.set_np()``.

Usage: ``cd tools/goldens && ../../.ref/bin/python gen_np_symbol.py``
"""
import json
import os
import sys
import tempfile

import mxnet as mx
import numpy as onp
from mxnet import npx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = os.path.join(ROOT, "tests", "goldens", "np_symbol")
sys.path.insert(0, DIR)
import np_symbol_cases as cases  # noqa: E402
import np_symbol_nets as nets  # noqa: E402


def run_expr(expr, env):
    with mx.name.NameManager():
        out = eval(expr, env)  # noqa: S307 - the expressions are ours
    if isinstance(out, (list, tuple)):
        out = mx.sym.Group(list(out))
    return out


def record_exprs(arrays):
    vals = cases.inputs()
    env = {"np": mx.sym.np, "npx": mx.sym.npx, "onp": onp}
    env.update({n: mx.sym.var(n).as_np_ndarray() for n in cases.VARS})
    recs = []
    for cid, expr in cases.EXPRS:
        rec = {"id": cid, "expr": expr}
        try:
            sym = run_expr(expr, env)
        except Exception as e:  # the error MXNet raises is part of the record
            rec["error"] = type(e).__name__
            recs.append(rec)
            continue
        rec["json"] = sym.tojson()
        rec["type"] = type(sym).__name__
        if cid not in cases.NO_VALUES:
            args = {n: mx.nd.array(vals[n], dtype=vals[n].dtype) for n in sym.list_arguments()}
            try:
                aux = {n: mx.nd.array(vals[n]) for n in sym.list_auxiliary_states()}
                outs = sym.as_nd_ndarray().bind(mx.cpu(), args, aux_states=aux).forward()
            except mx.base.MXNetError:  # MXNet builds some graphs it cannot run (b[-1])
                rec["run_error"] = True
                recs.append(rec)
                continue
            rec["n_out"] = len(outs)
            for j, o in enumerate(outs):
                arrays[f"{cid}:{j}"] = o.asnumpy()
        recs.append(rec)
    return recs


def record_nets(arrays):
    recs = []
    rng = onp.random.RandomState(1)
    for name, (build, shape) in nets.NETS.items():
        net = build(mx)
        net.initialize(mx.init.Uniform(0.5))
        x = mx.np.array(rng.uniform(-1, 1, size=shape).astype("float32"))
        net.hybridize()  # before the first call: the trace sees the unknown (-1) input dims
        out = net(x)
        with tempfile.TemporaryDirectory() as d:
            net.export(os.path.join(d, name))
            with open(os.path.join(d, f"{name}-symbol.json")) as f:
                js = f.read()
        arrays[f"net:{name}:x"] = x.asnumpy()
        arrays[f"net:{name}:out"] = out.asnumpy()
        pnames = []
        for pname, p in net.collect_params().items():
            arrays[f"net:{name}:param:{pname}"] = p.data().asnumpy()
            pnames.append(pname)
        recs.append({"id": name, "json": js, "params": pnames})
    return recs


def main():
    npx.set_np()
    arrays = {}
    doc = {"exprs": record_exprs(arrays), "nets": record_nets(arrays)}
    with open(os.path.join(DIR, "golden.json"), "w") as f:
        json.dump(doc, f, indent=0)
    onp.savez_compressed(os.path.join(DIR, "golden.npz"), **arrays)
    print(f"{len(doc['exprs'])} expressions, {len(doc['nets'])} nets, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
