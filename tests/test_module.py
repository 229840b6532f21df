"""mx.mod.Module against runs recorded under MXNet 1.9.1 (tools/goldens/gen_module.py): fit of an MLP
from fixed parameters (final parameters, log lines, score, predict), a LeNet forward/backward/update,
checkpoint files byte for byte; plus the lifecycle rules and a real-MNIST fit."""
import importlib.util
import json
import logging
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLD = os.path.join(ROOT, "tests", "goldens", "module")
_spec = importlib.util.spec_from_file_location("gen_module", os.path.join(ROOT, "tools", "goldens",
                                                                           "gen_module.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)
with open(os.path.join(GOLD, "module.json")) as _f:
    META = json.load(_f)
ARR = dict(np.load(os.path.join(GOLD, "module.npz")))


def close(a, b, msg=""):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=msg)


def _prefixed(prefix):
    return {k[len(prefix):]: v for k, v in ARR.items() if k.startswith(prefix)}


def _mlp_iters():
    data, label = gen.mlp_data()
    return (mx.io.NDArrayIter(data[:40], label[:40], batch_size=10, shuffle=False),
            mx.io.NDArrayIter(data[40:], label[40:], batch_size=10, shuffle=False))


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_fit_mlp_matches_mxnet():
    train, val = _mlp_iters()
    mod = mx.mod.Module(gen.mlp(mx), context=mx.cpu())
    cap = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(cap)
    root.setLevel(logging.INFO)
    try:
        mod.fit(train, eval_data=val, num_epoch=3, optimizer="sgd",
                optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
                arg_params={k: mx.nd.array(v) for k, v in _prefixed("mlp/init/").items()})
    finally:
        root.removeHandler(cap)
        root.setLevel(old_level)
    args, aux = mod.get_params()
    final = _prefixed("mlp/final/")
    assert sorted(args) == sorted(final) and aux == {}
    for k, v in final.items():
        assert args[k].dtype == np.float32
        close(args[k].asnumpy(), v, k)
    # log lines: same text except the measured time
    expect = [ln for ln in META["fit_log"] if "Time cost" not in ln]
    got = [ln for ln in cap.lines if "Time cost" not in ln and ln.startswith("Epoch")]
    assert got == expect
    assert sum("Time cost=" in ln for ln in cap.lines) == 3
    assert [list(p) for p in mod.score(val, "acc")] == META["score"]
    res = mod.score(val, ["acc", "ce"])
    assert res[0] == tuple(META["score_ce"][0]) and res[1][0] == "cross-entropy"
    close(res[1][1], META["score_ce"][1][1])
    close(mod.predict(val).asnumpy(), ARR["mlp/predict"])
    data, label = gen.mlp_data()
    odd = mx.io.NDArrayIter(data[40:], label[40:], batch_size=7, shuffle=False)
    pred = mod.predict(odd)
    assert pred.shape == (20, 3)
    close(pred.asnumpy(), ARR["mlp/predict_pad"])
    assert mod.output_shapes == [("softmax_output", (7, 3))]


def _lenet_module(**kw):
    net = gen.lenet(mx)
    x, y = gen.lenet_inputs()
    mod = mx.mod.Module(net, context=kw.pop("context", mx.cpu()))
    mod.bind(data_shapes=[("data", x.shape)], label_shapes=[("softmax_label", y.shape)], inputs_need_grad=True)
    init = _prefixed("lenet/init/")
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in init.items() if "moving" not in k},
                    aux_params={k: mx.nd.array(v) for k, v in init.items() if "moving" in k})
    return mod, mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])


