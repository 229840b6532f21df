"""Record forward outputs and input gradients of small symbols under real MXNet, for
tests/test_test_utils_symbolic.py (check_symbolic_forward/backward).

Run: cd tools/goldens && MXNET_MKLDNN_ENABLED=0 ../../.ref/bin/python gen_test_utils_symbolic.py
"""
import os

import mxnet as mx
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "goldens",
                   "test_utils_symbolic.npz")


def cases():
    d = mx.sym.var("data")
    yield "fc", mx.sym.FullyConnected(d, num_hidden=3, name="fc"), \
        {"data": (2, 4), "fc_weight": (3, 4), "fc_bias": (3,)}, {}
    yield "conv", mx.sym.Convolution(d, num_filter=3, kernel=(3, 3), pad=(1, 1), stride=(2, 1), name="conv"), \
        {"data": (1, 2, 5, 4), "conv_weight": (3, 2, 3, 3), "conv_bias": (3,)}, {}
    yield "sin", mx.sym.sin(d), {"data": (2, 3)}, {}
    yield "dot", mx.sym.dot(mx.sym.var("a"), mx.sym.var("b"), transpose_b=True), {"a": (2, 3), "b": (4, 3)}, {}
    yield "bn", mx.sym.BatchNorm(d, fix_gamma=False, name="bn"), \
        {"data": (2, 3, 2, 2), "bn_gamma": (3,), "bn_beta": (3,)}, \
        {"bn_moving_mean": (3,), "bn_moving_var": (3,)}
    yield "softmax", mx.sym.softmax(d, axis=-1), {"data": (2, 5)}, {}


def main():
    rng = np.random.RandomState(7)
    rec = {}
    for cid, sym, shapes, aux_shapes in cases():
        args = {k: rng.uniform(-1, 1, s).astype(np.float32) for k, s in shapes.items()}
        aux = {k: rng.uniform(0.5, 1.5, s).astype(np.float32) for k, s in aux_shapes.items()}
        exe = sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in args.items()},
                       args_grad={k: mx.nd.zeros(s) for k, s in shapes.items()},
                       aux_states={k: mx.nd.array(v) for k, v in aux.items()} or None)
        out = exe.forward(is_train=False)[0].asnumpy()
        ograd = rng.uniform(-1, 1, out.shape).astype(np.float32)
        exe.forward(is_train=True)
        exe.backward([mx.nd.array(ograd)])
        for k, v in args.items():
            rec[f"{cid}/arg/{k}"] = v
            rec[f"{cid}/grad/{k}"] = exe.grad_dict[k].asnumpy()
        for k, v in aux.items():
            rec[f"{cid}/aux/{k}"] = v
        rec[f"{cid}/out"] = out
        rec[f"{cid}/ograd"] = ograd
    np.savez_compressed(OUT, **rec)
    print("wrote", OUT, len(rec), "arrays")


if __name__ == "__main__":
    main()
