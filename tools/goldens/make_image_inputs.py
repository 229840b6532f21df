"""Encoded test images for the image-pipeline goldens (``tests/goldens/image_pipeline/``).

Run with Pillow (the project venv, not the MXNet 1.9.1 one, which has no Pillow):
``python tools/goldens/make_image_inputs.py``; then ``gen_image_pipeline.py`` under real MXNet
decodes and transforms them.  Smooth colour waves plus noise and a sharp-edged block, so that
every interpolation and JPEG's chroma subsampling have something to do.
"""
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                   "tests", "goldens", "image_pipeline")


def photo(h, w, seed):
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([128 + 100 * np.sin(x / 7.0) * np.cos(y / 5.0),
                    128 + 90 * np.sin((x + y) / 9.0),
                    128 + 80 * np.cos(np.hypot(x - w / 2, y - h / 2) / 6.0)], -1)
    img += rng.normal(0, 12, img.shape)
    img[h // 3:h // 2, w // 4:w // 2] = [250, 20, 30]
    return np.clip(img, 0, 255).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    Image.fromarray(photo(60, 80, 0)).save(os.path.join(OUT, "photo.jpg"), quality=90)
    Image.fromarray(photo(47, 61, 1)).save(os.path.join(OUT, "odd.jpg"), quality=95, subsampling=0)
    Image.fromarray(photo(30, 40, 2)).convert("L").save(os.path.join(OUT, "grey.jpg"), quality=85)
    Image.fromarray(photo(25, 33, 3)).save(os.path.join(OUT, "small.png"))


if __name__ == "__main__":
    main()
