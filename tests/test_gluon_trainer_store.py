"""gluon.Trainer's store (KVStore) choices and row_sparse parameters (kept dense here)."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon
from mxnet.gluon.contrib.nn import SparseEmbedding


def _step_ones(trainer, x):
    with mx.autograd.record():
        for w in x.list_data():
            (w + 1).backward()
    trainer.step(1)


def test_single_device_has_no_store():
    x = gluon.Parameter("x", shape=(4,))
    x.initialize(ctx=mx.cpu(0), init="zeros")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5})
    _step_ones(trainer, x)
    assert trainer._kvstore is None and trainer._update_on_kvstore is None
    _step_ones(trainer, x)
    np.testing.assert_array_equal(x.data().asnumpy(), [-2.5] * 4)   # -1, then -1 + (-0.5 - 1)


def test_multi_device_updates_on_store_and_resets_on_load(tmp_path):
    params = gluon.ParameterDict()
    x = params.get("x", shape=(3,))
    params.initialize(ctx=[mx.cpu(0), mx.cpu(1)], init="zeros")
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    fname = str(tmp_path / "p.params")
    params.save(fname)
    _step_ones(trainer, x)
    assert trainer._kvstore.type == "device" and trainer._update_on_kvstore
    np.testing.assert_allclose(x.data(mx.cpu(1)).asnumpy(), [-0.2] * 3)
    with pytest.raises(AssertionError, match="update_on_kvstore"):
        trainer.allreduce_grads()
    params.load(fname)
    assert trainer._kvstore is None and not trainer._kv_initialized
    _step_ones(trainer, x)   # the new store starts from the loaded zeros
    np.testing.assert_allclose(x.data(mx.cpu(0)).asnumpy(), [-0.2] * 3)


def test_update_on_kvstore_false_and_teststore():
    x = gluon.Parameter("x", shape=(2,))
    x.initialize(ctx=[mx.cpu(0), mx.cpu(1)], init="zeros")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, update_on_kvstore=False)
    with mx.autograd.record():
        for i, w in enumerate(x.list_data()):
            (w * (i + 1)).backward()
    trainer.allreduce_grads()
    np.testing.assert_array_equal(x.grad(mx.cpu(0)).asnumpy(), [3, 3])
    trainer.update(1)
    np.testing.assert_array_equal(x.data(mx.cpu(1)).asnumpy(), [-3, -3])
    bad = gluon.Trainer([x], "sgd", kvstore=mx.kv.create("teststore"), update_on_kvstore=True)
    with pytest.raises(ValueError, match="update_on_kvstore=False"):
        bad._init_kvstore()


def test_row_sparse_parameter_access_rules():
    p = gluon.Parameter("w", shape=(4, 2), stype="row_sparse", grad_stype="row_sparse")
    p.initialize(init="ones")
    with pytest.raises(RuntimeError, match="row_sparse_data"):
        p.data()
    rows = mx.nd.arange(0, 4)
    with pytest.raises(RuntimeError, match="no Trainer"):
        p.row_sparse_data(rows)
    trainer = gluon.Trainer([p], "sgd")
    with pytest.raises(RuntimeError, match="More than one trainers"):
        gluon.Trainer([p], "sgd")
    p._set_trainer(trainer)
    np.testing.assert_array_equal(p.row_sparse_data(rows).asnumpy(), np.ones((4, 2)))
    dense = gluon.Parameter("d", shape=(2,))
    dense.initialize()
    with pytest.raises(RuntimeError, match="use data"):
        dense.row_sparse_data(rows)
    with pytest.raises(AssertionError, match="stype"):
        gluon.Parameter("bad", shape=(2,), grad_stype="dense")


def test_sparse_embedding_trains_through_the_store():
    layer = SparseEmbedding(6, 3, weight_initializer="zeros")
    layer.initialize()
    trainer = gluon.Trainer(layer.collect_params(), "sgd", {"learning_rate": 0.5})
    x = mx.nd.array([1, 4, 1])
    with mx.autograd.record():
        layer(x).sum().backward()
    grad = layer.weight.grad().asnumpy()
    np.testing.assert_array_equal(grad[:, 0], [0, 2, 0, 0, 1, 0])
    trainer.step(1)
    assert trainer._update_on_kvstore is True
    w = layer.weight.row_sparse_data(x).asnumpy()
    np.testing.assert_array_equal(w[:, 0], [0, -1, 0, 0, -0.5, 0])
    assert repr(layer) == "SparseEmbedding(6 -> 3, float32)"