def test_lenet_forward_backward_update_matches_mxnet():
    mod, batch = _lenet_module()
    mod.forward(batch, is_train=False)
    close(mod.get_outputs()[0].asnumpy(), ARR["lenet/infer"], "inference")
    mod.forward(batch, is_train=True)
    close(mod.get_outputs()[0].asnumpy(), ARR["lenet/train"], "training forward")
    mod.backward()
    close(mod.get_input_grads()[0].asnumpy(), ARR["lenet/data_grad"], "data gradient")
    exe = mod._exec_group.execs[0]
    for k, v in _prefixed("lenet/grad/").items():
        close(exe.grad_dict[k].asnumpy(), v, f"gradient of {k}")
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.05, "wd": 0.01})
    mod.update()
    args, aux = mod.get_params()
    for k, v in _prefixed("lenet/updated/").items():
        close((args[k] if k in args else aux[k]).asnumpy(), v, f"{k} after update")
    assert [[n, list(s)] for n, s in mod.output_shapes] == META["output_shapes"]
    assert mod.data_names == ["data"] and mod.output_names == ["softmax_output"]
    assert mod.data_shapes[0].shape == (4, 1, 16, 16) and mod.label_shapes[0].name == "softmax_label"


def test_two_cpu_contexts_split_the_batch_and_match_one():
    """Gradients summed over the slices equal the full-batch gradient, so training on two CPU
    contexts reproduces MXNet's single-context run."""
    train, val = _mlp_iters()
    mod = mx.mod.Module(gen.mlp(mx), context=[mx.cpu(0), mx.cpu(1)])
    mod.fit(train, num_epoch=3, optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            arg_params={k: mx.nd.array(v) for k, v in _prefixed("mlp/init/").items()})
    group = mod._exec_group
    assert len(group.execs) == 2 and group.execs[1].arg_dict["data"].shape == (5, 20)
    args, _ = mod.get_params()
    for k, v in _prefixed("mlp/final/").items():
        close(args[k].asnumpy(), v, k)
    close(mod.predict(val).asnumpy(), ARR["mlp/predict"])
    per_dev = mod.get_outputs(merge_multi_context=False)[0]
    assert [o.shape for o in per_dev] == [(5, 3), (5, 3)]
    with pytest.raises(ValueError, match="Too many slices"):
        m3 = mx.mod.Module(gen.mlp(mx), context=[mx.cpu(i) for i in range(3)])
        m3.bind(data_shapes=[("data", (2, 20))], label_shapes=[("softmax_label", (2,))])


