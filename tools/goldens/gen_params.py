"""Array files written by real MXNet 1.9.1, for tests/test_serialization.py.

Run under the oracle: ``cd tools/goldens && ../../.ref/bin/python gen_params.py``.
Writes ``tests/goldens/params/*.params``, ``expected.npz`` (the values MXNet itself reads back,
or the values saved where MXNet cannot read its own file) and ``manifest.json``.
"""
import json
import os
import struct

import mxnet as mx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "params")
SAVABLE = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]

manifest = {}
expected = {}


def record(name, np_shape=False, resave=True, loaded=None):
    """Note the file's arrays.  ``resave``: our save must reproduce its bytes."""
    if loaded is None:
        loaded = mx.npx.load(os.path.join(OUT, name)) if np_shape else mx.nd.load(os.path.join(OUT, name))
    if isinstance(loaded, dict):
        names = list(loaded.keys())
        values = [loaded[k] for k in names]
    else:
        names, values = [], list(loaded)
    for i, v in enumerate(values):
        v = v if isinstance(v, np.ndarray) else v.asnumpy()
        expected[f"{name}/{i}"] = v
    manifest[name] = {"names": names, "kind": "dict" if names else "list", "np_shape": np_shape,
                      "resave": resave, "count": len(values)}


def path(name):
    return os.path.join(OUT, name)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(0)
    mx.nd.save(path("list.params"), [mx.nd.array(rng.randn(2, 3)), mx.nd.array([1, 2, 3], dtype="int32")])
    record("list.params")
    mx.nd.save(path("dict.params"), {"zz": mx.nd.array(rng.randn(3)), "arg:w": mx.nd.array([[1.5]]),
                                     "aux:m": mx.nd.array(rng.randn(2, 2, 2), dtype="float64")})
    record("dict.params")
    mx.nd.save(path("single.params"), mx.nd.array([4, 5]))
    record("single.params")
    mx.nd.save(path("empty_list.params"), [])
    record("empty_list.params")
    vals = np.array([0, 1, 3, 7, 100, 127, 1, 0])
    for dt in SAVABLE:
        mx.nd.save(path(f"dtype_{dt}.params"), [mx.nd.array(vals.reshape(2, 4), dtype=dt)])
        record(f"dtype_{dt}.params")
    mx.nd.save(path("zero_size.params"), [mx.nd.array([]), mx.nd.array(np.zeros((2, 0)))])
    record("zero_size.params")
    # 1.9.1 writes a 0-d array (nd.array(5.0) has shape ()) with its data, but its own loader
    # reads ndim 0 as "no array" and fails: record the saved values instead.
    mx.nd.save(path("scalar_v2.params"), [mx.nd.array(5.0), mx.nd.array([7.0])])
    record("scalar_v2.params", loaded=[np.array(5.0, dtype="float32"),
                                       np.array([7.0], dtype="float32")])
    # sparse records (loaded densified here)
    rs = mx.nd.sparse.row_sparse_array((np.array([[1, 2], [3, 4]], dtype="float32"), np.array([0, 2])),
                                       shape=(4, 2))
    csr = mx.nd.sparse.csr_matrix((np.array([1, 2, 3.0]), np.array([0, 2, 1]), np.array([0, 2, 2, 3])),
                                  shape=(3, 3))
    mx.nd.save(path("sparse.params"), {"rs": rs, "csr": csr, "rs0": mx.nd.sparse.zeros("row_sparse", (3, 2)),
                                       "csr0": mx.nd.sparse.zeros("csr", (2, 3))})
    loaded = mx.nd.load(path("sparse.params"))
    record("sparse.params", resave=False, loaded={k: v.tostype("default") for k, v in loaded.items()})
    # gluon parameters
    mx.random.seed(0)
    net = mx.gluon.nn.Dense(2, in_units=3)
    net.initialize(mx.init.Uniform(1.0))
    net.save_parameters(path("dense.params"))
    record("dense.params")
    # V1 and legacy records, packed by hand; MXNet's reading of them is the expectation
    hdr = struct.pack("<QQQ", 0x112, 0, 2)
    v1 = (struct.pack("<Ii2q", 0xF993FAC8, 2, 2, 3) + struct.pack("<iii", 1, 0, 0)
          + np.arange(6, dtype="<f4").tobytes())
    legacy = (struct.pack("<I2I", 2, 3, 2) + struct.pack("<iii", 1, 0, 1)
              + np.arange(6, dtype="<f8").tobytes())
    with open(path("v1_legacy.params"), "wb") as f:
        f.write(hdr + v1 + legacy + struct.pack("<Q", 0))
    record("v1_legacy.params", resave=False)
    # np-shape (V3) records
    mx.npx.set_np()
    mx.npx.save(path("v3.params"), [mx.np.array(5.0), mx.np.zeros((2, 0)),
                                    mx.np.array([[1, 2]], dtype="int32"), mx.np.zeros((0,), dtype="int64")])
    record("v3.params", np_shape=True)
    mx.npx.save(path("v3_dict.params"), {"a": mx.np.array(rng.randn(2, 2)),
                                         "b": mx.np.array(3, dtype="uint8")})
    record("v3_dict.params", np_shape=True)
    mx.npx.reset_np()

    np.savez(os.path.join(OUT, "expected.npz"), **expected)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
