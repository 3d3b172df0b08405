# Writes the reference data of preprocess's tests with Debian's
# python3-torchvision 0.14.1 and python3-pil 9.4.0:
#
#   /usr/bin/python3 preprocess/testdata/reference.py
#
# photo.png is a 501x333 RGB picture drawn from a formula (smooth
# gradients, hard edges and fine stripes; odd sizes, so that the centre
# crops round a half). For each preset, <name>.png is the picture after
# torchvision's resize and crop (the 8-bit stage), and reference.txt holds
# the SHA-256 of the preset's whole float32 tensor (C x H x W, little
# endian) and a few of its values.
import hashlib
import math
import os

import numpy as np
from PIL import Image
from torchvision import transforms as T

here = os.path.dirname(os.path.abspath(__file__))

w, h = 501, 333
px = np.zeros((h, w, 3), dtype=np.uint8)
for y in range(h):
    for x in range(w):
        r = int(255 * x / (w - 1))
        g = int(127.5 + 127.5 * math.sin(x / 17.0 + y / 23.0))
        b = 255 if ((x // 8) + (y // 8)) % 2 == 0 else 30
        if 200 <= x < 300 and 100 <= y < 200:
            r, g, b = (x * 7) % 256, (y * 13) % 256, ((x + y) * 3) % 256
        px[y, x] = (r, g, b)
photo = Image.fromarray(px, "RGB")
photo.save(os.path.join(here, "photo.png"))
photo = Image.open(os.path.join(here, "photo.png"))

imagenet_mean, imagenet_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
clip_mean = (0.48145466, 0.4578275, 0.40821073)
clip_std = (0.26862954, 0.26130258, 0.27577711)
presets = {
    # torchvision.models.ResNet50_Weights.IMAGENET1K_V1.transforms()
    "imagenet": ([T.Resize(256), T.CenterCrop(224)], imagenet_mean, imagenet_std, "RGB"),
    # ram/transform.py get_transform(384)
    "ram": ([T.Resize((384, 384))], imagenet_mean, imagenet_std, "RGB"),
    # clip/clip.py _transform(224)
    "clip": ([T.Resize(224, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(224)], clip_mean, clip_std, "RGB"),
    # a 1-channel model: luminance, resized to 28x28, [0, 1]
    "gray28": ([T.Resize((28, 28))], [0.0], [1.0], "L"),
}
with open(os.path.join(here, "reference.txt"), "w") as out:
    for name, (steps, mean, std, mode) in presets.items():
        img = photo.convert(mode)
        for s in steps:
            img = s(img)
        img.save(os.path.join(here, name + ".png"))
        x = T.Normalize(mean, std)(T.ToTensor()(img)).numpy().astype("<f4")
        flat = x.reshape(-1)
        samples = " ".join(repr(float(flat[i])) for i in (0, 1, len(flat) // 2, len(flat) - 1))
        out.write(f"{name} {hashlib.sha256(x.tobytes()).hexdigest()} {samples}\n")
