"""Reference SSIM values for metrics.test.ts, written independently of the TypeScript code.

Follows Wang et al.'s reference ssim_index.m: window = fspecial('gaussian', 11, 1.5) (normalised),
K = [0.01 0.03], L = 1, filter2(window, img, 'valid'), mean of the SSIM map; for RGB the mean over
channels. Images are deterministic functions of the pixel coordinates (no RNG) so the TypeScript test
rebuilds them exactly.  Run: python3 make_ssim_ref.py  (numpy only) → ssim_ref.json
"""
import json
import numpy as np


def image(h, w, phase):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = []
    for c in range(3):
        v = 0.5 + 0.35 * np.sin(0.7 * x + 0.3 * y + phase + c) * np.cos(0.2 * x - 0.5 * y + 2 * c)
        chans.append(np.round(v * 255) / 255)
    return np.stack(chans, -1)


def gaussian(size=11, sigma=1.5):
    ax = np.arange(size) - (size - 1) / 2
    g = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * sigma * sigma))
    return g / g.sum()


def filter_valid(img, win):
    k = win.shape[0]
    h, w = img.shape
    out = np.zeros((h - k + 1, w - k + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(img[i:i + k, j:j + k] * win)
    return out


def ssim_channel(a, b):
    win = gaussian()
    c1, c2 = (0.01) ** 2, (0.03) ** 2
    mu1, mu2 = filter_valid(a, win), filter_valid(b, win)
    s11 = filter_valid(a * a, win) - mu1 * mu1
    s22 = filter_valid(b * b, win) - mu2 * mu2
    s12 = filter_valid(a * b, win) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s11 + s22 + c2))
    return m.mean()


cases = []
for (h, w, p1, p2) in [(16, 20, 0.0, 0.4), (32, 32, 1.0, 1.3), (24, 18, 2.0, 5.0)]:
    a, b = image(h, w, p1), image(h, w, p2)
    cases.append({'height': h, 'width': w, 'phaseA': p1, 'phaseB': p2,
                  'ssim': float(np.mean([ssim_channel(a[..., c], b[..., c]) for c in range(3)])),
                  'mse': float(np.mean((a - b) ** 2))})
with open('ssim_ref.json', 'w') as f:
    json.dump({'source': 'make_ssim_ref.py (numpy, ssim_index.m semantics)', 'cases': cases}, f, indent=1)
print(cases)