def test_fit_callbacks_and_metrics():
    train, val = _mlp_iters()
    seen, epochs, evals = [], [], []
    mod = mx.mod.Module(gen.mlp(mx))
    mod.fit(train, eval_data=val, num_epoch=2, eval_metric="ce", validation_metric="acc",
            arg_params={k: mx.nd.array(v) for k, v in _prefixed("mlp/init/").items()},
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            batch_end_callback=lambda p: seen.append((p.epoch, p.nbatch, p.eval_metric.get()[0])),
            epoch_end_callback=[lambda e, s, a, x: epochs.append((e, sorted(a), x))],
            eval_end_callback=lambda p: evals.append((p.epoch, p.nbatch, p.eval_metric.get())))
    assert seen == [(e, b, "cross-entropy") for e in range(2) for b in range(4)]
    assert epochs == [(e, ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"], {}) for e in range(2)]
    assert [(e, n, m[0]) for e, n, m in evals] == [(0, 2, "accuracy"), (1, 2, "accuracy")]
    # same run as the golden one: "Epoch[0] Validation-accuracy=0.950000"
    assert evals[0][2][1] == pytest.approx(float(META["fit_log"][2].split("=")[1]))
    # a second fit continues from the trained parameters (init_params is skipped with a warning)
    before = {k: v.asnumpy().copy() for k, v in mod.get_params()[0].items()}
    with pytest.warns(UserWarning, match="init_params call ignored"):
        mod.fit(train, num_epoch=3, begin_epoch=2, batch_end_callback=lambda p: seen.append(p.epoch))
    assert seen[-4:] == [2] * 4
    after = mod.get_params()[0]
    assert all(np.abs(after[k].asnumpy() - v).max() < 0.5 for k, v in before.items())


def test_checkpoint_files_identical_to_mxnet(tmp_path):
    sym = gen.mlp(mx)
    shapes, _ = gen.param_shapes(sym, data=(2, 20))
    params = {k: mx.nd.array(v) for k, v in gen.init_params(shapes, 5).items()}
    prefix = str(tmp_path / "ckpt")
    mx.model.save_checkpoint(prefix, 7, sym, params, {})
    for suffix in ("-symbol.json", "-0007.params"):
        with open(prefix + suffix, "rb") as a, open(os.path.join(GOLD, "ckpt" + suffix), "rb") as b:
            assert a.read() == b.read(), suffix
    s, args, aux = mx.model.load_checkpoint(os.path.join(GOLD, "ckpt"), 7)
    assert s.tojson() == sym.tojson() and aux == {}
    for k, v in params.items():
        np.testing.assert_array_equal(args[k].asnumpy(), v.asnumpy())
    args2, aux2 = mx.model.load_params(os.path.join(GOLD, "ckpt"), 7)
    assert sorted(args2) == sorted(params) and aux2 == {}


def test_module_checkpoint_roundtrip_with_optimizer_states(tmp_path):
    train, val = _mlp_iters()
    mod = mx.mod.Module(gen.mlp(mx))
    mod.fit(train, num_epoch=1, optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            initializer=mx.init.Xavier())
    prefix = str(tmp_path / "m")
    mod.save_checkpoint(prefix, 1, save_optimizer_states=True)
    assert os.path.exists(prefix + "-0001.states")
    loaded = mx.mod.Module.load(prefix, 1, load_optimizer_states=True)
    loaded.bind(data_shapes=train.provide_data, label_shapes=train.provide_label)
    loaded.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    close(loaded.predict(val).asnumpy(), mod.predict(val).asnumpy())
    # one more identical step from both: the momentum states were restored
    train.reset()
    batch = next(iter(train))
    for m in (mod, loaded):
        m.forward_backward(batch)
        m.update()
    for k, v in mod.get_params()[0].items():
        close(loaded.get_params()[0][k].asnumpy(), v.asnumpy(), k)
    path = str(tmp_path / "p.params")
    mod.save_params(path)
    assert sorted(mx.nd.load(path)) == sorted(f"arg:{k}" for k in mod.get_params()[0])
    fresh = mx.mod.Module(gen.mlp(mx))
    fresh.bind(data_shapes=val.provide_data, label_shapes=val.provide_label, for_training=False)
    fresh.load_params(path)
    close(fresh.predict(val).asnumpy(), mod.predict(val).asnumpy())


def test_lifecycle_errors_and_fixed_params():
    sym = gen.mlp(mx)
    with pytest.raises(ValueError, match="data_names"):
        mx.mod.Module(sym, data_names=("x",))
    with pytest.warns(UserWarning, match="label_names"):
        mx.mod.Module(sym, label_names=("lbl",))
    mod = mx.mod.Module(sym, fixed_param_names=["fc1_weight", "fc1_bias"])
    with pytest.raises(ValueError, match="don't match"):
        mod.bind(data_shapes=[("x", (10, 20))])
    with pytest.raises(AssertionError):
        mod.init_params()
    mod.bind(data_shapes=[("data", (10, 20))], label_shapes=[("softmax_label", (10,))])
    mod.init_params(initializer=mx.init.Normal(0.5))
    with pytest.warns(UserWarning, match="init_params call ignored"):
        mod.init_params()
    before = {k: v.asnumpy().copy() for k, v in mod.get_params()[0].items()}
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 1.0})
    assert mod._optimizer.rescale_grad == pytest.approx(0.1)
    train, _ = _mlp_iters()
    mod.forward_backward(next(iter(train)))
    mod.update()
    after = mod.get_params()[0]
    np.testing.assert_array_equal(after["fc1_weight"].asnumpy(), before["fc1_weight"])
    assert not np.array_equal(after["fc2_weight"].asnumpy(), before["fc2_weight"])
    with pytest.raises(RuntimeError, match="fc2_bias is not presented"):
        mod.set_params({k: v for k, v in after.items() if k != "fc2_bias"}, {})
    with pytest.raises(ValueError, match="eval_data must be"):
        mod.predict([1, 2])


