# Reference outputs of Pillow's bilinear resize (what torchvision.transforms.Resize does on PIL
# images). Run: /usr/bin/python3 make_resize.py   (numpy + Pillow)
import numpy as np
from PIL import Image
rng = np.random.default_rng(0)
src = rng.integers(0, 256, size=(29, 37, 3), dtype=np.uint8)
# smooth areas too, so that rounding paths are exercised on both noise and ramps
src[:10, :12] = np.linspace(0, 255, 12, dtype=np.uint8)[None, :, None]
out = {'src': src}
for (w, h) in [(16, 12), (50, 41), (20, 40), (37, 14), (5, 3), (224, 224)]:
    out[f'out_{w}x{h}'] = np.asarray(Image.fromarray(src).resize((w, h), Image.BILINEAR))
np.savez('pil_resize.npz', **out)
print('PIL', Image.__version__ if hasattr(Image, '__version__') else '')
