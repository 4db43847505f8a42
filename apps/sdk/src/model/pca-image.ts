import { pca, pcaTransform } from '../math/pca';

/** An RGBA image (ImageData-compatible: draw it with ctx.putImageData(new ImageData(data, width, height), 0, 0)). */
export interface PcaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  /** Variance along each of the three components. */
  variances: [number, number, number];
}

/**
 * The first three principal components of patch tokens [h·w, D] as colours, following the official
 * demo (scenic/utils/feature_viz.py PCAVisualizer with whiten=True, normalize=False,
 * use_sigmoid=True): rgb = sigmoid(2·z) with z the whitened projections. Differences: PCA is fit on
 * all patches (the demo fits on 100 000 random draws with replacement), and each axis's sign makes
 * its largest entry positive (scikit-learn ≥ 1.5).
 */
export function pcaImage(patches: Float32Array, grid: [number, number], dim: number): PcaImage {
  const [h, w] = grid;
  const n = h * w;
  const p = pca(patches, n, dim, 3);
  const z = pcaTransform(patches, n, p, true);
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = c < p.k ? 1 / (1 + Math.exp(-2 * z[i * p.k + c]!)) : 0.5;
      data[i * 4 + c] = Math.round(v * 255);
    }
    data[i * 4 + 3] = 255;
  }
  return { data, width: w, height: h, variances: [p.variances[0] ?? 0, p.variances[1] ?? 0, p.variances[2] ?? 0] };
}
