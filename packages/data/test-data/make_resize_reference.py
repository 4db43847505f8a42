"""Reference outputs for @tips/data's antialiased bilinear crop+resize (src/image/resample.ts).

Run with /usr/bin/python3 (torch >= 1.11): writes resize-reference.json next to this script.
torchvision's Resize/RandomResizedCrop on tensors call exactly this interpolate (bilinear,
antialias=True, align_corners=False) on the cropped region.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(1234)
H, W = 37, 29
image = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
x = torch.from_numpy(image.astype(np.float32) / 255.0).permute(2, 0, 1)[None]

# (crop x, y, w, h) -> (out w, out h): strong and fractional shrink, enlarge, identity, mixed.
cases = [
    ((0, 0, 29, 37), (14, 14)),
    ((3, 5, 20, 25), (7, 11)),
    ((1, 2, 10, 9), (28, 14)),
    ((0, 0, 29, 37), (29, 37)),
    ((4, 0, 25, 37), (14, 42)),
    ((2, 3, 23, 31), (3, 5)),
]
out = {"height": H, "width": W, "image": image.reshape(-1).tolist(), "cases": []}
for (cx, cy, cw, ch), (ow, oh) in cases:
    crop = x[:, :, cy:cy + ch, cx:cx + cw]
    y = F.interpolate(crop, size=(oh, ow), mode="bilinear", antialias=True, align_corners=False)
    hwc = y[0].permute(1, 2, 0).contiguous().numpy().astype(np.float64)
    out["cases"].append({"box": [cx, cy, cw, ch], "out": [ow, oh], "hwc": [round(v, 7) for v in hwc.reshape(-1).tolist()]})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "resize-reference.json"), "w") as f:
    json.dump(out, f)
print("torch", torch.__version__, "cases", len(cases))
