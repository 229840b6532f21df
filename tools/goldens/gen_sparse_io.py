"""Golden batches of mx.io.LibSVMIter (CSR data and labels) written under real MXNet 1.9.1.

    /work/main/.ref/bin/python tools/goldens/gen_sparse_io.py   # -> tests/goldens/sparse_io.json
"""
import json
import os
import tempfile

import mxnet as mx

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "goldens", "sparse_io.json")
DATA = "1.0 0:0.5 2:1.2\n-2.0\n-3.0 2:1.2 0:0.6 1:2.4\n4 2:-1.2\n0.5 1:3 4:-2\n"
LABEL = "1.0\n-2.0 0:0.125\n-3.0 2:1.2\n4 1:1.0 2:-1.2\n2 0:1\n"
RUNS = [
    {"label": True, "data_shape": [5], "label_shape": [3], "batch_size": 3},
    {"label": False, "data_shape": [5], "label_shape": [1], "batch_size": 2},
    {"label": False, "data_shape": [5], "label_shape": [1], "batch_size": 4},
]


def batches(tmp, run):
    data, label = os.path.join(tmp, "data.t"), os.path.join(tmp, "label.t")
    extra = {"label_libsvm": label} if run["label"] else {}
    it = mx.io.LibSVMIter(data_libsvm=data, data_shape=tuple(run["data_shape"]),
                          label_shape=tuple(run["label_shape"]), batch_size=run["batch_size"], **extra)
    out = []
    for _ in range(2):  # two epochs: the second starts after the samples the first one's last batch borrowed
        for b in it:
            d, lab = b.data[0], b.label[0]
            out.append({"data": d.asnumpy().tolist(), "data_stype": d.stype, "indptr": d.indptr.asnumpy().tolist(),
                        "indices": d.indices.asnumpy().tolist(), "label": lab.asnumpy().tolist(),
                        "label_stype": lab.stype, "pad": b.pad, "index": [int(i) for i in b.index]})
        it.reset()
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "data.t"), "w") as f:
            f.write(DATA)
        with open(os.path.join(tmp, "label.t"), "w") as f:
            f.write(LABEL)
        runs = [dict(r, batches=batches(tmp, r)) for r in RUNS]
    with open(OUT, "w") as f:
        json.dump({"mxnet": mx.__version__, "data": DATA, "label": LABEL, "runs": runs}, f)
        f.write("\n")
    print(f"{len(runs)} runs -> {OUT}")


if __name__ == "__main__":
    main()