def test_forward_reshapes_for_a_new_batch_size():
    mod, batch = _lenet_module()
    mod.forward(batch, is_train=False)
    full = mod.get_outputs()[0].asnumpy()
    x, y = batch.data[0][:2], batch.label[0][:2]
    mod.forward(mx.io.DataBatch([x], [y]), is_train=False)
    assert mod.data_shapes[0].shape == (2, 1, 16, 16) and mod.label_shapes[0].shape == (2,)
    close(mod.get_outputs()[0].asnumpy(), full[:2])
    mod.forward(batch, is_train=False)
    close(mod.get_outputs()[0].asnumpy(), full)
    # as in MXNet, the label bound at bind time cannot change shape behind the module's back
    with pytest.warns(UserWarning, match="label_shapes don't match"), pytest.raises(MXNetError, match="label"):
        mod.predict(x)
    inference = mx.mod.Module(gen.lenet(mx))
    with pytest.warns(UserWarning, match="label_shapes don't match"):
        inference.bind(data_shapes=[("data", (2, 1, 16, 16))], for_training=False)
    inference.set_params(*mod.get_params())
    close(inference.predict(x.asnumpy()).asnumpy(), full[:2])


def test_fit_real_mnist_subset(mnist_home):  # noqa: F811
    train_full = mx.io.MNISTIter(image=os.path.join(mnist_home, "datasets", "mnist", "train-images-idx3-ubyte.gz"),
                                 label=os.path.join(mnist_home, "datasets", "mnist", "train-labels-idx1-ubyte.gz"),
                                 batch_size=2000, flat=True, shuffle=False)
    batch = next(iter(train_full))
    x, y = batch.data[0].asnumpy(), batch.label[0].asnumpy()
    mx.random.seed(0)
    np.random.seed(0)
    train = mx.io.NDArrayIter(x[:1500], y[:1500], batch_size=50, shuffle=True)
    val = mx.io.NDArrayIter(x[1500:], y[1500:], batch_size=100)
    data = mx.sym.var("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=64, name="fc1"), act_type="relu")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=10, name="fc2"), name="softmax")
    mod = mx.mod.Module(net)
    mod.fit(train, num_epoch=5, optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            initializer=mx.init.Xavier())
    acc = dict(mod.score(val, "acc"))["accuracy"]
    assert acc > 0.89, acc  # 0.906 here


def _bucket_sym(key):
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=3, flatten=False, name="fc")
    out = mx.sym.SoftmaxOutput(mx.sym.mean(h, axis=1), name="softmax")
    return out, ("data",), ("softmax_label",)


def _bucket_batch(key, rng):
    x = mx.nd.array(rng.standard_normal((4, key, 5)))
    y = mx.nd.array(rng.randint(0, 3, 4))
    return mx.io.DataBatch([x], [y], bucket_key=key, provide_data=[mx.io.DataDesc("data", (4, key, 5))],
                           provide_label=[mx.io.DataDesc("softmax_label", (4,))])


