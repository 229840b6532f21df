"""``mx.image`` against MXNet 1.9.1 (its OpenCV build): decoding through Pillow, the OpenCV
resize kernels, crops, borders and the augmenters. Expected values were recorded with real
MXNet on the deterministic images below; seeded Python/NumPy draws make the random ones
reproducible, as in MXNet."""
import io
import random
import sys

import numpy as onp
import pytest

import mxnet as mx
from mxnet import image
from mxnet.base import MXNetError

PIL = pytest.importorskip("PIL.Image", reason="mx.image decoding needs Pillow (mxnext[image])")


def _u8(h, w):
    return mx.nd.array(onp.arange(h * w * 3).reshape(h, w, 3) * 37 % 256, dtype="uint8")


def _f32(h, w):
    return mx.nd.array(onp.arange(h * w * 3).reshape(h, w, 3) * 0.37 % 1)


def _png(a):
    buf = io.BytesIO()
    PIL.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


RGB = (onp.arange(4 * 5 * 3).reshape(4, 5, 3) * 7 % 256).astype(onp.uint8)


def test_imdecode_and_imread(tmp_path):
    buf = _png(RGB)
    img = image.imdecode(buf)
    assert type(img) is mx.nd.NDArray and img.shape == (4, 5, 3) and img.dtype == onp.uint8
    onp.testing.assert_array_equal(img.asnumpy(), RGB)
    onp.testing.assert_array_equal(image.imdecode(buf, to_rgb=0).asnumpy(), RGB[:, :, ::-1])
    grey = image.imdecode(buf, flag=0)
    assert grey.shape == (4, 5, 1)
    # libpng's truncating grey conversion, as MXNet's OpenCV decodes it
    onp.testing.assert_array_equal(grey.asnumpy()[:, :, 0], [[5, 26, 47, 68, 89], [110, 131, 152, 173, 194],
                                                             [215, 236, 78, 22, 43], [64, 85, 106, 127, 148]])
    as_nd = mx.nd.array(onp.frombuffer(buf, onp.uint8), dtype="uint8")
    onp.testing.assert_array_equal(image.imdecode(as_nd).asnumpy(), RGB)
    path = tmp_path / "x.png"
    path.write_bytes(buf)
    onp.testing.assert_array_equal(image.imread(str(path)).asnumpy(), RGB)
    out = mx.nd.zeros((4, 5, 3), dtype="uint8")
    assert image.imread(str(path), out=out) is out and (out.asnumpy() == RGB).all()


def test_decode_errors(tmp_path, monkeypatch):
    with pytest.raises(MXNetError, match="invalid image"):
        image.imdecode(b"not an image")
    with pytest.raises(MXNetError, match="couldn't open file"):
        image.imread(str(tmp_path / "missing.png"))
    with pytest.raises(MXNetError, match="empty buffer"):
        image.imdecode(b"")
    buf = _png(RGB)
    monkeypatch.setattr(image._resize, "_cv2_module", False)  # as if OpenCV were not installed
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="Pillow"):
        image.imdecode(buf)


def test_np_mode_returns_np_arrays():
    mx.npx.set_np()
    try:
        img = image.imdecode(_png(RGB))
        assert isinstance(img, mx.np.ndarray)
        assert isinstance(image.imresize(img, 3, 2), mx.np.ndarray)
        crop, box = image.center_crop(img, (2, 2))
        assert isinstance(crop, mx.np.ndarray) and box == (1, 1, 2, 2)
    finally:
        mx.npx.reset_np()


U8_DOWN = {0: [[0, 111, 77, 43], [9, 120, 86, 52], [27, 138, 104, 70]],
           1: [[44, 207, 177, 115], [60, 222, 192, 130], [74, 87, 207, 145]],
           2: [[35, 216, 188, 107], [51, 232, 203, 122], [78, 78, 221, 138]],
           3: [[51, 168, 139, 110], [66, 183, 154, 124], [80, 109, 168, 139]],
           4: [[24, 211, 186, 97], [40, 226, 202, 113], [80, 69, 226, 130]]}
