"""mx.contrib.svrg_optimization: SVRGModule and its optimizer wrapper."""
import numpy as np
import pytest

import mxnet as mx
from mxnet.contrib.svrg_optimization.svrg_module import SVRGModule
from mxnet.contrib.svrg_optimization.svrg_optimizer import _SVRGOptimizer


def _linreg(n, batch_size):
    rng = np.random.RandomState(0)
    x = rng.randint(1, 5, [n, 2])
    it = mx.io.NDArrayIter(x, x.dot([1.0, 2.0]), batch_size=batch_size, label_name="lin_reg_label")
    fc = mx.sym.FullyConnected(mx.sym.var("data"), name="fc1", num_hidden=1)
    sym = mx.sym.LinearRegressionOutput(fc, mx.sym.var("lin_reg_label"), name="lro")
    return it, SVRGModule(sym, data_names=["data"], label_names=["lin_reg_label"], update_freq=2)


def test_optimizer_routes_full_keys_to_assignment():
    svrg = _SVRGOptimizer(default_optimizer="sgd", param_idx2name={0: "w", 1: "w_full"},
                          learning_rate=1.0)
    assert svrg.default_opt.lr == 1.0
    kv = mx.kv.create("local")
    kv.set_optimizer(svrg)
    w, w_full = mx.nd.zeros(3), mx.nd.ones(3)
    kv.init(0, w)
    kv.init(1, w_full)
    kv.push(0, mx.nd.ones(3))
    kv.push(1, mx.nd.ones(3) * 2)
    kv.pull(0, w)
    kv.pull(1, w_full)
    assert w.asnumpy().tolist() == [-1, -1, -1] and w_full.asnumpy().tolist() == [2, 2, 2]


def test_update_freq_is_checked():
    sym = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=1)
    with pytest.raises(TypeError):
        SVRGModule(sym, label_names=None, update_freq=None)
    with pytest.raises(ValueError):
        SVRGModule(sym, label_names=None, update_freq=0)


def test_full_gradient_is_the_batch_average_at_the_snapshot():
    it, mod = _linreg(10, 5)
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params(initializer=mx.init.One())
    mod.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.01),))
    assert type(mod._optimizer).__name__ == "_SVRGOptimizer"
    mod.update_full_grads(it)
    # weights (1, 1), no bias: the gradient of 0.5*(x.w - y)^2 summed over each batch of 5, averaged
    x = np.random.RandomState(0).randint(1, 5, [10, 2])
    grad = ((x.sum(1) - x.dot([1.0, 2.0]))[:, None] * x).reshape(2, 5, 2).sum(1).mean(0)
    np.testing.assert_allclose(mod._param_dict[0]["fc1_weight"].asnumpy()[0], grad)


def test_fit_converges():
    it, mod = _linreg(100, 10)
    metric = mx.metric.create("mse")
    mod.fit(it, eval_metric=metric, optimizer="sgd", optimizer_params=(("learning_rate", 0.025),),
            num_epoch=20)
    assert metric.get()[1] < 0.05
