# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
img = nd.array(np.arange(5 * 6 * 3).reshape(5, 6, 3) % 255, dtype='uint8')
# case: nd_image_ops
P(nd.image.resize(img, size=3)[:, :, 0], nd.image.resize(img, size=(4, 3), keep_ratio=False, interp=0)[:, :, 0])
P(nd.image.resize(img, size=3, keep_ratio=True).shape, nd.image.resize(nd.stack(img, img), size=(2, 2)).shape)
P(nd.image.to_tensor(img)[0, 0], nd.image.normalize(nd.image.to_tensor(img), mean=(0.5, 0.5, 0.5), std=(0.2, 0.2, 0.2))[1, 1])
P(nd.image.crop(img, x=1, y=1, width=2, height=3)[:, :, 0], nd.image.flip_left_right(img)[0, :, 0], nd.image.flip_top_bottom(img)[:, 0, 0])
# case: nd_image_resize_float
P(nd.image.resize(img.astype('float32'), size=(4, 3))[:, :, 0])
# case: np_image
from mxnet import np as mnp, npx
npx.set_np()
x = mnp.array(img.asnumpy())
r = npx.image.resize(x, size=3)
print(type(r).__name__, r[:, :, 0].tolist())
print(npx.image.to_tensor(x).shape, npx.image.crop(x, 0, 0, 2, 2).shape)