U8_UP = {0: [[0, 0, 111, 222, 77, 188, 43, 154], [0, 0, 111, 222, 77, 188, 43, 154],
             [9, 9, 120, 231, 86, 197, 52, 163], [18, 18, 129, 240, 95, 206, 61, 172],
             [27, 27, 138, 249, 104, 215, 70, 181], [36, 36, 147, 2, 113, 224, 79, 190]],
         1: [[0, 90, 187, 140, 125, 143, 64, 154], [7, 97, 194, 147, 132, 149, 70, 161],
             [14, 104, 202, 154, 140, 157, 78, 168], [22, 112, 209, 162, 147, 164, 85, 176],
             [29, 119, 172, 142, 155, 172, 93, 183], [36, 126, 47, 64, 161, 179, 100, 190]],
         2: [[0, 82, 211, 136, 121, 152, 47, 158], [1, 89, 217, 143, 127, 158, 54, 165],
             [10, 97, 225, 151, 135, 166, 62, 173], [17, 103, 249, 169, 141, 174, 70, 180],
             [25, 118, 194, 137, 157, 182, 78, 189], [32, 144, 27, 36, 186, 189, 84, 195]],
         3: [[0, 95, 190, 139, 125, 147, 59, 154], [7, 102, 197, 146, 132, 154, 66, 161],
             [14, 109, 204, 153, 139, 161, 73, 168], [22, 117, 212, 161, 146, 168, 80, 175],
             [29, 124, 182, 146, 153, 175, 87, 183], [36, 131, 43, 65, 161, 183, 95, 190]],
         4: [[0, 77, 224, 123, 123, 159, 41, 160], [4, 83, 234, 132, 129, 166, 47, 167],
             [12, 93, 229, 132, 140, 174, 56, 176], [20, 95, 255, 159, 140, 183, 62, 182],
             [27, 114, 207, 123, 163, 186, 71, 191], [29, 148, 36, 16, 206, 180, 81, 197]]}


@pytest.mark.parametrize("interp", range(5))
def test_imresize_uint8_matches_opencv(interp):
    down = image.imresize(_u8(5, 7), 4, 3, interp=interp)
    up = image.imresize(_u8(5, 7), 8, 6, interp=interp)
    assert down.shape == (3, 4, 3) and up.shape == (6, 8, 3) and up.dtype == onp.uint8
    onp.testing.assert_array_equal(down.asnumpy()[:, :, 0], U8_DOWN[interp])
    onp.testing.assert_array_equal(up.asnumpy()[:, :, 0], U8_UP[interp])


F32 = {(1, 4, 3): [[0.2979, 0.4487, 0.3496, 0.5421], [0.5813, 0.7738, 0.9663, 0.1587],
                   [0.1979, 0.3904, 0.5829, 0.7754]],
       (3, 4, 3): [[0.3551, 0.4294, 0.3323, 0.5209], [0.5871, 0.7186, 0.6786, 0.3529],
                   [0.2191, 0.4077, 0.5963, 0.7849]],
       (2, 8, 6): [[-0.045, 0.0413, 0.1349, 0.2697, 0.3974, 0.4909, 0.5903, 0.6766],
                   [0.6153, 0.7016, 0.8984, 0.3988, 0.021, 0.2505, 0.4344, 0.5109],
                   [0.7119, 0.7982, 0.9511, 0.7215, 0.6202, 0.5082, 0.0474, 0.1987],
                   [0.435, 0.5213, 0.6089, 0.7803, 0.9932, 0.8201, 0.3593, 0.5106],
                   [0.2291, 0.3154, 0.4148, 0.5138, 0.6049, 0.7433, 0.9271, 1.0036],
                   [0.0634, 0.1497, 0.2491, 0.3481, 0.4477, 0.5467, 0.6461, 0.7325]],
       (4, 8, 6): [[-0.0448, 0.0459, 0.1385, 0.2765, 0.4171, 0.489, 0.5761, 0.6659],
                   [0.6232, 0.6765, 0.9158, 0.3973, -0.0202, 0.2848, 0.4586, 0.5421],
                   [0.7306, 0.7989, 0.9919, 0.6854, 0.6186, 0.5129, 0.0004, 0.1732],
                   [0.4006, 0.4956, 0.5825, 0.7502, 1.06, 0.8382, 0.3656, 0.5293],
                   [0.2517, 0.3377, 0.4466, 0.5107, 0.5558, 0.7181, 0.9408, 1.0133],
                   [0.0671, 0.1555, 0.2574, 0.3538, 0.4613, 0.5434, 0.627, 0.7176]]}


