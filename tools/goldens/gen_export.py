"""Models exported by real MXNet 1.9.1 (HybridBlock.export), with reference inputs, outputs and
input gradients, for tests/test_hybridize.py.  Run: .ref/bin/python tools/goldens/gen_export.py"""
import os
import sys

os.environ["MXNET_MKLDNN_ENABLED"] = "0"  # the oneDNN max-pool backward is wrong in this wheel

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

from harness import OUT, ROOT  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests"))
from export_nets import NETS  # noqa: E402

DIR = os.path.join(OUT, "export")


def main():
    os.makedirs(DIR, exist_ok=True)
    rng = np.random.RandomState(3)
    arrays = {}
    for name, build in NETS.items():
        mx.random.seed(5)
        net, shapes = build()
        net.initialize(mx.init.Xavier())
        net.hybridize()
        xs = [mx.nd.array(rng.normal(size=s).astype(np.float32)) for s in shapes]
        net(*xs)  # builds the graph, finishes deferred init
        for p in net.collect_params().values():
            p.set_data(mx.nd.array(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32)))
            if p.name.endswith("running_var"):
                p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, size=p.shape).astype(np.float32)))
        net.export(os.path.join(DIR, name))
        for x in xs:
            x.attach_grad()
        with mx.autograd.record(train_mode=False):
            out = net(*xs)
        outs = out if isinstance(out, (list, tuple)) else [out]
        heads = [rng.normal(size=o.shape).astype(np.float32) for o in outs]
        mx.autograd.backward(outs, [mx.nd.array(h) for h in heads])
        for i, x in enumerate(xs):
            arrays[f"{name}/in{i}"] = x.asnumpy()
            arrays[f"{name}/grad{i}"] = x.grad.asnumpy()
        for i, (o, h) in enumerate(zip(outs, heads)):
            arrays[f"{name}/out{i}"] = o.asnumpy()
            arrays[f"{name}/head{i}"] = h
    np.savez_compressed(os.path.join(DIR, "io.npz"), **arrays)
    print(f"export: {len(NETS)} models")


if __name__ == "__main__":
    main()