def test_bucketing_module_shares_parameters_across_buckets():
    rng = np.random.RandomState(0)
    batches = [_bucket_batch(k, rng) for k in (6, 3, 6, 2)]
    init = {"fc_weight": mx.nd.array(rng.standard_normal((3, 5))), "fc_bias": mx.nd.array([0.1, 0.0, -0.1])}
    bm = mx.mod.BucketingModule(_bucket_sym, default_bucket_key=6)
    bm.bind(data_shapes=batches[0].provide_data, label_shapes=batches[0].provide_label)
    bm.init_params(arg_params=init)
    bm.init_optimizer(optimizer_params={"learning_rate": 0.5})
    ref = {k: v.copy() for k, v in init.items()}
    for b in batches:
        bm.forward_backward(b)
        bm.update()
        # the same step with a plain Module bound to this batch's shapes
        m = mx.mod.Module(_bucket_sym(b.bucket_key)[0])
        m.bind(data_shapes=b.provide_data, label_shapes=b.provide_label)
        m.init_params(arg_params=ref)
        m.init_optimizer(optimizer_params={"learning_rate": 0.5})
        m.forward_backward(b)
        m.update()
        ref = {k: v.copy() for k, v in m.get_params()[0].items()}
        close(bm.get_outputs()[0].asnumpy(), m.get_outputs()[0].asnumpy())
    assert sorted(bm._buckets) == [2, 3, 6]
    w = [mod._exec_group.execs[0].arg_dict["fc_weight"] for mod in bm._buckets.values()]
    assert all(a is w[0] for a in w)
    for k, v in bm.get_params()[0].items():
        close(v.asnumpy(), ref[k].asnumpy(), k)
    assert bm.data_shapes[0].shape == (4, 2, 5) and bm.output_names == ["softmax_output"]
    with pytest.raises(AssertionError):
        mx.mod.BucketingModule(_bucket_sym)


def test_sequential_module_reproduces_the_single_module_fit():
    """fc1+relu and fc2+softmax as two chained modules train exactly like MXNet's one-module MLP."""
    data = mx.sym.var("data")
    first = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=16, name="fc1"), act_type="relu",
                              name="relu1")
    second = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=3, name="fc2"), name="softmax")
    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(first, label_names=None)).add(mx.mod.Module(second), take_labels=True,
                                                        auto_wiring=True)
    train, val = _mlp_iters()
    seq.fit(train, eval_data=val, num_epoch=3, optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            arg_params={k: mx.nd.array(v) for k, v in _prefixed("mlp/init/").items()})
    args, _ = seq.get_params()
    for k, v in _prefixed("mlp/final/").items():
        close(args[k].asnumpy(), v, k)
    close(seq.predict(val).asnumpy(), ARR["mlp/predict"])
    assert seq.output_shapes == [("softmax_output", (10, 3))] and seq.data_names == ["data"]
    with pytest.raises(AssertionError, match="typo"):
        seq.add(mx.mod.Module(second), take_label=True)
    dup = mx.mod.SequentialModule().add(mx.mod.Module(second)).add(mx.mod.Module(second), auto_wiring=True)
    with pytest.warns(UserWarning, match="label_shapes don't match"):  # the second takes no labels
        dup.bind(data_shapes=[("data", (10, 3))], label_shapes=[("softmax_label", (10,))])
    with pytest.raises(AssertionError, match="Duplicated parameter names"):
        dup.init_params()


def test_fit_with_kvstore_object_and_stock_callbacks(tmp_path):
    """A KVStore instance sums the gradients (same result as MXNet's run); Speedometer and
    do_checkpoint work as fit callbacks."""
    train, _ = _mlp_iters()
    mod = mx.mod.Module(gen.mlp(mx), context=[mx.cpu(0), mx.cpu(1)])
    prefix = str(tmp_path / "cb")
    mod.fit(train, num_epoch=3, kvstore=mx.kv.create("local"),
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            arg_params={k: mx.nd.array(v) for k, v in _prefixed("mlp/init/").items()},
            batch_end_callback=mx.callback.Speedometer(10, 2), epoch_end_callback=mx.callback.do_checkpoint(prefix))
    args, _ = mod.get_params()
    for k, v in _prefixed("mlp/final/").items():
        close(args[k].asnumpy(), v, k)
    _, saved, _ = mx.model.load_checkpoint(prefix, 3)
    for k, v in _prefixed("mlp/final/").items():
        close(saved[k].asnumpy(), v, k)


