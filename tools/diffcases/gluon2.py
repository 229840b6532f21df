# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx, os, tempfile
from mxnet import gluon, autograd
from mxnet.gluon import nn
nd = mx.nd
# case: hybrid_F_ops
class N(gluon.HybridBlock):
    def hybrid_forward(self, F, x, y):
        a = F.concat(x, y, dim=1)
        b = F.slice_axis(a, axis=1, begin=1, end=3)
        c = F.reshape(b, shape=(-1,))
        return F.broadcast_add(c.expand_dims(0), F.ones((1, 1))), F.split(a, num_outputs=2, axis=1)[0]
n = N(); x = nd.arange(4).reshape((2, 2)); y = nd.ones((2, 2))
r1 = n(x, y); n.hybridize(); r2 = n(x, y)
P(r1, r2)
# case: hybrid_sequential_export_json
net = nn.HybridSequential(prefix='m_')
with net.name_scope():
    net.add(nn.Conv2D(2, 3, in_channels=1), nn.BatchNorm(in_channels=2), nn.Activation('relu'), nn.MaxPool2D(), nn.Flatten(), nn.Dense(3, in_units=2))
net.initialize(mx.init.One())
net.hybridize()
net(nd.ones((1, 1, 4, 4)))
d = tempfile.mkdtemp(); net.export(os.path.join(d, 'n'))
import json
j = json.load(open(os.path.join(d, 'n-symbol.json')))
print([(x['op'], x['name']) for x in j['nodes']])
print(sorted(nd.load(os.path.join(d, 'n-0000.params')).keys()))
# case: hybridize_kwargs
net = nn.HybridSequential()
net.add(nn.Dense(2, in_units=2)); net.initialize()
net.hybridize(static_alloc=True, static_shape=True)
P(net(nd.ones((1, 2))).shape)
# case: block_children
net = nn.Sequential()
net.add(nn.Dense(2), nn.Dense(3))
print(len(net), type(net[0]).__name__, [type(b).__name__ for b in net[:1]] if hasattr(net[:1], '__iter__') else type(net[:1]).__name__)
print(list(net._children.keys()))
# case: block_register_child_attr
class B(gluon.Block):
    def __init__(self):
        super().__init__()
        self.l = [nn.Dense(2)]
        self.d = nn.Dense(3)
    def forward(self, x):
        return self.d(x)
b = B(); print(sorted(b.collect_params().keys()))
# case: param_ops
p = gluon.Parameter('w', shape=(2, 2), init=mx.init.One())
p.initialize()
p.set_data(nd.ones((2, 2)) * 3)
P(p.data(), p.list_data(), p.grad(), p.list_ctx())
p.reset_ctx(mx.cpu()); print(p.var().name, p.var().list_attr())
# case: param_wrong_shape_set
p = gluon.Parameter('w', shape=(2, 2)); p.initialize()
p.set_data(nd.ones((3,)))
# case: constant
c = gluon.Constant('c', nd.array([1, 2]))
print(c.grad_req, c.shape)
c.initialize(); P(c.data())
# case: paramdict
pd = gluon.ParameterDict('pre_')
a = pd.get('w', shape=(2,))
print(list(pd.keys()), a.name, pd.prefix)
print(pd)
# case: share_params
d1 = nn.Dense(2, in_units=2); d2 = nn.Dense(2, in_units=2, params=d1.collect_params())
d1.initialize(mx.init.One())
P(d2(nd.ones((1, 2))))
d3 = nn.Dense(2, in_units=2); d3.share_parameters(d1.collect_params()) if hasattr(d3, 'share_parameters') else None
print(d2.weight is d1.weight)
# case: apply_and_cast
net = nn.HybridSequential(); net.add(nn.Dense(2, in_units=2), nn.BatchNorm(in_channels=2)); net.initialize()
names = []
net.apply(lambda b: names.append(type(b).__name__))
print(names)
# case: contrib_layers
from mxnet.gluon import contrib
print(contrib.nn.Identity(), contrib.nn.Concurrent(axis=1), contrib.nn.HybridConcurrent())
c = contrib.nn.HybridConcurrent(axis=1); c.add(nn.Dense(2, in_units=2), contrib.nn.Identity()); c.initialize(mx.init.One())
P(c(nd.ones((1, 2))))
P(contrib.nn.PixelShuffle2D(2)(nd.arange(16).reshape((1, 4, 2, 2))).shape)
# case: vision_transforms
from mxnet.gluon.data.vision import transforms as T
img = nd.array(np.arange(48).reshape(4, 4, 3), dtype='uint8')
P(T.ToTensor()(img).shape, T.ToTensor()(img)[0, 0], T.Normalize(0.5, 0.25)(T.ToTensor()(img))[1, 1])
P(T.Resize(2)(img).shape, T.CenterCrop(2)(img), T.Resize((3, 2), keep_ratio=False)(img).shape, T.Compose([T.Resize(2), T.ToTensor()])(img).shape, T.CastToFloat() if hasattr(T, 'CastToFloat') else 'na')
# case: image_ops
img = nd.array(np.arange(48).reshape(4, 4, 3), dtype='uint8')
P(mx.image.imresize(img, 2, 3).shape, mx.image.center_crop(img, (2, 2))[1], mx.image.fixed_crop(img, 1, 1, 2, 2).shape, mx.image.resize_short(img, 2).shape, mx.image.color_normalize(img.astype('float32'), nd.array([1, 2, 3]), nd.array([2, 2, 2]))[0, 0])
# case: utils
from mxnet.gluon import utils
P(utils.split_data(nd.arange(10), 3), utils.split_and_load(nd.arange(4), [mx.cpu()]))
print(utils.clip_global_norm([nd.array([3., 4])], 1.0))
# case: split_data_uneven
from mxnet.gluon import utils
utils.split_data(nd.arange(10), 3, even_split=True)
# case: model_zoo
from mxnet.gluon.model_zoo import vision
n = vision.get_model('resnet18_v1', classes=5)
print(type(n).__name__, len(n.collect_params()))
n2 = vision.mobilenet_v2_0_25(classes=3); print(len(n2.collect_params()))
