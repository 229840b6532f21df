# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import np as mnp, npx
npx.set_np()
def Q(*xs):
    print(*[(type(x).__name__, getattr(x, 'shape', None), str(getattr(x, 'dtype', None)), x.tolist() if hasattr(x, 'tolist') else x) for x in xs])
# case: methods
x = mnp.array([[3., 1, 2], [0, 5, 4]])
Q(x.argsort(), x.clip(1, 3), x.round(), x.all(), x.any(), x.cumsum(), x.argmin(axis=0), x.flatten(), x.squeeze().shape, x.repeat(2, axis=0).shape, x.transpose(1, 0).shape, x.swapaxes(0, 1).shape, x.dot(x.T), x.nonzero() if hasattr(x, 'nonzero') else None, x.take(mnp.array([0, 2]), axis=1))
# case: mixed_np_nd
x = mnp.array([1, 2]); y = mx.nd.array([1, 2])
try:
    x + y
except Exception as e:
    print(type(e).__name__)
try:
    y + x
except Exception as e:
    print(type(e).__name__)
# case: np_funcs
x = mnp.array([[3., 1, 2], [0, 5, 4]])
Q(mnp.unique(mnp.array([3, 1, 3])), mnp.sort(x, axis=None), mnp.argmax(x, axis=1), mnp.tril(x), mnp.triu(x, 1), mnp.diag(mnp.array([1, 2])), mnp.outer(mnp.array([1, 2]), mnp.array([3, 4])), mnp.einsum('ij,ij->i', x, x), mnp.tensordot(x, x.T, axes=1), mnp.trace(mnp.eye(3)), mnp.kron(mnp.eye(2), mnp.ones((1, 2))).shape)
Q(mnp.meshgrid(mnp.arange(2), mnp.arange(3))[0].shape, mnp.nonzero(mnp.array([0, 1, 2])), mnp.argwhere(mnp.array([0, 1])) if hasattr(mnp, 'argwhere') else None, mnp.percentile(mnp.arange(5.), 50), mnp.average(x, axis=0, weights=mnp.array([1., 3])), mnp.interp(mnp.array([1.5]), mnp.array([1., 2]), mnp.array([0., 10])))
# case: np_scalar_ops
x = mnp.array([1., 2, 3])
Q(1 - x, 2 / x, x ** 2, 2 ** x, -x, x // 2 if False else 0, x % 2, abs(-x), x @ x)
# case: np_inplace
x = mnp.array([1., 2, 3]); y = x
x += 1; x *= 2; x[0] = 10
Q(x, y, x is y)
# case: np_random
mx.random.seed(0); a = mnp.random.uniform(size=3).tolist()
mx.random.seed(0); b = mnp.random.uniform(size=3).tolist()
print(a == b, mnp.random.choice(5, size=2).shape, mnp.random.randint(3, size=4).dtype, mnp.random.rand(2, 3).shape, mnp.random.normal(size=(2,)).dtype)
# case: np_autograd
from mxnet import autograd
x = mnp.array([1., 2, 3]); x.attach_grad()
with autograd.record():
    y = (x ** 2).sum() + mnp.sin(x).mean()
y.backward()
Q(x.grad)
# case: np_zero_size
Q(mnp.zeros((0, 3)), mnp.ones((2, 0)).sum(axis=1), mnp.array([]).shape, mnp.concatenate([mnp.zeros((0, 2)), mnp.ones((1, 2))]))
# case: np_where_one_arg
Q(mnp.where(mnp.array([0, 1, 1])))
# case: npx_more
x = mnp.array([[1., 2, 3], [4, 5, 6]])
Q(npx.log_softmax(x), npx.masked_softmax(x, mnp.array([[1, 1, 0], [1, 0, 0]])) if hasattr(npx, 'masked_softmax') else None, npx.sequence_mask(x.T, mnp.array([1, 2]), use_sequence_length=True), npx.gamma(mnp.array([3.])), npx.erf(mnp.array([0.5])), npx.layer_norm(x, mnp.ones(3), mnp.zeros(3)).shape, npx.arange_like(x, axis=1), npx.shape_array(x), npx.slice(x, begin=(0, 1), end=(1, 3)), npx.index_add if hasattr(npx, 'index_add') else 0)
