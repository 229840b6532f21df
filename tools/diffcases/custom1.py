# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet import autograd
nd = mx.nd
class Sq(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * in_data[0])
    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], 2 * in_data[0] * out_grad[0])
@mx.operator.register('sq_diff')
class SqProp(mx.operator.CustomOpProp):
    def __init__(self, scale='1'):
        super().__init__(need_top_grad=True)
        self.scale = float(scale)
    def list_arguments(self): return ['data']
    def list_outputs(self): return ['output']
    def infer_shape(self, in_shape): return in_shape, [in_shape[0]], []
    def create_operator(self, ctx, shapes, dtypes): return Sq()
# case: custom_nd
x = nd.array([1., 2, 3]); x.attach_grad()
with autograd.record():
    y = nd.Custom(x, op_type='sq_diff', scale=2)
y.backward()
P(y, x.grad)
# case: custom_sym
s = mx.sym.Custom(mx.sym.var('data'), op_type='sq_diff', name='c')
print(s.list_arguments(), s.list_outputs(), s.infer_shape(data=(2, 3)))
ex = s.bind(mx.cpu(), {'data': nd.array([1., 2])}, args_grad={'data': nd.zeros((2,))})
ex.forward(is_train=True); ex.backward(nd.ones((2,)))
P(ex.outputs[0], ex.grad_arrays[0])
# case: custom_unknown
nd.Custom(nd.ones((1,)), op_type='nope_xyz')
# case: custom_gluon
class B(mx.gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return F.Custom(x, op_type='sq_diff') + 1
b = B(); b.hybridize()
P(b(nd.array([2., 3])))
