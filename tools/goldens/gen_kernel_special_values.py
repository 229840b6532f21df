"""Goldens for tests/test_kernel_special_values.py: every case of tests/special_values.py, for
each kind of special value placed in the inputs ("in") or in the head gradients ("head"), run on
real MXNet 1.9.1 as installed (oneDNN on), or, for the cases whose oneDNN results are not
MXNet's definition (OWN_KERNELS of the test), with ``MXNET_MKLDNN_ENABLED=0`` (MXNet's own CPU
kernels) on the same recorded inputs.

Usage: ``.ref/bin/python tools/goldens/gen_kernel_special_values.py``
Writes tests/goldens/kernel_special_values.npz: ``<case>/<kind>/<where>/crc`` (a checksum of the
inputs, which ``special_values.Inputs`` draws again), ``.../mx/<name>`` or
``.../mx_nodnn/<name>`` (results); a case MXNet refuses has ``.../<run>/error`` (its message).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
OUT = os.path.join(ROOT, "tests", "goldens", "kernel_special_values.npz")

import mxnet as mx  # noqa: E402
import special_values as sv  # noqa: E402

WHERE = ("in", "head")
OWN_KERNELS = ("relu", "relu_op", "fc_relu", "pool_relu", "softmax_ce")   # as in tests/test_kernel_special_values.py


def _run(store, run):
    for case, (prog, _) in sv.CASES.items():
        if (run == "mx_nodnn") != (case in OWN_KERNELS):
            continue
        for kind in sv.KINDS:
            for where in WHERE:
                key = f"{case}/{kind}/{where}"
                src = sv.Inputs(key)
                try:
                    res = prog(mx, src)
                except mx.base.MXNetError as e:
                    store[f"{key}/{run}/error"] = np.array(str(e).splitlines()[0])
                    continue
                store[f"{key}/crc"] = np.array(src.crc, np.int64)
                for name, a in res.items():
                    store[f"{key}/{run}/{name}"] = a


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--own-kernels":
        store = {}
        _run(store, "mx_nodnn")
        np.savez(sys.argv[2], **store)
        return
    store = {}
    _run(store, "mx")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "store.npz")
        env = dict(os.environ, MXNET_MKLDNN_ENABLED="0", MXNET_STORAGE_FALLBACK_LOG_VERBOSE="0")
        subprocess.run([sys.executable, os.path.abspath(__file__), "--own-kernels", path], env=env,
                       check=True, stderr=subprocess.DEVNULL)
        store.update(np.load(path))
    np.savez_compressed(OUT, **store)
    print(f"kernel_special_values: {len(sv.CASES)} cases x {len(sv.KINDS)} kinds x {len(WHERE)}, "
          f"{len(store)} arrays")


if __name__ == "__main__":
    main()
