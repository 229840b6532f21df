"""mx.operator (CustomOp/CustomOpProp/register) and the Custom operator; expected values come from
MXNet 1.9.1 runs of the same code."""
import inspect

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError

CALLS = []


class _Softmax(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0]
        y = mx.nd.exp(x - x.max(axis=1, keepdims=True))
        self.assign(out_data[0], req[0], y / y.sum(axis=1, keepdims=True))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        lab = in_data[1].asnumpy().astype(np.int64)
        y = out_data[0].asnumpy()
        y[np.arange(lab.shape[0]), lab] -= 1.0
        self.assign(in_grad[0], req[0], mx.nd.array(y) / lab.shape[0])


@mx.operator.register("t_softmax")
class _SoftmaxProp(mx.operator.CustomOpProp):
    def __init__(self, **kwargs):
        CALLS.append(("init", kwargs))
        super().__init__(need_top_grad=False)

    def list_arguments(self):
        return ["data", "label"]

    def infer_shape(self, in_shape):
        CALLS.append(("infer_shape", in_shape))
        return [in_shape[0], (in_shape[0][0],)], [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        CALLS.append(("create", ctx, shapes, dtypes))
        return _Softmax()


class _AddMul(mx.operator.CustomOp):
    def __init__(self, scale):
        self.scale = scale

    def forward(self, is_train, req, in_data, out_data, aux):
        CALLS.append(("forward", is_train, req, len(aux)))
        a, b = in_data
        self.assign(out_data[0], req[0], (a + b) * self.scale)
        self.assign(out_data[1], req[1], a * b)
        if aux:
            aux[0][:] = aux[0] + 1

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        a, b = in_data
        g0, g1 = out_grad
        self.assign(in_grad[0], req[0], g0 * self.scale + g1 * b)
        self.assign(in_grad[1], req[1], g0 * self.scale + g1 * a)


class _AddMulProp(mx.operator.CustomOpProp):
    def __init__(self, scale="1.0"):
        super().__init__(need_top_grad=True)
        self.scale = float(scale)

    def list_arguments(self):
        return ["a", "b"]

    def list_outputs(self):
        return ["sum", "prod"]

    def infer_shape(self, in_shape):
        return [in_shape[0], in_shape[0]], [in_shape[0], in_shape[0]], self._aux_shapes()

    def _aux_shapes(self):
        return []

    def create_operator(self, ctx, shapes, dtypes):
        return _AddMul(self.scale)


@mx.operator.register("t_addmul_aux")
class _AddMulAuxProp(_AddMulProp):
    def list_auxiliary_states(self):
        return ["count"]

    def _aux_shapes(self):
        return [(1,)]


mx.operator.register("t_addmul")(_AddMulProp)


class _Scale(mx.operator.CustomOp):
    def __init__(self, k):
        self.k = k

    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * self.k)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0] * self.k)


@mx.operator.register("t_scale")
class _ScaleProp(mx.operator.CustomOpProp):
    def __init__(self, k="1"):
        super().__init__()
        self.k = float(k)

    def create_operator(self, ctx, shapes, dtypes):
        return _Scale(self.k)


X = np.array([[1, 2, 3], [0, 0, 1]], np.float32)
SOFTMAX = [[0.09003057, 0.24472846, 0.66524094], [0.21194156, 0.21194156, 0.5761169]]
A = np.array([[1, 2], [3, 4]], np.float32)
B = np.array([[0.5, -1], [2, 1]], np.float32)


def test_softmax_nd_autograd_and_prop_calls():
    CALLS.clear()
    x = mx.nd.array(X)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, mx.nd.array([2, 0]), op_type="t_softmax", foo=3, bar=(1, 2), baz=True)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy(), SOFTMAX, rtol=1e-6)
    y.backward()
    # need_top_grad=False: the head gradient plays no part
    np.testing.assert_allclose(x.grad.asnumpy(), np.array(
        [[0.09003057, 0.24472846, -0.33475906], [-0.78805846, 0.21194156, 0.5761169]]) / 2, rtol=1e-6)
    assert CALLS[0] == ("init", {"foo": "3", "bar": "(1, 2)", "baz": "True"})
    assert ("infer_shape", [[2, 3], [2]]) in CALLS
    create = [c for c in CALLS if c[0] == "create"][0]
    assert create[1] == mx.cpu(0) and create[2:] == ([[2, 3], [2]], [0, 0])


