"""Golden Module runs, checkpoints and print_summary text recorded under MXNet 1.9.1.

Run: ``cd tools/goldens && MXNET_MKLDNN_ENABLED=0 MXNET_STORAGE_FALLBACK_LOG_VERBOSE=0 \
../../.ref/bin/python gen_module.py``.
The network builders and the data take the ``mx`` module they use, so tests/test_module.py and
tests/test_model_viz.py build the very same graphs and inputs on mxnext.
"""
import contextlib
import io
import json
import logging
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "goldens", "module")


def mlp(mx):
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=16, name="fc1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax")


def lenet(mx):
    data = mx.sym.var("data")
    c1 = mx.sym.Convolution(data, kernel=(5, 5), num_filter=4, name="conv1")
    a1 = mx.sym.Activation(c1, act_type="tanh", name="tanh1")
    p1 = mx.sym.Pooling(a1, pool_type="max", kernel=(2, 2), stride=(2, 2), name="pool1")
    c2 = mx.sym.Convolution(p1, kernel=(3, 3), num_filter=6, name="conv2")
    b2 = mx.sym.BatchNorm(c2, fix_gamma=False, name="bn2")
    a2 = mx.sym.Activation(b2, act_type="relu", name="relu2")
    p2 = mx.sym.Pooling(a2, pool_type="avg", kernel=(2, 2), stride=(2, 2), name="pool2")
    f = mx.sym.Flatten(p2, name="flat")
    fc = mx.sym.FullyConnected(f, num_hidden=10, name="fc1")
    return mx.sym.SoftmaxOutput(fc, name="softmax")


def branchy(mx):
    """Two inputs, a Concat with several inputs, grouped no-bias convolution, Embedding, split."""
    x, tok = mx.sym.var("x"), mx.sym.var("tok")
    c = mx.sym.Convolution(x, kernel=(3, 3), num_filter=4, num_group=2, no_bias=True, pad=(1, 1), name="gconv")
    e = mx.sym.Embedding(tok, input_dim=7, output_dim=4, name="emb")
    e = mx.sym.Reshape(mx.sym.transpose(e, axes=(0, 2, 1), name="tr"), shape=(0, 4, 2, 2), name="resh")
    cat = mx.sym.Concat(c, e, dim=1, name="cat")
    parts = mx.sym.split(cat, num_outputs=2, axis=1, name="sp")
    act = mx.sym.LeakyReLU(parts[1], act_type="elu", name="elu")
    fc = mx.sym.FullyConnected(act, num_hidden=5, no_bias=True, name="fc")
    return mx.sym.Group([fc, mx.sym.softmax(parts[0], name="sm")]), {"x": (2, 2, 2, 2), "tok": (2, 4)}


def mlp_data():
    """60 samples of 20 features in 3 separable-ish classes."""
    rng = np.random.RandomState(42)
    label = rng.randint(0, 3, 60).astype(np.float32)
    centers = rng.standard_normal((3, 20)).astype(np.float32)
    data = centers[label.astype(int)] + 0.8 * rng.standard_normal((60, 20)).astype(np.float32)
    return data, label


def init_params(shapes, seed):
    """Fixed initial parameters: name -> float32 array."""
    rng = np.random.RandomState(seed)
    return {k: (0.3 * rng.standard_normal(s)).astype(np.float32) for k, s in sorted(shapes.items())}


def param_shapes(sym, **inputs):
    arg_shapes, _, aux_shapes = sym.infer_shape(**inputs)
    args = {n: s for n, s in zip(sym.list_arguments(), arg_shapes) if n not in inputs}
    aux = dict(zip(sym.list_auxiliary_states(), aux_shapes))
    return args, aux


def lenet_inputs():
    rng = np.random.RandomState(3)
    return (rng.standard_normal((4, 1, 16, 16)).astype(np.float32),
            np.array([0, 3, 9, 5], np.float32))


