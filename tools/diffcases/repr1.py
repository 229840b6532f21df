# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
# case: reprs
for a in [nd.arange(2000).reshape((40, 50)), nd.array([1.5, 2], dtype='float16'), nd.array([1, 2], dtype='int64'), nd.array([[1e-8, 1e8]]), nd.zeros((2, 1, 3)), nd.array([0.1, 0.25]), nd.ones((1,), dtype='uint8'), nd.array([3.0])]:
    print(repr(a)); print(str(a))
# case: repr_np
from mxnet import np as mnp
for a in [mnp.array([1., 2]), mnp.array([[1, 2]], dtype='int32'), mnp.array(3.5), mnp.arange(2000).reshape(40, 50), mnp.array([True, False])]:
    print(repr(a)); print(str(a))
# case: sym_repr
print(repr(mx.sym.var('x')), repr(mx.sym.Group([mx.sym.var('a'), mx.sym.var('b')])))
# case: ctx_repr
print(repr(mx.cpu()), repr(mx.gpu(1)), str(mx.cpu(3)))
# case: param_repr
p = mx.gluon.Parameter('w', shape=(2, 3), dtype='float16'); print(repr(p))
pd = mx.gluon.ParameterDict('x_'); pd.get('w', shape=(1,)); pd.get('b', shape=(2,)); print(repr(pd))
# case: nd_from_list_of_nd
P(nd.array([nd.array([1, 2]), nd.array([3, 4])]))
# case: databatch_desc_repr
print(repr(mx.io.DataDesc('data', (2, 3), 'float16', 'NC')))