def test_two_outputs_aux_state_nd():
    a, b, c = mx.nd.array(A), mx.nd.array(B), mx.nd.zeros((1,))
    a.attach_grad()
    b.attach_grad()
    CALLS.clear()
    with mx.autograd.record():
        s, p = mx.nd.Custom(a, b, c, op_type="t_addmul_aux", scale=2)
        loss = (s * mx.nd.array([[1, 2], [3, 4]])).sum() + (p * 3).sum()
    loss.backward()
    assert CALLS == [("forward", 1, ["write", "write"], 1)]
    np.testing.assert_allclose(s.asnumpy(), [[3, 2], [10, 10]])
    np.testing.assert_allclose(p.asnumpy(), [[0.5, -2], [6, 4]])
    np.testing.assert_allclose(a.grad.asnumpy(), [[3.5, 1], [12, 11]])
    np.testing.assert_allclose(b.grad.asnumpy(), [[5, 10], [15, 20]])
    assert c.asnumpy().tolist() == [1.0]  # the op updates its auxiliary state in place
    out = mx.nd.Custom(a, b, c, op_type="t_addmul_aux", scale=2)
    assert isinstance(out, list) and len(out) == 2 and c.asnumpy().tolist() == [2.0]


def test_symbol_json_infer_and_bind():
    s = mx.sym.Custom(data=mx.sym.var("data"), op_type="t_softmax", foo=1.5, name="sm")
    assert s.list_arguments() == ["data", "sm_label"]
    assert s.list_outputs() == ["sm_output"]
    assert s.infer_shape(data=(2, 3)) == ([(2, 3), (2,)], [(2, 3)], [])
    js = s.tojson()
    node = [n for n in __import__("json").loads(js)["nodes"] if n["op"] == "Custom"][0]
    assert node["attrs"] == {"foo": "1.5", "op_type": "t_softmax"}
    s2 = mx.sym.load_json(js)
    grads = {"data": mx.nd.zeros((2, 3)), "sm_label": mx.nd.zeros(2)}
    ex = s2.bind(mx.cpu(), {"data": mx.nd.array(X), "sm_label": mx.nd.array([2, 0])}, args_grad=grads)
    np.testing.assert_allclose(ex.forward(is_train=True)[0].asnumpy(), SOFTMAX, rtol=1e-6)
    ex.backward(mx.nd.ones((2, 3)))
    np.testing.assert_allclose(grads["data"].asnumpy()[0], [0.045015, 0.122364, -0.16738], rtol=1e-4)
    assert grads["sm_label"].asnumpy().tolist() == [0, 0]


def test_symbol_two_outputs_executor():
    sym = mx.sym.Custom(mx.sym.var("a"), mx.sym.var("b"), op_type="t_addmul", scale=3, name="am")
    assert sym.list_outputs() == ["am_sum", "am_prod"]
    assert sym.infer_shape(a=(2, 2)) == ([(2, 2), (2, 2)], [(2, 2), (2, 2)], [])
    ex = sym.simple_bind(mx.cpu(), a=(2, 2))
    outs = ex.forward(is_train=True, a=mx.nd.array(A), b=mx.nd.array(B))
    np.testing.assert_allclose(outs[0].asnumpy(), [[4.5, 3], [15, 15]])
    ex.backward([mx.nd.ones((2, 2)), mx.nd.ones((2, 2))])
    np.testing.assert_allclose(ex.grad_dict["a"].asnumpy(), [[3.5, 2], [5, 4]])
    np.testing.assert_allclose(ex.grad_dict["b"].asnumpy(), [[4, 5], [6, 7]])