@pytest.mark.parametrize("interp,w,h", list(F32))
def test_imresize_float32(interp, w, h):
    out = image.imresize(_f32(5, 7), w, h, interp=interp)
    assert out.dtype == onp.float32 and out.shape == (h, w, 3)
    onp.testing.assert_allclose(out.asnumpy()[:, :, 0], F32[(interp, w, h)], atol=1e-4)


def test_imresize_errors():
    with pytest.raises(MXNetError, match="interp"):
        image.imresize(_u8(4, 4), 2, 2, interp=9)  # the meta codes are for the augmenters only
    with pytest.raises(MXNetError, match="positive"):
        image.imresize(_u8(4, 4), 0, 2)
    with pytest.raises(MXNetError, match=r"\(H, W, C\)"):
        image.imresize(mx.nd.ones((4, 4)), 2, 2)


def test_resize_short_scale_down_and_fixed_crop():
    short = image.resize_short(_u8(5, 7), 3, interp=1)
    assert short.shape == (3, 4, 3)
    onp.testing.assert_allclose(short.asnumpy()[:, :, 1], [[81, 20, 214, 152], [97, 35, 229, 167],
                                                           [111, 50, 95, 182]], atol=1)
    assert image.scale_down((640, 480), (720, 120)) == (640, 106)
    assert image.scale_down((360, 1000), (480, 500)) == (360, 375)
    assert image.scale_down((10, 10), (4, 6)) == (4, 6)
    crop = image.fixed_crop(_u8(5, 7), 1, 2, 4, 3, size=(2, 2), interp=1)
    onp.testing.assert_array_equal(crop.asnumpy()[:, :, 2], [[133, 99], [146, 112]])
    onp.testing.assert_array_equal(image.fixed_crop(_u8(5, 7), 2, 1, 3, 2).asnumpy(),
                                   _u8(5, 7).asnumpy()[1:3, 2:5])
    with pytest.raises(MXNetError, match="outside"):
        image.fixed_crop(_u8(5, 7), 5, 0, 3, 2)


def test_center_and_random_crops_follow_python_random():
    crop, box = image.center_crop(_u8(5, 7), (4, 2))
    assert box == (1, 1, 4, 2)
    onp.testing.assert_array_equal(crop.asnumpy()[:, :, 0], [[120, 231, 86, 197], [129, 240, 95, 206]])
    random.seed(3)
    crop, box = image.random_crop(_u8(5, 7), (3, 2))
    assert box == (1, 1, 3, 2)
    onp.testing.assert_array_equal(crop.asnumpy()[:, :, 0], [[120, 231, 86], [129, 240, 95]])
    random.seed(4)
    crop, box = image.random_crop(_u8(5, 7), (14, 10), interp=0)
    assert box == (0, 0, 7, 5) and crop.shape == (10, 14, 3)
    random.seed(5)
    crop, box = image.random_size_crop(_u8(5, 7), (3, 3), 0.3, (0.75, 1.33), interp=1)
    assert box == (2, 0, 5, 5)
    onp.testing.assert_allclose(crop.asnumpy()[:, :, 0], [[176, 191, 120], [192, 206, 135],
                                                          [93, 221, 150]], atol=1)