def test_batch_axis_from_layouts_over_two_devices():
    """A 'TNC' input is split over the devices along axis 1; outputs marked __layout__='TNC'
    are joined back along it (MXNet's DataParallelExecutorGroup)."""
    sym = mx.sym.Activation(mx.sym.var("data"), act_type="relu", __layout__="TNC")
    mod = mx.mod.Module(sym, ("data",), None, context=[mx.cpu(0), mx.cpu(1)])
    x = np.arange(3 * 8 * 7, dtype=np.float32).reshape(3, 8, 7) - 80
    mod.bind(data_shapes=[mx.io.DataDesc("data", x.shape, layout="TNC")], inputs_need_grad=True)
    mod.init_params()
    mod.forward(mx.io.DataBatch(data=[mx.nd.array(x)], label=None))
    mod.backward([mx.nd.ones(x.shape)])
    assert [o.shape for o in mod.get_outputs(merge_multi_context=False)[0]] == [(3, 4, 7)] * 2
    np.testing.assert_array_equal(mod.get_outputs()[0].asnumpy(), np.maximum(x, 0))
    np.testing.assert_array_equal(mod.get_input_grads()[0].asnumpy(), (x > 0).astype(np.float32))
    assert mod.output_shapes[0][1] == (3, 8, 7)


def test_group2ctxs_place_ctx_groups_per_device():
    with mx.AttrScope(ctx_group="dev1"):
        a = mx.sym.var("a") * 2
    with mx.AttrScope(ctx_group="dev2"):
        c = a + mx.sym.var("b")
    grads = []
    for g2c in ({"dev1": mx.cpu(1), "dev2": mx.cpu(2)}, None):
        mod = mx.mod.Module(c, context=[mx.cpu(0)], data_names=["a", "b"], label_names=None,
                            group2ctxs=g2c)
        mod.bind(data_shapes=[["a", (2, 5)], ["b", (2, 5)]], inputs_need_grad=True)
        mod.init_params()
        mod.forward(mx.io.DataBatch(data=[mx.nd.ones((2, 5)), mx.nd.ones((2, 5))]), is_train=True)
        mod.backward([mx.nd.ones((2, 5))])
        grads.append(mod.get_input_grads())
    assert [g.context for g in grads[0]] == [mx.cpu(1), mx.cpu(2)]
    for g0, g1 in zip(*grads):
        np.testing.assert_array_equal(g0.asnumpy(), g1.asnumpy())
    with pytest.raises(ValueError):
        mx.mod.Module(c, context=[mx.cpu(0), mx.cpu(1)], data_names=["a", "b"], label_names=None,
                      group2ctxs={"dev1": [mx.cpu(1)] * 3}).bind(data_shapes=[["a", (2, 5)], ["b", (2, 5)]])


def test_monitor_sees_backward_gradients_and_update_without_params():
    x = mx.sym.FullyConnected(mx.sym.var("data"), name="fc_0", num_hidden=2)
    x = mx.sym.LinearRegressionOutput(mx.sym.Activation(x, name="act_0", act_type="sigmoid"),
                                      name="softmax")
    mon = mx.mon.Monitor(1, pattern=".*", sort=True)
    mod = mx.mod.Module(x, context=[mx.cpu()])
    mod.bind([("data", (1, 2))], [("softmax_label", (1, 2))])
    mod.install_monitor(mon)
    mod.init_params(arg_params={"fc_0_weight": mx.nd.array([[.15, .20], [.25, .30]]),
                                "fc_0_bias": mx.nd.array([.35, .35])})
    mon.tic()
    mod.forward_backward(mx.io.DataBatch([mx.nd.array([[0.05, .10]])], [mx.nd.array([[.01, .99]])]))
    names = [k for _, k, _ in mon.toc()]
    assert names == ["act_0_backward_output", "act_0_output", "data", "fc_0_backward_output0",
                     "fc_0_backward_output1", "fc_0_backward_output2", "fc_0_bias", "fc_0_output",
                     "fc_0_weight", "softmax_backward_output0", "softmax_backward_output1",
                     "softmax_label", "softmax_output"]
    # a net without parameters: backward and update have nothing to do (no head gradient needed)
    mod = mx.mod.Module(mx.sym.Dropout(mx.sym.var("data"), 0.5))
    mod.bind(data_shapes=[("data", (10, 10))])
    mod.init_params()
    mod.init_optimizer()
    mod.forward_backward(mx.io.DataBatch([mx.nd.ones((10, 10))]))
    mod.update()
    assert mod.get_outputs()[0].shape == (10, 10)