def test_hybridized_block():
    class Net(mx.gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.fc = mx.gluon.nn.Dense(3)

        def hybrid_forward(self, F, x):
            return F.Custom(self.fc(x), op_type="t_scale", k=2)

    net = Net()
    net.initialize(mx.init.Constant(0.1))
    net.hybridize()
    with mx.autograd.record():
        y = net(mx.nd.array([[1, 2], [3, -1]]))
    y.backward(mx.nd.array([[1, 0, 2], [0, 1, 1]]))
    np.testing.assert_allclose(y.asnumpy(), [[0.6] * 3, [0.4] * 3], rtol=1e-6)
    np.testing.assert_allclose(net.fc.weight.grad().asnumpy(), [[2, 4], [6, -2], [10, 6]], rtol=1e-6)


def test_train_with_custom_softmax_loss():
    rs = np.random.RandomState(0)
    X = rs.randn(60, 4).astype(np.float32)
    Y = (X @ rs.randn(4, 3).astype(np.float32)).argmax(1).astype(np.float32)
    fc = mx.gluon.nn.Dense(3, in_units=4)
    fc.initialize(mx.init.Zero())
    tr = mx.gluon.Trainer(fc.collect_params(), "sgd", {"learning_rate": 1.0})
    xs, ys = mx.nd.array(X), mx.nd.array(Y)
    for _ in range(20):
        with mx.autograd.record():
            p = mx.nd.Custom(fc(xs), ys, op_type="t_softmax")
        p.backward()
        tr.step(1)
    p = mx.nd.Custom(fc(xs), ys, op_type="t_softmax").asnumpy()
    assert (p.argmax(1) == Y).mean() == pytest.approx(0.98333333)  # MXNet 1.9.1: 59/60
    np.testing.assert_allclose(p[:2], [[0.00114238, 0.9974253, 0.00143229],
                                       [0.18920657, 0.2195896, 0.5912039]], rtol=1e-4, atol=1e-6)


def test_errors():
    x = mx.nd.array(X)
    with pytest.raises(MXNetError, match="Cannot find custom operator nope"):
        mx.nd.Custom(x, op_type="nope")
    with pytest.raises(MXNetError, match="Cannot find custom operator nope"):
        mx.sym.Custom(mx.sym.var("d"), op_type="nope")
    with pytest.raises(MXNetError, match="op_type"):
        mx.nd.Custom(x)
    with pytest.raises(MXNetError, match="argument 'data' is an array"):
        mx.nd.Custom(data=x, op_type="t_scale")
    with pytest.raises(MXNetError, match="unexpected keyword argument 'j'"):
        mx.nd.Custom(x, op_type="t_scale", j=2)
    with pytest.raises(MXNetError, match="null"):
        mx.operator.CustomOp().assign(x, "bogus", x)


def test_assign_req_and_registry_helpers():
    op = mx.operator.CustomOp()
    dst = mx.nd.ones((2,))
    op.assign(dst, "add", mx.nd.array([1, 2]))
    assert dst.asnumpy().tolist() == [2, 3]
    op.assign(dst, "null", mx.nd.array([9, 9]))
    op.assign(dst, "inplace", mx.nd.array([4, 5]))
    assert dst.asnumpy().tolist() == [4, 5]
    names = mx.operator.get_all_registered_operators()
    assert "Custom" in names and "FullyConnected" in names
    args = mx.operator.get_operator_arguments("Custom")
    assert args.narg == 2 and args.names == ["data", "op_type"]
    assert args.types[0] == "NDArray-or-Symbol[]"
    fc = mx.operator.get_operator_arguments("FullyConnected")
    assert fc.names == ["data", "weight", "bias", "num_hidden", "no_bias", "flatten"]
    assert str(inspect.signature(mx.nd.Custom)).startswith("(*data")
    prop = _ScaleProp()
    assert prop.infer_shape([[2, 3]]) == ([[2, 3]], ([2, 3],), ())
    assert prop.declare_backward_dependency([0], [1], [2]) == [0, 1, 2]


def test_symbol_aux_state_executor():
    sym = mx.sym.Custom(mx.sym.var("a"), mx.sym.var("b"), op_type="t_addmul_aux", scale=3, name="am")
    assert sym.list_arguments() == ["a", "b"] and sym.list_auxiliary_states() == ["am_count"]
    assert sym.infer_shape(a=(2, 2)) == ([(2, 2), (2, 2)], [(2, 2), (2, 2)], [(1,)])
    assert mx.sym.load_json(sym.tojson()).list_auxiliary_states() == ["am_count"]
    ex = sym.simple_bind(mx.cpu(), a=(2, 2))
    ex.forward(is_train=True, a=mx.nd.array(A), b=mx.nd.array(B))
    ex.backward([mx.nd.ones((2, 2)), mx.nd.ones((2, 2))])
    np.testing.assert_allclose(ex.grad_dict["a"].asnumpy(), [[3.5, 2], [5, 4]])
    assert ex.aux_dict["am_count"].asnumpy().tolist() == [1.0]


def test_executor_loss_like_custom_needs_no_head_grad():
    s = mx.sym.Custom(data=mx.sym.var("data"), op_type="t_softmax", name="sm")
    grads = {"data": mx.nd.zeros((2, 3)), "sm_label": mx.nd.zeros(2)}
    ex = s.bind(mx.cpu(), {"data": mx.nd.array(X), "sm_label": mx.nd.array([2, 0])}, args_grad=grads)
    ex.forward(is_train=True)
    ex.backward()
    np.testing.assert_allclose(grads["data"].asnumpy()[1], [-0.39402923, 0.10597078, 0.28805845], rtol=1e-5)
    ex2 = mx.sym.Custom(mx.sym.var("x"), op_type="t_scale").bind(mx.cpu(), {"x": mx.nd.array(X)},
                                                                 args_grad={"x": mx.nd.zeros((2, 3))})
    ex2.forward(is_train=True)
    with pytest.raises(MXNetError, match="head_grads"):
        ex2.backward()


def test_custom_op_without_inputs():
    # an operator with no input arrays runs on the current context (MXNet's test_custom_op case)
    class Ones(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            self.assign(out_data[0], req[0], mx.nd.ones((3, 2)))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            pass

    @mx.operator.register("mxnext_no_input_ones")
    class OnesProp(mx.operator.CustomOpProp):
        def list_arguments(self):
            return []

        def infer_shape(self, in_shape):
            return [], [(3, 2)], []

        def infer_type(self, in_type):
            return [], [np.float32], []

        def create_operator(self, ctx, shapes, dtypes):
            assert ctx == mx.cpu(0)
            return Ones()

    with mx.autograd.record():
        out = mx.nd.Custom(op_type="mxnext_no_input_ones")
    assert out.asnumpy().tolist() == [[1, 1]] * 3


def test_legacy_numpy_and_ndarray_ops():
    import warnings

    class Square(mx.operator.NDArrayOp):
        def forward(self, in_data, out_data):
            out_data[0][:] = in_data[0] * in_data[0]

        def backward(self, out_grad, in_data, out_data, in_grad):
            in_grad[0][:] = 2 * in_data[0] * out_grad[0]

    class Softmax(mx.operator.NumpyOp):
        """A loss: needs no head gradient; computes on NumPy arrays."""

        def __init__(self):
            super().__init__(need_top_grad=False)

        def list_arguments(self):
            return ["data", "label"]

        def infer_shape(self, in_shape):
            return [in_shape[0], (in_shape[0][0],)], [in_shape[0]]

        def forward(self, in_data, out_data):
            assert isinstance(in_data[0], np.ndarray)
            e = np.exp(in_data[0] - in_data[0].max(axis=1, keepdims=True))
            out_data[0][:] = e / e.sum(axis=1, keepdims=True)

        def backward(self, out_grad, in_data, out_data, in_grad):
            g = out_data[0].copy()
            g[np.arange(len(g)), in_data[1].astype(int)] -= 1
            in_grad[0][:] = g

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ident, sq, sm = mx.operator.NumpyOp(), Square(), Softmax()
    assert any("deprecated" in str(x.message) for x in w)
    x = mx.sym.var("x")
    s = ident.get_symbol(x, name="ident")
    assert s.list_outputs() == ["ident_output"]
    dx = mx.nd.zeros(3)
    e = s.bind(mx.cpu(), args=[mx.nd.array([1, 2, 3])], args_grad={"x": dx})
    e.forward(is_train=True)
    e.backward(mx.nd.array([4, 5, 6]))
    np.testing.assert_array_equal(e.outputs[0].asnumpy(), [1, 2, 3])
    np.testing.assert_array_equal(dx.asnumpy(), [4, 5, 6])
    e = sq(x).bind(mx.cpu(), args=[mx.nd.array([1, 2, 3])], args_grad={"x": mx.nd.zeros(3)})
    e.forward(is_train=True)
    e.backward(mx.nd.ones(3))
    np.testing.assert_array_equal(e.outputs[0].asnumpy(), [1, 4, 9])
    np.testing.assert_array_equal(e.grad_arrays[0].asnumpy(), [2, 4, 6])
    net = sm(mx.sym.var("d"), mx.sym.var("l"), name="sm")
    assert net.list_arguments() == ["d", "l"]
    e = net.simple_bind(mx.cpu(), d=(2, 3), l=(2,))
    e.forward(is_train=True, d=mx.nd.array([[1, 2, 3], [0, 0, 0]]), l=mx.nd.array([2, 0]))
    e.backward()
    p = np.exp([1.0, 2, 3]) / np.exp([1.0, 2, 3]).sum()
    np.testing.assert_allclose(e.outputs[0].asnumpy()[0], p, rtol=1e-6)
    np.testing.assert_allclose(e.grad_dict["d"].asnumpy(), [p - [0, 0, 1], [-2 / 3, 1 / 3, 1 / 3]],
                               rtol=1e-5, atol=1e-7)
