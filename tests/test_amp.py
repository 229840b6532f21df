"""mx.contrib.amp: casts inserted by init(), dynamic loss scaling, graph conversion.

amp.init() rewrites mx.nd/mx.sym for the whole process, so its checks run in a child process."""
import os
import subprocess
import sys
import tempfile

import numpy as np

import mxnet as mx
from mxnet.contrib import amp

_CHILD = r'''
import warnings
warnings.simplefilter("ignore")
import numpy as np, mxnet as mx
from mxnet import gluon, autograd
from mxnet.contrib import amp
amp.init()
x = mx.nd.random.uniform(shape=(2, 3, 8, 8))
y = mx.nd.array([1, 2])
# low precision for products, float32 for softmax, the widest type for sums
assert mx.nd.FullyConnected(x.reshape((2, -1)), mx.nd.ones((4, 192)), mx.nd.zeros(4), num_hidden=4).dtype == np.float16
# on CPU, as in MXNet, AMP casts float32 inputs but leaves float16 ones as they are
assert mx.nd.softmax(mx.nd.ones((2, 3), dtype="float16")).dtype == np.float16
assert mx.nd.FullyConnected(mx.nd.ones((2, 3), dtype="float16"), mx.nd.ones((4, 3)), mx.nd.zeros(4),
                            num_hidden=4).dtype == np.float16
assert (mx.nd.ones(2, dtype="float16") + mx.nd.ones(2)).dtype == np.float32
assert mx.nd.broadcast_mul(mx.nd.ones(2, dtype="float16"), mx.nd.ones(2)).dtype == np.float32
net = gluon.nn.HybridSequential()
net.add(gluon.nn.Conv2D(8, 3, in_channels=3), gluon.nn.BatchNorm(in_channels=8),
        gluon.nn.Activation("relu"), gluon.nn.Dense(10, in_units=8 * 6 * 6))
net.initialize()
eager = net(x)
net.hybridize()
hybrid = net(x)
assert eager.dtype == hybrid.dtype == np.float16
assert np.abs(eager.asnumpy().astype("f4") - hybrid.asnumpy().astype("f4")).max() < 1e-2
assert net[0].weight.data().dtype == np.float32          # float32 master weights
tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
amp.init_trainer(tr)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
scales, losses = [], []
for _ in range(8):
    with autograd.record():
        loss = loss_fn(net(x), y)
        with amp.scale_loss(loss, tr) as scaled:
            autograd.backward(scaled)
    tr.step(2)
    scales.append(tr._amp_loss_scaler.loss_scale)
    losses.append(float(loss.mean().asscalar()))
# overflowing steps halve the scale and are skipped; then training proceeds
assert scales[0] <= 2.0 ** 16 and min(scales) < 2.0 ** 16, scales
assert np.isfinite(losses[-1]) and losses[-1] < losses[0], losses
conv = amp.convert_hybrid_block(net)
assert np.abs(conv(x).asnumpy().astype("f4") - net(x).asnumpy().astype("f4")).max() < 1e-2
print("AMP-OK")
'''


def test_amp_in_child_process():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    res = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert "AMP-OK" in res.stdout, res.stdout + res.stderr


def test_convert_symbol_and_save_without_casts():
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
    net = mx.sym.softmax(mx.sym.elemwise_add(fc, mx.sym.var("b"), name="add"), name="sm")
    conv = amp.convert_symbol(net)
    nodes = conv.get_internals().list_outputs()
    # the product's inputs are cast to float16, softmax's to float32, the sum's to one type
    assert "data_amp_cast_float16_output" in nodes and "fc_weight_amp_cast_float16_output" in nodes
    # (node names as MXNet 1.9.1's convert_symbol gives them)
    assert "fc_output_amp_multicast_output0" in nodes and "add_output_amp_cast_float32_output" in nodes
    _, out_types, _ = conv.infer_type_partial(data="float32", b="float32")
    assert out_types == [np.float32]
    path = os.path.join(tempfile.mkdtemp(), "net.json")
    conv.save(path)   # MXNet saves without the AMP casts unless told otherwise
    assert mx.sym.load(path).get_internals().list_outputs() == net.get_internals().list_outputs()
    conv.save(path, remove_amp_cast=False)
    assert mx.sym.load(path).get_internals().list_outputs() == nodes
    args = {"data": mx.nd.random.uniform(shape=(2, 5)), "b": mx.nd.ones((2, 4)),
            "fc_weight": mx.nd.random.uniform(shape=(4, 5)), "fc_bias": mx.nd.zeros(4)}
    ref = net.eval(**args)[0].asnumpy()
    got = conv.eval(**args)[0].asnumpy()
    assert got.dtype == np.float32 and abs(got - ref).max() < 5e-3


def test_convert_model_casts_optional_params():
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    args = {"fc_weight": mx.nd.ones((3, 2)), "fc_bias": mx.nd.zeros(3)}
    sym, arg_params, _ = amp.convert_model(net, args, {}, cast_optional_params=True)
    assert arg_params["fc_weight"].dtype == np.float16 and arg_params["fc_bias"].dtype == np.float16
    # as MXNet 1.9.1 gives it: only the data and the output are cast
    assert sym.get_internals().list_outputs() == [
        "data", "data_amp_cast_float16_output", "fc_weight", "fc_bias", "fc_output",
        "fc_output_amp_cast_float32_output"]
    out = sym.eval(data=mx.nd.ones((1, 2)), **arg_params)[0]
    assert out.dtype == np.float32 and out.asnumpy().tolist() == [[2.0, 2.0, 2.0]]