BORDERS = {
    0: [[9] * 10, [9, 9, 0, 111, 222, 77, 188, 43, 154, 9], [9, 9, 9, 120, 231, 86, 197, 52, 163, 9],
        [9, 9, 18, 129, 240, 95, 206, 61, 172, 9], [9, 9, 27, 138, 249, 104, 215, 70, 181, 9],
        [9, 9, 36, 147, 2, 113, 224, 79, 190, 9], [9] * 10, [9] * 10],
    1: [[0, 0, 0, 111, 222, 77, 188, 43, 154, 154], [0, 0, 0, 111, 222, 77, 188, 43, 154, 154],
        [9, 9, 9, 120, 231, 86, 197, 52, 163, 163], [18, 18, 18, 129, 240, 95, 206, 61, 172, 172],
        [27, 27, 27, 138, 249, 104, 215, 70, 181, 181], [36, 36, 36, 147, 2, 113, 224, 79, 190, 190],
        [36, 36, 36, 147, 2, 113, 224, 79, 190, 190], [36, 36, 36, 147, 2, 113, 224, 79, 190, 190]],
    2: [[111, 0, 0, 111, 222, 77, 188, 43, 154, 154], [111, 0, 0, 111, 222, 77, 188, 43, 154, 154],
        [120, 9, 9, 120, 231, 86, 197, 52, 163, 163], [129, 18, 18, 129, 240, 95, 206, 61, 172, 172],
        [138, 27, 27, 138, 249, 104, 215, 70, 181, 181], [147, 36, 36, 147, 2, 113, 224, 79, 190, 190],
        [147, 36, 36, 147, 2, 113, 224, 79, 190, 190], [138, 27, 27, 138, 249, 104, 215, 70, 181, 181]],
    3: [[79, 190, 36, 147, 2, 113, 224, 79, 190, 36], [43, 154, 0, 111, 222, 77, 188, 43, 154, 0],
        [52, 163, 9, 120, 231, 86, 197, 52, 163, 9], [61, 172, 18, 129, 240, 95, 206, 61, 172, 18],
        [70, 181, 27, 138, 249, 104, 215, 70, 181, 27], [79, 190, 36, 147, 2, 113, 224, 79, 190, 36],
        [43, 154, 0, 111, 222, 77, 188, 43, 154, 0], [52, 163, 9, 120, 231, 86, 197, 52, 163, 9]],
    4: [[231, 120, 9, 120, 231, 86, 197, 52, 163, 52], [222, 111, 0, 111, 222, 77, 188, 43, 154, 43],
        [231, 120, 9, 120, 231, 86, 197, 52, 163, 52], [240, 129, 18, 129, 240, 95, 206, 61, 172, 61],
        [249, 138, 27, 138, 249, 104, 215, 70, 181, 70], [2, 147, 36, 147, 2, 113, 224, 79, 190, 79],
        [249, 138, 27, 138, 249, 104, 215, 70, 181, 70], [240, 129, 18, 129, 240, 95, 206, 61, 172, 61]]}


@pytest.mark.parametrize("border_type", range(5))
def test_copy_make_border(border_type):
    out = image.copyMakeBorder(_u8(5, 7), 1, 2, 2, 1, type=border_type, value=9)
    assert out.shape == (8, 10, 3) and out.dtype == onp.uint8
    onp.testing.assert_array_equal(out.asnumpy()[:, :, 0], BORDERS[border_type])


def test_copy_make_border_per_channel_values_and_errors():
    out = image.copyMakeBorder(_u8(5, 7), 1, 0, 0, 1, values=(1, 2, 3))
    onp.testing.assert_array_equal(out.asnumpy()[0], [[1, 2, 3]] * 8)
    with pytest.raises(MXNetError, match="type"):
        image.copyMakeBorder(_u8(5, 7), 1, 1, 1, 1, type=7)


def test_color_normalize_in_place():
    x = _f32(2, 3) * 255
    before = x.asnumpy()
    out = image.color_normalize(x, mx.nd.array([10, 20, 30]), mx.nd.array([2, 4, 8]))
    assert out is x
    onp.testing.assert_allclose(out.asnumpy(), (before - [10, 20, 30]) / [2, 4, 8], rtol=1e-6)


EIGVAL = onp.array([55.46, 4.794, 1.148])
EIGVEC = onp.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])
AUGS = {
    "bright": (lambda: image.BrightnessJitterAug(0.5),
               [[0.0, 26.714, 53.429, 80.143], [106.857, 133.571, 160.286, 187.0],
                [213.714, 240.428, 24.286, 51.0]]),
    "contrast": (lambda: image.ContrastJitterAug(0.5),
                 [[5.801, 32.515, 59.229, 85.944], [112.658, 139.372, 166.087, 192.801],
                  [219.515, 246.229, 30.087, 56.801]]),
    "saturation": (lambda: image.SaturationJitterAug(0.5),
                   [[3.662, 31.712, 59.762, 86.427], [114.477, 142.527, 163.449, 191.499],
                    [219.549, 247.599, 29.162, 57.212]]),
    "hue": (lambda: image.HueJitterAug(0.4),
            [[8.098, 36.152, 64.206, 76.866], [104.92, 132.974, 169.93, 197.984],
             [226.038, 254.092, 33.601, 61.655]]),
    "gray": (lambda: image.RandomGrayAug(1.0),
             [[81.141, 109.191, 137.241, 147.441], [175.491, 203.541, 47.991, 76.041],
              [104.091, 132.141, 106.641, 134.691]]),
    "lighting": (lambda: image.LightingAug(0.5, EIGVAL, EIGVEC),
                 [[-28.135, -0.086, 27.965, 56.015], [84.064, 112.115, 140.165, 168.214],
                  [196.264, 224.315, -2.635, 25.414]]),
    "force_resize": (lambda: image.ForceResizeAug((5, 3), interp=9),
                     [[0.0, 19.635, 42.075, 64.515, 84.15], [112.2, 131.835, 154.275, 176.715, 196.35],
                      [224.4, 244.035, 138.975, 33.915, 53.55]]),
    "sized_crop": (lambda: image.RandomSizedCropAug((3, 3), 0.5, (0.8, 1.25), 1),
                   [[28.05, 56.1, 84.15], [140.25, 168.3, 196.35], [252.45, 25.5, 53.55]]),
    "flip": (lambda: image.HorizontalFlipAug(1.0),
             [[84.15, 56.1, 28.05, 0.0], [196.35, 168.3, 140.25, 112.2], [53.55, 25.5, 252.45, 224.4]]),
}


