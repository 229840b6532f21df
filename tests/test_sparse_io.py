"""Sparse data in mx.io: LibSVMIter's CSR batches against real MXNet 1.9.1
(tests/goldens/sparse_io.json, tools/goldens/gen_sparse_io.py) and NDArrayIter over CSR data."""
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError

with open(os.path.join(os.path.dirname(__file__), "goldens", "sparse_io.json")) as f:
    GOLDEN = json.load(f)


@pytest.fixture
def files(tmp_path):
    data, label = tmp_path / "data.t", tmp_path / "label.t"
    data.write_text(GOLDEN["data"])
    label.write_text(GOLDEN["label"])
    return str(data), str(label)


@pytest.mark.parametrize("run", GOLDEN["runs"], ids=lambda r: f"bs{r['batch_size']}-label{r['label']}")
def test_libsvm_batches(files, run):
    extra = {"label_libsvm": files[1]} if run["label"] else {}
    it = mx.io.LibSVMIter(data_libsvm=files[0], data_shape=tuple(run["data_shape"]),
                          label_shape=tuple(run["label_shape"]), batch_size=run["batch_size"], **extra)
    got = []
    for _ in range(2):
        for b in it:
            got.append(b)
        it.reset()
    assert len(got) == len(run["batches"])
    for b, g in zip(got, run["batches"]):
        d, lab = b.data[0], b.label[0]
        assert (d.stype, lab.stype, b.pad) == (g["data_stype"], g["label_stype"], g["pad"])
        assert b.index.tolist() == g["index"]
        assert d.indptr.asnumpy().tolist() == g["indptr"] and d.indices.asnumpy().tolist() == g["indices"]
        np.testing.assert_allclose(d.asnumpy(), g["data"], rtol=1e-6)
        np.testing.assert_allclose(lab.asnumpy(), g["label"], rtol=1e-6)


def test_libsvm_bad_index(tmp_path):
    p = tmp_path / "bad.t"
    p.write_text("1 0:1\n2 -1:0.5\n")
    with pytest.raises(MXNetError, match="feature index -1"):
        mx.io.LibSVMIter(data_libsvm=str(p), data_shape=(3,), batch_size=1)


def test_ndarrayiter_csr():
    spsp = pytest.importorskip("scipy.sparse")
    dense = np.arange(35, dtype=np.float32).reshape(7, 5) * (np.arange(35).reshape(7, 5) % 3 == 0)
    csr = mx.nd.sparse.csr_matrix(dense)
    with pytest.raises(NotImplementedError):
        mx.io.NDArrayIter({"data": csr}, dense, 2)
    with pytest.raises(NotImplementedError):
        mx.io.NDArrayIter({"data": spsp.csr_matrix(dense)}, dense, 2)
    it = mx.io.NDArrayIter(csr, dense[:, 0], 3, last_batch_handle="discard")
    batches = list(it)
    assert len(batches) == 2
    for k, b in enumerate(batches):
        assert b.data[0].stype == "csr"
        np.testing.assert_array_equal(b.data[0].asnumpy(), dense[3 * k:3 * k + 3])
    np.random.seed(3)
    it = mx.io.NDArrayIter({"x": spsp.csr_matrix(dense)}, dense[:, 0], 2, shuffle=True, last_batch_handle="discard")
    rows = []
    for b in it:
        assert b.data[0].stype == "csr"
        x, y = b.data[0].asnumpy(), b.label[0].asnumpy()
        np.testing.assert_array_equal(x[:, 0], y)  # rows and labels shuffled together
        rows += [tuple(r) for r in x]
    assert len(rows) == 6 and set(rows) <= {tuple(r) for r in dense}
