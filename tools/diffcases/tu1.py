# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import test_utils as tu
nd = mx.nd
# case: assert_almost_equal
tu.assert_almost_equal(nd.array([1., 2]), np.array([1., 2.000001]))
print('ok')
# case: assert_almost_equal_fail
tu.assert_almost_equal(np.array([1., 2]), np.array([1., 2.1]))
# case: assert_almost_equal_fail_names
tu.assert_almost_equal(np.array([1., 2]), np.array([1., 2.1]), rtol=1e-5, atol=1e-5, names=('a', 'b'))
# case: almost_equal
print(tu.almost_equal(np.array([1.]), np.array([1.0001])), tu.almost_equal(np.array([1.]), np.array([1.0001]), rtol=1e-3), tu.same(np.array([1]), np.array([1])))
# case: rand_ndarray
a = tu.rand_ndarray((2, 3)); print(type(a).__name__, a.shape, a.dtype, a.stype)
print(tu.rand_shape_2d(3, 3).__len__(), len(tu.rand_shape_nd(4)), tu.default_context(), tu.default_dtype())
# case: check_numeric_gradient
x = mx.sym.var('x'); y = mx.sym.sin(x) * 2
tu.check_numeric_gradient(y, [np.array([0.3, 0.5])], numeric_eps=1e-3, rtol=1e-2, atol=1e-3)
print('ok')
# case: check_symbolic
x = mx.sym.var('x'); y = x * x
tu.check_symbolic_forward(y, [np.array([1., 2])], [np.array([1., 4])])
tu.check_symbolic_backward(y, [np.array([1., 2])], [np.ones(2)], [np.array([2., 4])])
print('ok')
# case: check_symbolic_fail
x = mx.sym.var('x'); y = x * x
tu.check_symbolic_forward(y, [np.array([1., 2])], [np.array([1., 5])])
# case: check_consistency
x = mx.sym.var('x'); y = mx.sym.relu(x)
r = tu.check_consistency(y, [{'ctx': mx.cpu(), 'x': (2, 3)}, {'ctx': mx.cpu(), 'x': (2, 3)}])
print(type(r).__name__)
# case: assert_exception
tu.assert_exception(lambda: 1 / 0, ZeroDivisionError)
print('ok')
# case: environment
with tu.environment('MXNET_TEST_X', '1'):
    import os; print(os.environ.get('MXNET_TEST_X'))
print(os.environ.get('MXNET_TEST_X'))
# case: np_reduce
print(tu.np_reduce(np.arange(6).reshape(2, 3), axis=1, keepdims=True, numpy_reduce_func=np.sum).tolist())
# case: set_default_context
tu.set_default_context(mx.cpu(0)); print(tu.default_context())