@pytest.mark.parametrize("name", list(AUGS))
def test_augmenters_match_mxnet(name):
    make, expected = AUGS[name]
    random.seed(11)
    onp.random.seed(11)
    out = make()(_f32(3, 4) * 255)
    onp.testing.assert_allclose(out.asnumpy()[:, :, 0], expected, atol=2e-3)


def test_create_augmenter_pipeline():
    augs = image.CreateAugmenter((3, 4, 4), resize=5, rand_crop=True, rand_mirror=True, mean=True, std=True,
                                 brightness=0.3, contrast=0.3, saturation=0.3, hue=0.2, pca_noise=0.1,
                                 rand_gray=0.5)
    assert [type(a).__name__ for a in augs] == [
        "ResizeAug", "RandomCropAug", "HorizontalFlipAug", "CastAug", "ColorJitterAug", "HueJitterAug",
        "LightingAug", "RandomGrayAug", "ColorNormalizeAug"]
    assert augs[0].dumps() == '["resizeaug", {"size": 5, "interp": 2}]'
    assert augs[3].dumps() == '["castaug", {"type": "float32"}]'
    assert augs[4].dumps() == ["colorjitteraug", ['["brightnessjitteraug", {"brightness": 0.3}]',
                                                  '["contrastjitteraug", {"contrast": 0.3}]',
                                                  '["saturationjitteraug", {"saturation": 0.3}]']]
    random.seed(0)
    onp.random.seed(0)
    y = _u8(6, 9)
    for aug in augs:
        y = aug(y)
    assert y.shape == (4, 4, 3) and y.dtype == onp.float32
    # one grey level of resize rounding, divided by the ImageNet std
    onp.testing.assert_allclose(y.asnumpy()[:, :, 0], [[-0.475, 1.456, -1.113, 0.441],
                                                       [-1.044, 0.464, 1.377, -0.103],
                                                       [-2.012, 0.037, 0.655, -0.652],
                                                       [1.371, -1.042, 0.25, -1.255]], atol=0.03)
    with pytest.raises(ValueError, match="rand_crop"):
        image.CreateAugmenter((3, 4, 4), rand_resize=True)


def test_img_alias():
    assert mx.img is mx.image and mx.image.imresize is image.image.imresize


@pytest.fixture
def image_folder(tmp_path):
    """Five PNGs of growing height, listed in ``list.lst`` (labels 0, 1.5, ...) and packed in
    ``d.rec``/``d.idx`` (labels 0, 2, ...)."""
    rs = onp.random.RandomState(0)
    rec = mx.recordio.MXIndexedRecordIO(str(tmp_path / "d.idx"), str(tmp_path / "d.rec"), "w")
    with open(tmp_path / "list.lst", "w") as f:
        for i in range(5):
            buf = _png(rs.randint(0, 256, (6 + i, 7, 3)).astype(onp.uint8))
            (tmp_path / f"im{i}.png").write_bytes(buf)
            f.write(f"{i}\t{i * 1.5}\tim{i}.png\n")
            rec.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, 2.0 * i, i, 0), buf))
    rec.close()
    return tmp_path


def _epochs(it, n=2, pixel=(0, 0, 0)):
    out = []
    for _ in range(n):
        out += [(b.label[0].asnumpy().tolist(), b.pad, b.data[0].asnumpy()[(slice(None),) + pixel].tolist())
                for b in it]
        it.reset()
    return out


