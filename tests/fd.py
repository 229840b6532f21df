"""Finite-difference gradient checks in float64 for operators run through mx.nd."""
import numpy as np

import mxnet as mx


def check_fd(fn, inputs, grad_inputs=None, eps=1e-6, rtol=1e-4, atol=1e-6, train=False, seed=0):
    """Compare autograd's input gradients of ``fn(*inputs)`` with central differences.

    ``inputs`` are NumPy arrays (made float64 here); ``fn`` takes NDArrays and returns an
    NDArray or a list; the scalar differentiated is sum(out_i * head_i) with random heads.
    """
    rng = np.random.RandomState(seed)
    ins = [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
           for a in inputs]
    if grad_inputs is None:
        grad_inputs = [i for i, a in enumerate(ins) if a.dtype.kind == "f"]
    xs = [mx.nd.array(a, dtype=a.dtype) for a in ins]
    for i in grad_inputs:
        xs[i].attach_grad()
    with mx.autograd.record(train_mode=train):
        out = fn(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    heads = [rng.normal(size=o.shape) for o in outs]
    mx.autograd.backward(outs, [mx.nd.array(h, dtype=np.float64) for h in heads])

    def scalar(arrs):
        with mx.autograd.train_mode() if train else mx.autograd.predict_mode():
            o = fn(*[mx.nd.array(a, dtype=a.dtype) for a in arrs])
        os_ = o if isinstance(o, (list, tuple)) else [o]
        return sum(float((x.asnumpy().astype(np.float64) * h).sum()) for x, h in zip(os_, heads))

    for i in grad_inputs:
        analytic = xs[i].grad.asnumpy()
        numeric = np.zeros_like(ins[i])
        flat = ins[i].reshape(-1)
        nflat = numeric.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            fp = scalar(ins)
            flat[j] = old - eps
            fm = scalar(ins)
            flat[j] = old
            nflat[j] = (fp - fm) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")