def test_bucketing_module_names_each_bucket_afresh():
    def sym_gen(key):
        emb = mx.sym.Embedding(mx.sym.var("data"), input_dim=10, output_dim=4)
        return mx.sym.sum(emb, axis=1), ("data",), None
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=3, context=[mx.cpu()])
    mod.bind([("data", (2, 3))], None)
    mod.init_params()
    assert mod.symbol.list_arguments() == ["data", "embedding0_weight"]
    mod.switch_bucket(5, [("data", (2, 5))], None)
    assert mod.symbol.list_arguments() == ["data", "embedding0_weight"]


def test_multi_device_update_runs_on_the_kvstore(tmp_path):
    """Several devices and kvstore='local': MXNet's Module creates the store and lets it run the
    optimizer (its updater keeps the states, by parameter name); one device has no store."""
    sym = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    mod = mx.mod.Module(sym, ("data",), None, context=[mx.cpu(0), mx.cpu(1)])
    mod.bind(data_shapes=[("data", (4, 5))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    assert mod._update_on_kvstore and mod._updater is None and mod._kvstore.type == "local"
    mod.forward(mx.io.DataBatch([mx.nd.ones((4, 5))]), is_train=True)
    mod.backward([mx.nd.ones((4, 3))])
    mod.update()
    assert sorted(mod._kvstore._updater.states) == ["fc_bias", "fc_weight"]
    w0, w1 = (a.asnumpy() for a in mod._exec_group.param_arrays[0])
    np.testing.assert_array_equal(w0, w1)
    prefix = str(tmp_path / "m")
    mod.save_checkpoint(prefix, 0, save_optimizer_states=True)
    one = mx.mod.Module.load(prefix, 0, load_optimizer_states=True, data_names=("data",), label_names=None)
    one.bind(data_shapes=[("data", (4, 5))])
    one.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    assert one._kvstore is None and not one._update_on_kvstore
    for k, v in mod._kvstore._updater.states.items():
        np.testing.assert_array_equal(one._updater.states[k].asnumpy(), v.asnumpy())


def test_executor_groups_share_parameters_and_data_pool():
    from mxnet.module.executor_group import DataParallelExecutorGroup

    def net(layers):
        x = mx.sym.var("data")
        for i in range(layers):
            x = mx.sym.FullyConnected(x, num_hidden=4, name=f"fc{i}")
        return mx.sym.SoftmaxOutput(x, name="softmax")
    ctxs, shapes, labels = [mx.cpu(0), mx.cpu(1)], [("data", (6, 3))], [("softmax_label", (6,))]
    small = net(2)
    params = [n for n in small.list_arguments() if n not in ("data", "softmax_label")]
    g1 = DataParallelExecutorGroup(small, ctxs, [1, 1], shapes, labels, params, True, False)
    assert [sorted(d) for d in g1.shared_data_arrays] == [["data", "softmax_label"]] * 2
    g2 = DataParallelExecutorGroup(net(3), ctxs, [1, 1], shapes, labels, params, True, False,
                                   shared_group=g1)
    assert g2.shared_data_arrays is g1.shared_data_arrays
    assert sorted(g1.shared_data_arrays[0]) == ["data", "fc2_bias", "fc2_weight", "softmax_label"]
    for e1, e2 in zip(g1.execs, g2.execs):
        assert e2.arg_dict["data"] is e1.arg_dict["data"]
        for p in params:
            assert e2.arg_dict[p] is e1.arg_dict[p] and e2.grad_dict[p] is e1.grad_dict[p]
    assert g2.grad_req["fc0_weight"] == "write" and g2.grad_req["data"] == "null"
