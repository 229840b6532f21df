"""gamma/gammaln gradients at the poles 0, -1, -2: values recorded under MXNet 1.9.1."""
import numpy as np

import mxnet as mx


def _grad(fn, values):
    x = mx.nd.array(values)
    x.attach_grad()
    with mx.autograd.record():
        y = fn(x)
    y.backward()
    return x.grad.asnumpy()


def test_gamma_family_gradients_at_poles():
    np.testing.assert_allclose(_grad(mx.nd.gammaln, [0.0, -1, -2, 1]), [np.inf, np.inf, np.inf, -0.5772157],
                               rtol=1e-6)
    np.testing.assert_allclose(_grad(mx.nd.gamma, [0.0, -1, 1]), [np.inf, np.nan, -0.5772157], rtol=1e-6)