def main():
    import mxnet as mx
    arrays, meta = {}, {}
    # --- MLP trained with Module.fit ---
    sym = mlp(mx)
    data, label = mlp_data()
    shapes, _ = param_shapes(sym, data=(10, 20), softmax_label=(10,))
    init = init_params(shapes, 0)
    for k, v in init.items():
        arrays[f"mlp/init/{k}"] = v
    train = mx.io.NDArrayIter(data[:40], label[:40], batch_size=10, shuffle=False)
    val = mx.io.NDArrayIter(data[40:], label[40:], batch_size=10, shuffle=False)
    mod = mx.mod.Module(sym, context=mx.cpu())
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    mod.fit(train, eval_data=val, num_epoch=3, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            arg_params={k: mx.nd.array(v) for k, v in init.items()})
    logging.getLogger().removeHandler(handler)
    meta["fit_log"] = [ln for ln in log.getvalue().splitlines()]
    args, aux = mod.get_params()
    for k, v in args.items():
        arrays[f"mlp/final/{k}"] = v.asnumpy()
    meta["score"] = mod.score(val, "acc")
    meta["score_ce"] = mod.score(val, ["acc", "ce"])
    arrays["mlp/predict"] = mod.predict(val).asnumpy()
    # predict with a batch that does not divide the data (pad handling)
    odd = mx.io.NDArrayIter(data[40:], label[40:], batch_size=7, shuffle=False)
    arrays["mlp/predict_pad"] = mod.predict(odd).asnumpy()
    # --- LeNet forward/backward through a Module ---
    net = lenet(mx)
    x, y = lenet_inputs()
    shapes, aux_shapes = param_shapes(net, data=x.shape, softmax_label=y.shape)
    init = init_params(shapes, 1)
    aux = {k: (np.ones(s) if "var" in k else np.zeros(s)).astype(np.float32) for k, s in aux_shapes.items()}
    for k, v in {**init, **aux}.items():
        arrays[f"lenet/init/{k}"] = v
    mod = mx.mod.Module(net, context=mx.cpu())
    mod.bind(data_shapes=[("data", x.shape)], label_shapes=[("softmax_label", y.shape)],
             inputs_need_grad=True)
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in init.items()},
                    aux_params={k: mx.nd.array(v) for k, v in aux.items()})
    batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])
    mod.forward(batch, is_train=False)
    arrays["lenet/infer"] = mod.get_outputs()[0].asnumpy()
    mod.forward(batch, is_train=True)
    arrays["lenet/train"] = mod.get_outputs()[0].asnumpy()
    mod.backward()
    arrays["lenet/data_grad"] = mod.get_input_grads()[0].asnumpy()
    exe = mod._exec_group.execs[0]
    for k, g in exe.grad_dict.items():
        if g is not None and k != "data":
            arrays[f"lenet/grad/{k}"] = g.asnumpy()
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.05, "wd": 0.01})
    mod.update()
    args, aux_after = mod.get_params()
    for k, v in {**args, **aux_after}.items():
        arrays[f"lenet/updated/{k}"] = v.asnumpy()
    meta["output_shapes"] = [[n, list(s)] for n, s in mod.output_shapes]
    # --- checkpoint files (tests compare bytes) ---
    mx.model.save_checkpoint(os.path.join(OUT, "ckpt"), 7, sym,
                             {k: mx.nd.array(v) for k, v in init_params(param_shapes(
                                 sym, data=(2, 20))[0], 5).items()}, {})
    # --- print_summary text ---
    for name, s, shape in [("mlp", sym, {"data": (10, 20)}), ("lenet", net, {"data": (4, 1, 16, 16)}),
                           ("mlp_noshape", sym, None)]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            mx.viz.print_summary(s, shape=shape)
        meta[f"summary/{name}"] = buf.getvalue()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mx.viz.print_summary(net, shape={"data": (4, 1, 16, 16)}, line_length=90,
                             positions=[.3, .6, .8, 1.])
    meta["summary/lenet_narrow"] = buf.getvalue()
    bnet, bshape = branchy(mx)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mx.viz.print_summary(bnet, shape=bshape)
    meta["summary/branchy"] = buf.getvalue()
    # --- plot_network sources (graphviz 0.8.4 under the oracle) ---
    meta["plot/lenet"] = mx.viz.plot_network(net, shape={"data": (4, 1, 16, 16)}).source
    meta["plot/mlp_weights"] = mx.viz.plot_network(
        sym, title="t", save_format="png", hide_weights=False,
        node_attrs={"shape": "oval", "fixedsize": "false"}).source
    meta["plot/branchy"] = mx.viz.plot_network(bnet, shape=bshape, dtype={"x": "float32", "tok": "int32"}).source
    np.savez_compressed(os.path.join(OUT, "module.npz"), **arrays)
    with open(os.path.join(OUT, "module.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