@pytest.mark.parametrize("handle,expected", [
    ("pad", [([0, 1.5], 0, [88, 0]), ([3, 4.5], 0, [137, 52]), ([6, 0], 1, [206, 88])] * 2),
    ("discard", [([0, 1.5], 0, [88, 0]), ([3, 4.5], 0, [137, 52])] * 2),
    ("roll_over", [([0, 1.5], 0, [88, 0]), ([3, 4.5], 0, [137, 52]), ([6, 0], 1, [206, 88]),
                   ([1.5, 3], 0, [0, 137]), ([4.5, 6], 0, [52, 206])]),
])
def test_image_iter_imglist_last_batch(image_folder, handle, expected):
    it = image.ImageIter(2, (3, 4, 4), path_imglist=str(image_folder / "list.lst"), path_root=str(image_folder),
                         last_batch_handle=handle)
    assert it.provide_data == [("data", (2, 3, 4, 4))] and it.provide_label == [("softmax_label", (2,))]
    batch = it.next()
    assert batch.data[0].shape == (2, 3, 4, 4) and batch.data[0].dtype == onp.float32
    it.reset()
    assert _epochs(it) == [(list(map(float, a)), p, list(map(float, c))) for a, p, c in expected]


def test_image_iter_imglist_options(image_folder):
    root = str(image_folder)
    it = image.ImageIter(3, (3, 5, 5), imglist=[[1.0, "im0.png"], [2.0, "im1.png"]], path_root=root)
    batch = it.next()
    assert batch.label[0].asnumpy().tolist() == [1, 2, 1] and batch.pad == 1
    it = image.ImageIter(2, (3, 4, 4), imglist=[[1.0, 2.0, "im0.png"], [3.0, 4.0, "im1.png"]], path_root=root,
                         label_width=2)
    assert it.provide_label == [("softmax_label", (2, 2))]
    assert it.next().label[0].asnumpy().tolist() == [[1, 2], [3, 4]]
    random.seed(0)
    it = image.ImageIter(2, (3, 4, 4), path_imglist=str(image_folder / "list.lst"), path_root=root, shuffle=True,
                         rand_crop=True, rand_mirror=True)
    assert [b.label[0].asnumpy().tolist() for b in it] == [[3, 1.5], [0, 6], [4.5, 3]]
    it = image.ImageIter(1, (3, 4, 4), path_imglist=str(image_folder / "list.lst"), path_root=root,
                         num_parts=2, part_index=1)
    assert [b.label[0].asnumpy().tolist() for b in it] == [[3], [4.5]]
    it = image.ImageIter(2, (3, 4, 4), path_imglist=str(image_folder / "list.lst"), path_root=root,
                         aug_list=[image.ForceResizeAug((4, 4))])
    onp.testing.assert_allclose(it.next().data[0].asnumpy()[0, :, 0], [[149, 153, 76, 149], [57, 91, 125, 129],
                                                                       [179, 30, 114, 182]], atol=1)


def test_image_iter_recordio(image_folder):
    rec, idx = str(image_folder / "d.rec"), str(image_folder / "d.idx")
    expected = [([0, 2], 0, [79, 3]), ([4, 6], 0, [103, 8]), ([8, 0], 1, [250, 79])] * 2
    for kwargs in (dict(path_imgrec=rec), dict(path_imgrec=rec, path_imgidx=idx)):
        got = _epochs(image.ImageIter(2, (3, 4, 4), **kwargs), pixel=(1, 2, 3))
        assert got == [(list(map(float, a)), p, list(map(float, c))) for a, p, c in expected]
    random.seed(1)
    it = image.ImageIter(2, (3, 4, 4), path_imgrec=rec, path_imgidx=idx, shuffle=True)
    assert [lab for lab, _, _ in _epochs(it)] == [[4, 6], [8, 0], [2, 4], [4, 8], [6, 2], [0, 4]]


def test_image_iter_errors(image_folder):
    with pytest.raises(AssertionError):
        image.ImageIter(2, (3, 4, 4))
    with pytest.raises(AssertionError, match="uint8 label not supported"):
        image.ImageIter(2, (3, 4, 4), path_imglist=str(image_folder / "list.lst"), dtype="uint8")
    with pytest.raises(ValueError, match="3 channels"):
        image.ImageIter(2, (1, 4, 4), path_imgrec=str(image_folder / "d.rec"))
