# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
from mxnet.gluon.data.vision import transforms as T
nd = mx.nd
img = nd.array(np.arange(5 * 6 * 3).reshape(5, 6, 3) % 255, dtype='uint8')
# case: transforms_det
for t in [T.ToTensor(), T.Resize(3), T.Resize((4, 3)), T.Resize(3, keep_ratio=True), T.CenterCrop(3), T.CenterCrop((4, 2)), T.Cast('float16'), T.RandomResizedCrop(3, scale=(1, 1), ratio=(1.2, 1.2)) if False else T.Resize(2, interpolation=0)]:
    y = t(img)
    print(type(t).__name__, y.shape, str(y.dtype), round(float(y.astype('float64').sum().asscalar()), 3))
# case: normalize
t = T.Normalize(mean=(0.1, 0.2, 0.3), std=(0.5, 0.5, 0.5))
y = t(T.ToTensor()(img)); print(y.shape, round(float(y.sum().asscalar()), 3))
y = T.ToTensor()(nd.stack(img, img)); print(y.shape)
# case: normalize_bad
T.Normalize(mean=(0.1, 0.2), std=(1, 1))(T.ToTensor()(img))
# case: image_funcs
print(mx.image.imresize(img, 4, 3, interp=1).shape, mx.image.scale_down((6, 5), (8, 4)), mx.image.resize_short(img, 3, interp=2).shape)
y, r = mx.image.center_crop(img, (4, 4)); print(y.shape, r)
y, r = mx.image.random_crop(img, (6, 5)); print(y.shape, r)
print(mx.image.copyMakeBorder(img, 1, 1, 2, 2, type=0, values=7).shape)
# case: augmenters
augs = mx.image.CreateAugmenter(data_shape=(3, 4, 4), resize=5, mean=True, std=True)
print([type(a).__name__ for a in augs])
x = img.astype('float32')
for a in augs:
    x = a(x)
print(x.shape, str(x.dtype))
# case: to_tensor_float
print(T.ToTensor()(nd.ones((2, 2, 3))).asnumpy().max(), str(T.ToTensor()(nd.ones((2, 2, 3))).dtype))
