# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
# case: version_ctx
print(mx.__version__, mx.context.num_gpus(), mx.Context('cpu', 0), mx.Context(mx.cpu(2)).device_id)
with mx.Context('cpu', 1):
    print(mx.current_context(), nd.ones((1,)).context)
print(mx.cpu() == mx.Context('cpu', 0), str(mx.gpu(1)), mx.cpu().device_typeid)
# case: features
f = mx.runtime.Features()
print(f.is_enabled('CPU_SSE'), type(f.is_enabled('CUDA')).__name__, f.is_enabled('CUDA'))
# case: features_bad
mx.runtime.Features().is_enabled('NOT_A_FEATURE')
# case: init_register
@mx.init.register
class MyInit(mx.init.Initializer):
    def _init_weight(self, name, arr):
        arr[:] = 5
w = nd.zeros((2,)); mx.init.create('myinit')('x_weight', w); P(w)
print(MyInit().dumps())
# case: optimizer_register_create
print(type(mx.optimizer.create('SGD')).__name__, type(mx.optimizer.Optimizer.create_optimizer('adam')).__name__)
# case: optimizer_bad
mx.optimizer.create('nope_opt')
# case: metric_bad
mx.metric.create('nope_metric')
# case: lr_sched_errs
mx.lr_scheduler.FactorScheduler(step=0)
# case: lr_multi_errs
mx.lr_scheduler.MultiFactorScheduler(step=[3, 2])
# case: random_funcs
print(mx.random.uniform(0, 1, shape=(2,)).shape, mx.random.normal(shape=(1, 2)).shape, mx.random.randint(0, 3, shape=(2,)).dtype, mx.random.seed(1, ctx='all'))
# case: name_manager
with mx.name.NameManager():
    a = mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=2)
    b = mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=2)
print(a.name, b.name)
# case: attr_scope
with mx.AttrScope(group='4', data='great'):
    d = mx.sym.var('data', attr={'dtype': 'data', 'group': '1'})
    g = mx.sym.var('gdata')
print(d.attr('group'), d.attr('data'), g.attr('group'), g.list_attr())
# case: sym_var_dtype
v = mx.sym.var('v', dtype='float16', shape=(2,))
print(v.infer_type(), v.infer_shape(), v.list_attr())
# case: engine_bulk
with mx.engine.bulk(10):
    P(nd.ones((1,)) + 1)
print(mx.engine.set_bulk_size(5))
# case: profiler
mx.profiler.set_config(profile_all=True, filename='/tmp/prof_diff.json')
mx.profiler.set_state('run'); nd.ones((2,)).wait_to_read(); mx.profiler.set_state('stop')
print(type(mx.profiler.dumps()).__name__)
# case: util
print(mx.util.is_np_array(), mx.util.is_np_shape())
mx.util.set_np(); print(mx.util.is_np_array(), mx.util.is_np_shape()); mx.util.reset_np()
print(mx.is_np_array() if hasattr(mx, 'is_np_array') else '')
# case: np_shape_zero_dim
with mx.util.np_shape(True):
    P(nd.zeros((2, 0)).shape, nd.ones(()).shape)
