# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import autograd
nd = mx.nd
# case: second_order
for f in [nd.sin, nd.cos, nd.log, nd.exp, nd.sigmoid, nd.tanh, nd.relu, lambda x: x * x * x, nd.reciprocal, nd.abs, nd.square, nd.sqrt]:
    x = nd.array([0.5, 1.5]); x.attach_grad()
    try:
        with autograd.record():
            y = f(x)
            g = autograd.grad(y, [x], create_graph=True, retain_graph=True)[0]
        g.backward()
        print(np.round(g.asnumpy(), 4).tolist(), np.round(x.grad.asnumpy(), 4).tolist())
    except Exception as e:
        print('EXC', type(e).__name__)
# case: grad_head_grads
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = x * x
g = autograd.grad(y, x, head_grads=nd.array([1., 10]))
P(g)
# case: grad_unused_var
x = nd.array([1., 2]); z = nd.array([3.]); x.attach_grad(); z.attach_grad()
with autograd.record():
    y = x * 2
try:
    P(autograd.grad(y, [x, z]))
except Exception as e:
    print(type(e).__name__)
# case: attach_in_record
x = nd.array([1., 2])
with autograd.record():
    x.attach_grad()
    y = x * 3
y.backward(); P(x.grad)
# case: backward_nonleaf_grad
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = x * 2
    y.attach_grad()
    z = y * y
z.backward(); P(x.grad, y.grad)
# case: train_predict_mode
with autograd.predict_mode():
    print(autograd.is_training())
with autograd.record():
    with autograd.predict_mode():
        print(autograd.is_training(), autograd.is_recording())
# case: multiple_heads_diff_shape
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    a = x.sum(); b = x * x
autograd.backward([a, b])
P(x.grad)
# case: int_grad
x = nd.array([1, 2], dtype='int32'); x.attach_grad()
with autograd.record():
    y = x * 2
y.backward(); P(x.grad)
# case: stop_grad_in_graph
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = nd.stop_gradient(x * 2) * x + nd.BlockGrad(x)
y.backward(); P(x.grad)
