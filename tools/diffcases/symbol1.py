# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, json
sym = mx.sym
# case: compose
data = sym.var('data')
fc1 = sym.FullyConnected(data, num_hidden=10, name='fc1')
act = sym.Activation(fc1, act_type='relu', name='relu1')
fc2 = sym.FullyConnected(act, num_hidden=3, name='fc2')
out = sym.SoftmaxOutput(fc2, name='softmax')
print(out.list_arguments(), out.list_outputs(), out.list_auxiliary_states(), out.name)
a, o, x = out.infer_shape(data=(4, 5))
print(a, o, x)
print(out.infer_type(data='float32'))
print(out.get_internals().list_outputs())
print(out.get_internals()['fc1_output'].list_arguments())
# case: infer_shape_partial
data = sym.var('data')
fc = sym.FullyConnected(data, num_hidden=4, name='fc')
print(fc.infer_shape_partial())
print(fc.infer_shape())
# case: infer_shape_err
a = sym.var('a'); b = sym.var('b')
c = a + b
c.infer_shape(a=(2, 3), b=(3, 2))
# case: group
a = sym.var('a'); b = sym.var('b')
g = sym.Group([a + b, a * b, sym.relu(a)])
print(g.list_outputs(), len(g), g[1].list_outputs(), g.num_outputs if hasattr(g, 'num_outputs') else '')
# case: tojson
a = sym.var('a', shape=(2, 3), dtype='float32', lr_mult=2.0)
b = sym.exp(a, name='e') * 2
j = json.loads(b.tojson())
print([n['op'] for n in j['nodes']], [n['name'] for n in j['nodes']], j['arg_nodes'], j['heads'])
print([n.get('attrs') for n in j['nodes']])
s2 = sym.load_json(b.tojson())
print(s2.list_arguments(), s2.attr_dict())
# case: attr
a = sym.var('a', attr={'mood': 'happy'}, lr_mult=3)
print(a.attr('mood'), a.attr('__lr_mult__'), a.list_attr(), a.attr_dict())
with mx.AttrScope(ctx_group='dev1'):
    b = sym.exp(a, name='b')
print(b.attr('ctx_group'), b.attr_dict())
# case: eval_bind
a = sym.var('a'); b = sym.var('b')
c = 2 * a + b / 2 - 1
r = c.eval(a=mx.nd.ones((2,)), b=mx.nd.array([2, 4]))
P(r)
ex = c.bind(mx.cpu(), {'a': mx.nd.ones((2,)), 'b': mx.nd.array([2, 4])}, args_grad={'a': mx.nd.zeros((2,)), 'b': mx.nd.zeros((2,))})
ex.forward(is_train=True)
ex.backward(mx.nd.ones((2,)))
P(ex.outputs, ex.grad_dict['a'], ex.grad_dict['b'])
# case: simple_bind
data = sym.var('data')
fc = sym.FullyConnected(data, num_hidden=3, name='fc')
ex = fc.simple_bind(mx.cpu(), data=(2, 4))
print(sorted((k, v.shape) for k, v in ex.arg_dict.items()), ex.outputs[0].shape)
# case: naming_auto
with mx.name.Prefix('p_'):
    x = sym.var('x')
    y = sym.FullyConnected(x, num_hidden=2)
print(y.name.startswith('p_fullyconnected'), y.list_arguments()[1].startswith('p_fullyconnected'))
# case: ops_misc
x = sym.var('x')
y = sym.split(x, num_outputs=3, axis=1)
print(len(y), y.list_outputs() if hasattr(y, 'list_outputs') else '')
z = sym.reshape(x, shape=(-1,), name='r')
print(z.infer_shape(x=(2, 3))[1], sym.transpose(x).infer_shape(x=(2, 3, 4))[1], sym.Convolution(x, kernel=(3, 3), num_filter=4, name='c').infer_shape(x=(1, 2, 5, 5)))
# case: arith_scalar
x = sym.var('x')
for e in [x + 1, 1 - x, x * 2, 2 / x, x ** 2, 2 ** x, -x, x > 1, x == x, abs(x)]:
    print(e.eval(x=mx.nd.array([1., 2]))[0].asnumpy().tolist())
# case: sym_index_err
x = sym.var('x')
x[1]
# case: sym_str
x = sym.var('x'); y = sym.relu(x, name='r')
print(str(y), repr(y).split(' ')[0])
print(y.debug_str().splitlines()[0] if hasattr(y, 'debug_str') else '')
# case: infer_type_mixed
x = sym.var('x'); y = sym.Cast(x, dtype='float16') + sym.var('z')
print(y.infer_type(x='float32'))
# case: sym_var_init
v = sym.var('w', init=mx.init.Xavier(), shape=(2, 2))
print(v.list_attr())
# case: children
x = sym.var('x'); y = sym.var('y'); z = sym.broadcast_add(x, y, name='z')
print(z.get_children().list_outputs(), x.get_children())
# case: sym_zeros
print(sym.zeros((2, 3)).eval()[0].shape, sym.ones((2,), dtype='int32').eval()[0].dtype, sym.arange(3).eval()[0].asnumpy().tolist())
# case: infer_shape_unknown
x = sym.var('x'); y = sym.var('y')
print((x + y).infer_shape(x=(2, 3)))
print((x + y).infer_shape())
