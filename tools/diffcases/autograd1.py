# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import autograd
nd = mx.nd
# case: basic
x = nd.array([1., 2, 3]); x.attach_grad()
with autograd.record():
    y = x * x + 2 * x
y.backward()
P(x.grad, y)
# case: grad_req_add
x = nd.array([1., 2]); x.attach_grad(grad_req='add')
for _ in range(3):
    with autograd.record():
        y = (x ** 2).sum()
    y.backward()
P(x.grad)
# case: head_grad
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = x * 3
y.backward(nd.array([10., 20]))
P(x.grad)
# case: retain_graph
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = nd.exp(x)
y.backward(retain_graph=True)
g1 = x.grad.copy()
y.backward()
P(g1, x.grad)
# case: backward_twice_err
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = nd.exp(x)
y.backward()
y.backward()
# case: pause
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = x * 2
    with autograd.pause():
        z = y * 3
    w = y + z
w.backward()
P(x.grad)
# case: states
print(autograd.is_recording(), autograd.is_training())
with autograd.record():
    print(autograd.is_recording(), autograd.is_training())
with autograd.record(train_mode=False):
    print(autograd.is_recording(), autograd.is_training())
with autograd.train_mode():
    print(autograd.is_recording(), autograd.is_training())
print(autograd.set_training(True), autograd.set_training(False), autograd.set_recording(True), autograd.set_recording(False))
# case: dropout_modes
x = nd.ones((4, 4))
P(nd.Dropout(x, p=0.5))
with autograd.record(train_mode=False):
    P(nd.Dropout(x, p=0.5))
with autograd.train_mode():
    y = nd.Dropout(x, p=0.5)
    print(sorted(set(y.asnumpy().ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0]))
P(nd.Dropout(x, p=0.5, mode='always').shape)
# case: batchnorm_modes
x = nd.array([[1., 2], [3, 5]]); g = nd.ones((2,)); b = nd.zeros((2,)); m = nd.zeros((2,)); v = nd.ones((2,))
P(nd.BatchNorm(x, g, b, m, v))
with autograd.record():
    y = nd.BatchNorm(x, g, b, m, v, momentum=0.5)
P(y, m, v)
with autograd.record(train_mode=False):
    P(nd.BatchNorm(x, g, b, m, v))
P(nd.BatchNorm(x, g, b, m, v, use_global_stats=True, fix_gamma=False, eps=1e-3))
P(nd.BatchNorm(x, g, b, m, v, output_mean_var=True))
# case: autograd_grad
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = x ** 3
dx = autograd.grad(y, [x], create_graph=True, retain_graph=True)
P(dx)
with autograd.record():
    y = x ** 3
    dx = autograd.grad(y, [x], create_graph=True, retain_graph=True)[0]
    z = dx.sum()
z.backward()
P(x.grad)
# case: autograd_backward_fn
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y1 = x * 2; y2 = x * x
autograd.backward([y1, y2], head_grads=[nd.ones((2,)), nd.ones((2,))])
P(x.grad)
# case: Function
class Sig(autograd.Function):
    def forward(self, x):
        y = 1 / (1 + nd.exp(-x))
        self.save_for_backward(y)
        return y
    def backward(self, dy):
        y, = self.saved_tensors
        return dy * y * (1 - y)
x = nd.array([0., 1]); x.attach_grad()
f = Sig()
with autograd.record():
    y = f(x)
y.backward()
P(y, x.grad)
# case: Function_multi
class Mul(autograd.Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b, a + b
    def backward(self, g1, g2):
        a, b = self.saved_tensors
        return g1 * b + g2, g1 * a + g2
a = nd.array([2.]); b = nd.array([3.]); a.attach_grad(); b.attach_grad()
with autograd.record():
    p, s = Mul()(a, b)
    out = p + s
out.backward()
P(a.grad, b.grad)
# case: no_record_backward_err
x = nd.array([1.]); x.attach_grad()
y = x * 2
y.backward()
# case: detach
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = x * 2
    z = y.detach() * x
z.backward()
P(x.grad)
# case: grad_req_null
x = nd.array([1., 2]); x.attach_grad(grad_req='null')
with autograd.record():
    y = x * 2
print(x.grad)
# case: mark_variables
x = nd.array([1., 2]); g = nd.zeros((2,))
autograd.mark_variables([x], [g])
with autograd.record():
    y = x * 5
y.backward()
P(g)
# case: get_symbol
x = nd.array([1., 2]); x.attach_grad()
with autograd.record():
    y = nd.relu(x) + 1
s = autograd.get_symbol(y)
print(type(s).__name__, len(s.list_arguments()))
# case: grad_of_indexing
x = nd.arange(6).reshape((2, 3)); x.attach_grad()
with autograd.record():
    y = x[1] * 2 + x[:, 0].sum()
y.backward()
P(x.grad)
# case: grad_setitem_in_record
x = nd.arange(4); x.attach_grad()
with autograd.record():
    y = x * 1
    y[1] = 10
    z = (y * y).sum()
z.backward()
P(x.grad)
